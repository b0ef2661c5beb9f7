package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"github.com/oc-pizza/ocpizza/internal/order"
	"github.com/oc-pizza/ocpizza/internal/report"
)

// readOnly runs fn in one read-only transaction: the queries of a report
// see one committed state of the database, whatever is written meanwhile.
func (s *Store) readOnly(ctx context.Context, fn func(c conn) error) error {
	tx, err := s.db.BeginTx(ctx, s.d.snapshot())
	if err != nil {
		return fmt.Errorf("begin snapshot: %w", err)
	}
	defer tx.Rollback()
	if err := fn(conn{s: s, x: tx}); err != nil {
		return err
	}
	return tx.Commit()
}

// inSnapshot runs a query on the transaction of readOnly itself, never
// through the statement caches, which belong to other connections.
func (c conn) inSnapshot(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return c.x.QueryContext(ctx, c.s.q(query), args...)
}

// idChunk bounds the ids of one IN (…) list.
const idChunk = 500

// ReportOrders reads what the reports need of the orders placed in
// [from, to): the orders by the time they were placed, then their lines
// and the times they were ready and done, by order id — index lookups
// only, whatever the engine's planner thinks of the tables' sizes.
func (s *Store) ReportOrders(ctx context.Context, from, to time.Time) ([]report.Order, error) {
	var out []report.Order
	err := s.readOnly(ctx, func(c conn) error {
		out = out[:0]
		rows, err := c.inSnapshot(ctx, `SELECT id, pizzeria_id, created_at, status, payment_status, total_cents, COALESCE(eta_minutes, 0)
			FROM orders WHERE created_at >= ? AND created_at < ?`, from.UTC(), to.UTC())
		if err != nil {
			return err
		}
		index := map[int64]int{}
		for rows.Next() {
			var o report.Order
			if err := rows.Scan(&o.ID, &o.PizzeriaID, &o.CreatedAt, &o.Status, &o.Payment, &o.TotalCents, &o.ETAMinutes); err != nil {
				rows.Close()
				return err
			}
			index[o.ID] = len(out)
			out = append(out, o)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		// A period's orders have neighbouring ids: their lines and history
		// are read by ranges of ids, which every planner does by the
		// primary key, statistics or not (an IN list of 500 ids made
		// PostgreSQL scan the whole table before its first ANALYZE). Rows
		// of orders outside the period are dropped.
		ids := make([]int64, len(out))
		for i, o := range out {
			ids[i] = o.ID
		}
		slices.Sort(ids)
		for start := 0; start < len(ids); {
			// A range ends after idChunk orders, or before a jump in the
			// ids (orders of other days between them).
			end := start + 1
			for end < len(ids) && end-start < idChunk && ids[end]-ids[start] < 4*idChunk {
				end++
			}
			lo, hi := ids[start], ids[end-1]
			if err := s.reportLines(ctx, c, lo, hi, out, index); err != nil {
				return err
			}
			if err := s.reportTimes(ctx, c, lo, hi, out, index); err != nil {
				return err
			}
			start = end
		}
		return nil
	})
	return out, err
}

func (s *Store) reportLines(ctx context.Context, c conn, lo, hi int64, out []report.Order, index map[int64]int) error {
	rows, err := c.inSnapshot(ctx, "SELECT order_id, product_id, quantity, unit_price_cents FROM order_lines WHERE order_id >= ? AND order_id <= ?", lo, hi)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id, price int64
		var l report.Line
		if err := rows.Scan(&id, &l.ProductID, &l.Quantity, &price); err != nil {
			return err
		}
		l.Cents = l.Quantity * price
		if i, ok := index[id]; ok {
			out[i].Lines = append(out[i].Lines, l)
		}
	}
	return rows.Err()
}

func (s *Store) reportTimes(ctx context.Context, c conn, lo, hi int64, out []report.Order, index map[int64]int) error {
	rows, err := c.inSnapshot(ctx, "SELECT order_id, status, at FROM order_history WHERE order_id >= ? AND order_id <= ? AND status IN (?, ?, ?)",
		lo, hi, string(order.Ready), string(order.Delivered), string(order.PickedUp))
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var st order.Status
		var at time.Time
		if err := rows.Scan(&id, &st, &at); err != nil {
			return err
		}
		i, ok := index[id]
		switch {
		case !ok:
		case st == order.Ready:
			out[i].ReadyAt = at
		default:
			out[i].DoneAt = at
		}
	}
	return rows.Err()
}

// SaveDays keeps the rollups of settled dates, replacing what those dates
// held, and marks them built — in one transaction. Two instances
// rolling up the same date at once: the second finds it built.
func (s *Store) SaveDays(ctx context.Context, dates []string, days []report.Day) error {
	if len(dates) == 0 {
		return nil
	}
	err := s.write(ctx, func(c conn) error {
		for _, table := range []string{"report_days", "report_hours", "report_products", "report_built"} {
			for start := 0; start < len(dates); start += idChunk {
				part := dates[start:min(start+idChunk, len(dates))]
				args := make([]any, len(part))
				for i, d := range part {
					args[i] = d
				}
				if _, err := c.x.ExecContext(ctx, s.q("DELETE FROM "+table+" WHERE day_paris IN ("+placeholders(len(part))+")"), args...); err != nil {
					return err
				}
			}
		}
		var dayRows, hourRows, productRows, built [][]any
		for _, d := range days {
			dayRows = append(dayRows, []any{d.Date, d.PizzeriaID, d.Orders, d.Cents, d.Cancelled, d.CancelledCents, d.Refunded, d.RefundedCents,
				d.Prepared, d.PrepSeconds, d.Done, d.DoneSeconds, d.PromisedSeconds, d.Late})
			for h, sl := range d.Hours {
				if sl.Orders > 0 {
					hourRows = append(hourRows, []any{d.Date, d.PizzeriaID, h, sl.Orders, sl.Cents})
				}
			}
			for id, q := range d.Products {
				productRows = append(productRows, []any{d.Date, d.PizzeriaID, id, q.Quantity, q.Cents})
			}
		}
		now := s.Now()
		for _, d := range dates {
			built = append(built, []any{d, now})
		}
		for _, b := range []struct {
			table, cols string
			rows        [][]any
		}{
			{"report_days", "day_paris, pizzeria_id, orders, cents, cancelled, cancelled_cents, refunded, refunded_cents, prepared, prep_seconds, done, done_seconds, promised_seconds, late", dayRows},
			{"report_hours", "day_paris, pizzeria_id, hour_paris, orders, cents", hourRows},
			{"report_products", "day_paris, pizzeria_id, product_id, quantity, cents", productRows},
			{"report_built", "day_paris, built_at", built},
		} {
			if err := s.insertRows(ctx, c, b.table, b.cols, b.rows); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil && s.d.isUnique(err) {
		return nil // another instance rolled these dates up meanwhile
	}
	return err
}

// BuiltDays lists the dates among [from, to] that are rolled up.
func (s *Store) BuiltDays(ctx context.Context, from, to string) (map[string]bool, error) {
	rows, err := s.read().query(ctx, "SELECT day_paris FROM report_built WHERE day_paris >= ? AND day_paris <= ?", from, to)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var d string
		if err := rows.Scan(&d); err != nil {
			return nil, err
		}
		out[d] = true
	}
	return out, rows.Err()
}

// Days reads the rolled-up days among [from, to] (dates included), of
// one pizzeria or (0) of all.
func (s *Store) Days(ctx context.Context, from, to string, pizzeriaID int64) ([]report.Day, error) {
	var out []report.Day
	err := s.readOnly(ctx, func(c conn) error {
		out = out[:0]
		filter, args := "day_paris >= ? AND day_paris <= ?", []any{from, to}
		if pizzeriaID != 0 {
			filter, args = filter+" AND pizzeria_id = ?", append(args, pizzeriaID)
		}
		rows, err := c.inSnapshot(ctx, `SELECT day_paris, pizzeria_id, orders, cents, cancelled, cancelled_cents, refunded, refunded_cents,
			prepared, prep_seconds, done, done_seconds, promised_seconds, late FROM report_days WHERE `+filter, args...)
		if err != nil {
			return err
		}
		index := map[string]int{}
		for rows.Next() {
			d := report.Day{Products: map[int64]report.Quantity{}}
			if err := rows.Scan(&d.Date, &d.PizzeriaID, &d.Orders, &d.Cents, &d.Cancelled, &d.CancelledCents, &d.Refunded, &d.RefundedCents,
				&d.Prepared, &d.PrepSeconds, &d.Done, &d.DoneSeconds, &d.PromisedSeconds, &d.Late); err != nil {
				rows.Close()
				return err
			}
			index[fmt.Sprint(d.Date, "/", d.PizzeriaID)] = len(out)
			out = append(out, d)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		day := func(date string, pizzeriaID int64) *report.Day {
			if i, ok := index[fmt.Sprint(date, "/", pizzeriaID)]; ok {
				return &out[i]
			}
			return nil
		}
		hours, err := c.inSnapshot(ctx, "SELECT day_paris, pizzeria_id, hour_paris, orders, cents FROM report_hours WHERE "+filter, args...)
		if err != nil {
			return err
		}
		for hours.Next() {
			var date string
			var id int64
			var h int
			var sl report.Sales
			if err := hours.Scan(&date, &id, &h, &sl.Orders, &sl.Cents); err != nil {
				hours.Close()
				return err
			}
			if d := day(date, id); d != nil && h >= 0 && h < 24 {
				d.Hours[h] = sl
			}
		}
		hours.Close()
		if err := hours.Err(); err != nil {
			return err
		}
		products, err := c.inSnapshot(ctx, "SELECT day_paris, pizzeria_id, product_id, quantity, cents FROM report_products WHERE "+filter, args...)
		if err != nil {
			return err
		}
		defer products.Close()
		for products.Next() {
			var date string
			var id, product int64
			var q report.Quantity
			if err := products.Scan(&date, &id, &product, &q.Quantity, &q.Cents); err != nil {
				return err
			}
			if d := day(date, id); d != nil {
				d.Products[product] = q
			}
		}
		return products.Err()
	})
	return out, err
}

// Waste sums what each pizzeria (or one) threw away, by ingredient, in
// [from, to). The reason is written in the query, not bound: only then
// may SQLite and PostgreSQL use the index of waste rows alone; and the
// pizzeria is picked here, so that no planner prefers the index by
// pizzeria, which holds every reservation of the year.
func (s *Store) Waste(ctx context.Context, from, to time.Time, pizzeriaID int64) ([]report.WasteRow, error) {
	rows, err := s.read().query(ctx, `SELECT m.pizzeria_id, p.name, m.ingredient_id, i.name, i.unit, -SUM(m.delta), COUNT(*)
		FROM stock_movements m JOIN ingredients i ON i.id = m.ingredient_id JOIN pizzerias p ON p.id = m.pizzeria_id
		WHERE m.reason = 'waste' AND m.at >= ? AND m.at < ?
		GROUP BY m.pizzeria_id, p.name, m.ingredient_id, i.name, i.unit`, from.UTC(), to.UTC())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []report.WasteRow
	for rows.Next() {
		var w report.WasteRow
		if err := rows.Scan(&w.PizzeriaID, &w.Pizzeria, &w.IngredientID, &w.Ingredient, &w.Unit, &w.Quantity, &w.Times); err != nil {
			return nil, err
		}
		if pizzeriaID == 0 || w.PizzeriaID == pizzeriaID {
			out = append(out, w)
		}
	}
	return out, rows.Err()
}

// Analyze refreshes the planner's statistics of the tables a bulk load
// filled (the load tool's year), as autovacuum would in a while. SQLite's
// planner runs without statistics here, as it does in production.
func (s *Store) Analyze(ctx context.Context) error {
	for _, q := range s.d.analyze("orders", "order_lines", "order_history", "stock_movements") {
		rows, err := s.wdb.QueryContext(ctx, q) // MySQL answers with a table
		if err != nil {
			return err
		}
		rows.Close()
	}
	return nil
}
