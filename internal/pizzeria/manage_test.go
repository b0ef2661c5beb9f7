package pizzeria

import (
	"slices"
	"testing"
	"time"

	"github.com/oc-pizza/ocpizza/internal/errs"
)

func paris(t *testing.T, s string) time.Time {
	t.Helper()
	tm, err := time.ParseInLocation("2006-01-02 15:04", s, Paris)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

// A closed date closes the services that start that day, and the next
// opening skips it.
func TestClosuresCloseTheirDay(t *testing.T) {
	p := Pizzeria{Hours: []Hours{
		{Weekday: time.Friday, Open: 18 * 60, Close: 24*60 + 30}, // until 00:30 Saturday
		{Weekday: time.Saturday, Open: 11 * 60, Close: 14 * 60},
		{Weekday: time.Sunday, Open: 11 * 60, Close: 14 * 60},
	}, Closures: []Closure{{Date: "2026-11-28", Reason: "Inventaire"}}}
	for when, want := range map[string]bool{
		"2026-11-27 19:00": true,  // Friday, open
		"2026-11-28 00:15": true,  // Friday's service runs past midnight into the closed Saturday
		"2026-11-28 12:00": false, // Saturday is closed
		"2026-11-29 12:00": true,  // Sunday
	} {
		if got := p.OpenAt(paris(t, when)); got != want {
			t.Errorf("OpenAt(%s) = %v, want %v", when, got, want)
		}
	}
	next, ok := p.NextOpening(paris(t, "2026-11-28 01:00"))
	if !ok || !next.Equal(paris(t, "2026-11-29 11:00")) {
		t.Fatalf("next opening after the closure: %s %v", next.In(Paris), ok)
	}
	// Friday closed: its evening service does not open, nor run past
	// midnight.
	p.Closures = []Closure{{Date: "2026-11-27"}}
	if p.OpenAt(paris(t, "2026-11-27 19:00")) || p.OpenAt(paris(t, "2026-11-28 00:15")) {
		t.Fatal("a closed Friday opened")
	}
	// A fortnight's holiday: the next opening is found beyond a week.
	p.Closures = nil
	for d := 0; d < 14; d++ {
		p.Closures = append(p.Closures, Closure{Date: paris(t, "2026-11-27 12:00").AddDate(0, 0, d).Format(DateLayout)})
	}
	next, ok = p.NextOpening(paris(t, "2026-11-27 10:00"))
	if !ok || !next.Equal(paris(t, "2026-12-11 18:00")) {
		t.Fatalf("next opening after the holiday: %s %v", next.In(Paris), ok)
	}
	if up := p.UpcomingClosures(paris(t, "2026-12-09 10:00")); len(up) != 2 || up[0].Date != "2026-12-09" {
		t.Fatalf("upcoming closures %v", up)
	}
}

func TestClosureNormalize(t *testing.T) {
	c, err := Closure{Date: " 2026-12-25 ", Reason: " Noël "}.Normalize()
	if err != nil || c.Date != "2026-12-25" || c.Reason != "Noël" {
		t.Fatalf("%+v %v", c, err)
	}
	for _, bad := range []Closure{{Date: "25/12/2026"}, {Date: "2026-13-01"}, {Date: "2026-12-25", Reason: "a\nb"}} {
		if _, err := bad.Normalize(); !errs.Is(err, errs.Invalid) {
			t.Errorf("%+v: %v", bad, err)
		}
	}
}

func TestPostcodesCodesAndClocks(t *testing.T) {
	pcs, err := NormalizePostcodes([]string{"69003, 69001", "69001 69002"})
	if err != nil || !slices.Equal(pcs, []string{"69001", "69002", "69003"}) {
		t.Fatalf("%v %v", pcs, err)
	}
	if _, err := NormalizePostcodes([]string{"6900"}); !errs.Is(err, errs.Invalid) {
		t.Fatal("a four-digit postcode passed")
	}
	if c, err := NormalizeCode(" gui "); err != nil || c != "GUI" {
		t.Fatalf("%q %v", c, err)
	}
	for _, bad := range []string{"X", "TOO-LONG!", "ABCDEFGHI", "É1"} {
		if _, err := NormalizeCode(bad); err == nil {
			t.Errorf("code %q passed", bad)
		}
	}
	for in, want := range map[string]int{"18:30": 1110, "18h30": 1110, "9 h": 540, "00:00": 0, "24:00": 1440} {
		if got, err := ParseClock(in); err != nil || got != want {
			t.Errorf("ParseClock(%q) = %d %v, want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "25:00", "12:60", "noon"} {
		if _, err := ParseClock(bad); err == nil {
			t.Errorf("ParseClock(%q) passed", bad)
		}
	}
	h, err := SpanOf(time.Friday, "18:00", "01:30")
	if err != nil || h.Open != 18*60 || h.Close != 25*60+30 || FormatClock(h.Close) != "01:30" {
		t.Fatalf("span past midnight: %+v %v", h, err)
	}
}

// The last closing is the end of the last service, across midnight and
// closures; a shop open around the clock never closes.
func TestLastClosing(t *testing.T) {
	p := Pizzeria{Hours: []Hours{
		{Weekday: time.Friday, Open: 11 * 60, Close: 14 * 60},
		{Weekday: time.Friday, Open: 18 * 60, Close: 24*60 + 30}, // until 00:30 Saturday
		{Weekday: time.Sunday, Open: 11 * 60, Close: 14 * 60},
	}}
	for when, want := range map[string]string{
		"2026-11-27 13:00": "2026-11-22 14:00", // Friday lunch: last closed Sunday
		"2026-11-27 14:00": "2026-11-27 14:00", // the minute it closes
		"2026-11-27 17:59": "2026-11-27 14:00",
		"2026-11-28 00:20": "2026-11-27 14:00", // the evening runs past midnight
		"2026-11-28 00:30": "2026-11-28 00:30",
		"2026-11-29 20:00": "2026-11-29 14:00",
	} {
		got, ok := p.LastClosing(paris(t, when))
		if !ok || !got.Equal(paris(t, want)) {
			t.Errorf("LastClosing(%s) = %s %v, want %s", when, got.In(Paris).Format("2006-01-02 15:04"), ok, want)
		}
	}
	p.Closures = []Closure{{Date: "2026-11-27"}} // Friday closed: Sunday's is the last
	if got, ok := p.LastClosing(paris(t, "2026-11-28 09:00")); !ok || !got.Equal(paris(t, "2026-11-22 14:00")) {
		t.Errorf("LastClosing over a closed Friday = %s %v", got.In(Paris), ok)
	}
	if _, ok := (Pizzeria{Hours: AroundTheClock()}).LastClosing(paris(t, "2026-11-28 09:00")); ok {
		t.Error("a shop open around the clock closed")
	}
	if _, ok := (Pizzeria{}).LastClosing(paris(t, "2026-11-28 09:00")); ok {
		t.Error("a shop without hours closed")
	}
}
