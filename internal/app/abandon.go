package app

import (
	"context"
	"log/slog"
	"time"

	"github.com/oc-pizza/ocpizza/internal/shop"
)

// abandonEvery is how often pending orders left when their pizzeria
// closed are cancelled (shop.CancelAbandoned): within minutes of
// order.AbandonAfter, long before the next service.
const abandonEvery = 5 * time.Minute

// runCancelAbandoned cancels abandoned orders at start and then every
// interval, until ctx ends.
func runCancelAbandoned(ctx context.Context, sh *shop.Shop, log *slog.Logger, every time.Duration) {
	atStartAndEvery(ctx, every, func() {
		if n, err := sh.CancelAbandoned(ctx); err != nil && ctx.Err() == nil {
			log.Warn("cancel the orders left when their pizzeria closed", "cancelled", n, "err", err)
		}
	})
}
