// Package pizzeria describes the chain's shops: where they are, when they
// open and where they deliver.
package pizzeria

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/oc-pizza/ocpizza/internal/errs"
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
	return a, nil
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

// OpenAt reports whether the shop is open at t.
func (p Pizzeria) OpenAt(t time.Time) bool {
	local := t.In(Paris)
	minute := local.Hour()*60 + local.Minute()
	yesterday := (local.Weekday() + 6) % 7
	for _, h := range p.Hours {
		if h.Weekday == local.Weekday() && minute >= h.Open && minute < h.Close {
			return true
		}
		// A span from yesterday that runs past midnight.
		if h.Weekday == yesterday && h.Close > 24*60 && minute+24*60 < h.Close {
			return true
		}
	}
	return false
}

// Validate checks a pizzeria before it is stored.
func (p Pizzeria) Validate() error {
	if strings.TrimSpace(p.Name) == "" || strings.TrimSpace(p.Code) == "" {
		return errs.E(errs.Invalid, "a pizzeria needs a name and a code")
	}
	if _, err := p.Address.Normalize(); err != nil {
		return err
	}
	for _, pc := range p.DeliveryPostcodes {
		if !postcodeRE.MatchString(pc) {
			return errs.E(errs.Invalid, "delivery postcode %q is not five digits", pc)
		}
	}
	for _, h := range p.Hours {
		if h.Weekday < time.Sunday || h.Weekday > time.Saturday || h.Open < 0 || h.Close <= h.Open || h.Close > 48*60 {
			return errs.E(errs.Invalid, "opening hours out of range")
		}
	}
	return nil
}
