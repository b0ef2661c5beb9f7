// Package pizzeria describes the chain's shops: where they are, when they
// open and where they deliver.
package pizzeria

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/oc-pizza/ocpizza/internal/errs"
	"github.com/oc-pizza/ocpizza/internal/text"
)

// Address is a French postal address.
type Address struct {
	Street   string `json:"street"`
	Postcode string `json:"postcode"`
	City     string `json:"city"`
}

var postcodeRE = regexp.MustCompile(`^[0-9]{5}$`)

// Normalize trims the fields and checks that the address is complete.
func (a Address) Normalize() (Address, error) {
	a.Street = strings.TrimSpace(a.Street)
	a.Postcode = strings.TrimSpace(a.Postcode)
	a.City = strings.TrimSpace(a.City)
	switch {
	case a.Street == "" || a.City == "":
		return a, errs.E(errs.Invalid, "the address needs a street and a city")
	case !postcodeRE.MatchString(a.Postcode):
		return a, errs.E(errs.Invalid, "the postcode must be five digits")
	case len(a.Street) > 200 || len(a.City) > 100:
		return a, errs.E(errs.Invalid, "the address is too long")
	}
	return a, text.Lines("street", a.Street, "city", a.City)
}

// String renders the address on one line.
func (a Address) String() string { return fmt.Sprintf("%s, %s %s", a.Street, a.Postcode, a.City) }

// Hours is one opening span in local (Europe/Paris) time, minutes after
// midnight. Close may exceed 24*60 for a span that ends after midnight.
type Hours struct {
	Weekday time.Weekday `json:"weekday"`
	Open    int          `json:"open"`
	Close   int          `json:"close"`
}

// Pizzeria is one shop of the chain.
type Pizzeria struct {
	ID      int64
	Code    string // short code that prefixes order numbers, e.g. "REP"
	Name    string
	Address Address
	Phone   string
	Hours   []Hours
	// DeliveryPostcodes are the postcodes this shop delivers to.
	DeliveryPostcodes []string
	// Active is false for a shop created before it opens.
	Active bool
	// Kitchen holds the kitchen display's settings.
	Kitchen KitchenSettings
	// Closures are the days it stays closed besides its weekly hours
	// (holidays, works), by date.
	Closures []Closure
}

// KitchenSettings colour a ticket on the kitchen display by its age:
// amber past Warn minutes, red past Late.
type KitchenSettings struct {
	WarnMinutes int
	LateMinutes int
}

// DefaultKitchen is what a new pizzeria starts with.
var DefaultKitchen = KitchenSettings{WarnMinutes: 10, LateMinutes: 15}

// Age says how a ticket of an age reads: "ok", "warn" or "late".
func (k KitchenSettings) Age(age time.Duration) string {
	switch {
	case k.LateMinutes > 0 && age >= time.Duration(k.LateMinutes)*time.Minute:
		return "late"
	case k.WarnMinutes > 0 && age >= time.Duration(k.WarnMinutes)*time.Minute:
		return "warn"
	}
	return "ok"
}

// Validate checks the thresholds: amber before red, within two hours.
func (k KitchenSettings) Validate() error {
	if k.WarnMinutes < 1 || k.LateMinutes <= k.WarnMinutes || k.LateMinutes > 120 {
		return errs.E(errs.Invalid, "the kitchen thresholds go amber then red, from 1 to 120 minutes")
	}
	return nil
}

// Delivers reports whether the shop delivers to the postcode.
func (p Pizzeria) Delivers(postcode string) bool {
	return slices.Contains(p.DeliveryPostcodes, strings.TrimSpace(postcode))
}

// Paris is where opening hours are read and times are shown.
var Paris = mustLoad("Europe/Paris")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		// The binary embeds time/tzdata, so this only fails if that is removed.
		panic(err)
	}
	return loc
}

// OpenAt reports whether the shop is open at t. A closed date closes the
// spans that start that day: Friday's evening service still ends after
// midnight when Saturday is a closure.
func (p Pizzeria) OpenAt(t time.Time) bool {
	local := t.In(Paris)
	minute := local.Hour()*60 + local.Minute()
	yesterday := (local.Weekday() + 6) % 7
	for _, h := range p.Hours {
		if h.Weekday == local.Weekday() && minute >= h.Open && minute < h.Close && !p.ClosedOn(local) {
			return true
		}
		// A span from yesterday that runs past midnight.
		if h.Weekday == yesterday && h.Close > 24*60 && minute+24*60 < h.Close && !p.ClosedOn(local.AddDate(0, 0, -1)) {
			return true
		}
	}
	return false
}

// NextOpening returns when the shop next opens after t (t itself when it
// is open then), to the minute, looking a week ahead plus a day for each
// closure; false when it opens in none of that time.
func (p Pizzeria) NextOpening(t time.Time) (time.Time, bool) {
	at := t.Truncate(time.Minute)
	if at.Before(t) {
		at = at.Add(time.Minute)
	}
	// How far past midnight yesterday's spans may run: after that, a
	// closed date is closed to its end and the search jumps to the next day.
	spill := 0
	for _, h := range p.Hours {
		spill = max(spill, h.Close-24*60)
	}
	// Spans start on the quarter hour or so; minute steps over a week are
	// 10,080 cheap checks at most, and only for a closed shop.
	for end := at.Add(time.Duration(8+len(p.Closures)) * 24 * time.Hour); at.Before(end); at = at.Add(time.Minute) {
		if local := at.In(Paris); local.Hour()*60+local.Minute() >= spill && p.ClosedOn(local) {
			y, m, d := local.Date()
			at = time.Date(y, m, d+1, 0, 0, 0, 0, Paris).Add(-time.Minute)
			continue
		}
		if p.OpenAt(at) {
			return at, true
		}
	}
	return time.Time{}, false
}

// LastClosing returns the last time, at or before t, the shop closed (the
// end of a service), to the minute, looking back a week plus a day for
// each closure; false when it did not close in that time (a shop open
// around the clock, or one that has not opened yet).
func (p Pizzeria) LastClosing(t time.Time) (time.Time, bool) {
	at := t.Truncate(time.Minute)
	open := p.OpenAt(at)
	for end := at.Add(-time.Duration(8+len(p.Closures)) * 24 * time.Hour); at.After(end); {
		before := at.Add(-time.Minute)
		wasOpen := p.OpenAt(before)
		if wasOpen && !open {
			return at, true
		}
		at, open = before, wasOpen
	}
	return time.Time{}, false
}

// Validate checks a pizzeria before it is stored.
func (p Pizzeria) Validate() error {
	if strings.TrimSpace(p.Name) == "" || strings.TrimSpace(p.Code) == "" {
		return errs.E(errs.Invalid, "a pizzeria needs a name and a code")
	}
	if err := text.Lines("name", p.Name, "code", p.Code, "phone", p.Phone); err != nil {
		return err
	}
	if _, err := p.Address.Normalize(); err != nil {
		return err
	}
	for _, pc := range p.DeliveryPostcodes {
		if !postcodeRE.MatchString(pc) {
			return errs.E(errs.Invalid, "delivery postcode %q is not five digits", pc)
		}
	}
	if p.Kitchen != (KitchenSettings{}) {
		if err := p.Kitchen.Validate(); err != nil {
			return err
		}
	}
	if len(p.Name) > 100 || len(p.Code) > 8 || len(p.Phone) > 30 {
		return errs.E(errs.Invalid, "the name (100), code (8) or phone (30 characters) is too long")
	}
	return ValidateHours(p.Hours)
}

// AroundTheClock is opening hours of every minute of the week (load
// tests, test fixtures).
func AroundTheClock() []Hours {
	h := make([]Hours, 0, 7)
	for d := time.Sunday; d <= time.Saturday; d++ {
		h = append(h, Hours{Weekday: d, Open: 0, Close: 24 * 60})
	}
	return h
}

// ValidateHours checks weekly opening hours.
func ValidateHours(hours []Hours) error {
	for _, h := range hours {
		if h.Weekday < time.Sunday || h.Weekday > time.Saturday || h.Open < 0 || h.Close <= h.Open || h.Close > 48*60 {
			return errs.E(errs.Invalid, "opening hours out of range")
		}
	}
	// Two services of one day that overlap are a typing slip (17:00–19:00
	// beside 18:00–23:00): say so rather than store them.
	sorted := slices.Clone(hours)
	slices.SortFunc(sorted, func(a, b Hours) int { return cmp.Or(cmp.Compare(a.Weekday, b.Weekday), cmp.Compare(a.Open, b.Open)) })
	for i := 1; i < len(sorted); i++ {
		a, b := sorted[i-1], sorted[i]
		if a.Weekday == b.Weekday && b.Open < a.Close {
			return errs.E(errs.Invalid, "on %s, %s–%s and %s–%s overlap", a.Weekday, hhmm(a.Open), hhmm(a.Close), hhmm(b.Open), hhmm(b.Close))
		}
	}
	return nil
}

// hhmm writes minutes after midnight as a time of day: "18:30" ("26:00"
// is 2 a.m. the next day).
func hhmm(m int) string { return fmt.Sprintf("%02d:%02d", m/60, m%60) }
