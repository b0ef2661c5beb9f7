package store

import (
	"context"
	"time"
)

// Pruned counts the rows Prune deleted.
type Pruned struct {
	Sessions        int64
	PasswordTokens  int64
	IdempotencyKeys int64
}

// Prune deletes what is kept only while it is of use: sessions past their
// expiry, password links expired before linksBefore (kept a while after
// they expire, as PasswordTokensSince counts the recent ones), and
// idempotency keys made before keysBefore (a retry comes within minutes;
// the order itself stays). Each table is its own transaction, so the
// writer is held one delete at a time.
func (s *Store) Prune(ctx context.Context, linksBefore, keysBefore time.Time) (Pruned, error) {
	var p Pruned
	var err error
	if p.Sessions, err = s.deleteWhere(ctx, "DELETE FROM sessions WHERE expires_at <= ?", s.Now()); err != nil {
		return p, err
	}
	if p.PasswordTokens, err = s.deleteWhere(ctx, "DELETE FROM password_tokens WHERE expires_at < ?", linksBefore); err != nil {
		return p, err
	}
	p.IdempotencyKeys, err = s.deleteWhere(ctx, "DELETE FROM idempotency_keys WHERE created_at < ?", keysBefore)
	return p, err
}

func (s *Store) deleteWhere(ctx context.Context, query string, before time.Time) (int64, error) {
	var n int64
	err := s.write(ctx, func(c conn) error {
		res, err := c.exec(ctx, query, before)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}
