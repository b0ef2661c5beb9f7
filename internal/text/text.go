// Package text checks the short free-text fields people type — names,
// streets, cities, phone numbers, e-mail addresses — before anything is
// stored. One rule for every path: the API, the web pages and the command
// line all reach it through the domain packages.
package text

import (
	"unicode"
	"unicode/utf8"

	"github.com/oc-pizza/ocpizza/internal/errs"
)

// Line returns errs.Invalid when s is not one line of printable text: a
// control character (NUL, which PostgreSQL refuses where SQLite stores it;
// tab, newline, escape…) or invalid UTF-8 (which PostgreSQL refuses too).
// field names the field in the message.
func Line(field, s string) error {
	if !utf8.ValidString(s) {
		return errs.E(errs.Invalid, "the %s is not valid text", field).With("field", field)
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return errs.E(errs.Invalid, "the %s holds a control character (%U)", field, r).With("field", field)
		}
	}
	return nil
}

// Lines checks several fields with Line, in order: field, value, field,
// value…
func Lines(pairs ...string) error {
	for i := 0; i+1 < len(pairs); i += 2 {
		if err := Line(pairs[i], pairs[i+1]); err != nil {
			return err
		}
	}
	return nil
}
