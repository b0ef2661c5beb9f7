package store

import (
	"context"
	"strings"

	"github.com/oc-pizza/ocpizza/internal/order"
	"github.com/oc-pizza/ocpizza/internal/stock"
)

// PastOrder is an order of the past, as the load tool generates a year of
// them: the order with its lines, its history and its number set, and
// what it took from stock.
type PastOrder struct {
	Order order.Order
	Needs []stock.Need
}

// ImportOrders writes past orders in one transaction, many rows per
// statement: their rows, lines, history, stock ledger (reservations, the
// levels left as they are) — the load tool's year, loaded in minutes
// rather than hours. Order numbers and ids are the caller's and this
// store's to keep apart: it is meant for a database nobody else writes to
// meanwhile. Each pizzeria's order counter is moved past the numbers
// written.
func (s *Store) ImportOrders(ctx context.Context, past []PastOrder, waste []stock.Movement) error {
	if len(past) == 0 && len(waste) == 0 {
		return nil
	}
	return s.write(ctx, func(c conn) error {
		var next int64
		if err := c.queryRow(ctx, "SELECT COALESCE(MAX(id), 0) FROM orders").Scan(&next); err != nil {
			return err
		}
		var orders, lines, history, ledgerRows [][]any
		var cols string
		seqs := map[int64]int64{}
		for i := range past {
			o := &past[i].Order
			next++
			o.ID = next
			ins := insertOrder(*o, true)
			cols = ins.query[len("INSERT INTO orders ("):strings.Index(ins.query, ") VALUES")]
			orders = append(orders, ins.args)
			for n, l := range o.Lines {
				lines = append(lines, []any{o.ID, n + 1, l.ProductID, l.Name, l.Quantity, l.UnitPriceCents, l.VATBasis})
			}
			for _, h := range o.History {
				history = append(history, []any{o.ID, string(h.Status), h.At, nullInt(h.ByUserID)})
			}
			for _, n := range past[i].Needs {
				ledgerRows = append(ledgerRows, []any{o.PizzeriaID, n.IngredientID, string(stock.Reservation), -n.Quantity, o.ID, nullInt(o.CustomerID), o.CreatedAt})
			}
			// Numbers are CODE-NNNN: the counter goes past the highest.
			_, n, _ := strings.Cut(o.Number, "-")
			seqs[o.PizzeriaID] = max(seqs[o.PizzeriaID], seqNumber(n))
		}
		var wasteRows [][]any
		for _, m := range waste {
			wasteRows = append(wasteRows, []any{m.PizzeriaID, m.IngredientID, string(m.Reason), m.Delta, nullInt(m.ByUserID), m.At, nullString(m.Note)})
		}
		for _, batch := range []struct {
			table, cols string
			rows        [][]any
		}{
			{"orders", cols, orders},
			{"order_lines", "order_id, line_no, product_id, name, quantity, unit_price_cents, vat_basis", lines},
			{"order_history", "order_id, status, at, by_user_id", history},
			{"stock_movements", "pizzeria_id, ingredient_id, reason, delta, order_id, by_user_id, at", ledgerRows},
			{"stock_movements", "pizzeria_id, ingredient_id, reason, delta, by_user_id, at, note", wasteRows},
		} {
			if err := s.insertRows(ctx, c, batch.table, batch.cols, batch.rows); err != nil {
				return err
			}
		}
		for pizzeriaID, seq := range seqs {
			if _, err := c.exec(ctx, "UPDATE order_counters SET seq = "+s.d.intParam()+" WHERE pizzeria_id = ? AND seq < "+s.d.intParam(),
				seq, pizzeriaID, seq); err != nil {
				return err
			}
		}
		return s.d.resetIdentities(ctx, c)
	})
}

func seqNumber(s string) int64 {
	var n int64
	for _, r := range s {
		if r >= '0' && r <= '9' {
			n = n*10 + int64(r-'0')
		}
	}
	return n
}

// insertRows writes rows in statements of a few thousand values each,
// under every engine's limit on placeholders.
func (s *Store) insertRows(ctx context.Context, c conn, table, cols string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	per := max(1, 4000/len(rows[0]))
	for start := 0; start < len(rows); start += per {
		end := min(start+per, len(rows))
		args := make([]any, 0, (end-start)*len(rows[0]))
		for i := start; i < end; i++ {
			args = append(args, rows[i]...)
		}
		q := insertRows("INSERT INTO "+table+" ("+cols+")", len(rows[0]), end-start)
		// Not through the statement cache: each batch's shape is one-off.
		if _, err := c.x.ExecContext(ctx, s.q(q), args...); err != nil {
			return err
		}
	}
	return nil
}

// OrderSeqs returns each pizzeria's last order number.
func (s *Store) OrderSeqs(ctx context.Context) (map[int64]int64, error) {
	rows, err := s.read().query(ctx, "SELECT pizzeria_id, seq FROM order_counters")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]int64{}
	for rows.Next() {
		var id, seq int64
		if err := rows.Scan(&id, &seq); err != nil {
			return nil, err
		}
		out[id] = seq
	}
	return out, rows.Err()
}
