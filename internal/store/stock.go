package store

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/oc-pizza/ocpizza/internal/errs"
	"github.com/oc-pizza/ocpizza/internal/stock"
)

// StockLevels lists a pizzeria's stock by ingredient name.
func (s *Store) StockLevels(ctx context.Context, pizzeriaID int64) ([]stock.Level, error) {
	rows, err := s.read().query(ctx, `SELECT l.pizzeria_id, l.ingredient_id, i.name, i.unit, l.quantity, l.low_threshold, l.low_alerted
		FROM stock_levels l JOIN ingredients i ON i.id = l.ingredient_id
		WHERE l.pizzeria_id = ? ORDER BY i.name`, pizzeriaID)
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

// StockQuantities returns a pizzeria's levels as ingredient id → quantity,
// what the makeable count needs.
func (s *Store) StockQuantities(ctx context.Context, pizzeriaID int64) (map[int64]int64, error) {
	rows, err := s.read().query(ctx, "SELECT ingredient_id, quantity FROM stock_levels WHERE pizzeria_id = ?", pizzeriaID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]int64{}
	for rows.Next() {
		var id, q int64
		if err := rows.Scan(&id, &q); err != nil {
			return nil, err
		}
		out[id] = q
	}
	return out, rows.Err()
}

// RecordMovement applies a manual movement (delivery, waste, count) by a
// user and returns the new level. The level is read and changed in one
// transaction, so a count never overwrites a reservation made meanwhile
// without it showing in the ledger.
func (s *Store) RecordMovement(ctx context.Context, pizzeriaID int64, m stock.ManualMovement, byUserID int64) (stock.Level, error) {
	var level stock.Level
	err := s.write(ctx, func(c conn) error {
		var err error
		level, err = s.applyMovement(ctx, c, pizzeriaID, m, "", byUserID, s.Now())
		return err
	})
	return level, err
}

// applyMovement applies one manual movement inside a transaction and
// returns the level it leaves.
func (s *Store) applyMovement(ctx context.Context, c conn, pizzeriaID int64, m stock.ManualMovement, note string, byUserID int64, now time.Time) (stock.Level, error) {
	var level stock.Level
	var current int64
	err := c.queryRow(ctx, "SELECT quantity FROM stock_levels WHERE pizzeria_id = ? AND ingredient_id = ?"+s.d.forUpdate(),
		pizzeriaID, m.IngredientID).Scan(&current)
	if err != nil {
		return level, notFound(err, "ingredient in this pizzeria's stock")
	}
	delta, err := m.Normalize(current)
	if err != nil {
		return level, err
	}
	if delta != 0 {
		// The guard repeats Normalize's check in SQL so that no
		// interleaving can take a level below zero.
		res, err := c.exec(ctx, `UPDATE stock_levels SET quantity = quantity + ?, updated_at = ?
			WHERE pizzeria_id = ? AND ingredient_id = ? AND quantity + ? >= 0`, delta, now, pizzeriaID, m.IngredientID, delta)
		if err != nil {
			return level, err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return level, errs.E(errs.Conflict, "the stock changed meanwhile: try again")
		}
	}
	if _, err := c.exec(ctx, `INSERT INTO stock_movements (pizzeria_id, ingredient_id, reason, delta, order_id, by_user_id, at, note)
		VALUES (?, ?, ?, ?, NULL, ?, ?, ?)`, pizzeriaID, m.IngredientID, string(m.Reason), delta, nullInt(byUserID), now, nullString(note)); err != nil {
		return level, err
	}
	err = c.queryRow(ctx, `SELECT l.pizzeria_id, l.ingredient_id, i.name, i.unit, l.quantity, l.low_threshold, l.low_alerted
		FROM stock_levels l JOIN ingredients i ON i.id = l.ingredient_id
		WHERE l.pizzeria_id = ? AND l.ingredient_id = ?`, pizzeriaID, m.IngredientID).
		Scan(&level.PizzeriaID, &level.IngredientID, &level.Name, &level.Unit, &level.Quantity, &level.LowThreshold, &level.Alerted)
	return level, err
}

// SetLowThreshold changes the alert threshold of one level.
func (s *Store) SetLowThreshold(ctx context.Context, pizzeriaID, ingredientID, threshold int64) error {
	if threshold < 0 || threshold > stock.MaxQuantity {
		return errs.E(errs.Invalid, "the threshold is zero or more")
	}
	return s.write(ctx, func(c conn) error {
		res, err := c.exec(ctx, "UPDATE stock_levels SET low_threshold = ? WHERE pizzeria_id = ? AND ingredient_id = ?", threshold, pizzeriaID, ingredientID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.E(errs.NotFound, "no such stock level")
		}
		return nil
	})
}

// Movements returns the latest ledger rows of a pizzeria, newest first.
func (s *Store) Movements(ctx context.Context, pizzeriaID int64, limit int) ([]stock.Movement, error) {
	rows, err := s.read().query(ctx, `SELECT id, pizzeria_id, ingredient_id, reason, delta, COALESCE(order_id, 0), COALESCE(by_user_id, 0), at
		FROM stock_movements WHERE pizzeria_id = ? ORDER BY id DESC LIMIT ?`, pizzeriaID, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []stock.Movement
	for rows.Next() {
		var m stock.Movement
		if err := rows.Scan(&m.ID, &m.PizzeriaID, &m.IngredientID, &m.Reason, &m.Delta, &m.OrderID, &m.ByUserID, &m.At); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// takeStock applies needs to a pizzeria's stock inside a transaction, in
// one statement (takeStockStmt). If any level lacks, it fails with
// out_of_stock and the caller rolls back.
func (s *Store) takeStock(ctx context.Context, c conn, pizzeriaID int64, needs []stock.Need, now time.Time) error {
	if len(needs) == 0 {
		return nil
	}
	st := s.takeStockStmt(pizzeriaID, needs, now)
	res, err := c.exec(ctx, st.query, st.args...)
	if err != nil {
		return err
	}
	affected, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if affected == int64(len(needs)) {
		return nil
	}
	return &shortError{pizzeriaID, needs}
}

// shortError reports a reservation that fell short. Which product lacks
// is read once its transaction is rolled back (nameShortage): read inside
// it, the levels the refused reservation did take would look short too.
type shortError struct {
	pizzeriaID int64
	needs      []stock.Need
}

func (e *shortError) Error() string { return "not enough stock for this order" }

// nameShortage turns a shortError into out_of_stock naming the product
// that lacks; other errors pass unchanged.
func (s *Store) nameShortage(ctx context.Context, err error) error {
	var short *shortError
	if !errors.As(err, &short) {
		return err
	}
	lv := levelsOf(short.pizzeriaID, short.needs)
	rows, err := s.read().query(ctx, lv.query, lv.args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	levels := map[int64]int64{}
	for rows.Next() {
		var id, q int64
		if err := rows.Scan(&id, &q); err != nil {
			return err
		}
		levels[id] = q
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return shortage(short.needs, levels)
}

// takeStockStmt decreases every level by its need only if it holds enough
// (quantity >= need), so whatever runs concurrently a level never goes
// below zero. If any level lacks, fewer rows change than there are needs.
// Negative needs give stock back.
func (s *Store) takeStockStmt(pizzeriaID int64, needs []stock.Need, now time.Time) stmt {
	var delta strings.Builder
	args := make([]any, 0, 6*len(needs)+4)
	delta.WriteString("CASE ingredient_id")
	for _, n := range needs {
		delta.WriteString(" WHEN ? THEN " + s.d.intParam())
		args = append(args, n.IngredientID, n.Quantity)
	}
	delta.WriteString(" END")
	q := "UPDATE stock_levels SET quantity = quantity - " + delta.String() + ", updated_at = ? WHERE pizzeria_id = ? AND ingredient_id IN (" +
		placeholders(len(needs)) + ") AND quantity >= " + delta.String()
	args = append(args, now, pizzeriaID)
	for _, n := range needs {
		args = append(args, n.IngredientID)
	}
	return stmt{q, append(args, args[:2*len(needs)]...)}
}

// levelsOf reads the levels the needs touch: (ingredient_id, quantity).
func levelsOf(pizzeriaID int64, needs []stock.Need) stmt {
	args := make([]any, 1, len(needs)+1)
	args[0] = pizzeriaID
	for _, n := range needs {
		args = append(args, n.IngredientID)
	}
	return stmt{"SELECT ingredient_id, quantity FROM stock_levels WHERE pizzeria_id = ? AND ingredient_id IN (" + placeholders(len(needs)) + ")", args}
}

// shortage names the first product whose needs the levels, read after the
// reservation was refused, do not cover.
func shortage(needs []stock.Need, levels map[int64]int64) error {
	if product, ok := stock.Lacking(needs, levels); ok {
		return errs.E(errs.OutOfStock, "not enough ingredients left for this order").With("product_id", product)
	}
	// Every level holds enough now: stock came back since the reservation
	// was refused. Ask the caller to try again.
	return errs.E(errs.Conflict, "the stock changed meanwhile: try again")
}

// ledger records what takeStock did for an order, in one multi-row insert:
// reservations for what was taken, releases for what came back.
func ledger(pizzeriaID, orderID, byUserID int64, needs []stock.Need, now time.Time) stmt {
	args := make([]any, 0, len(needs)*7)
	for _, n := range needs {
		reason := stock.Reservation
		if n.Quantity < 0 {
			reason = stock.Release
		}
		args = append(args, pizzeriaID, n.IngredientID, string(reason), -n.Quantity, orderID, nullInt(byUserID), now)
	}
	return stmt{insertRows("INSERT INTO stock_movements (pizzeria_id, ingredient_id, reason, delta, order_id, by_user_id, at)", 7, len(needs)), args}
}
