package stock

import (
	"reflect"
	"testing"

	"github.com/oc-pizza/ocpizza/internal/catalog"
	"github.com/oc-pizza/ocpizza/internal/errs"
)

const (
	dough  = 1
	tomato = 2
	mozza  = 3
	cola   = 4
)

var recipes = map[int64][]catalog.RecipeLine{
	10: {{IngredientID: dough, Quantity: 250}, {IngredientID: tomato, Quantity: 80}, {IngredientID: mozza, Quantity: 120}},
	11: {{IngredientID: dough, Quantity: 250}, {IngredientID: mozza, Quantity: 200}},
	20: {{IngredientID: cola, Quantity: 1}},
}

func TestMakeable(t *testing.T) {
	tests := []struct {
		name    string
		product int64
		levels  map[int64]int64
		want    int64
	}{
		{"limited by mozzarella", 10, map[int64]int64{dough: 2500, tomato: 800, mozza: 360}, 3},
		{"floor, not round", 10, map[int64]int64{dough: 499, tomato: 800, mozza: 1000}, 1},
		{"missing ingredient", 10, map[int64]int64{dough: 2500, mozza: 1000}, 0},
		{"negative level counts as none", 20, map[int64]int64{cola: -3}, 0},
		{"units", 20, map[int64]int64{cola: 24}, 24},
		{"no recipe", 99, map[int64]int64{dough: 1000}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Makeable(recipes[tt.product], tt.levels); got != tt.want {
				t.Errorf("Makeable = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestNeedsAggregatesSharedIngredients(t *testing.T) {
	got := Needs([]Line{{ProductID: 10, Quantity: 2}, {ProductID: 11, Quantity: 1}, {ProductID: 20, Quantity: 3}}, recipes)
	want := []Need{
		{IngredientID: dough, Quantity: 750, ProductID: 10},
		{IngredientID: tomato, Quantity: 160, ProductID: 10},
		{IngredientID: mozza, Quantity: 440, ProductID: 10},
		{IngredientID: cola, Quantity: 3, ProductID: 20},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Needs = %+v\nwant %+v", got, want)
	}
}

func TestDiff(t *testing.T) {
	old := Needs([]Line{{ProductID: 10, Quantity: 2}, {ProductID: 20, Quantity: 1}}, recipes)
	new := Needs([]Line{{ProductID: 11, Quantity: 1}, {ProductID: 10, Quantity: 1}}, recipes)
	got := Diff(old, new)
	// dough 500 -> 500 (no move), mozza 240 -> 320 (+80), tomato 160 -> 80 (-80), cola 1 -> 0 (-1).
	want := []Need{
		{IngredientID: mozza, Quantity: 80, ProductID: 11},
		{IngredientID: tomato, Quantity: -80, ProductID: 10},
		{IngredientID: cola, Quantity: -1, ProductID: 20},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Diff = %+v\nwant %+v", got, want)
	}
}

func TestManualMovementNormalize(t *testing.T) {
	tests := []struct {
		name    string
		m       ManualMovement
		current int64
		want    int64
		code    errs.Code
	}{
		{"delivery", ManualMovement{Reason: Delivery, Delta: 5000}, 100, 5000, ""},
		{"delivery must be positive", ManualMovement{Reason: Delivery, Delta: -5}, 100, 0, errs.Invalid},
		{"waste given positive", ManualMovement{Reason: Waste, Delta: 30}, 100, -30, ""},
		{"waste given negative", ManualMovement{Reason: Waste, Delta: -30}, 100, -30, ""},
		{"waste more than stock", ManualMovement{Reason: Waste, Delta: 300}, 100, 0, errs.Conflict},
		{"count down", ManualMovement{Reason: Count, Quantity: 40}, 100, -60, ""},
		{"count up", ManualMovement{Reason: Count, Quantity: 140}, 100, 40, ""},
		{"count negative", ManualMovement{Reason: Count, Quantity: -1}, 100, 0, errs.Invalid},
		{"huge delivery", ManualMovement{Reason: Delivery, Delta: MaxQuantity + 1}, 0, 0, errs.Invalid},
		{"reservation is not manual", ManualMovement{Reason: Reservation, Delta: -1}, 100, 0, errs.Invalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.m.Normalize(tt.current)
			if errs.CodeOf(err) != tt.code {
				t.Fatalf("error %v, want code %q", err, tt.code)
			}
			if err == nil && got != tt.want {
				t.Fatalf("delta %d, want %d", got, tt.want)
			}
		})
	}
}
