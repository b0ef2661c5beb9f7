package app

import (
	"context"
	"log/slog"
	"time"

	"github.com/oc-pizza/ocpizza/internal/shop"
)

// reconcileEvery is how often payment attempts left open are looked up
// with the provider. An attempt is looked at once it is shop.AttemptGrace
// old, so an order whose payment's answer was lost is settled within
// about five minutes.
const reconcileEvery = 3 * time.Minute

// runReconcile settles the payment attempts left open, at start and then
// every interval, until ctx ends.
func runReconcile(ctx context.Context, sh *shop.Shop, log *slog.Logger, every time.Duration) {
	atStartAndEvery(ctx, every, func() {
		n, err := sh.Reconcile(ctx)
		if err != nil && ctx.Err() == nil {
			log.Warn("payment reconciliation: some attempts are left for the next round", "settled", n, "err", err)
		} else if n > 0 {
			log.Info("payment reconciliation", "settled", n)
		}
	})
}
