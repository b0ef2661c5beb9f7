package catalog

import (
	"strings"
	"testing"
)

// FuzzEuros: whatever is typed, ParseEuros answers a number or an error,
// never a panic; what it accepts, FormatEuros writes back so that it reads
// the same; and every amount FormatEuros writes, ParseEuros reads back.
func FuzzEuros(f *testing.F) {
	for _, s := range []string{"12,50 €", "1\u202f674,00\u00a0€", "12.5", "0", "-3,05", "1000000000", "9,999", ",5", "1e3", " 7 € ", "--1", "١٢"} {
		f.Add(s, int64(1250))
	}
	f.Fuzz(func(t *testing.T, typed string, cents int64) {
		if v, err := ParseEuros(typed); err == nil {
			back, err := ParseEuros(FormatEuros(v))
			if err != nil || back != v {
				t.Fatalf("%q read as %d, written %q, read back as %d (%v)", typed, v, FormatEuros(v), back, err)
			}
		}
		if cents > 100_000_000_000 || cents < -100_000_000_000 {
			return
		}
		s := FormatEuros(cents)
		if !strings.HasSuffix(s, EuroSpace+"€") {
			t.Fatalf("%d written %q", cents, s)
		}
		if back, err := ParseEuros(s); err != nil || back != cents {
			t.Fatalf("%d written %q, read back as %d (%v)", cents, s, back, err)
		}
	})
}
