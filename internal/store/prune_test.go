package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/oc-pizza/ocpizza/internal/errs"
	"github.com/oc-pizza/ocpizza/internal/store"
)

// Prune deletes what is past its use and nothing else: the fresh session
// still signs in, the fresh key still replays, and the order of a pruned
// key stays (its key, sent again, places a new order).
func TestPruneDeletesOnlyWhatIsPastItsUse(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	forEngines(t, func(t *testing.T, e store.Engine) {
		f := newFixture(t, e)
		f.stockUp(t, 10000, 10000)
		now := time.Now().UTC().Truncate(time.Second)
		at := func(when time.Time) { f.s.SetClock(func() time.Time { return when }) }

		at(now.Add(-3 * 24 * time.Hour))
		must(t, f.s.CreatePasswordToken(ctx, "old-link", f.customer.ID, "reset", time.Hour))
		o, needs := f.newOrder(1)
		oldKey := &store.Idempotency{UserID: f.customer.ID, Key: "old", RequestHash: "h"}
		oldOrder, _, err := f.s.PlaceOrder(ctx, o, needs, f.customer.ID, oldKey, nil)
		must(t, err)

		at(now.Add(-2 * time.Hour))
		must(t, f.s.CreateSession(ctx, "expired", f.customer.ID, time.Hour))
		must(t, f.s.CreatePasswordToken(ctx, "recent-link", f.customer.ID, "reset", time.Hour)) // expired an hour ago: kept a day
		newKey := &store.Idempotency{UserID: f.customer.ID, Key: "new", RequestHash: "h"}
		newOrder, _, err := f.s.PlaceOrder(ctx, o, needs, f.customer.ID, newKey, nil)
		must(t, err)

		at(now)
		must(t, f.s.CreateSession(ctx, "fresh", f.customer.ID, time.Hour))
		day := 24 * time.Hour
		got, err := f.s.Prune(ctx, now.Add(-day), now.Add(-day))
		must(t, err)
		if want := (store.Pruned{Sessions: 1, PasswordTokens: 1, IdempotencyKeys: 1}); got != want {
			t.Fatalf("pruned %+v, want %+v", got, want)
		}
		if again, err := f.s.Prune(ctx, now.Add(-day), now.Add(-day)); err != nil || again != (store.Pruned{}) {
			t.Fatalf("pruned again: %+v %v", again, err)
		}

		if _, err := f.s.SessionActor(ctx, "fresh"); err != nil {
			t.Fatalf("the fresh session: %v", err)
		}
		if _, err := f.s.SessionActor(ctx, "expired"); !errs.Is(err, errs.Unauthorized) {
			t.Fatalf("the expired session: %v", err)
		}
		if n, err := f.s.PasswordTokensSince(ctx, f.customer.ID, now.Add(-3*time.Hour)); err != nil || n != 1 {
			t.Fatalf("recent links counted: %d %v, want 1", n, err)
		}
		if _, err := f.s.Order(ctx, oldOrder.ID); err != nil {
			t.Fatalf("the order of a pruned key: %v", err)
		}
		if again, replayed, err := f.s.PlaceOrder(ctx, o, needs, f.customer.ID, newKey, nil); err != nil || !replayed || again.ID != newOrder.ID {
			t.Fatalf("the fresh key: order %d replayed %v %v, want %d replayed", again.ID, replayed, err, newOrder.ID)
		}
		if again, replayed, err := f.s.PlaceOrder(ctx, o, needs, f.customer.ID, oldKey, nil); err != nil || replayed || again.ID == oldOrder.ID {
			t.Fatalf("the pruned key: order %d replayed %v %v, want a new order", again.ID, replayed, err)
		}
	})
}
