// Package stock holds the arithmetic of ingredient stock: what an order
// needs, how many of each product a pizzeria can still make, and which
// movements may change a level.
package stock

import (
	"math"
	"time"

	"github.com/oc-pizza/ocpizza/internal/catalog"
	"github.com/oc-pizza/ocpizza/internal/errs"
)

// Reason says why a stock level changed. Every change is a ledger row with
// a reason, an author and a time.
type Reason string

const (
	Delivery    Reason = "delivery"    // a supplier delivered: delta > 0
	Count       Reason = "count"       // an inventory count sets the level
	Waste       Reason = "waste"       // thrown away: delta < 0 (a positive delta is negated)
	Reservation Reason = "reservation" // an order took it: delta < 0
	Release     Reason = "release"     // an order gave it back (cancel or modification): delta > 0
)

// Level is one ingredient's stock in one pizzeria.
type Level struct {
	PizzeriaID   int64
	IngredientID int64
	Name         string
	Unit         catalog.Unit
	Quantity     int64
	LowThreshold int64
	// Alerted is set once the manager was told the level ran low, until
	// it is back above its threshold (see Alert).
	Alerted bool
}

// Low reports whether the level is at or below its alert threshold.
func (l Level) Low() bool { return l.Quantity <= l.LowThreshold }

// Movement is one ledger row.
type Movement struct {
	ID           int64
	PizzeriaID   int64
	IngredientID int64
	Reason       Reason
	Delta        int64
	OrderID      int64 // set for reservations and releases
	ByUserID     int64 // 0 when the system acted
	At           time.Time
	// Note is a delivery note's reference or why waste was thrown away.
	Note string
	// Shown in the history: the ingredient, its unit, who acted and, for
	// an order's reservation or release, the order's number.
	Ingredient  string
	Unit        catalog.Unit
	ByName      string
	OrderNumber string
}

// MaxQuantity bounds any single quantity or level so that sums can never
// overflow, whatever a client sends.
const MaxQuantity = 1_000_000_000

// ManualMovement is a movement a manager records by hand.
type ManualMovement struct {
	IngredientID int64
	Reason       Reason
	Delta        int64 // for delivery and waste
	Quantity     int64 // for count: the absolute level found
}

// Normalize validates a manual movement and returns the signed delta to
// apply given the current level.
func (m ManualMovement) Normalize(current int64) (delta int64, err error) {
	switch m.Reason {
	case Delivery:
		if m.Delta <= 0 || m.Delta > MaxQuantity {
			return 0, errs.E(errs.Invalid, "a delivery adds a positive quantity")
		}
		return m.Delta, nil
	case Waste:
		d := m.Delta
		if d > 0 {
			d = -d // "5 g wasted" and "-5 g" mean the same
		}
		if d == 0 || d < -MaxQuantity {
			return 0, errs.E(errs.Invalid, "waste removes a non-zero quantity")
		}
		if current+d < 0 {
			return 0, errs.E(errs.Conflict, "cannot waste %d: only %d in stock", -d, current).With("ingredient_id", m.IngredientID)
		}
		return d, nil
	case Count:
		if m.Quantity < 0 || m.Quantity > MaxQuantity {
			return 0, errs.E(errs.Invalid, "a counted quantity is zero or more")
		}
		return m.Quantity - current, nil
	default:
		return 0, errs.E(errs.Invalid, "reason must be delivery, waste or count")
	}
}

// Line is a product and a quantity, as in an order.
type Line struct {
	ProductID int64
	Quantity  int64
}

// Need is how much of one ingredient an order consumes, and the first
// product that needs it (named when it runs out).
type Need struct {
	IngredientID int64
	Quantity     int64
	ProductID    int64
}

// Needs aggregates the ingredients a set of lines consumes, in the order
// ingredients are first met; recipes maps product id to recipe. Two
// pizzas sharing mozzarella make one need, so the reservation checks the
// sum and not each part.
func Needs(lines []Line, recipes map[int64][]catalog.RecipeLine) []Need {
	var needs []Need
	index := map[int64]int{}
	for _, l := range lines {
		for _, r := range recipes[l.ProductID] {
			q := r.Quantity * l.Quantity
			if i, ok := index[r.IngredientID]; ok {
				needs[i].Quantity += q
				continue
			}
			index[r.IngredientID] = len(needs)
			needs = append(needs, Need{IngredientID: r.IngredientID, Quantity: q, ProductID: l.ProductID})
		}
	}
	return needs
}

// Diff returns what moves when an order's lines change from old to new:
// positive quantities are taken, negative ones given back.
func Diff(oldNeeds, newNeeds []Need) []Need {
	var out []Need
	index := map[int64]int{}
	for _, n := range newNeeds {
		index[n.IngredientID] = len(out)
		out = append(out, n)
	}
	for _, o := range oldNeeds {
		if i, ok := index[o.IngredientID]; ok {
			out[i].Quantity -= o.Quantity
			continue
		}
		out = append(out, Need{IngredientID: o.IngredientID, Quantity: -o.Quantity, ProductID: o.ProductID})
	}
	kept := out[:0]
	for _, n := range out {
		if n.Quantity != 0 {
			kept = append(kept, n)
		}
	}
	return kept
}

// Makeable returns how many of a product can be made from the given levels
// (ingredient id → quantity): the minimum over its recipe of
// floor(stock / quantity). A product without a recipe cannot be made.
func Makeable(recipe []catalog.RecipeLine, levels map[int64]int64) int64 {
	if len(recipe) == 0 {
		return 0
	}
	best := int64(math.MaxInt64)
	for _, r := range recipe {
		if r.Quantity <= 0 {
			continue
		}
		n := levels[r.IngredientID] / r.Quantity
		if n < 0 {
			n = 0
		}
		best = min(best, n)
	}
	if best == math.MaxInt64 {
		return 0
	}
	return best
}

// Lacking returns the product of the first need the levels cannot meet,
// the one a refused order names; ok is false when every need is met (the
// stock came back since the refusal: a cancel, a delivery).
func Lacking(needs []Need, levels map[int64]int64) (productID int64, ok bool) {
	for _, n := range needs {
		if levels[n.IngredientID] < n.Quantity {
			return n.ProductID, true
		}
	}
	return 0, false
}
