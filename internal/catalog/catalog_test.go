package catalog

import (
	"testing"

	"github.com/oc-pizza/ocpizza/internal/errs"
)

func TestVATCents(t *testing.T) {
	tests := []struct {
		name  string
		gross int64
		basis int
		want  int64
	}{
		{"10 % on 11.00", 1100, 1000, 100},
		{"20 % on 12.00", 1200, 2000, 200},
		{"5.5 % on 2.50 rounds", 250, 550, 13},
		{"zero rate", 999, 0, 0},
		{"zero amount", 0, 1000, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := VATCents(tt.gross, tt.basis); got != tt.want {
				t.Errorf("VATCents(%d, %d) = %d, want %d", tt.gross, tt.basis, got, tt.want)
			}
		})
	}
}

func TestFormatEuros(t *testing.T) {
	for cents, want := range map[int64]string{0: "0,00\u00a0€", 5: "0,05\u00a0€", 1250: "12,50\u00a0€", -300: "-3,00\u00a0€",
		167400: "1\u202f674,00\u00a0€", 100000000: "1\u202f000\u202f000,00\u00a0€", 99999: "999,99\u00a0€"} {
		if got := FormatEuros(cents); got != want {
			t.Errorf("FormatEuros(%d) = %q, want %q", cents, got, want)
		}
		if back, err := ParseEuros(want); err != nil || back != cents {
			t.Errorf("ParseEuros(%q) = %d, %v", want, back, err)
		}
	}
}

func TestProductValidate(t *testing.T) {
	good := Product{Name: "Margherita", Category: Pizza, PriceCents: 900, VATBasis: 1000,
		Recipe: []RecipeLine{{IngredientID: 1, Quantity: 80}, {IngredientID: 2, Quantity: 100}}}
	if err := good.Validate(); err != nil {
		t.Fatalf("valid product refused: %v", err)
	}
	bad := map[string]func(p *Product){
		"no name":          func(p *Product) { p.Name = " " },
		"bad category":     func(p *Product) { p.Category = "salad" },
		"free":             func(p *Product) { p.PriceCents = 0 },
		"vat over 100 %":   func(p *Product) { p.VATBasis = 10001 },
		"no recipe":        func(p *Product) { p.Recipe = nil },
		"zero quantity":    func(p *Product) { p.Recipe = []RecipeLine{{IngredientID: 1}} },
		"duplicate ingred": func(p *Product) { p.Recipe = append(p.Recipe, RecipeLine{IngredientID: 1, Quantity: 3}) },
	}
	for name, mutate := range bad {
		t.Run(name, func(t *testing.T) {
			p := good
			p.Recipe = append([]RecipeLine(nil), good.Recipe...)
			mutate(&p)
			if err := p.Validate(); !errs.Is(err, errs.Invalid) {
				t.Fatalf("got %v, want an invalid error", err)
			}
		})
	}
}

func TestHasMemo(t *testing.T) {
	for _, tt := range []struct {
		name string
		p    Product
		want bool
	}{
		{"a pizza with steps", Product{Steps: []string{"Étaler la pâte"}}, true},
		{"baked only", Product{BakeSeconds: 90}, true},
		{"a note only", Product{Memo: "Servir frais"}, true},
		{"a drink", Product{Category: Drink, Recipe: []RecipeLine{{IngredientID: 1, Name: "Canette", Quantity: 1}}}, false},
		{"a blank note", Product{Category: Dessert, Memo: "  "}, false},
		{"a pizza with only its recipe", Product{Category: Pizza, Recipe: []RecipeLine{{IngredientID: 1, Name: "Pâte", Quantity: 250}}}, true},
	} {
		if got := tt.p.HasMemo(); got != tt.want {
			t.Errorf("%s: HasMemo %v", tt.name, got)
		}
	}
}
