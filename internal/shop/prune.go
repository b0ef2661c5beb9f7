package shop

import (
	"context"
	"time"

	"github.com/oc-pizza/ocpizza/internal/store"
)

// How long what only serves for a while is kept (Prune).
const (
	// KeepIdempotencyKeys: a client retries an order within minutes; a
	// day covers a phone that was offline all evening. A key sent again
	// after that places a new order (Stripe keeps its keys 24 hours).
	KeepIdempotencyKeys = 24 * time.Hour
	// KeepExpiredLinks: a password link is kept a day after it expires,
	// as the limit on reset mails counts the last hour's links.
	KeepExpiredLinks = 24 * time.Hour
)

// Prune deletes expired sessions, password links expired for a day and
// idempotency keys over a day old, so that these tables hold what is of
// use rather than every sign-in and order since the start. Run it at start
// and every hour; instances may run it together.
func (s *Shop) Prune(ctx context.Context) (store.Pruned, error) {
	now := s.Store.Now()
	return s.Store.Prune(ctx, now.Add(-KeepExpiredLinks), now.Add(-KeepIdempotencyKeys))
}
