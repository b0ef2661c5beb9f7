package store_test

import (
	"context"
	"errors"
	"reflect"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oc-pizza/ocpizza/internal/account"
	"github.com/oc-pizza/ocpizza/internal/catalog"
	"github.com/oc-pizza/ocpizza/internal/errs"
	"github.com/oc-pizza/ocpizza/internal/order"
	"github.com/oc-pizza/ocpizza/internal/pizzeria"
	"github.com/oc-pizza/ocpizza/internal/stock"
	"github.com/oc-pizza/ocpizza/internal/store"
	"github.com/oc-pizza/ocpizza/internal/store/storetest"
)

// fixture is a small chain: one pizzeria, two ingredients, one pizza.
type fixture struct {
	s        *store.Store
	url      string // of its database, for a second store as another instance
	shop     pizzeria.Pizzeria
	dough    catalog.Ingredient
	mozza    catalog.Ingredient
	pizza    catalog.Product
	customer account.User
}

func newFixture(t testing.TB, e store.Engine) fixture {
	t.Helper()
	return newFixtureAt(t, e, 0)
}

// newFixtureAt is the fixture on a schema migrated to version (0: the
// latest), to shape rows as an older version wrote them.
func newFixtureAt(t testing.TB, e store.Engine, version int) fixture {
	t.Helper()
	ctx := context.Background()
	url := storetest.NewDatabase(t, e)
	s := openStore(t, url)
	var err error
	if version > 0 {
		_, err = s.MigrateTo(ctx, version)
	} else {
		_, err = s.Migrate(ctx)
	}
	must(t, err)
	f := fixture{s: s, url: url}
	f.shop, err = s.CreatePizzeria(ctx, pizzeria.Pizzeria{Code: "REP", Name: "République", Active: true,
		Address: pizzeria.Address{Street: "1 rue de la République", Postcode: "69002", City: "Lyon"}, Phone: "0478000000",
		Hours: []pizzeria.Hours{{Weekday: 5, Open: 660, Close: 1380}}, DeliveryPostcodes: []string{"69001", "69002"}})
	must(t, err)
	f.dough, err = s.CreateIngredient(ctx, catalog.Ingredient{Name: "Pâte", Unit: catalog.Gram}, 500)
	must(t, err)
	f.mozza, err = s.CreateIngredient(ctx, catalog.Ingredient{Name: "Mozzarella", Unit: catalog.Gram}, 200)
	must(t, err)
	pizza := catalog.Product{Category: catalog.Pizza, Name: "Margherita", PriceCents: 950, VATBasis: 1000, Active: true,
		Memo: "Étaler, garnir, 90 s à 450 °C.", Recipe: []catalog.RecipeLine{{IngredientID: f.dough.ID, Quantity: 250}, {IngredientID: f.mozza.ID, Quantity: 100}}}
	if version > 0 && version < 18 {
		// The store's code writes products as the latest schema has them
		// (18 added description_en): write this one as the first did.
		must(t, s.Exec(ctx, `INSERT INTO products (category, name, description, price_cents, vat_basis, active, memo, steps, bake_seconds, bake_celsius)
			VALUES ('pizza', ?, '', ?, ?, TRUE, ?, '[]', 0, 0)`, pizza.Name, pizza.PriceCents, pizza.VATBasis, pizza.Memo))
		pizza.ID, err = s.QueryInt(ctx, "SELECT id FROM products WHERE name = ?", pizza.Name)
		must(t, err)
		for _, l := range pizza.Recipe {
			must(t, s.Exec(ctx, "INSERT INTO recipe_lines (product_id, ingredient_id, quantity) VALUES (?, ?, ?)", pizza.ID, l.IngredientID, l.Quantity))
		}
		f.pizza = pizza
	} else {
		f.pizza, err = s.CreateProduct(ctx, pizza)
		must(t, err)
	}
	f.customer, err = s.CreateUser(ctx, account.User{Email: "marie@example.fr", Name: "Marie", PasswordHash: "x", Grants: []account.Grant{{Role: account.Customer}}})
	must(t, err)
	return f
}

func openStore(t testing.TB, url string) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), url)
	must(t, err)
	t.Cleanup(func() { s.Close() })
	return s
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func (f fixture) stockUp(t testing.TB, dough, mozza int64) {
	t.Helper()
	ctx := context.Background()
	_, err := f.s.RecordMovement(ctx, f.shop.ID, stock.ManualMovement{IngredientID: f.dough.ID, Reason: stock.Count, Quantity: dough}, 0)
	must(t, err)
	_, err = f.s.RecordMovement(ctx, f.shop.ID, stock.ManualMovement{IngredientID: f.mozza.ID, Reason: stock.Count, Quantity: mozza}, 0)
	must(t, err)
}

func (f fixture) newOrder(qty int64) (order.Order, []stock.Need) {
	o := order.Order{PizzeriaID: f.shop.ID, CustomerID: f.customer.ID, Contact: order.Contact{Name: "Marie"}, Channel: order.Web,
		Fulfilment: order.Pickup, PaymentMethod: order.OnDelivery, PaymentStatus: order.Unpaid, Status: order.Pending,
		Lines: []order.Line{{ProductID: f.pizza.ID, Name: f.pizza.Name, Quantity: qty, UnitPriceCents: 950, VATBasis: 1000}}}
	o.TotalCents = order.Total(o.Lines)
	return o, stock.Needs([]stock.Line{{ProductID: f.pizza.ID, Quantity: qty}}, map[int64][]catalog.RecipeLine{f.pizza.ID: f.pizza.Recipe})
}

func (f fixture) level(t *testing.T, ingredientID int64) int64 {
	t.Helper()
	q, err := f.s.StockQuantities(context.Background(), f.shop.ID)
	must(t, err)
	return q[ingredientID]
}

// reservations counts the reservation rows of the fixture's stock ledger.
func (f fixture) reservations(t *testing.T) int {
	t.Helper()
	moves, err := f.s.Movements(context.Background(), f.shop.ID, 100)
	must(t, err)
	n := 0
	for _, m := range moves {
		if m.Reason == stock.Reservation {
			n++
		}
	}
	return n
}

func forEngines(t *testing.T, fn func(t *testing.T, e store.Engine)) {
	for _, e := range storetest.Engines {
		t.Run(string(e), func(t *testing.T) { fn(t, e) })
	}
}

func TestMigrateIsIdempotentAndSchemasAgree(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var reference map[string][]string
	forEngines(t, func(t *testing.T, e store.Engine) {
		s := storetest.Open(t, e)
		again, err := s.Migrate(ctx)
		must(t, err)
		if len(again) != 0 {
			t.Fatalf("second migrate applied %v", again)
		}
		must(t, s.CheckSchema(ctx))
		tables, err := s.Tables(ctx)
		must(t, err)
		if len(tables) < 15 {
			t.Fatalf("only %d tables: %v", len(tables), tables)
		}
		var order []string
		for name := range tables {
			if name != "schema_migrations" {
				order = append(order, name)
			}
		}
		sort.Strings(order)
		listed := store.TableOrder()
		sort.Strings(listed)
		if !reflect.DeepEqual(order, listed) {
			t.Fatalf("the backup's table order %v does not list the schema's tables %v", listed, order)
		}
		if reference == nil {
			reference = tables
		} else if !reflect.DeepEqual(reference, tables) {
			t.Fatalf("schema differs from SQLite's:\n%v\nvs\n%v", tables, reference)
		}
	})
}

func TestCatalogAndPizzeriaRoundTrip(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	forEngines(t, func(t *testing.T, e store.Engine) {
		f := newFixture(t, e)
		got, err := f.s.Pizzeria(ctx, f.shop.ID)
		must(t, err)
		if !reflect.DeepEqual(got, f.shop) {
			t.Fatalf("pizzeria\n got %+v\nwant %+v", got, f.shop)
		}
		if _, err := f.s.Pizzeria(ctx, 999); !errs.Is(err, errs.NotFound) {
			t.Fatalf("missing pizzeria: %v", err)
		}
		p, err := f.s.Product(ctx, f.pizza.ID)
		must(t, err)
		if p.Memo != f.pizza.Memo || len(p.Recipe) != 2 || p.Recipe[0].Name != "Pâte" || p.Recipe[0].Unit != catalog.Gram {
			t.Fatalf("product %+v", p)
		}
		if _, err := f.s.CreateProduct(ctx, f.pizza); !errs.Is(err, errs.Conflict) {
			t.Fatalf("duplicate product name: %v", err)
		}
		levels, err := f.s.StockLevels(ctx, f.shop.ID)
		must(t, err)
		if len(levels) != 2 || levels[0].Quantity != 0 || levels[0].Name != "Mozzarella" || levels[0].LowThreshold != 200 {
			t.Fatalf("new ingredients start at zero in every shop: %+v", levels)
		}
	})
}

func TestUsersAndSessions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	forEngines(t, func(t *testing.T, e store.Engine) {
		f := newFixture(t, e)
		if _, err := f.s.CreateUser(ctx, account.User{Email: "marie@example.fr", Name: "Other", PasswordHash: "x"}); !errs.Is(err, errs.EmailTaken) {
			t.Fatalf("duplicate e-mail: %v", err)
		}
		if _, err := f.s.CreateUser(ctx, account.User{Email: "cook@example.fr", Name: "C", PasswordHash: "x",
			Grants: []account.Grant{{Role: account.Pizzaiolo, PizzeriaID: 999}}}); !errs.Is(err, errs.NotFound) {
			t.Fatalf("role in a missing pizzeria: %v", err)
		}
		cook, err := f.s.CreateUser(ctx, account.User{Email: "cook@example.fr", Name: "C", PasswordHash: "x",
			Grants: []account.Grant{{Role: account.Pizzaiolo, PizzeriaID: f.shop.ID}}})
		must(t, err)
		got, err := f.s.UserByEmail(ctx, "cook@example.fr")
		must(t, err)
		if got.ID != cook.ID || len(got.Grants) != 1 || got.Grants[0].PizzeriaID != f.shop.ID {
			t.Fatalf("user %+v", got)
		}
		must(t, f.s.CreateSession(ctx, "hash-1", cook.ID, 3600e9))
		a, err := f.s.SessionActor(ctx, "hash-1")
		must(t, err)
		if a.UserID != cook.ID || !a.Has(account.Pizzaiolo, f.shop.ID) {
			t.Fatalf("actor %+v", a)
		}
		must(t, f.s.DeleteSession(ctx, "hash-1"))
		if _, err := f.s.SessionActor(ctx, "hash-1"); !errs.Is(err, errs.Unauthorized) {
			t.Fatalf("deleted session: %v", err)
		}
	})
}

func TestStockMovements(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	forEngines(t, func(t *testing.T, e store.Engine) {
		f := newFixture(t, e)
		l, err := f.s.RecordMovement(ctx, f.shop.ID, stock.ManualMovement{IngredientID: f.dough.ID, Reason: stock.Delivery, Delta: 5000}, f.customer.ID)
		must(t, err)
		if l.Quantity != 5000 {
			t.Fatalf("after delivery: %+v", l)
		}
		if _, err := f.s.RecordMovement(ctx, f.shop.ID, stock.ManualMovement{IngredientID: f.dough.ID, Reason: stock.Waste, Delta: 6000}, 0); !errs.Is(err, errs.Conflict) {
			t.Fatalf("waste beyond stock: %v", err)
		}
		l, err = f.s.RecordMovement(ctx, f.shop.ID, stock.ManualMovement{IngredientID: f.dough.ID, Reason: stock.Count, Quantity: 4200}, 0)
		must(t, err)
		if l.Quantity != 4200 {
			t.Fatalf("after count: %+v", l)
		}
		if _, err := f.s.RecordMovement(ctx, f.shop.ID, stock.ManualMovement{IngredientID: 999, Reason: stock.Delivery, Delta: 1}, 0); !errs.Is(err, errs.NotFound) {
			t.Fatalf("unknown ingredient: %v", err)
		}
		ms, err := f.s.Movements(ctx, f.shop.ID, 10)
		must(t, err)
		if len(ms) != 2 || ms[0].Delta != -800 || ms[0].Reason != stock.Count || ms[1].Delta != 5000 || ms[1].ByUserID != f.customer.ID {
			t.Fatalf("ledger %+v", ms)
		}
	})
}

func TestOrderLifecycleInStore(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	forEngines(t, func(t *testing.T, e store.Engine) {
		f := newFixture(t, e)
		f.stockUp(t, 1000, 1000)
		o, needs := f.newOrder(2)
		placed, replayed, err := f.s.PlaceOrder(ctx, o, needs, f.customer.ID, nil, nil)
		must(t, err)
		if replayed || placed.Number != "REP-0001" || placed.Version != 1 || len(placed.History) != 1 {
			t.Fatalf("placed %+v", placed)
		}
		if f.level(t, f.dough.ID) != 500 || f.level(t, f.mozza.ID) != 800 {
			t.Fatal("stock not reserved")
		}
		got, err := f.s.Order(ctx, placed.ID)
		must(t, err)
		if got.Number != placed.Number || got.TotalCents != 1900 || len(got.Lines) != 1 || got.Lines[0].Quantity != 2 || got.History[0].ByUserID != f.customer.ID {
			t.Fatalf("read back %+v", got)
		}

		// Modify: 2 → 1 pizza gives half back.
		newLines := []order.Line{{ProductID: f.pizza.ID, Name: f.pizza.Name, Quantity: 1, UnitPriceCents: 950, VATBasis: 1000}}
		_, newNeeds := f.newOrder(1)
		modified, err := f.s.UpdateOrder(ctx, order.Update{Order: got, Lines: newLines, Stock: stock.Diff(needs, newNeeds), ByUserID: f.customer.ID})
		must(t, err)
		if modified.TotalCents != 950 || f.level(t, f.dough.ID) != 750 {
			t.Fatalf("modify: total %d dough %d", modified.TotalCents, f.level(t, f.dough.ID))
		}
		// A stale copy is refused.
		if _, err := f.s.UpdateOrder(ctx, order.Update{Order: got, Status: order.Preparing}); !errs.Is(err, errs.Conflict) {
			t.Fatalf("stale update: %v", err)
		}
		// Cancel releases the rest.
		cancelled, err := f.s.UpdateOrder(ctx, order.Update{Order: modified, Status: order.Cancelled, Stock: stock.Diff(newNeeds, nil), ByUserID: f.customer.ID})
		must(t, err)
		if cancelled.Status != order.Cancelled || len(cancelled.History) != 2 || f.level(t, f.dough.ID) != 1000 || f.level(t, f.mozza.ID) != 1000 {
			t.Fatalf("cancel: %+v dough %d", cancelled, f.level(t, f.dough.ID))
		}
		list, err := f.s.Orders(ctx, order.Filter{PizzeriaID: f.shop.ID, Statuses: []order.Status{order.Cancelled}})
		must(t, err)
		if len(list) != 1 || len(list[0].History) != 2 || len(list[0].Lines) != 1 {
			t.Fatalf("list %+v", list)
		}
		ms, err := f.s.Movements(ctx, f.shop.ID, 20)
		must(t, err)
		var sum int64
		for _, m := range ms {
			if m.IngredientID == f.dough.ID && m.OrderID == placed.ID {
				sum += m.Delta
			}
		}
		if sum != 0 {
			t.Fatalf("the order's ledger rows for dough add up to %d, want 0", sum)
		}
	})
}

func TestIdempotentPlaceOrder(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	forEngines(t, func(t *testing.T, e store.Engine) {
		f := newFixture(t, e)
		f.stockUp(t, 10000, 10000)
		o, needs := f.newOrder(1)
		key := &store.Idempotency{UserID: f.customer.ID, Key: "k1", RequestHash: "h1"}
		first, _, err := f.s.PlaceOrder(ctx, o, needs, f.customer.ID, key, nil)
		must(t, err)
		again, replayed, err := f.s.PlaceOrder(ctx, o, needs, f.customer.ID, key, nil)
		must(t, err)
		if !replayed || again.ID != first.ID {
			t.Fatalf("replay gave %d (replayed %v), want %d", again.ID, replayed, first.ID)
		}
		if _, _, err := f.s.PlaceOrder(ctx, o, needs, f.customer.ID, &store.Idempotency{UserID: f.customer.ID, Key: "k1", RequestHash: "other"}, nil); !errs.Is(err, errs.IdempotencyReused) {
			t.Fatalf("reused key: %v", err)
		}
		if f.level(t, f.dough.ID) != 10000-250 {
			t.Fatalf("stock taken more than once: %d", f.level(t, f.dough.ID))
		}
	})
}

// TestLastPizzas: 200 concurrent orders for the last 10 makeable pizzas.
// Exactly 10 are accepted and the stock ends at exactly zero.
func TestLastPizzas(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	forEngines(t, func(t *testing.T, e store.Engine) {
		f := newFixture(t, e)
		f.stockUp(t, 10*250, 10*100)
		var accepted, refused atomic.Int64
		var wg sync.WaitGroup
		errCh := make(chan error, 200)
		for i := 0; i < 200; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				o, needs := f.newOrder(1)
				_, _, err := f.s.PlaceOrder(ctx, o, needs, f.customer.ID, nil, nil)
				switch {
				case err == nil:
					accepted.Add(1)
				case errs.Is(err, errs.OutOfStock):
					refused.Add(1)
				default:
					errCh <- err
				}
			}()
		}
		wg.Wait()
		close(errCh)
		for err := range errCh {
			t.Errorf("unexpected error: %v", err)
		}
		if accepted.Load() != 10 || refused.Load() != 190 {
			t.Fatalf("accepted %d, refused %d; want 10 and 190", accepted.Load(), refused.Load())
		}
		if d, m := f.level(t, f.dough.ID), f.level(t, f.mozza.ID); d != 0 || m != 0 {
			t.Fatalf("stock ends at dough %d, mozzarella %d; want 0 and 0", d, m)
		}
		orders, err := f.s.Orders(ctx, order.Filter{PizzeriaID: f.shop.ID})
		must(t, err)
		if len(orders) != 10 {
			t.Fatalf("%d orders stored, want 10", len(orders))
		}
	})
}

// TestRefusedOrdersLeaveNoTrace: an order refused inside its transaction
// (unknown pizzeria, out of stock, a key already used by a concurrent
// request) writes nothing — no order, no ledger row, no order number used
// up — and the connections it ran on serve the next order normally.
func TestRefusedOrdersLeaveNoTrace(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	forEngines(t, func(t *testing.T, e store.Engine) {
		f := newFixture(t, e)
		f.stockUp(t, 1000, 1000)
		o, needs := f.newOrder(1)
		lost := o
		lost.PizzeriaID = f.shop.ID + 1000
		if _, _, err := f.s.PlaceOrder(ctx, lost, needs, f.customer.ID, nil, nil); !errs.Is(err, errs.NotFound) {
			t.Fatalf("unknown pizzeria: %v", err)
		}
		big, bigNeeds := f.newOrder(5)
		_, _, err := f.s.PlaceOrder(ctx, big, bigNeeds, f.customer.ID, nil, nil)
		var e1 *errs.Error
		if !errs.Is(err, errs.OutOfStock) || !errors.As(err, &e1) || e1.Fields["product_id"] != f.pizza.ID {
			t.Fatalf("out of stock: %v", err)
		}

		// 20 concurrent requests with one key, through two instances: one
		// order, 20 answers with it.
		instances := []*store.Store{f.s, openStore(t, f.url)}
		var wg sync.WaitGroup
		ids := make([]int64, 20)
		for i := range ids {
			wg.Go(func() {
				got, _, err := instances[i%2].PlaceOrder(ctx, o, needs, f.customer.ID, &store.Idempotency{UserID: f.customer.ID, Key: "same", RequestHash: "h"}, nil)
				if err != nil {
					t.Errorf("request %d: %v", i, err)
				}
				ids[i] = got.ID
			})
		}
		wg.Wait()
		for _, id := range ids {
			if id != ids[0] {
				t.Fatalf("one key gave orders %v", ids)
			}
		}
		next, _, err := f.s.PlaceOrder(ctx, o, needs, f.customer.ID, nil, nil)
		must(t, err)

		orders, err := f.s.Orders(ctx, order.Filter{})
		must(t, err)
		var numbers []string
		for _, o := range orders {
			numbers = append(numbers, o.Number)
		}
		if want := []string{"REP-0001", "REP-0002"}; !reflect.DeepEqual(numbers, want) || orders[1].ID != next.ID {
			t.Fatalf("orders %v, want %v", numbers, want)
		}
		if reservations := f.reservations(t); reservations != 2*len(needs) || f.level(t, f.dough.ID) != 1000-2*250 || f.level(t, f.mozza.ID) != 1000-2*100 {
			t.Fatalf("%d reservation rows, dough %d, mozzarella %d", reservations, f.level(t, f.dough.ID), f.level(t, f.mozza.ID))
		}
	})
}

// An order short of one product's ingredient names that product, not one
// whose ingredients the refused reservation had already taken.
func TestShortageNamesTheProductThatLacks(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	forEngines(t, func(t *testing.T, e store.Engine) {
		f := newFixture(t, e)
		lemonade, err := f.s.CreateIngredient(ctx, catalog.Ingredient{Name: "Limonade 33 cl", Unit: catalog.Piece}, 5)
		must(t, err)
		drink, err := f.s.CreateProduct(ctx, catalog.Product{Category: catalog.Drink, Name: "Limonade", PriceCents: 300, VATBasis: 550, Active: true,
			Recipe: []catalog.RecipeLine{{IngredientID: lemonade.ID, Quantity: 1}}})
		must(t, err)
		// Enough for one pizza but not two: taken, the pizza's levels
		// would read short.
		f.stockUp(t, 300, 150)
		o, _ := f.newOrder(1)
		o.Lines = append(o.Lines, order.Line{ProductID: drink.ID, Name: drink.Name, Quantity: 1, UnitPriceCents: 300, VATBasis: 550})
		o.TotalCents = order.Total(o.Lines)
		needs := stock.Needs([]stock.Line{{ProductID: f.pizza.ID, Quantity: 1}, {ProductID: drink.ID, Quantity: 1}},
			map[int64][]catalog.RecipeLine{f.pizza.ID: f.pizza.Recipe, drink.ID: drink.Recipe})
		_, _, err = f.s.PlaceOrder(ctx, o, needs, f.customer.ID, nil, nil)
		var e1 *errs.Error
		if !errs.Is(err, errs.OutOfStock) || !errors.As(err, &e1) || e1.Fields["product_id"] != drink.ID {
			t.Fatalf("got %v (%+v), want out_of_stock for product %d", err, e1, drink.ID)
		}
		if f.level(t, f.dough.ID) != 300 || f.level(t, f.mozza.ID) != 150 {
			t.Fatalf("refused order left dough %d, mozzarella %d", f.level(t, f.dough.ID), f.level(t, f.mozza.ID))
		}
	})
}

// Orders queued together on PostgreSQL share one transaction, each in its
// own savepoint: the refused ones (out of stock, unknown pizzeria, a key
// already used earlier in the same transaction) are rolled back alone,
// the others are committed, numbered without gaps.
func TestOrdersPlacedTogether(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t, store.Postgres)
	f.stockUp(t, 10*250, 10*100)
	queued, release := f.s.HoldOrderLane(f.shop.ID)
	released := false
	defer func() {
		if !released {
			release()
		}
	}()

	type outcome struct {
		o        order.Order
		replayed bool
		err      error
	}
	key := &store.Idempotency{UserID: f.customer.ID, Key: "k", RequestHash: "h"}
	o1, needs1 := f.newOrder(1)
	big, bigNeeds := f.newOrder(1000)
	lost := o1
	lost.PizzeriaID = f.shop.ID + int64(f.s.OrderLanes()) // same lane, no such pizzeria
	requests := []struct {
		o     order.Order
		needs []stock.Need
		idem  *store.Idempotency
	}{
		{o1, needs1, nil}, {big, bigNeeds, nil}, {o1, needs1, key}, {o1, needs1, nil},
		{o1, needs1, key}, {lost, needs1, nil}, {o1, needs1, nil},
	}
	outcomes := make([]outcome, len(requests))
	var wg sync.WaitGroup
	for i, r := range requests {
		wg.Go(func() {
			var out outcome
			out.o, out.replayed, out.err = f.s.PlaceOrder(ctx, r.o, r.needs, f.customer.ID, r.idem, nil)
			outcomes[i] = out
		})
		for queued() != i+1 { // queue them in this order
			time.Sleep(time.Millisecond)
		}
	}
	released = true
	release()
	wg.Wait()

	var numbers []string
	for i, out := range outcomes {
		switch i {
		case 1:
			if !errs.Is(out.err, errs.OutOfStock) {
				t.Errorf("order of 1000: %v, want out_of_stock", out.err)
			}
		case 5:
			if !errs.Is(out.err, errs.NotFound) {
				t.Errorf("unknown pizzeria: %v, want not_found", out.err)
			}
		case 4:
			if out.err != nil || !out.replayed || out.o.ID != outcomes[2].o.ID {
				t.Errorf("second request with the key: order %d replayed %v err %v; want order %d replayed", out.o.ID, out.replayed, out.err, outcomes[2].o.ID)
			}
		default:
			if out.err != nil {
				t.Errorf("request %d: %v", i, out.err)
			}
			numbers = append(numbers, out.o.Number)
		}
	}
	if want := []string{"REP-0001", "REP-0002", "REP-0003", "REP-0004"}; !reflect.DeepEqual(numbers, want) {
		t.Fatalf("numbers %v, want %v", numbers, want)
	}
	orders, err := f.s.Orders(ctx, order.Filter{})
	must(t, err)
	reservations := f.reservations(t)
	if len(orders) != 4 || reservations != 4*len(needs1) || f.level(t, f.dough.ID) != 6*250 || f.level(t, f.mozza.ID) != 6*100 {
		t.Fatalf("%d orders, %d reservation rows, dough %d, mozzarella %d", len(orders), reservations, f.level(t, f.dough.ID), f.level(t, f.mozza.ID))
	}
}

func TestSavedAddresses(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	forEngines(t, func(t *testing.T, e store.Engine) {
		f := newFixture(t, e)
		other, err := f.s.CreateUser(ctx, account.User{Email: "paul@example.fr", Name: "Paul", PasswordHash: "x", Grants: []account.Grant{{Role: account.Customer}}})
		must(t, err)
		home := pizzeria.Address{Street: "8 rue Mercière", Postcode: "69002", City: "Lyon"}
		a, created, err := f.s.SaveAddress(ctx, f.customer.ID, home, 3)
		must(t, err)
		if !created || a.ID == 0 || a.Address != home {
			t.Fatalf("saved %+v created %v", a, created)
		}
		if again, created, err := f.s.SaveAddress(ctx, f.customer.ID, home, 3); err != nil || created || again.ID != a.ID {
			t.Fatalf("same address again: %+v created %v err %v", again, created, err)
		}
		for i, street := range []string{"1 quai Saint-Antoine", "3 place Bellecour"} {
			if _, _, err := f.s.SaveAddress(ctx, f.customer.ID, pizzeria.Address{Street: street, Postcode: "69002", City: "Lyon"}, 3); err != nil {
				t.Fatalf("address %d: %v", i, err)
			}
		}
		if _, _, err := f.s.SaveAddress(ctx, f.customer.ID, pizzeria.Address{Street: "5 rue Neuve", Postcode: "69001", City: "Lyon"}, 3); !errs.Is(err, errs.Conflict) {
			t.Fatalf("fourth address of three allowed: %v", err)
		}
		list, err := f.s.Addresses(ctx, f.customer.ID)
		must(t, err)
		if len(list) != 3 || list[0].ID != a.ID {
			t.Fatalf("addresses %+v", list)
		}
		if _, err := f.s.Address(ctx, other.ID, a.ID); !errs.Is(err, errs.NotFound) {
			t.Fatalf("another customer read the address: %v", err)
		}
		if err := f.s.DeleteAddress(ctx, other.ID, a.ID); !errs.Is(err, errs.NotFound) {
			t.Fatalf("another customer deleted the address: %v", err)
		}
		must(t, f.s.DeleteAddress(ctx, f.customer.ID, a.ID))
		if err := f.s.DeleteAddress(ctx, f.customer.ID, a.ID); !errs.Is(err, errs.NotFound) {
			t.Fatalf("deleted twice: %v", err)
		}
		if list, _ := f.s.Addresses(ctx, other.ID); len(list) != 0 {
			t.Fatalf("other customer's addresses %+v", list)
		}
	})
}

// A database's identity is made once, the same for every instance asking
// at once, and stays out of its dump: a restored copy is another database.
func TestDatabaseIdentity(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	forEngines(t, func(t *testing.T, e store.Engine) {
		url := storetest.NewDatabase(t, e)
		a, b := openStore(t, url), openStore(t, url)
		_, err := a.Migrate(ctx)
		must(t, err)
		ids := make([]string, 8)
		var wg sync.WaitGroup
		for i := range ids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				s := a
				if i%2 == 1 {
					s = b
				}
				id, err := s.DatabaseID(ctx)
				if err != nil {
					t.Error(err)
				}
				ids[i] = id
			}()
		}
		wg.Wait()
		for _, id := range ids {
			if len(id) != 32 || id != ids[0] {
				t.Fatalf("identities %v", ids)
			}
		}
		must(t, a.SetSetting(ctx, "maintenance", "off"))
		var dumped []string
		must(t, a.Dump(ctx, &rowsOf{fn: func(table string, values []any) {
			if table == "settings" {
				dumped = append(dumped, values[0].(string))
			}
		}}))
		if !reflect.DeepEqual(dumped, []string{"maintenance"}) {
			t.Fatalf("settings dumped: %v", dumped)
		}
		other := storetest.Open(t, e)
		if id, err := other.DatabaseID(ctx); err != nil || id == ids[0] {
			t.Fatalf("another database's identity: %q %v", id, err)
		}
	})
}

// rowsOf is a Dumper that hands each row to fn with its table.
type rowsOf struct {
	fn    func(table string, values []any)
	table string
}

func (r *rowsOf) Table(name string, _ []store.Column) error { r.table = name; return nil }
func (r *rowsOf) Row(values []any) error                    { r.fn(r.table, values); return nil }
