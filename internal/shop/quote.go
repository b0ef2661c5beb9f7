package shop

import (
	"context"

	"github.com/oc-pizza/ocpizza/internal/account"
	"github.com/oc-pizza/ocpizza/internal/order"
	"github.com/oc-pizza/ocpizza/internal/stock"
)

// Quote is a cart priced as an order of its pizzeria would be, now.
type Quote struct {
	Lines      []QuoteLine
	TotalCents int64
	// Dropped are the products asked for that are no longer on the menu.
	Dropped []int64
}

// QuoteLine is a priced line and how many of its product the pizzeria can
// still make.
type QuoteLine struct {
	order.Line
	Available int64
}

// Short reports whether the pizzeria cannot make the whole line now.
func (l QuoteLine) Short() bool { return l.Available < l.Quantity }

// Quote prices items in a pizzeria the way PlaceOrder will, without
// placing anything: products no longer on the menu — the chain's, or the
// pizzeria's, which can take one off — are left out (and named),
// quantities are kept within an order's limits.
func (s *Shop) Quote(ctx context.Context, actor account.Actor, pizzeriaID int64, items []order.Item) (Quote, error) {
	if _, err := s.Pizzeria(ctx, actor, pizzeriaID); err != nil {
		return Quote{}, err
	}
	snap, err := s.snapshot(ctx)
	if err != nil {
		return Quote{}, err
	}
	var q Quote
	var kept []order.Item
	menu := snap.menuAt(pizzeriaID) // what PlaceOrder prices from
	for _, it := range items {
		if p, ok := menu[it.ProductID]; !ok || !p.Active {
			q.Dropped = append(q.Dropped, it.ProductID)
			continue
		}
		it.Quantity = min(max(it.Quantity, 1), order.MaxLineQuantity)
		kept = append(kept, it)
	}
	if len(kept) > order.MaxLines {
		kept = kept[:order.MaxLines]
	}
	if len(kept) == 0 {
		return q, nil
	}
	lines, err := order.PriceItems(kept, menu)
	if err != nil {
		return q, err
	}
	levels, err := s.stockLevels(ctx, pizzeriaID)
	if err != nil {
		return q, err
	}
	for _, l := range lines {
		q.Lines = append(q.Lines, QuoteLine{Line: l, Available: stock.Makeable(snap.recipes[l.ProductID], levels)})
	}
	q.TotalCents = order.Total(lines)
	return q, nil
}
