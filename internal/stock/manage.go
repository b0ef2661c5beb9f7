package stock

import (
	"cmp"
	"strings"
	"unicode/utf8"

	"github.com/oc-pizza/ocpizza/internal/errs"
	"github.com/oc-pizza/ocpizza/internal/text"
)

// MaxBatchLines bounds one delivery note or count: a supplier's note runs
// to a few dozen lines, the whole ingredient list is about fifty.
const MaxBatchLines = 200

// BatchLine is one ingredient of a batch: the quantity delivered, thrown
// away or counted.
type BatchLine struct {
	IngredientID int64 `json:"ingredient_id"`
	Quantity     int64 `json:"quantity"`
}

// Batch is several manual movements of one kind recorded together, all or
// nothing: the lines of a supplier's delivery note, an inventory count,
// or waste. Note is the delivery note's reference, or why the waste was
// thrown away (required then).
type Batch struct {
	Reason Reason
	Note   string
	Lines  []BatchLine
}

// Normalize checks a batch and drops its empty lines: a form shows every
// ingredient, and a delivery or waste of 0 is a line left blank (a count
// of 0 is a count: it says the shelf is empty).
func (b Batch) Normalize() (Batch, error) {
	b.Note = strings.TrimSpace(b.Note)
	switch b.Reason {
	case Delivery, Count, Waste:
	default:
		return b, errs.E(errs.Invalid, "reason must be delivery, waste or count")
	}
	if utf8.RuneCountInString(b.Note) > 200 {
		return b, errs.E(errs.Invalid, "the note is at most 200 characters").With("field", "note")
	}
	if err := text.Line("note", b.Note); err != nil {
		return b, err
	}
	if b.Reason == Waste && b.Note == "" {
		return b, errs.E(errs.Invalid, "say why it was thrown away").With("field", "note")
	}
	lines := b.Lines[:0:0]
	seen := map[int64]bool{}
	for _, l := range b.Lines {
		if l.Quantity == 0 && b.Reason != Count {
			continue
		}
		if l.Quantity < 0 || l.Quantity > MaxQuantity {
			return b, errs.E(errs.Invalid, "quantities go from 0 to %d", MaxQuantity).With("ingredient_id", l.IngredientID)
		}
		if seen[l.IngredientID] {
			return b, errs.E(errs.Invalid, "an ingredient appears twice").With("ingredient_id", l.IngredientID)
		}
		seen[l.IngredientID] = true
		lines = append(lines, l)
	}
	switch {
	case len(lines) == 0:
		return b, errs.E(errs.Invalid, "give at least one quantity")
	case len(lines) > MaxBatchLines:
		return b, errs.E(errs.Invalid, "at most %d lines at once", MaxBatchLines)
	}
	b.Lines = lines
	return b, nil
}

// Movements are the batch's lines as manual movements.
func (b Batch) Movements() []ManualMovement {
	out := make([]ManualMovement, len(b.Lines))
	for i, l := range b.Lines {
		m := ManualMovement{IngredientID: l.IngredientID, Reason: b.Reason, Delta: l.Quantity}
		if b.Reason == Count {
			m.Delta, m.Quantity = 0, l.Quantity
		}
		out[i] = m
	}
	return out
}

// Alert says what a level's low-stock flag becomes after a movement. The
// manager is told once per crossing: raise when the level is low and was
// not flagged yet (mail then), clear when it is back above its threshold
// (so the next crossing tells again); nothing in between, whatever moves.
func Alert(l Level) (raise, clear bool) {
	switch {
	case l.Low() && !l.Alerted:
		return true, false
	case !l.Low() && l.Alerted:
		return false, true
	}
	return false, false
}

// Urgency orders levels for the stock screen, most urgent first: empty,
// then low, then by how far each stands above its threshold (as a share of
// it), then those without a threshold; by name among equals.
func Urgency(a, b Level) int {
	return cmp.Or(cmp.Compare(rank(a), rank(b)), cmp.Compare(ratio(a), ratio(b)), strings.Compare(a.Name, b.Name))
}

func rank(l Level) int {
	switch {
	case l.Quantity == 0:
		return 0
	case l.Low():
		return 1
	case l.LowThreshold > 0:
		return 2
	}
	return 3
}

func ratio(l Level) float64 {
	if l.LowThreshold <= 0 {
		return float64(l.Quantity)
	}
	return float64(l.Quantity) / float64(l.LowThreshold)
}
