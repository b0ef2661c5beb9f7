package demo_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/oc-pizza/ocpizza/internal/demo"
	"github.com/oc-pizza/ocpizza/internal/order"
	"github.com/oc-pizza/ocpizza/internal/pizzeria"
	"github.com/oc-pizza/ocpizza/internal/shop"
	"github.com/oc-pizza/ocpizza/internal/store"
)

// TestDemoKeepsOrdersWaitingAtAnyHour: loaded at any hour, the demo has
// orders waiting for the kitchen, and the server's first round of
// cancelling abandoned orders finds none of them (it cancelled and mailed
// them when the demo was loaded at night).
func TestDemoKeepsOrdersWaitingAtAnyHour(t *testing.T) {
	t.Parallel()
	for _, at := range []string{"2026-12-04 20:00", "2026-12-05 03:00", "2026-12-05 15:00"} {
		t.Run(at, func(t *testing.T) {
			ctx := context.Background()
			st, err := store.Open(ctx, "sqlite:"+t.TempDir()+"/demo.db")
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			if _, err := st.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			now, err := time.ParseInLocation("2006-01-02 15:04", at, pizzeria.Paris)
			if err != nil {
				t.Fatal(err)
			}
			st.SetClock(func() time.Time { return now })
			sh := shop.New(st, nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
			defer sh.Close()
			if _, err := demo.Load(ctx, sh); err != nil {
				t.Fatal(err)
			}
			st.SetClock(func() time.Time { return now.Add(time.Minute) })
			if n, err := sh.CancelAbandoned(ctx); err != nil || n != 0 {
				t.Fatalf("the first round cancelled %d demo orders (%v)", n, err)
			}
			waiting, err := st.Orders(ctx, order.Filter{Statuses: []order.Status{order.Pending}})
			if err != nil || len(waiting) == 0 {
				t.Fatalf("%d demo orders waiting (%v)", len(waiting), err)
			}
		})
	}
}
