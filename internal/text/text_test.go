package text

import (
	"testing"

	"github.com/oc-pizza/ocpizza/internal/errs"
)

func TestLine(t *testing.T) {
	for _, ok := range []string{"", "Marie Durand", "8 rue Mercière", "04 78 00 00 00", "Zoë – “chez elle”"} {
		if err := Line("name", ok); err != nil {
			t.Errorf("%q refused: %v", ok, err)
		}
	}
	for _, bad := range []string{"Marie\x00", "a\tb", "two\nlines", "cr\r", "esc\x1b[31m", "del\x7f", "c1\u0085", "bad \xff utf-8"} {
		if err := Line("name", bad); !errs.Is(err, errs.Invalid) {
			t.Errorf("%q: got %v, want invalid", bad, err)
		}
	}
	if err := Lines("name", "Marie", "phone", "06\x00"); !errs.Is(err, errs.Invalid) || err.(*errs.Error).Fields["field"] != "phone" {
		t.Errorf("Lines: %v", err)
	}
}

func TestRedactURL(t *testing.T) {
	for raw, want := range map[string]string{
		"":                                     "(not set)",
		"postgres://oc:s3cret@db:5432/ocpizza": "postgres://oc:xxxxx@db:5432/ocpizza",
		"smtp://relay:25":                      "smtp://relay:25",
		"mysql://oc:s3cr%t@db/ocpizza":         "(not a URL)",
		"postgres://db/ocpizza?user=oc&password=s3cret": "postgres://db/ocpizza?password=xxxxx&user=oc",
	} {
		if got := RedactURL(raw); got != want {
			t.Errorf("RedactURL(%q) = %q, want %q", raw, got, want)
		}
	}
}
