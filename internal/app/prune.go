package app

import (
	"context"
	"log/slog"
	"time"

	"github.com/oc-pizza/ocpizza/internal/shop"
)

// pruneEvery is how often expired sessions, old password links and
// idempotency keys are deleted (shop.Prune): at the chain's volume an
// hour's worth is a few hundred rows.
const pruneEvery = time.Hour

// runPrune prunes at start and then every interval, until ctx ends.
func runPrune(ctx context.Context, sh *shop.Shop, log *slog.Logger, every time.Duration) {
	atStartAndEvery(ctx, every, func() {
		if p, err := sh.Prune(ctx); err != nil && ctx.Err() == nil {
			log.Warn("prune expired sessions, links and idempotency keys", "err", err)
		} else if p.Sessions+p.PasswordTokens+p.IdempotencyKeys > 0 {
			log.Info("pruned", "sessions", p.Sessions, "password_links", p.PasswordTokens, "idempotency_keys", p.IdempotencyKeys)
		}
	})
}

// atStartAndEvery runs fn now and then every interval, until ctx ends.
func atStartAndEvery(ctx context.Context, every time.Duration, fn func()) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		fn()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
