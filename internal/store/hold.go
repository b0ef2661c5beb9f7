package store

import (
	"context"

	"github.com/oc-pizza/ocpizza/internal/order"
)

// SetHoldLimit sets the cap on what a customer's own website orders hold
// in a pizzeria before the kitchen starts on them (order.HoldLimit). The
// store checks it in the transaction that reserves the order's stock,
// under the pizzeria's counter lock, so that two orders sent at once
// cannot both pass it. The zero limit, a new store's, caps nothing.
func (s *Store) SetHoldLimit(l order.HoldLimit) { s.hold.Store(&l) }

// capped returns the limit an order placed or changed by byUserID is held
// to, and whether there is one.
func (s *Store) capped(o order.Order, byUserID int64) (order.HoldLimit, bool) {
	l := s.hold.Load()
	if l == nil || *l == (order.HoldLimit{}) || !order.Capped(o, byUserID) {
		return order.HoldLimit{}, false
	}
	return *l, true
}

// selectHeld reads what a customer's waiting orders in a pizzeria hold,
// but one (id, 0 for none): from the orders_waiting_by_customer index
// alone, which holds each order's items.
var selectHeld = `SELECT COUNT(*), COALESCE(SUM(items), 0) FROM orders
	WHERE pizzeria_id = ? AND customer_id = ? AND id <> ? AND status IN (` + waitingIn + `)`

var waitingIn = placeholders(len(order.Waiting))

func heldArgs(pizzeriaID, customerID, except int64) []any {
	args := []any{pizzeriaID, customerID, except}
	for _, s := range order.Waiting {
		args = append(args, string(s))
	}
	return args
}

func (s *Store) held(ctx context.Context, c conn, pizzeriaID, customerID, except int64) (order.Held, error) {
	var h order.Held
	err := c.queryRow(ctx, selectHeld, heldArgs(pizzeriaID, customerID, except)...).Scan(&h.Orders, &h.Items)
	return h, err
}

// CheckHoldLimit says, from what is stored now, whether the change of a
// waiting order's lines to lines by byUserID keeps within the hold limit.
// The transaction that makes the change decides; this only spares a
// customer a charge that would be refunded at once (a paid order grown
// beyond the limit).
func (s *Store) CheckHoldLimit(ctx context.Context, o order.Order, byUserID int64, lines []order.Line) error {
	limit, ok := s.capped(o, byUserID)
	if !ok {
		return nil
	}
	others, err := s.held(ctx, s.read(), o.PizzeriaID, o.CustomerID, o.ID)
	if err != nil {
		return err
	}
	return limit.CheckChange(others, o.Lines, lines)
}
