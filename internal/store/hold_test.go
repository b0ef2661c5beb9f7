package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/oc-pizza/ocpizza/internal/errs"
	"github.com/oc-pizza/ocpizza/internal/order"
	"github.com/oc-pizza/ocpizza/internal/pizzeria"
	"github.com/oc-pizza/ocpizza/internal/store"
)

var testHold = order.HoldLimit{Orders: 3, Items: 50}

// TestHoldLimitUnderConcurrency: 40 orders of one customer sent at once
// to two instances, half of them with an idempotency key; exactly three
// are placed and only their stock is reserved.
func TestHoldLimitUnderConcurrency(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	forEngines(t, func(t *testing.T, e store.Engine) {
		f := newFixture(t, e)
		f.stockUp(t, 100_000, 100_000)
		other := openStore(t, f.url)
		instances := []*store.Store{f.s, other}
		for _, s := range instances {
			s.SetHoldLimit(testHold)
		}
		var mu sync.Mutex
		placed, refused := 0, 0
		var wg sync.WaitGroup
		for i := range 40 {
			wg.Go(func() {
				o, needs := f.newOrder(1)
				var idem *store.Idempotency
				if i%2 == 0 {
					idem = &store.Idempotency{UserID: f.customer.ID, Key: fmt.Sprint("k", i), RequestHash: "h"}
				}
				_, _, err := instances[i%2].PlaceOrder(ctx, o, needs, f.customer.ID, idem, nil)
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					placed++
				case errs.Is(err, errs.HoldLimit):
					refused++
				default:
					t.Errorf("order %d: %v", i, err)
				}
			})
		}
		wg.Wait()
		if placed != 3 || refused != 37 {
			t.Fatalf("%d placed, %d refused; want 3 and 37", placed, refused)
		}
		if got := f.level(t, f.dough.ID); got != 100_000-3*250 {
			t.Fatalf("dough %d: the refused orders reserved stock", got)
		}
	})
}

// TestHoldLimitCountsWhatWaitsForTheKitchen: an order in preparation no
// longer counts; items count over the waiting orders; the staff's orders
// and changes are not capped; a store without a limit caps nothing.
func TestHoldLimitCountsWhatWaitsForTheKitchen(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	forEngines(t, func(t *testing.T, e store.Engine) {
		f := newFixture(t, e)
		f.stockUp(t, 1_000_000, 1_000_000)
		place := func(qty int64) (order.Order, error) {
			o, needs := f.newOrder(qty)
			placed, _, err := f.s.PlaceOrder(ctx, o, needs, f.customer.ID, nil, nil)
			return placed, err
		}
		for range 5 {
			if _, err := place(1); err != nil {
				t.Fatalf("without a limit: %v", err)
			}
		}
		f.s.SetHoldLimit(testHold)
		if _, err := place(1); !errs.Is(err, errs.HoldLimit) {
			t.Fatalf("a sixth waiting order: %v, want hold_limit", err)
		}
		waiting, err := f.s.Orders(ctx, order.Filter{CustomerID: f.customer.ID, Statuses: []order.Status{order.Pending}})
		must(t, err)
		for _, o := range waiting[:4] {
			_, err := f.s.UpdateOrder(ctx, order.Update{Order: o, Status: order.Preparing})
			must(t, err)
		}
		// One order of 1 waits: 49 more items fit, 50 do not.
		if _, err := place(49); err != nil {
			t.Fatalf("49 items beside 1: %v", err)
		}
		big, err := f.s.Orders(ctx, order.Filter{CustomerID: f.customer.ID, Statuses: []order.Status{order.Pending}, NewestFirst: true, Limit: 1})
		must(t, err)
		o := big[0]
		more := []order.Line{{ProductID: f.pizza.ID, Name: f.pizza.Name, Quantity: 50, UnitPriceCents: 950, VATBasis: 1000}}
		if _, err := f.s.UpdateOrder(ctx, order.Update{Order: o, Lines: more, ByUserID: f.customer.ID}); !errs.Is(err, errs.HoldLimit) {
			t.Fatalf("the customer enlarging to 51 items: %v, want hold_limit", err)
		}
		o, err = f.s.UpdateOrder(ctx, order.Update{Order: o, Lines: more, ByUserID: f.customer.ID + 1000})
		if err != nil {
			t.Fatalf("the staff enlarging it: %v", err)
		}
		fewer := []order.Line{{ProductID: f.pizza.ID, Name: f.pizza.Name, Quantity: 40, UnitPriceCents: 950, VATBasis: 1000}}
		if _, err := f.s.UpdateOrder(ctx, order.Update{Order: o, Lines: fewer, ByUserID: f.customer.ID}); err != nil {
			t.Fatalf("the customer reducing an order over the limit: %v", err)
		}
		phone, needs := f.newOrder(20)
		phone.Channel, phone.CustomerID = order.Phone, 0
		for range 4 {
			if _, _, err := f.s.PlaceOrder(ctx, phone, needs, f.customer.ID+1000, nil, nil); err != nil {
				t.Fatalf("a phone order: %v", err)
			}
		}
	})
}

// TestHoldLimitInOneLaneGroup: on PostgreSQL, orders queued behind one
// another are placed in one transaction; the later ones see the earlier.
func TestHoldLimitInOneLaneGroup(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t, store.Postgres)
	f.stockUp(t, 100_000, 100_000)
	f.s.SetHoldLimit(testHold)
	queued, release := f.s.HoldOrderLane(f.shop.ID)
	errsOf := make([]error, 5)
	var wg sync.WaitGroup
	for i := range errsOf {
		wg.Go(func() {
			o, needs := f.newOrder(1)
			_, _, errsOf[i] = f.s.PlaceOrder(ctx, o, needs, f.customer.ID, nil, nil)
		})
		for queued() != i+1 {
			time.Sleep(time.Millisecond)
		}
	}
	release()
	wg.Wait()
	for i, err := range errsOf {
		if want := i >= 3; errs.Is(err, errs.HoldLimit) != want || (!want && err != nil) {
			t.Errorf("order %d of the group: %v", i, err)
		}
	}
}

// TestItemsCountedForOrdersOfBefore: the migration that gives orders
// their item count fills it in for the orders already stored, so that the
// orders waiting when a server is updated count.
func TestItemsCountedForOrdersOfBefore(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	forEngines(t, func(t *testing.T, e store.Engine) {
		f := newFixtureAt(t, e, 16)
		s := f.s
		// An order as version 16 wrote it: two lines, 30 items, waiting.
		must(t, s.Exec(ctx, `INSERT INTO orders (number, pizzeria_id, customer_id, contact_name, contact_phone, contact_email,
			channel, fulfilment, total_cents, payment_method, payment_status, payment_ref, status, version, created_at, updated_at)
			VALUES ('OLD-0001', ?, ?, 'Marie', '', '', 'web', 'pickup', 28500, 'on_delivery', 'unpaid', '', 'pending', 1, ?, ?)`,
			f.shop.ID, f.customer.ID, time.Now().UTC(), time.Now().UTC()))
		for i, q := range []int64{20, 10} {
			must(t, s.Exec(ctx, `INSERT INTO order_lines (order_id, line_no, product_id, name, quantity, unit_price_cents, vat_basis)
				VALUES ((SELECT id FROM orders WHERE number = 'OLD-0001'), ?, ?, 'Margherita', ?, 950, 1000)`, i+1, f.pizza.ID, q))
		}
		_, err := s.Migrate(ctx)
		must(t, err)
		f.stockUp(t, 1_000_000, 1_000_000)
		s.SetHoldLimit(testHold)
		o, needs := f.newOrder(21)
		if _, _, err := s.PlaceOrder(ctx, o, needs, f.customer.ID, nil, nil); !errs.Is(err, errs.HoldLimit) {
			t.Fatalf("30 items waiting from before, 21 more: %v, want hold_limit", err)
		}
		o, needs = f.newOrder(20)
		if _, _, err := s.PlaceOrder(ctx, o, needs, f.customer.ID, nil, nil); err != nil {
			t.Fatalf("30 items waiting from before, 20 more: %v", err)
		}
	})
}

// TestTimesAreStoredInUTC: a clock in Paris time (the demo's, tests') is
// stored in UTC, so that SQLite's comparisons of the text it keeps hold:
// "23:17+01:00" sorted after "22:30+00:00", and an order placed before a
// time was not found before it.
func TestTimesAreStoredInUTC(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	forEngines(t, func(t *testing.T, e store.Engine) {
		f := newFixture(t, e)
		f.stockUp(t, 10_000, 10_000)
		placedAt, err := time.ParseInLocation("2006-01-02 15:04", "2026-12-04 23:17", pizzeria.Paris)
		must(t, err)
		f.s.SetClock(func() time.Time { return placedAt })
		o, needs := f.newOrder(1)
		_, _, err = f.s.PlaceOrder(ctx, o, needs, f.customer.ID, nil, nil)
		must(t, err)
		found, err := f.s.Orders(ctx, order.Filter{Before: placedAt.Add(13 * time.Minute).UTC()})
		must(t, err)
		if len(found) != 1 {
			t.Fatalf("%d orders placed before 23:30 Paris, want 1", len(found))
		}
	})
}
