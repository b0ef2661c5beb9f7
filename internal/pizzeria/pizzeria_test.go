package pizzeria

import (
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
