package catalog

import (
	"strings"
	"testing"

	"github.com/oc-pizza/ocpizza/internal/errs"
)

func TestIngredientAndProductNormalize(t *testing.T) {
	in, err := Ingredient{Name: " Basilic ", Unit: Gram}.Normalize()
	if err != nil || in.Name != "Basilic" {
		t.Fatalf("%+v %v", in, err)
	}
	for _, bad := range []Ingredient{{Name: "", Unit: Gram}, {Name: "Sel", Unit: "kg"}, {Name: "Sel\x00", Unit: Gram}} {
		if _, err := bad.Normalize(); !errs.Is(err, errs.Invalid) {
			t.Errorf("%+v: %v", bad, err)
		}
	}
	p := Product{Category: Pizza, Name: " Calzone ", PriceCents: 1250, VATBasis: 1000, Recipe: []RecipeLine{{IngredientID: 1, Quantity: 250}},
		Steps: []string{" Étaler ", "", "Replier"}}
	n, err := p.Normalize()
	if err != nil || n.Name != "Calzone" || len(n.Steps) != 2 || n.Steps[0] != "Étaler" {
		t.Fatalf("%+v %v", n, err)
	}
	long := p
	long.Name = strings.Repeat("x", 101)
	if _, err := long.Normalize(); !errs.Is(err, errs.Invalid) {
		t.Error("a 101-character name passed")
	}
	if r, err := NormalizeReason("  Four en panne "); err != nil || r != "Four en panne" {
		t.Fatalf("%q %v", r, err)
	}
	for _, bad := range []string{"", "  ", strings.Repeat("x", 201), "a\nb"} {
		if _, err := NormalizeReason(bad); !errs.Is(err, errs.Invalid) {
			t.Errorf("reason %q: %v", bad, err)
		}
	}
}
