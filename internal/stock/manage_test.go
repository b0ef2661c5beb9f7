package stock

import (
	"slices"
	"testing"

	"github.com/oc-pizza/ocpizza/internal/errs"
)

func TestBatchNormalize(t *testing.T) {
	b, err := Batch{Reason: Delivery, Note: " BL 4411 ", Lines: []BatchLine{{1, 5000}, {2, 0}, {3, 12}}}.Normalize()
	if err != nil || b.Note != "BL 4411" || len(b.Lines) != 2 {
		t.Fatalf("%+v %v", b, err)
	}
	count, err := Batch{Reason: Count, Lines: []BatchLine{{1, 0}, {2, 40}}}.Normalize()
	if err != nil || len(count.Lines) != 2 {
		t.Fatalf("a count of zero is a count: %+v %v", count, err)
	}
	ms := count.Movements()
	if ms[0].Reason != Count || ms[0].Quantity != 0 || ms[1].Quantity != 40 || ms[1].Delta != 0 {
		t.Fatalf("count movements %+v", ms)
	}
	for name, bad := range map[string]Batch{
		"no lines":        {Reason: Delivery, Lines: []BatchLine{{1, 0}}},
		"negative":        {Reason: Delivery, Lines: []BatchLine{{1, -3}}},
		"twice":           {Reason: Delivery, Lines: []BatchLine{{1, 3}, {1, 4}}},
		"waste, no why":   {Reason: Waste, Lines: []BatchLine{{1, 3}}},
		"unknown reason":  {Reason: Reservation, Lines: []BatchLine{{1, 3}}},
		"note on 2 lines": {Reason: Delivery, Note: "a\nb", Lines: []BatchLine{{1, 3}}},
		"too much":        {Reason: Delivery, Lines: []BatchLine{{1, MaxQuantity + 1}}},
	} {
		if _, err := bad.Normalize(); !errs.Is(err, errs.Invalid) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// The manager hears of a low level once per crossing.
func TestAlertOncePerCrossing(t *testing.T) {
	l := Level{Quantity: 900, LowThreshold: 1000}
	if raise, _ := Alert(l); !raise {
		t.Fatal("a level under its threshold raises no alert")
	}
	l.Alerted = true
	l.Quantity = 500
	if raise, clear := Alert(l); raise || clear {
		t.Fatal("a level still low alerted again")
	}
	l.Quantity = 1500
	if _, clear := Alert(l); !clear {
		t.Fatal("a level back above did not clear the flag")
	}
	l.Alerted = false
	if raise, clear := Alert(l); raise || clear {
		t.Fatal("a level above its threshold did something")
	}
}

func TestUrgency(t *testing.T) {
	levels := []Level{
		{Name: "plenty", Quantity: 9000, LowThreshold: 1000},
		{Name: "no threshold", Quantity: 5, LowThreshold: 0},
		{Name: "empty", Quantity: 0, LowThreshold: 100},
		{Name: "low", Quantity: 90, LowThreshold: 100},
		{Name: "near", Quantity: 1200, LowThreshold: 1000},
	}
	slices.SortFunc(levels, Urgency)
	var names []string
	for _, l := range levels {
		names = append(names, l.Name)
	}
	if want := []string{"empty", "low", "near", "plenty", "no threshold"}; !slices.Equal(names, want) {
		t.Fatalf("order %v, want %v", names, want)
	}
}

func TestLackingNamesTheFirstProductShort(t *testing.T) {
	needs := []Need{{IngredientID: 1, Quantity: 250, ProductID: 10}, {IngredientID: 2, Quantity: 100, ProductID: 11}, {IngredientID: 3, Quantity: 5, ProductID: 12}}
	if p, ok := Lacking(needs, map[int64]int64{1: 250, 2: 99, 3: 0}); !ok || p != 11 {
		t.Fatalf("Lacking = %d, %v; want 11, true", p, ok)
	}
	if _, ok := Lacking(needs, map[int64]int64{1: 250, 2: 100, 3: 5}); ok {
		t.Fatal("every need met, yet something lacks")
	}
	if p, ok := Lacking(needs, map[int64]int64{}); !ok || p != 10 {
		t.Fatalf("no stock at all: %d, %v", p, ok)
	}
}
