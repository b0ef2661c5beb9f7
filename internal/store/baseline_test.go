package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/oc-pizza/ocpizza/internal/order"
	"github.com/oc-pizza/ocpizza/internal/store"
)

// The load tool's floor is a real order transaction: it takes stock,
// writes the ledger, and takes nothing when a level is short.
func TestBareOrderIsARealTransaction(t *testing.T) {
	t.Parallel()
	forEngines(t, func(t *testing.T, e store.Engine) {
		f := newFixture(t, e)
		ctx := context.Background()
		f.stockUp(t, 1000, 300) // three pizzas' mozzarella, four's dough
		o, needs := f.newOrder(2)
		id, err := f.s.BareOrder(ctx, f.shop.ID, f.customer.ID, o.Lines, needs)
		must(t, err)
		if got := f.level(t, f.mozza.ID); got != 100 {
			t.Fatalf("mozzarella %d after two pizzas, want 100", got)
		}
		if n := f.reservations(t); n != 2 {
			t.Fatalf("%d ledger rows, want 2", n)
		}
		must(t, f.s.BareAdvance(ctx, id, order.Preparing))
		got, err := f.s.Order(ctx, id)
		must(t, err)
		if got.Status != order.Preparing || got.TotalCents != 1900 {
			t.Fatalf("order %+v", got)
		}
		if _, err := f.s.BareOrder(ctx, f.shop.ID, f.customer.ID, o.Lines, needs); !errors.Is(err, store.ErrBareShort) {
			t.Fatalf("two pizzas from one's mozzarella: %v", err)
		}
		if got := f.level(t, f.dough.ID); got != 500 {
			t.Fatalf("dough %d after a refused order, want 500", got)
		}
	})
}
