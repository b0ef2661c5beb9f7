// Package catalog holds the chain-wide menu: products, their prices and VAT
// rates, ingredients and the recipes that tie them together.
package catalog

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/oc-pizza/ocpizza/internal/errs"
	"github.com/oc-pizza/ocpizza/internal/text"
)

// Category groups products on the menu.
type Category string

const (
	Pizza   Category = "pizza"
	Drink   Category = "drink"
	Dessert Category = "dessert"
)

// Valid reports whether c is a known category.
func (c Category) Valid() bool { return c == Pizza || c == Drink || c == Dessert }

// Unit is the unit an ingredient is counted in. Quantities are integers in
// that unit: grams, millilitres or pieces, never fractions.
type Unit string

const (
	Gram       Unit = "g"
	Millilitre Unit = "ml"
	Piece      Unit = "piece"
)

// Valid reports whether u is a known unit.
func (u Unit) Valid() bool { return u == Gram || u == Millilitre || u == Piece }

// Ingredient is anything a pizzeria keeps in stock. Drinks and desserts are
// ingredients too (unit piece), used once by their product's recipe, so every
// product's availability is computed the same way.
type Ingredient struct {
	ID   int64
	Name string
	Unit Unit
}

// RecipeLine is the quantity of one ingredient one product consumes.
type RecipeLine struct {
	IngredientID int64
	Name         string // filled when read, for display
	Unit         Unit   // filled when read, for display
	Quantity     int64
}

// Product is a menu item, common to every pizzeria of the chain.
type Product struct {
	ID          int64
	Category    Category
	Name        string
	Description string
	// DescriptionEN is the description for the site's English pages;
	// empty, they show the French one.
	DescriptionEN string
	PriceCents    int64
	VATBasis      int // VAT rate in basis points: 1000 is 10 %
	Active        bool
	Recipe        []RecipeLine
	// The pizzaiolo's memo: the steps in order, the baking (time and oven
	// temperature, zero for what is not baked) and a free note. Empty for
	// products that are served as they come.
	Steps       []string
	BakeSeconds int
	BakeCelsius int
	Memo        string
}

// HasMemo reports whether the pizzaiolo has something to read for p: a
// pizza's ingredients and their quantities at least, or steps, a baking,
// a note. A drink served as it comes has none, whatever stock line its
// recipe consumes.
func (p Product) HasMemo() bool {
	return p.Category == Pizza || len(p.Steps) > 0 || p.BakeSeconds > 0 || strings.TrimSpace(p.Memo) != ""
}

// Validate checks a product before it is stored.
func (p Product) Validate() error {
	if err := text.Line("product name", p.Name); err != nil {
		return err
	}
	switch {
	case strings.TrimSpace(p.Name) == "":
		return errs.E(errs.Invalid, "a product needs a name")
	case !p.Category.Valid():
		return errs.E(errs.Invalid, "unknown category %q", p.Category)
	case p.PriceCents <= 0:
		return errs.E(errs.Invalid, "the price must be positive")
	case p.VATBasis < 0 || p.VATBasis > 10000:
		return errs.E(errs.Invalid, "the VAT rate must be between 0 and 100 %%")
	case p.BakeSeconds < 0 || p.BakeSeconds > 3600 || p.BakeCelsius < 0 || p.BakeCelsius > 600:
		return errs.E(errs.Invalid, "the baking is out of range (up to an hour, up to 600 °C)")
	case len(p.Steps) > 30:
		return errs.E(errs.Invalid, "a recipe has at most 30 steps")
	case len(p.Recipe) == 0:
		return errs.E(errs.Invalid, "%s has no recipe: every product consumes at least one stocked ingredient", p.Name)
	}
	for _, step := range p.Steps {
		if err := text.Line("recipe step", step); err != nil {
			return err
		}
		if strings.TrimSpace(step) == "" || len(step) > 500 {
			return errs.E(errs.Invalid, "a recipe step is one line of text, up to 500 characters")
		}
	}
	seen := map[int64]bool{}
	for _, l := range p.Recipe {
		if l.Quantity <= 0 {
			return errs.E(errs.Invalid, "recipe quantities must be positive")
		}
		if seen[l.IngredientID] {
			return errs.E(errs.Invalid, "an ingredient appears twice in the recipe of %s", p.Name)
		}
		seen[l.IngredientID] = true
	}
	return nil
}

// VATCents returns the VAT included in a tax-inclusive amount, rounded to
// the nearest cent: French prices are shown VAT included.
func VATCents(grossCents int64, basis int) int64 {
	if basis <= 0 {
		return 0
	}
	// net = gross * 10000 / (10000 + basis); vat = gross - net, rounded half up.
	den := int64(10000 + basis)
	net := (grossCents*10000*2 + den) / (2 * den)
	return grossCents - net
}

// ParseEuros reads an amount as people type it — "12,50 €", "12.5",
// "12", "-3,05", "1 674,00" — into cents. At most two decimals; spaces
// (ordinary or no-break, as FormatEuros groups thousands) are ignored, a
// dot or a comma is the decimal mark; at most a billion euros either way.
func ParseEuros(s string) (int64, error) {
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "€"))
	s = strings.NewReplacer(ThousandsSpace, "", EuroSpace, "", " ", "").Replace(s)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, hasFrac := strings.Cut(strings.ReplaceAll(s, ",", "."), ".")
	bad := errs.E(errs.Invalid, "%q is not an amount in euros, such as 12,50", s)
	if whole == "" || len(whole) > 10 || len(frac) > 2 || hasFrac && frac == "" {
		return 0, bad
	}
	for _, r := range whole + frac {
		if r < '0' || r > '9' {
			return 0, bad
		}
	}
	euros, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || euros > 1_000_000_000 {
		return 0, bad
	}
	for len(frac) < 2 {
		frac += "0"
	}
	cents, _ := strconv.ParseInt(frac, 10, 64)
	total := euros*100 + cents
	if neg {
		total = -total
	}
	return total, nil
}

// Spaces of French amounts: a narrow no-break space between thousands and
// a no-break space before the sign, so "1 674,00 €" never breaks across
// lines (in a ticket's column, a table's cell).
const (
	ThousandsSpace = "\u202f"
	EuroSpace      = "\u00a0"
)

// FormatEuros renders cents the French way: "12,50 €", "1 674,00 €".
func FormatEuros(cents int64) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	return fmt.Sprintf("%s%s,%02d%s€", sign, Group(cents/100, ThousandsSpace), cents%100, EuroSpace)
}

// Group writes n (not negative) with sep between its groups of three
// digits.
func Group(n int64, sep string) string {
	digits := strconv.FormatInt(n, 10)
	var b strings.Builder
	for i, d := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(d)
	}
	return b.String()
}
