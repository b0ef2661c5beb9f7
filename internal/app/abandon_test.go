package app_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/oc-pizza/ocpizza/internal/order"
	"github.com/oc-pizza/ocpizza/internal/pizzeria"
)

// TestOrdersLeftAtClosingAreCancelled: pending orders never expired, so
// stock stayed reserved for orders nobody would make (issue 12). Half an
// hour after its pizzeria closes, an order the kitchen never started is
// cancelled and its stock given back; an order in preparation, and one
// taken after closing for the next service, are kept.
func TestOrdersLeftAtClosingAreCancelled(t *testing.T) {
	t.Parallel()
	forEngines(t, func(t *testing.T, c *chain) {
		ctx := context.Background()
		var lunch []pizzeria.Hours
		for d := time.Sunday; d <= time.Saturday; d++ {
			lunch = append(lunch, pizzeria.Hours{Weekday: d, Open: 11 * 60, Close: 14 * 60})
		}
		check(t, c.store.SetHours(ctx, c.shop, lunch))
		real := c.store.Clock()
		t.Cleanup(func() { c.store.SetClock(real) })
		at := func(day int, hhmm string) {
			tm, err := time.ParseInLocation("2006-01-02 15:04", fmt.Sprintf("2026-11-%02d %s", day, hhmm), pizzeria.Paris)
			check(t, err)
			c.store.SetClock(func() time.Time { return tm })
		}
		statusOf := func(o map[string]any) order.Status {
			got, err := c.store.Order(ctx, int64(o["id"].(float64)))
			check(t, err)
			return got.Status
		}
		doughBefore := c.level(c.shop, c.dough)
		at(20, "12:00")
		left := c.order("alice", nil)
		started := c.order("bob", nil)
		c.must(200, "POST", fmt.Sprintf("/api/v1/orders/%v/status", started["id"]), "pizzaiolo", map[string]any{"status": "preparing"})
		elsewhere := c.order("alice", map[string]any{"pizzeria_id": c.other, "fulfilment": "pickup", "delivery_address": nil}) // open around the clock
		at(20, "14:20")
		forTonight := c.order("counter", map[string]any{"channel": "phone", "fulfilment": "pickup", "delivery_address": nil,
			"customer": map[string]any{"name": "Jean Dupont", "phone": "0478000000"}})

		if n, err := c.server.Shop.CancelAbandoned(ctx); err != nil || n != 0 {
			t.Fatalf("20 minutes after closing: %d cancelled, %v", n, err)
		}
		at(20, "14:31")
		if n, err := c.server.Shop.CancelAbandoned(ctx); err != nil || n != 1 {
			t.Fatalf("31 minutes after closing: %d cancelled, %v; want 1", n, err)
		}
		for o, want := range map[*map[string]any]order.Status{&left: order.Cancelled, &started: order.Preparing, &elsewhere: order.Pending, &forTonight: order.Pending} {
			if got := statusOf(*o); got != want {
				t.Errorf("order %v: %s, want %s", (*o)["number"], got, want)
			}
		}
		mails, err := c.store.ClaimOutbox(ctx, 100, time.Minute)
		check(t, err)
		told := false
		for _, m := range mails {
			told = told || (m.OrderID == int64(left["id"].(float64)) && m.Kind == "closed_unmade")
		}
		if !told {
			t.Errorf("the customer of the cancelled order is not told why: %+v", mails)
		}
		// Held still: the order in preparation and the one for tonight.
		if got, want := c.level(c.shop, c.dough), doughBefore-2*(2*250); got != want {
			t.Errorf("dough %d, want %d: the cancelled order's stock is not back", got, want)
		}
		// The order taken after closing is left when the next service ends.
		at(21, "14:31")
		if n, err := c.server.Shop.CancelAbandoned(ctx); err != nil || n != 1 || statusOf(forTonight) != order.Cancelled {
			t.Fatalf("the next day: %d cancelled, %v, order %s", n, err, statusOf(forTonight))
		}
		if n, err := c.server.Shop.CancelAbandoned(ctx); err != nil || n != 0 {
			t.Fatalf("run again: %d cancelled, %v", n, err)
		}
	})
}
