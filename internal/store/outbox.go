package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/oc-pizza/ocpizza/internal/order"
)

// OutboxItem is a queued notification with its delivery state.
type OutboxItem struct {
	ID        int64
	Kind      string
	OrderID   int64
	Recipient string
	Lang      string
	Attempts  int
	CreatedAt time.Time
	// PizzeriaID and IngredientID name the level of a "low_stock" alert
	// to a manager (OrderID is 0 then).
	PizzeriaID   int64
	IngredientID int64
}

// enqueue queues a notification about an order, written with the change.
func enqueue(orderID int64, n *order.Notification, now time.Time) stmt {
	return stmt{`INSERT INTO outbox (kind, order_id, recipient, lang, attempts, next_attempt_at, claimed_until, last_error, alerted, created_at, sent_at)
		VALUES (?, ?, ?, ?, 0, ?, NULL, NULL, ?, ?, NULL)`, []any{n.Kind, orderID, n.Recipient, n.Lang, now, false, now}}
}

// ClaimOutbox takes up to limit due notifications for this worker for
// lease: another instance will not take them meanwhile, so a mail is not
// sent twice by two senders. The newest confirmations come first — a
// customer who just ordered waits for theirs, while a backlog (the mail
// server was down) holds older news — then the oldest of the rest; a
// quarter of the batch is kept for those, so none waits forever behind a
// stream of confirmations.
func (s *Store) ClaimOutbox(ctx context.Context, limit int, lease time.Duration) ([]OutboxItem, error) {
	now := s.Now()
	due := `SELECT id FROM outbox WHERE sent_at IS NULL AND next_attempt_at <= ? AND (claimed_until IS NULL OR claimed_until < ?)`
	ids, err := s.ids(ctx, due+" AND kind = ? ORDER BY id DESC LIMIT ?", now, now, "confirmed", limit-limit/4)
	if err != nil {
		return nil, err
	}
	rest, err := s.ids(ctx, due+" ORDER BY id LIMIT ?", now, now, limit)
	if err != nil {
		return nil, err
	}
	picked := map[int64]bool{}
	for _, id := range ids {
		picked[id] = true
	}
	for _, id := range rest {
		if len(ids) < limit && !picked[id] {
			ids = append(ids, id)
		}
	}
	var out []OutboxItem
	for _, id := range ids {
		var item OutboxItem
		err := s.write(ctx, func(c conn) error {
			res, err := c.exec(ctx, `UPDATE outbox SET claimed_until = ? WHERE id = ? AND sent_at IS NULL
				AND (claimed_until IS NULL OR claimed_until < ?)`, now.Add(lease), id, now)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n != 1 {
				return sql.ErrNoRows // another worker has it
			}
			return c.queryRow(ctx, `SELECT id, kind, order_id, recipient, lang, attempts, created_at, COALESCE(pizzeria_id, 0), COALESCE(ingredient_id, 0)
				FROM outbox WHERE id = ?`, id).
				Scan(&item.ID, &item.Kind, &item.OrderID, &item.Recipient, &item.Lang, &item.Attempts, &item.CreatedAt, &item.PizzeriaID, &item.IngredientID)
		})
		if err == sql.ErrNoRows {
			continue
		}
		if err != nil {
			return out, err
		}
		out = append(out, item)
	}
	return out, nil
}

func (s *Store) ids(ctx context.Context, query string, args ...any) ([]int64, error) {
	rows, err := s.read().query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// SkipOutbox marks every notification not yet sent as done without sending
// it, saying why: the demo's past orders are nobody's news.
func (s *Store) SkipOutbox(ctx context.Context, why string) (int64, error) {
	var n int64
	err := s.write(ctx, func(c conn) error {
		res, err := c.exec(ctx, "UPDATE outbox SET sent_at = ?, claimed_until = NULL, last_error = ? WHERE sent_at IS NULL", s.Now(), "not sent: "+why)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}

// OutboxSent marks a notification delivered.
func (s *Store) OutboxSent(ctx context.Context, id int64) error {
	return s.write(ctx, func(c conn) error {
		_, err := c.exec(ctx, "UPDATE outbox SET sent_at = ?, claimed_until = NULL, last_error = NULL WHERE id = ?", s.Now(), id)
		return err
	})
}

// OutboxFailed records a failed attempt and when to try again. It reports
// whether the admin should now be alerted: the first failure after the
// notification has been waiting for longer than alertAfter.
func (s *Store) OutboxFailed(ctx context.Context, id int64, failure string, retryIn, alertAfter time.Duration) (alert bool, err error) {
	err = s.write(ctx, func(c conn) error {
		now := s.Now()
		if _, err := c.exec(ctx, `UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, claimed_until = NULL, last_error = ? WHERE id = ?`,
			now.Add(retryIn), failure, id); err != nil {
			return err
		}
		res, err := c.exec(ctx, "UPDATE outbox SET alerted = ? WHERE id = ? AND alerted = ? AND created_at < ?", true, id, false, now.Add(-alertAfter))
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		alert = n == 1
		return nil
	})
	return alert, err
}
