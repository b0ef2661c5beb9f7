package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/oc-pizza/ocpizza/internal/errs"
	"github.com/oc-pizza/ocpizza/internal/order"
	"github.com/oc-pizza/ocpizza/internal/payment"
)

func insertAttempt(a payment.Attempt) stmt {
	return stmt{`INSERT INTO payment_attempts (order_id, order_number, kind, idem_key, charge_ref, amount_cents, status, provider_ref, detail, created_at, settled_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)`,
		[]any{a.OrderID, a.OrderNumber, a.Kind, a.Key, a.ChargeRef, a.AmountCents, payment.AttemptOpen, "", "", a.CreatedAt}}
}

const attemptColumns = "id, order_id, order_number, kind, idem_key, charge_ref, amount_cents, status, provider_ref, detail, created_at"

func (s *Store) attempts(ctx context.Context, where string, args ...any) ([]payment.Attempt, error) {
	rows, err := s.read().query(ctx, "SELECT "+attemptColumns+" FROM payment_attempts WHERE "+where+" ORDER BY id", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []payment.Attempt
	for rows.Next() {
		var a payment.Attempt
		if err := rows.Scan(&a.ID, &a.OrderID, &a.OrderNumber, &a.Kind, &a.Key, &a.ChargeRef, &a.AmountCents, &a.Status, &a.ProviderRef, &a.Detail, &a.CreatedAt); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// OpenAttempts lists the attempts still open that were made before a
// time, oldest first: those whose answer should have come by then.
func (s *Store) OpenAttempts(ctx context.Context, before time.Time) ([]payment.Attempt, error) {
	return s.attempts(ctx, "status = ? AND created_at < ?", payment.AttemptOpen, before)
}

// AttemptsOf lists an order's payment attempts, oldest first.
func (s *Store) AttemptsOf(ctx context.Context, orderID int64) ([]payment.Attempt, error) {
	return s.attempts(ctx, "order_id = ?", orderID)
}

// OpenAttempt records an attempt about to be made for an order, alone (a
// further charge: the order changes only once it is paid). An attempt with
// the same key is not recorded twice: the first one is returned.
func (s *Store) OpenAttempt(ctx context.Context, a payment.Attempt) (payment.Attempt, error) {
	a.CreatedAt, a.Status = s.Now(), payment.AttemptOpen
	err := s.write(ctx, func(c conn) error {
		st := insertAttempt(a)
		_, err := c.exec(ctx, s.d.insertIgnore("payment_attempts", "idem_key",
			"order_id, order_number, kind, idem_key, charge_ref, amount_cents, status, provider_ref, detail, created_at, settled_at",
			"?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL"), st.args...)
		return err
	})
	if err != nil {
		return a, err
	}
	got, err := s.attempts(ctx, "idem_key = ?", a.Key)
	if err != nil || len(got) == 0 {
		return a, errors.Join(err, errors.New("payment attempt not found after recording it"))
	}
	return got[0], nil
}

// Outcome closes an open attempt.
type Outcome struct {
	Key         string
	Status      string
	ProviderRef string
	Detail      string
}

// WebhookEvent is a provider notification, recorded once.
type WebhookEvent struct {
	ID   string
	Kind string
}

// MoneyChange is what one answer of the payment provider changes, written
// in one transaction: the notification that brought it, the attempt it
// settles, the order, the ledger and the attempts it opens. A crash leaves
// either all of it or none, so the answer can be asked again or the
// notification applied on the provider's next delivery.
type MoneyChange struct {
	// Event is the notification applied; if it was applied already the
	// whole change is skipped (applied is false).
	Event *WebhookEvent
	// Settle closes an open attempt; if it was closed meanwhile (another
	// instance, the reconciler) the whole change is skipped.
	Settle *Outcome
	// Order is a change of the order, at the version read (else conflict).
	Order *order.Update
	// Discard removes the order after Order applied (which gives its
	// stock back): an order awaiting payment whose card was declined at
	// once, which nobody ever saw. Its stock ledger rows and its payment
	// attempts stay, naming it.
	Discard bool
	// Ledger rows to add, and the status of rows already there (a refund
	// the provider completed later), by provider reference: a status
	// the row has already skips the whole change.
	Ledger       []payment.Movement
	LedgerStatus map[string]string
	// Open records new attempts, such as a refund owed.
	Open []payment.Attempt
}

// errSkipped rolls back a money change that was already applied.
var errSkipped = errors.New("already applied")

// ApplyMoney writes a money change in one transaction. It returns the
// order as changed (if Order was set) and whether anything was written:
// false when the notification, the settlement or the ledger's new status
// had been applied before.
func (s *Store) ApplyMoney(ctx context.Context, m MoneyChange) (updated order.Order, applied bool, err error) {
	if m.Order != nil {
		updated = m.Order.Order
	}
	err = s.write(ctx, func(c conn) error {
		now := s.Now()
		if e := m.Event; e != nil {
			res, err := c.exec(ctx, s.d.insertIgnore("webhook_events", "event_id", "event_id, kind, received_at", "?, ?, ?"), e.ID, e.Kind, now)
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil || n != 1 {
				return errSkipped
			}
		}
		if o := m.Settle; o != nil {
			res, err := c.exec(ctx, "UPDATE payment_attempts SET status = ?, provider_ref = ?, detail = ?, settled_at = ? WHERE idem_key = ? AND status = ?",
				o.Status, o.ProviderRef, truncate(o.Detail, 200), now, o.Key, payment.AttemptOpen)
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil || n != 1 {
				return errSkipped
			}
		}
		if m.Order != nil {
			var err error
			if updated, err = s.applyChange(ctx, c, *m.Order, now); err != nil {
				return err
			}
			if m.Discard {
				id := m.Order.Order.ID
				for _, q := range []string{"DELETE FROM order_lines WHERE order_id = ?", "DELETE FROM order_history WHERE order_id = ?",
					"DELETE FROM idempotency_keys WHERE order_id = ?", "DELETE FROM outbox WHERE order_id = ?", "DELETE FROM orders WHERE id = ?"} {
					if _, err := c.exec(ctx, q, id); err != nil {
						return err
					}
				}
			}
		}
		for _, mv := range m.Ledger {
			if _, err := c.exec(ctx, `INSERT INTO payments (order_id, kind, provider_ref, charge_ref, amount_cents, status, at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
				mv.OrderID, mv.Kind, mv.ProviderRef, mv.ChargeRef, mv.AmountCents, mv.Status, now); err != nil {
				return err
			}
		}
		for ref, status := range m.LedgerStatus {
			// Only a change of status is applied, once: of two
			// settlers (a webhook, a reconciler) telling it, the second
			// is skipped and does not act on it again.
			res, err := c.exec(ctx, "UPDATE payments SET status = ? WHERE provider_ref = ? AND status <> ?", status, ref, status)
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil || n != 1 {
				return errSkipped
			}
		}
		for _, a := range m.Open {
			a.CreatedAt = now
			st := insertAttempt(a)
			if _, err := c.exec(ctx, st.query, st.args...); err != nil {
				return err
			}
		}
		return nil
	})
	switch {
	case errors.Is(err, errSkipped):
		return updated, false, nil
	case err != nil:
		if m.Order != nil {
			updated = m.Order.Order
		}
		return updated, false, s.nameShortage(ctx, err)
	}
	return updated, true, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// WebhookSeen reports whether a provider notification was applied.
func (s *Store) WebhookSeen(ctx context.Context, eventID string) (bool, error) {
	var id string
	err := s.read().queryRow(ctx, "SELECT event_id FROM webhook_events WHERE event_id = ?", eventID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// MoneyOf lists an order's charges and refunds, oldest first.
func (s *Store) MoneyOf(ctx context.Context, orderID int64) ([]payment.Movement, error) {
	return s.money(ctx, "order_id = ?", orderID)
}

// PendingRefunds lists the refunds the provider last said were pending,
// recorded before a time: those whose outcome was never notified.
func (s *Store) PendingRefunds(ctx context.Context, before time.Time) ([]payment.Movement, error) {
	return s.money(ctx, "kind = 'refund' AND status = ? AND at < ?", payment.StatusPending, before)
}

// MoneyByRef returns the ledger row of a provider payment or refund.
func (s *Store) MoneyByRef(ctx context.Context, providerRef string) (payment.Movement, error) {
	ms, err := s.money(ctx, "provider_ref = ?", providerRef)
	if err != nil {
		return payment.Movement{}, err
	}
	if len(ms) == 0 {
		return payment.Movement{}, errs.E(errs.NotFound, "no payment %s", providerRef)
	}
	return ms[0], nil
}

func (s *Store) money(ctx context.Context, where string, args ...any) ([]payment.Movement, error) {
	rows, err := s.read().query(ctx, "SELECT id, order_id, kind, provider_ref, charge_ref, amount_cents, status, at FROM payments WHERE "+where+" ORDER BY id", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []payment.Movement
	for rows.Next() {
		var m payment.Movement
		if err := rows.Scan(&m.ID, &m.OrderID, &m.Kind, &m.ProviderRef, &m.ChargeRef, &m.AmountCents, &m.Status, &m.At); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}
