package app_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/oc-pizza/ocpizza/internal/account"
	"github.com/oc-pizza/ocpizza/internal/app"
	"github.com/oc-pizza/ocpizza/internal/event"
	"github.com/oc-pizza/ocpizza/internal/web"
)

// TestMenuNeverStaleAfterItsEvent: menus are served from memory, and a
// screen told of a stock change never reads the count from before it,
// on the instance that took the order nor, through the journal, on
// another one (PostgreSQL and MariaDB; SQLite has one instance).
func TestMenuNeverStaleAfterItsEvent(t *testing.T) {
	t.Parallel()
	forEngines(t, func(t *testing.T, c *chain) {
		ctx, cancel := context.WithCancel(context.Background())
		t.Cleanup(cancel)
		instances := []*app.Server{c.server}
		if share := c.server.ShareEvents(); share != nil {
			other := app.NewServer(c.store, slog.New(slog.NewTextHandler(io.Discard, nil)), web.Options{})
			t.Cleanup(other.Shop.Close)
			go share(ctx)
			go other.ShareEvents()(ctx)
			instances = append(instances, other)
			waitForRelay(t, c, other)
		}
		available := func(s *app.Server) int64 {
			t.Helper()
			items, err := s.Shop.Menu(ctx, account.Actor{}, c.shop)
			check(t, err)
			for _, it := range items {
				if it.ProductID == c.pizza {
					return it.Available
				}
			}
			t.Fatal("the pizza is not on the menu")
			return 0
		}
		var subs []*event.Subscription
		for _, s := range instances {
			sub := s.Events.Subscribe(event.MenuTopic(c.shop))
			t.Cleanup(sub.Close)
			subs = append(subs, sub)
		}
		for round := range 3 {
			before := available(instances[0])
			for _, s := range instances {
				if n := available(s); n != before {
					t.Fatalf("round %d: instances disagree before the order: %d and %d", round, before, n)
				}
			}
			c.order("alice", nil) // two pizzas, through the first instance
			for i, s := range instances {
				waitFor(t, subs[i], event.StockChanged)
				if got := available(s); got != before-2 {
					t.Fatalf("round %d, instance %d: %d pizzas available after the order's event, want %d", round, i, got, before-2)
				}
			}
		}
	})
}

// waitForRelay returns once the other instance's relay passes on this
// one's events (it starts from the journal's end when it starts).
func waitForRelay(t *testing.T, c *chain, other *app.Server) {
	t.Helper()
	sub := other.Events.Subscribe(event.MenuTopic(c.shop))
	defer sub.Close()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		c.must(201, "POST", fmt.Sprintf("/api/v1/pizzerias/%d/stock/movements", c.shop), "manager",
			map[string]any{"ingredient_id": c.dough, "reason": "delivery", "delta": 250})
		select {
		case <-sub.C:
			return
		case <-time.After(500 * time.Millisecond):
		}
	}
	t.Fatal("the other instance never heard of this one's events")
}

func waitFor(t *testing.T, sub *event.Subscription, kind string) {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case e, ok := <-sub.C:
			if !ok {
				t.Fatal("the stream was closed")
			}
			if e.Kind == kind {
				return
			}
		case <-timeout:
			t.Fatalf("no %s event in 10 s", kind)
		}
	}
}
