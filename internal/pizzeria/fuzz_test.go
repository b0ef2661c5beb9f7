package pizzeria

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzAddress: Normalize never panics; an address it accepts has a
// five-digit postcode, trimmed, valid UTF-8 fields within their lengths,
// and normalizing it again changes nothing.
func FuzzAddress(f *testing.F) {
	f.Add("8 rue Mercière", "69002", "Lyon")
	f.Add("  12 quai Saint-Antoine ", " 69002", "Lyon ")
	f.Add("1 rue", "6900", "Lyon")
	f.Add("1 rue\x00", "69002", "Lyon")
	f.Add("", "69002", "")
	f.Add("1 rue", "６９００２", "Lyon")
	f.Add("\xff", "69001", "\u202e")
	five := regexp.MustCompile(`^[0-9]{5}$`)
	f.Fuzz(func(t *testing.T, street, postcode, city string) {
		a, err := Address{Street: street, Postcode: postcode, City: city}.Normalize()
		if err != nil {
			return
		}
		if !five.MatchString(a.Postcode) || a.Street == "" || a.City == "" || len(a.Street) > 200 || len(a.City) > 100 {
			t.Fatalf("accepted %+v", a)
		}
		for _, s := range []string{a.Street, a.City} {
			if !utf8.ValidString(s) || strings.TrimSpace(s) != s || strings.ContainsAny(s, "\x00\r\n") {
				t.Fatalf("accepted %q", s)
			}
		}
		again, err := a.Normalize()
		if err != nil || again != a {
			t.Fatalf("normalized twice: %+v, %v", again, err)
		}
		if p := (Pizzeria{DeliveryPostcodes: []string{a.Postcode}}); !p.Delivers(a.Postcode) {
			t.Fatalf("a pizzeria delivering %s does not deliver it", a.Postcode)
		}
	})
}
