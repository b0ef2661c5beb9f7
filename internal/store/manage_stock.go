package store

import (
	"context"
	"time"

	"github.com/oc-pizza/ocpizza/internal/order"
	"github.com/oc-pizza/ocpizza/internal/stock"
)

// RecordBatch applies several manual movements in one transaction — the
// lines of a delivery note, a count, waste — all or none, each a ledger
// row carrying the note and its author. It returns the levels they leave.
func (s *Store) RecordBatch(ctx context.Context, pizzeriaID int64, ms []stock.ManualMovement, note string, byUserID int64) ([]stock.Level, error) {
	var levels []stock.Level
	err := s.write(ctx, func(c conn) error {
		levels = levels[:0]
		now := s.Now()
		for _, m := range ms {
			l, err := s.applyMovement(ctx, c, pizzeriaID, m, note, byUserID, now)
			if err != nil {
				return err
			}
			levels = append(levels, l)
		}
		return nil
	})
	return levels, err
}

// MovementLog returns a pizzeria's ledger, newest first, with the
// ingredient, the author's name and the order's number: of one
// ingredient when ingredientID is not 0; before, when not 0, pages back
// from a movement id.
func (s *Store) MovementLog(ctx context.Context, pizzeriaID, ingredientID, before int64, limit int) ([]stock.Movement, error) {
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	if before <= 0 {
		before = 1 << 62
	}
	q := `SELECT m.id, m.pizzeria_id, m.ingredient_id, m.reason, m.delta, COALESCE(m.order_id, 0), COALESCE(m.by_user_id, 0), m.at,
		COALESCE(m.note, ''), i.name, i.unit, COALESCE(u.name, ''), COALESCE(o.number, '')
		FROM stock_movements m JOIN ingredients i ON i.id = m.ingredient_id LEFT JOIN users u ON u.id = m.by_user_id
		LEFT JOIN orders o ON o.id = m.order_id
		WHERE m.pizzeria_id = ? AND m.id < ?`
	args := []any{pizzeriaID, before}
	if ingredientID != 0 {
		q += " AND m.ingredient_id = ?"
		args = append(args, ingredientID)
	}
	rows, err := s.read().query(ctx, q+" ORDER BY m.id DESC LIMIT ?", append(args, limit)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []stock.Movement
	for rows.Next() {
		var m stock.Movement
		if err := rows.Scan(&m.ID, &m.PizzeriaID, &m.IngredientID, &m.Reason, &m.Delta, &m.OrderID, &m.ByUserID, &m.At,
			&m.Note, &m.Ingredient, &m.Unit, &m.ByName, &m.OrderNumber); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// LevelsOf reads some of a pizzeria's levels with their alert flags.
func (s *Store) LevelsOf(ctx context.Context, pizzeriaID int64, ingredientIDs []int64) ([]stock.Level, error) {
	if len(ingredientIDs) == 0 {
		return nil, nil
	}
	args := []any{pizzeriaID}
	for _, id := range ingredientIDs {
		args = append(args, id)
	}
	rows, err := s.read().query(ctx, `SELECT l.pizzeria_id, l.ingredient_id, i.name, i.unit, l.quantity, l.low_threshold, l.low_alerted
		FROM stock_levels l JOIN ingredients i ON i.id = l.ingredient_id
		WHERE l.pizzeria_id = ? AND l.ingredient_id IN (`+placeholders(len(ingredientIDs))+`)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []stock.Level
	for rows.Next() {
		var l stock.Level
		if err := rows.Scan(&l.PizzeriaID, &l.IngredientID, &l.Name, &l.Unit, &l.Quantity, &l.LowThreshold, &l.Alerted); err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// FlagLowStock raises the low-stock flag of the levels named in raise that
// are still low and not flagged, queuing in the same transaction a mail
// to each manager of the pizzeria for each; and lowers the flag of those
// named in clear that are back above their threshold. The guards make a
// crossing raise one alert whatever runs concurrently. It returns the
// ingredients whose alert was raised.
func (s *Store) FlagLowStock(ctx context.Context, pizzeriaID int64, raise, clear []int64) ([]int64, error) {
	var raised []int64
	err := s.write(ctx, func(c conn) error {
		raised = raised[:0]
		now := s.Now()
		for _, id := range clear {
			if _, err := c.exec(ctx, `UPDATE stock_levels SET low_alerted = ? WHERE pizzeria_id = ? AND ingredient_id = ?
				AND low_alerted = ? AND quantity > low_threshold`, false, pizzeriaID, id, true); err != nil {
				return err
			}
		}
		for _, id := range raise {
			res, err := c.exec(ctx, `UPDATE stock_levels SET low_alerted = ? WHERE pizzeria_id = ? AND ingredient_id = ?
				AND low_alerted = ? AND quantity <= low_threshold`, true, pizzeriaID, id, false)
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil || n != 1 {
				continue // flagged meanwhile, or no longer low
			}
			raised = append(raised, id)
		}
		if len(raised) == 0 {
			return nil
		}
		managers, err := s.managers(ctx, c, pizzeriaID)
		if err != nil {
			return err
		}
		for _, id := range raised {
			for _, m := range managers {
				if _, err := c.exec(ctx, `INSERT INTO outbox (kind, order_id, recipient, lang, attempts, next_attempt_at, claimed_until, last_error, alerted, created_at, sent_at, pizzeria_id, ingredient_id)
					VALUES (?, 0, ?, ?, 0, ?, NULL, NULL, ?, ?, NULL, ?, ?)`, "low_stock", m.email, m.lang, now, false, now, pizzeriaID, id); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return raised, err
}

type recipient struct{ email, lang string }

// managers lists the enabled managers of a pizzeria.
func (s *Store) managers(ctx context.Context, c conn, pizzeriaID int64) ([]recipient, error) {
	rows, err := c.query(ctx, `SELECT u.email, u.lang FROM users u JOIN user_roles r ON r.user_id = u.id
		WHERE r.role = ? AND r.pizzeria_id = ? AND u.disabled_at IS NULL ORDER BY u.id`, "manager", pizzeriaID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []recipient
	for rows.Next() {
		var r recipient
		if err := rows.Scan(&r.email, &r.lang); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Sales are the orders and money of a period.
type Sales struct {
	Orders int64
	Cents  int64
}

// SalesBetween sums each pizzeria's orders placed in [from, to),
// cancelled ones left out: the boards' takings of the day. It reads the
// orders by time only, whatever pizzeria the caller wants: an index by
// pizzeria would tempt the planner into reading a pizzeria's every order.
func (s *Store) SalesBetween(ctx context.Context, from, to time.Time) (map[int64]Sales, error) {
	// Times are compared in UTC, as stored (SQLite compares their text).
	rows, err := s.read().query(ctx, `SELECT pizzeria_id, COUNT(*), COALESCE(SUM(total_cents), 0) FROM orders
		WHERE created_at >= ? AND created_at < ? AND status <> ? GROUP BY pizzeria_id`, from.UTC(), to.UTC(), string(order.Cancelled))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]Sales{}
	for rows.Next() {
		var id int64
		var sl Sales
		if err := rows.Scan(&id, &sl.Orders, &sl.Cents); err != nil {
			return nil, err
		}
		out[id] = sl
	}
	return out, rows.Err()
}
