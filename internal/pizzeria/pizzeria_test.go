package pizzeria

import (
	"strings"
	"testing"
	"time"

	"github.com/oc-pizza/ocpizza/internal/errs"
)

func TestOpenAt(t *testing.T) {
	p := Pizzeria{Hours: []Hours{
		{Weekday: time.Friday, Open: 11*60 + 30, Close: 14 * 60},
		{Weekday: time.Friday, Open: 18 * 60, Close: 24*60 + 30}, // until 00:30 Saturday
	}}
	at := func(s string) time.Time {
		tm, err := time.ParseInLocation("2006-01-02 15:04", s, Paris)
		if err != nil {
			t.Fatal(err)
		}
		return tm.UTC()
	}
	tests := map[string]bool{
		"2026-11-27 11:29": false,
		"2026-11-27 11:30": true,
		"2026-11-27 14:00": false,
		"2026-11-27 23:59": true,
		"2026-11-28 00:15": true,  // Saturday, still Friday's evening span
		"2026-11-28 00:30": false, // closed
		"2026-11-28 12:00": false, // no Saturday hours
	}
	for when, want := range tests {
		if got := p.OpenAt(at(when)); got != want {
			t.Errorf("OpenAt(%s) = %v, want %v", when, got, want)
		}
	}
}

func TestNextOpening(t *testing.T) {
	p := Pizzeria{Hours: []Hours{
		{Weekday: time.Friday, Open: 18 * 60, Close: 23 * 60},
		{Weekday: time.Sunday, Open: 11*60 + 30, Close: 14 * 60},
	}}
	at := func(s string) time.Time {
		tm, err := time.ParseInLocation("2006-01-02 15:04:05", s, Paris)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	tests := map[string]string{
		"2026-11-27 10:00:00": "2026-11-27 18:00:00", // Friday morning: tonight
		"2026-11-27 19:00:00": "2026-11-27 19:00:00", // open now
		"2026-11-27 17:59:30": "2026-11-27 18:00:00", // to the minute, never before opening
		"2026-11-27 23:00:00": "2026-11-29 11:30:00", // Friday closing: Sunday lunch
		"2026-11-30 12:00:00": "2026-12-04 18:00:00", // Monday: next Friday
	}
	for from, want := range tests {
		got, ok := p.NextOpening(at(from))
		if !ok || !got.Equal(at(want)) {
			t.Errorf("NextOpening(%s) = %s %v, want %s", from, got.In(Paris), ok, want)
		}
	}
	if _, ok := (Pizzeria{}).NextOpening(at("2026-11-27 10:00:00")); ok {
		t.Error("a shop without hours has a next opening")
	}
}

func TestAddressNormalize(t *testing.T) {
	a, err := Address{Street: " 3 rue de la République ", Postcode: "69002", City: "Lyon "}.Normalize()
	if err != nil || a.Street != "3 rue de la République" || a.City != "Lyon" {
		t.Fatalf("got %+v, %v", a, err)
	}
	for _, bad := range []Address{
		{Street: "", Postcode: "69002", City: "Lyon"},
		{Street: "x", Postcode: "6900", City: "Lyon"},
		{Street: "x", Postcode: "69OO2", City: "Lyon"},
		{Street: "x", Postcode: "69002", City: ""},
		{Street: "1 rue\x00", Postcode: "69002", City: "Lyon"},
		{Street: "1 rue X", Postcode: "69002", City: "Ly\non"},
		{Street: "1 rue \xff", Postcode: "69002", City: "Lyon"},
	} {
		if _, err := bad.Normalize(); !errs.Is(err, errs.Invalid) {
			t.Errorf("%+v: got %v, want invalid", bad, err)
		}
	}
}

func TestDelivers(t *testing.T) {
	p := Pizzeria{DeliveryPostcodes: []string{"69001", "69002"}}
	if !p.Delivers("69002") || !p.Delivers(" 69001") || p.Delivers("69003") {
		t.Fatal("Delivers does not follow the postcode list")
	}
}

func TestValidateHoursRefusesOverlaps(t *testing.T) {
	friday := func(open, close int) Hours { return Hours{Weekday: time.Friday, Open: open, Close: close} }
	if err := ValidateHours([]Hours{friday(18*60, 23*60), friday(17*60, 19*60)}); !errs.Is(err, errs.Invalid) || !strings.Contains(err.Error(), "17:00–19:00") {
		t.Errorf("overlapping services: %v", err)
	}
	if err := ValidateHours([]Hours{friday(11*60, 14*60), friday(14*60, 23*60), {Weekday: time.Saturday, Open: 0, Close: 60}, friday(23*60, 26*60)}); err != nil {
		t.Errorf("services end to end, and one past midnight: %v", err)
	}
}
