package store

import (
	"context"
	"database/sql"
	"errors"
	"math"
	"strings"
	"time"

	"github.com/oc-pizza/ocpizza/internal/errs"
	"github.com/oc-pizza/ocpizza/internal/order"
	"github.com/oc-pizza/ocpizza/internal/payment"
	"github.com/oc-pizza/ocpizza/internal/pizzeria"
	"github.com/oc-pizza/ocpizza/internal/stock"
)

// Idempotency identifies a client's attempt to place an order, so a
// retried request returns the first order instead of placing a second.
type Idempotency struct {
	UserID      int64
	Key         string
	RequestHash string
}

// errReplay reports that an idempotency key was already used; the caller
// then reads the order outside the failed transaction.
var errReplay = errors.New("idempotency key already used")

// PlaceOrder stores a new order: it numbers it, reserves its needs from
// the pizzeria's stock, writes its lines, first history entry and ledger
// rows — all in one transaction. With idem set, a second call with the same
// key and request returns the first order (replayed reports that) and a call
// with the same key and another request fails with idempotency_key_reused.
//
// The rows every order of a pizzeria competes for — its order counter and
// its stock levels — are locked first, the counter before the stock: the
// counter row is the pizzeria's lock, so the stock update may take its rows
// in any order without risk of deadlock. InnoDB needs that order anyway (it
// checks a foreign key with a shared lock on the parent row, which a later
// exclusive lock turns into a deadlock). On PostgreSQL the statements are
// pipelined (orders_pg.go), so the locks are held for two round trips.
func (s *Store) PlaceOrder(ctx context.Context, o order.Order, needs []stock.Need, byUserID int64, idem *Idempotency, notify *order.Notification) (placed order.Order, replayed bool, err error) {
	return s.place(ctx, o, needs, byUserID, idem, notify, nil)
}

// PlaceAwaitingPayment stores a new order as PlaceOrder does, with the
// attempt to charge it recorded in the same transaction (its order id,
// number and time are filled in), before the provider is asked anything.
func (s *Store) PlaceAwaitingPayment(ctx context.Context, o order.Order, needs []stock.Need, byUserID int64, idem *Idempotency, attempt payment.Attempt) (placed order.Order, replayed bool, err error) {
	return s.place(ctx, o, needs, byUserID, idem, nil, &attempt)
}

func (s *Store) place(ctx context.Context, o order.Order, needs []stock.Need, byUserID int64, idem *Idempotency, notify *order.Notification, attempt *payment.Attempt) (placed order.Order, replayed bool, err error) {
	if s.d.pipelines() {
		err = s.retry(ctx, func() error { return s.placeOrderPipelined(ctx, &o, needs, byUserID, idem, notify, attempt) })
	} else {
		err = s.write(ctx, func(c conn) error { return s.placeOrder(ctx, c, &o, needs, byUserID, idem, notify, attempt) })
	}
	if errors.Is(err, errReplay) {
		return s.replay(ctx, idem)
	}
	err = s.nameShortage(ctx, err)
	o.DriverLink = order.NavigationLink(o)
	return o, false, err
}

func (s *Store) placeOrder(ctx context.Context, c conn, o *order.Order, needs []stock.Need, byUserID int64, idem *Idempotency, notify *order.Notification, attempt *payment.Attempt) error {
	seq, code, err := s.d.nextOrderSeq(ctx, c, o.PizzeriaID)
	if err != nil {
		return notFound(err, "pizzeria")
	}
	// Every read from here is made under the counter lock just taken, so
	// it sees every order of the pizzeria committed before: on MySQL a
	// transaction reads from the snapshot of its first plain SELECT,
	// which must not come before the lock.
	if idem != nil {
		if err := s.checkIdempotency(ctx, c, idem); err != nil {
			return err
		}
	}
	if limit, ok := s.capped(*o, byUserID); ok {
		held, err := s.held(ctx, c, o.PizzeriaID, o.CustomerID, 0)
		if err != nil {
			return err
		}
		if err := limit.CheckNew(held, o.Lines); err != nil {
			return err
		}
	}
	now := s.Now()
	if err := s.takeStock(ctx, c, o.PizzeriaID, needs, now); err != nil {
		return err
	}
	o.Number = order.Number(code, seq)
	o.CreatedAt, o.UpdatedAt, o.Version = now, now, 1
	o.History = []order.Change{{Status: o.Status, At: now, ByUserID: byUserID}}
	ins := insertOrder(*o, false)
	if o.ID, err = c.insertID(ctx, ins.query, ins.args...); err != nil {
		return err
	}
	for _, st := range s.orderRows(*o, needs, byUserID, idem, notify, attempt) {
		if _, err := c.exec(ctx, st.query, st.args...); err != nil {
			if st.query == insertIdempotencyKey && s.d.isUnique(err) {
				return errReplay // a concurrent request with the same key won
			}
			return err
		}
	}
	return nil
}

// stmt is a statement with its arguments, built once whichever way it is
// then run (one by one, or pipelined on PostgreSQL).
type stmt struct {
	query string
	args  []any
}

// insertOrder writes the order's row; withID when the id was drawn before.
func insertOrder(o order.Order, withID bool) stmt {
	var street, postcode, city sql.NullString
	if a := o.DeliveryAddress; a != nil {
		street, postcode, city = sql.NullString{String: a.Street, Valid: true}, sql.NullString{String: a.Postcode, Valid: true}, sql.NullString{String: a.City, Valid: true}
	}
	cols := `number, pizzeria_id, customer_id, contact_name, contact_phone, contact_email,
		channel, fulfilment, street, postcode, city, total_cents, payment_method, payment_status, payment_ref, status, version, created_at, updated_at,
		lat_e6, lng_e6, distance_m, eta_minutes, items`
	args := []any{o.Number, o.PizzeriaID, nullInt(o.CustomerID), o.Contact.Name, o.Contact.Phone, o.Contact.Email,
		string(o.Channel), string(o.Fulfilment), street, postcode, city, o.TotalCents,
		string(o.PaymentMethod), string(o.PaymentStatus), o.PaymentRef, string(o.Status), o.Version, o.CreatedAt, o.UpdatedAt,
		latE6(o.Location, true), latE6(o.Location, false), nullInt(o.DistanceMeters), nullInt(o.ETAMinutes), order.Items(o.Lines)}
	if withID {
		cols, args = "id, "+cols, append([]any{o.ID}, args...)
	}
	return stmt{"INSERT INTO orders (" + cols + ") VALUES (" + placeholders(len(args)) + ")", args}
}

// orderRows are the rows a new order writes beside its own: lines, first
// history entry, stock ledger, idempotency key, notification and payment
// attempt.
func (s *Store) orderRows(o order.Order, needs []stock.Need, byUserID int64, idem *Idempotency, notify *order.Notification, attempt *payment.Attempt) []stmt {
	out := []stmt{
		insertLines(o.ID, o.Lines),
		{"INSERT INTO order_history (order_id, status, at, by_user_id) VALUES (?, ?, ?, ?)", []any{o.ID, string(o.Status), o.CreatedAt, nullInt(byUserID)}},
	}
	if len(needs) > 0 {
		out = append(out, ledger(o.PizzeriaID, o.ID, byUserID, needs, o.CreatedAt))
	}
	if idem != nil {
		out = append(out, stmt{insertIdempotencyKey, []any{idem.UserID, idem.Key, idem.RequestHash, o.ID, o.CreatedAt}})
	}
	if notify != nil && notify.Recipient != "" {
		out = append(out, enqueue(o.ID, notify, o.CreatedAt))
	}
	if attempt != nil {
		a := *attempt
		a.OrderID, a.OrderNumber, a.CreatedAt = o.ID, o.Number, o.CreatedAt
		out = append(out, insertAttempt(a))
	}
	return out
}

const (
	selectIdempotency    = "SELECT request_hash, order_id FROM idempotency_keys WHERE user_id = ? AND idem_key = ?"
	insertIdempotencyKey = "INSERT INTO idempotency_keys (user_id, idem_key, request_hash, order_id, created_at) VALUES (?, ?, ?, ?, ?)"
)

func (s *Store) checkIdempotency(ctx context.Context, c conn, idem *Idempotency) error {
	var hash string
	var orderID int64
	err := c.queryRow(ctx, selectIdempotency, idem.UserID, idem.Key).Scan(&hash, &orderID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	return errReplay
}

func (s *Store) replay(ctx context.Context, idem *Idempotency) (order.Order, bool, error) {
	var hash string
	var orderID int64
	err := s.read().queryRow(ctx, selectIdempotency, idem.UserID, idem.Key).Scan(&hash, &orderID)
	if err != nil {
		return order.Order{}, false, err
	}
	if hash != idem.RequestHash {
		return order.Order{}, false, errs.E(errs.IdempotencyReused, "this Idempotency-Key was used for another request")
	}
	o, err := s.Order(ctx, orderID)
	return o, true, err
}

func insertLines(orderID int64, lines []order.Line) stmt {
	args := make([]any, 0, len(lines)*7)
	for i, l := range lines {
		args = append(args, orderID, i+1, l.ProductID, l.Name, l.Quantity, l.UnitPriceCents, l.VATBasis)
	}
	return stmt{insertRows("INSERT INTO order_lines (order_id, line_no, product_id, name, quantity, unit_price_cents, vat_basis)", 7, len(lines)), args}
}

// UpdateOrder applies a change decided on a copy of the order. If the
// order changed since that copy was read, nothing is written and the error
// is a conflict: the caller reads again and decides again.
func (s *Store) UpdateOrder(ctx context.Context, ch order.Update) (order.Order, error) {
	if s.d.pipelines() && len(ch.Stock) == 0 && ch.Lines == nil && !ch.ReleaseAll {
		return s.updateOrderPipelined(ctx, ch)
	}
	var updated order.Order
	err := s.write(ctx, func(c conn) (err error) {
		updated, err = s.applyChange(ctx, c, ch, s.Now())
		return err
	})
	if err != nil {
		return ch.Order, s.nameShortage(ctx, err)
	}
	return updated, nil
}

// applyChange writes a change inside a transaction: the order's row if
// still at the version read, then its stock, lines, history entry,
// notification and payment attempts.
func (s *Store) applyChange(ctx context.Context, c conn, ch order.Update, now time.Time) (order.Order, error) {
	u := s.orderUpdate(ch, now)
	res, err := c.exec(ctx, u.guarded.query, u.guarded.args...)
	if err != nil {
		return ch.Order, err
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return ch.Order, u.conflict()
	}
	o := ch.Order
	if ch.ReleaseAll {
		held, err := s.heldStock(ctx, c, o.ID)
		if err != nil {
			return ch.Order, err
		}
		ch.Stock = append(append([]stock.Need(nil), ch.Stock...), held...)
	}
	limit, capped := s.capped(o, ch.ByUserID)
	capped = capped && ch.Lines != nil
	if len(ch.Stock) > 0 || capped {
		// The pizzeria's counter row is the lock every stock update
		// takes first (see PlaceOrder), and the customer's other orders
		// there are read under it.
		var id int64
		if err := c.queryRow(ctx, "SELECT pizzeria_id FROM order_counters WHERE pizzeria_id = ?"+s.d.forUpdate(), o.PizzeriaID).Scan(&id); err != nil {
			return ch.Order, notFound(err, "pizzeria")
		}
		if capped {
			others, err := s.held(ctx, c, o.PizzeriaID, o.CustomerID, o.ID)
			if err != nil {
				return ch.Order, err
			}
			if err := limit.CheckChange(others, o.Lines, ch.Lines); err != nil {
				return ch.Order, err
			}
		}
	}
	if len(ch.Stock) > 0 {
		if err := s.takeStock(ctx, c, o.PizzeriaID, ch.Stock, u.next.UpdatedAt); err != nil {
			return ch.Order, err
		}
		l := ledger(o.PizzeriaID, o.ID, ch.ByUserID, ch.Stock, u.next.UpdatedAt)
		if _, err := c.exec(ctx, l.query, l.args...); err != nil {
			return ch.Order, err
		}
	}
	if ch.Lines != nil {
		if _, err := c.exec(ctx, "DELETE FROM order_lines WHERE order_id = ?", o.ID); err != nil {
			return ch.Order, err
		}
		l := insertLines(o.ID, ch.Lines)
		if _, err := c.exec(ctx, l.query, l.args...); err != nil {
			return ch.Order, err
		}
	}
	for _, st := range u.then {
		if _, err := c.exec(ctx, st.query, st.args...); err != nil {
			return ch.Order, err
		}
	}
	return u.next, nil
}

// heldStock is what an order holds of its pizzeria's stock, by its stock
// ledger, as needs that give it back (negative quantities).
func (s *Store) heldStock(ctx context.Context, c conn, orderID int64) ([]stock.Need, error) {
	rows, err := c.query(ctx, "SELECT ingredient_id, SUM(delta) FROM stock_movements WHERE order_id = ? GROUP BY ingredient_id ORDER BY ingredient_id", orderID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []stock.Need
	for rows.Next() {
		var n stock.Need
		var sum int64
		if err := rows.Scan(&n.IngredientID, &sum); err != nil {
			return nil, err
		}
		if sum < 0 {
			n.Quantity = sum // the ledger holds -taken; a need of -taken gives it back
			out = append(out, n)
		}
	}
	return out, rows.Err()
}

// orderUpdate is what a change writes, beside its stock and lines.
type orderUpdate struct {
	guarded stmt        // the order's row, only if still at the version read
	then    []stmt      // history entry and notification, once guarded applied
	next    order.Order // the order as it will read once written
}

func (s *Store) orderUpdate(ch order.Update, now time.Time) orderUpdate {
	o := ch.Order
	status, payment, ref, total := o.Status, o.PaymentStatus, o.PaymentRef, o.TotalCents
	if ch.Status != "" {
		status = ch.Status
	}
	if ch.Payment != "" {
		payment, ref = ch.Payment, ch.Ref
	}
	if ch.Lines != nil {
		total = order.Total(ch.Lines)
		o.Lines = ch.Lines
	}
	set, args := "", []any{string(status), string(payment), ref, total}
	if ch.Lines != nil { // the count the hold limit reads (hold.go)
		set, args = ", items = ?", append(args, order.Items(ch.Lines))
	}
	u := orderUpdate{guarded: stmt{`UPDATE orders SET status = ?, payment_status = ?, payment_ref = ?, total_cents = ?` + set + `, version = version + 1, updated_at = ?
			WHERE id = ? AND version = ?`, append(args, now, o.ID, o.Version)}}
	if status != o.Status {
		u.then = append(u.then, stmt{"INSERT INTO order_history (order_id, status, at, by_user_id) VALUES (?, ?, ?, ?)",
			[]any{o.ID, string(status), now, nullInt(ch.ByUserID)}})
		o.History = append(append([]order.Change(nil), o.History...), order.Change{Status: status, At: now, ByUserID: ch.ByUserID})
	}
	if n := ch.Notify; n != nil && n.Recipient != "" {
		u.then = append(u.then, enqueue(o.ID, n, now))
	}
	for _, a := range ch.Open {
		a.OrderID, a.OrderNumber, a.CreatedAt = o.ID, o.Number, now
		u.then = append(u.then, insertAttempt(a))
	}
	o.Status, o.PaymentStatus, o.PaymentRef, o.TotalCents = status, payment, ref, total
	o.Version++
	o.UpdatedAt = now
	u.next = o
	return u
}

func (u orderUpdate) conflict() error {
	return errs.E(errs.Conflict, "order %s changed meanwhile: reload it and try again", u.next.Number)
}

const orderColumns = `id, number, pizzeria_id, COALESCE(customer_id, 0), contact_name, contact_phone, contact_email, channel, fulfilment,
	street, postcode, city, total_cents, payment_method, payment_status, payment_ref, status, version, created_at, updated_at,
	lat_e6, lng_e6, COALESCE(distance_m, 0), COALESCE(eta_minutes, 0)`

// Order returns one order with its lines and history.
func (s *Store) Order(ctx context.Context, id int64) (order.Order, error) {
	os, err := s.orders(ctx, "id = ?", []any{id}, "id", 1)
	if err != nil {
		return order.Order{}, err
	}
	if len(os) == 0 {
		return order.Order{}, errs.E(errs.NotFound, "no such order")
	}
	return os[0], nil
}

// Orders lists orders with lines and history, oldest first unless the
// filter says otherwise.
func (s *Store) Orders(ctx context.Context, f order.Filter) ([]order.Order, error) {
	var where []string
	var args []any
	if f.PizzeriaID != 0 {
		where, args = append(where, "pizzeria_id = ?"), append(args, f.PizzeriaID)
	}
	if f.CustomerID != 0 {
		where, args = append(where, "customer_id = ?"), append(args, f.CustomerID)
	}
	if !f.Since.IsZero() {
		where, args = append(where, "created_at >= ?"), append(args, f.Since.UTC())
	}
	if !f.Before.IsZero() {
		where, args = append(where, "created_at < ?"), append(args, f.Before.UTC())
	}
	if f.Phone != "" {
		where, args = append(where, "contact_phone = ?"), append(args, f.Phone)
	}
	if len(f.Statuses) > 0 {
		where = append(where, "status IN ("+placeholders(len(f.Statuses))+")")
		for _, st := range f.Statuses {
			args = append(args, string(st))
		}
	}
	if len(where) == 0 {
		where = []string{"1 = 1"}
	}
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 200
	}
	sortBy := "id"
	if f.NewestFirst {
		sortBy = "id DESC"
	}
	return s.orders(ctx, strings.Join(where, " AND "), args, sortBy, f.Limit)
}

func (s *Store) orders(ctx context.Context, where string, args []any, sortBy string, limit int) ([]order.Order, error) {
	c := s.read()
	rows, err := c.query(ctx, "SELECT "+orderColumns+" FROM orders WHERE "+where+" ORDER BY "+sortBy+" LIMIT ?", append(args, limit)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []order.Order
	index := map[int64]int{}
	var ids []any
	for rows.Next() {
		var o order.Order
		var street, postcode, city sql.NullString
		var lat, lng sql.NullInt64
		if err := rows.Scan(&o.ID, &o.Number, &o.PizzeriaID, &o.CustomerID, &o.Contact.Name, &o.Contact.Phone, &o.Contact.Email,
			&o.Channel, &o.Fulfilment, &street, &postcode, &city, &o.TotalCents, &o.PaymentMethod, &o.PaymentStatus, &o.PaymentRef,
			&o.Status, &o.Version, &o.CreatedAt, &o.UpdatedAt, &lat, &lng, &o.DistanceMeters, &o.ETAMinutes); err != nil {
			return nil, err
		}
		if street.Valid {
			o.DeliveryAddress = &pizzeria.Address{Street: street.String, Postcode: postcode.String, City: city.String}
		}
		if lat.Valid && lng.Valid {
			o.Location = &order.Location{Lat: float64(lat.Int64) / 1e6, Lng: float64(lng.Int64) / 1e6}
		}
		o.DriverLink = order.NavigationLink(o)
		index[o.ID] = len(out)
		ids = append(ids, o.ID)
		out = append(out, o)
	}
	if err := rows.Err(); err != nil || len(out) == 0 {
		return out, err
	}
	in := placeholders(len(ids))
	lines, err := c.query(ctx, "SELECT order_id, product_id, name, quantity, unit_price_cents, vat_basis FROM order_lines WHERE order_id IN ("+in+") ORDER BY order_id, line_no", ids...)
	if err != nil {
		return nil, err
	}
	defer lines.Close()
	for lines.Next() {
		var id int64
		var l order.Line
		if err := lines.Scan(&id, &l.ProductID, &l.Name, &l.Quantity, &l.UnitPriceCents, &l.VATBasis); err != nil {
			return nil, err
		}
		out[index[id]].Lines = append(out[index[id]].Lines, l)
	}
	if err := lines.Err(); err != nil {
		return nil, err
	}
	hist, err := c.query(ctx, "SELECT order_id, status, at, COALESCE(by_user_id, 0) FROM order_history WHERE order_id IN ("+in+") ORDER BY order_id, id", ids...)
	if err != nil {
		return nil, err
	}
	defer hist.Close()
	for hist.Next() {
		var id int64
		var h order.Change
		if err := hist.Scan(&id, &h.Status, &h.At, &h.ByUserID); err != nil {
			return nil, err
		}
		out[index[id]].History = append(out[index[id]].History, h)
	}
	return out, hist.Err()
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// insertRows is head (INSERT INTO table (columns)) with the placeholders
// of n rows of width values each: one statement, one round trip.
func insertRows(head string, width, n int) string {
	tuple := "(" + placeholders(width) + ")"
	var b strings.Builder
	b.Grow(len(head) + 8 + n*(len(tuple)+2))
	b.WriteString(head)
	b.WriteString(" VALUES ")
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(tuple)
	}
	return b.String()
}

// OrderCounts returns the number of orders per pizzeria and status.
func (s *Store) OrderCounts(ctx context.Context) (map[int64]map[order.Status]int64, error) {
	rows, err := s.read().query(ctx, "SELECT pizzeria_id, status, COUNT(*) FROM orders GROUP BY pizzeria_id, status")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]map[order.Status]int64{}
	for rows.Next() {
		var pid, n int64
		var st order.Status
		if err := rows.Scan(&pid, &st, &n); err != nil {
			return nil, err
		}
		if out[pid] == nil {
			out[pid] = map[order.Status]int64{}
		}
		out[pid][st] = n
	}
	return out, rows.Err()
}

// Empty reports whether the database holds no pizzeria and no user yet.
func (s *Store) Empty(ctx context.Context) (bool, error) {
	var n int64
	err := s.read().queryRow(ctx, "SELECT (SELECT COUNT(*) FROM pizzerias) + (SELECT COUNT(*) FROM users)").Scan(&n)
	return n == 0, err
}

// OrderByPaymentRef finds the order paid by a provider payment.
func (s *Store) OrderByPaymentRef(ctx context.Context, ref string) (order.Order, error) {
	if ref == "" {
		return order.Order{}, errs.E(errs.NotFound, "no such order")
	}
	os, err := s.orders(ctx, "payment_ref = ?", []any{ref}, "id", 1)
	if err != nil {
		return order.Order{}, err
	}
	if len(os) == 0 {
		return order.Order{}, errs.E(errs.NotFound, "no order for payment %s", ref)
	}
	return os[0], nil
}

// OrderByNumber finds an order by its number (which carries its
// pizzeria's code), as a payment provider's reference names it.
func (s *Store) OrderByNumber(ctx context.Context, number string) (order.Order, error) {
	if number == "" {
		return order.Order{}, errs.E(errs.NotFound, "no such order")
	}
	os, err := s.orders(ctx, "number = ?", []any{number}, "id", 1)
	if err != nil {
		return order.Order{}, err
	}
	if len(os) == 0 {
		return order.Order{}, errs.E(errs.NotFound, "no order %s", number)
	}
	return os[0], nil
}

// latE6 stores a coordinate as millionths of a degree (about 11 cm), an
// integer every engine keeps exactly.
func latE6(l *order.Location, lat bool) sql.NullInt64 {
	if l == nil {
		return sql.NullInt64{}
	}
	v := l.Lng
	if lat {
		v = l.Lat
	}
	return sql.NullInt64{Int64: int64(math.Round(v * 1e6)), Valid: true}
}
