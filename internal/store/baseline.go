package store

import (
	"context"
	"crypto/rand"
	"errors"
	"slices"

	"github.com/oc-pizza/ocpizza/internal/order"
	"github.com/oc-pizza/ocpizza/internal/stock"
)

// ErrBareShort is BareOrder's refusal when a level is too low.
var ErrBareShort = errors.New("bare order: not enough stock")

// BareOrder is the load tool's floor for an order: a transaction of the
// same shape as PlaceOrder's — the order's row, its lines, one guarded
// decrement and one ledger row per ingredient — written plainly, one
// statement per row, without the pizzeria's counter, history, outbox,
// idempotency or group commit. What PlaceOrder costs beyond it is the
// store's own work. Its orders are numbered B and 16 random letters and digits,
// which no pizzeria uses: run it on a load test's database only.
func (s *Store) BareOrder(ctx context.Context, pizzeriaID, customerID int64, lines []order.Line, needs []stock.Need) (int64, error) {
	now := s.Now()
	needs = slices.Clone(needs)
	// One order of locking for every transaction: no deadlock on PostgreSQL.
	slices.SortFunc(needs, func(a, b stock.Need) int { return int(a.IngredientID - b.IngredientID) })
	var id int64
	err := s.writeAlone(ctx, func(c conn) error {
		var err error
		id, err = c.insertID(ctx, `INSERT INTO orders (number, pizzeria_id, customer_id, contact_name, contact_phone, contact_email,
			channel, fulfilment, total_cents, payment_method, payment_status, payment_ref, status, version, created_at, updated_at, items)
			VALUES (?, ?, ?, 'Load', '', '', 'web', 'pickup', ?, 'on_delivery', 'unpaid', '', 'pending', 1, ?, ?, ?)`,
			"B"+rand.Text()[:16], pizzeriaID, customerID, order.Total(lines), now, now, order.Items(lines))
		if err != nil {
			return err
		}
		for i, l := range lines {
			if _, err := c.exec(ctx, `INSERT INTO order_lines (order_id, line_no, product_id, name, quantity, unit_price_cents, vat_basis)
				VALUES (?, ?, ?, ?, ?, ?, ?)`, id, i+1, l.ProductID, l.Name, l.Quantity, l.UnitPriceCents, l.VATBasis); err != nil {
				return err
			}
		}
		for _, n := range needs {
			res, err := c.exec(ctx, `UPDATE stock_levels SET quantity = quantity - ?, updated_at = ?
				WHERE pizzeria_id = ? AND ingredient_id = ? AND quantity >= ?`, n.Quantity, now, pizzeriaID, n.IngredientID, n.Quantity)
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil || n != 1 {
				return errors.Join(ErrBareShort, err)
			}
		}
		for _, n := range needs {
			if _, err := c.exec(ctx, `INSERT INTO stock_movements (pizzeria_id, ingredient_id, reason, delta, order_id, by_user_id, at)
				VALUES (?, ?, 'reservation', ?, ?, NULL, ?)`, pizzeriaID, n.IngredientID, -n.Quantity, id, now); err != nil {
				return err
			}
		}
		return nil
	})
	return id, err
}

// BareAdvance is the load tool's floor for a kitchen step: the order's
// status changed by one statement in its own transaction.
func (s *Store) BareAdvance(ctx context.Context, orderID int64, to order.Status) error {
	return s.writeAlone(ctx, func(c conn) error {
		_, err := c.exec(ctx, "UPDATE orders SET status = ?, version = version + 1, updated_at = ? WHERE id = ?", string(to), s.Now(), orderID)
		return err
	})
}
