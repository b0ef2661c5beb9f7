package catalog

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/oc-pizza/ocpizza/internal/errs"
	"github.com/oc-pizza/ocpizza/internal/text"
)

// Normalize trims an ingredient and checks its name and unit.
func (in Ingredient) Normalize() (Ingredient, error) {
	in.Name = strings.TrimSpace(in.Name)
	switch {
	case in.Name == "" || utf8.RuneCountInString(in.Name) > 100:
		return in, errs.E(errs.Invalid, "an ingredient needs a name of at most 100 characters").With("field", "name")
	case !in.Unit.Valid():
		return in, errs.E(errs.Invalid, "unknown unit %q (g, ml, piece)", in.Unit).With("field", "unit")
	}
	return in, text.Line("ingredient name", in.Name)
}

// Normalize trims a product's texts and checks it (Validate) with the
// lengths the database keeps.
func (p Product) Normalize() (Product, error) {
	p.Name, p.Description, p.Memo = strings.TrimSpace(p.Name), strings.TrimSpace(p.Description), strings.TrimSpace(p.Memo)
	p.DescriptionEN = strings.TrimSpace(p.DescriptionEN)
	steps := p.Steps[:0:0]
	for _, s := range p.Steps {
		if s = strings.TrimSpace(s); s != "" {
			steps = append(steps, s)
		}
	}
	p.Steps = steps
	switch {
	case utf8.RuneCountInString(p.Name) > 100:
		return p, errs.E(errs.Invalid, "a product's name is at most 100 characters").With("field", "name")
	case utf8.RuneCountInString(p.Description) > 1000 || utf8.RuneCountInString(p.DescriptionEN) > 1000 || utf8.RuneCountInString(p.Memo) > 2000:
		return p, errs.E(errs.Invalid, "the description (1,000) or the memo (2,000 characters) is too long")
	case len(p.Recipe) > 50:
		return p, errs.E(errs.Invalid, "a recipe has at most 50 ingredients")
	}
	if texts := p.Description + p.DescriptionEN + p.Memo; !utf8.ValidString(texts) || strings.ContainsRune(texts, 0) {
		return p, errs.E(errs.Invalid, "the description or the memo is not valid text")
	}
	return p, p.Validate()
}

// OffMenu takes a product off one pizzeria's menu for a reason other
// than stock (the oven for calzones is broken, a supplier recalled a
// batch): customers do not see it there, and it cannot be ordered there,
// until the manager puts it back.
type OffMenu struct {
	ProductID int64     `json:"product_id"`
	Reason    string    `json:"reason"`
	ByUserID  int64     `json:"by_user_id,omitempty"`
	At        time.Time `json:"at"`
}

// NormalizeReason checks why a product is taken off a menu: a short line,
// required, so the next shift knows.
func NormalizeReason(reason string) (string, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" || utf8.RuneCountInString(reason) > 200 {
		return reason, errs.E(errs.Invalid, "say in at most 200 characters why the product leaves the menu").With("field", "reason")
	}
	return reason, text.Line("reason", reason)
}
