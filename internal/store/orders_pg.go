package store

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/oc-pizza/ocpizza/internal/order"
	"github.com/oc-pizza/ocpizza/internal/payment"
	"github.com/oc-pizza/ocpizza/internal/stock"
)

// On PostgreSQL an order's dozen statements, sent one by one, cost a dozen
// network round trips, each waking the server and the client: most of the
// CPU an order took on a small machine. Pipelined, the same statements
// take two: the first draws the order's id and number and reserves its
// stock, the second writes its rows.
//
// The orders of one pizzeria take its counter row one after another
// anyway. They queue in the pizzeria's lane, in the process, rather than
// in the server, where each would hold a connection and a backend asleep
// on the row lock. Whoever gets the lane's turn places every order queued
// there in one transaction, each in a savepoint of its own so a refused
// one is rolled back alone: one commit, one WAL flush for all of them.
// A backlog behind a slow flush then clears in the next commit instead of
// one flush per order. Nobody is answered before that commit.

// pipelineTimeout bounds a pipelined transaction, which the caller cannot
// cancel once sent (an interrupted round trip would leave its outcome
// unknown).
const pipelineTimeout = 30 * time.Second

// maxOrderGroup bounds the orders sharing one transaction. Each writes in
// a subtransaction; past 64 of them in one transaction PostgreSQL's
// snapshots slow down for every session (subxid overflow).
const maxOrderGroup = 32

// orderLane queues the orders of the pizzerias it serves (pizzeria id
// modulo the number of lanes).
type orderLane struct {
	turn  chan struct{} // held by the caller placing the lane's orders
	mu    sync.Mutex
	queue []*pgOrder
}

// pgOrder is an order waiting in its lane.
type pgOrder struct {
	ctx      context.Context
	o        *order.Order
	needs    []stock.Need
	byUserID int64
	idem     *Idempotency
	notify   *order.Notification
	attempt  *payment.Attempt
	done     chan error
}

func (s *Store) placeOrderPipelined(ctx context.Context, o *order.Order, needs []stock.Need, byUserID int64, idem *Idempotency, notify *order.Notification, attempt *payment.Attempt) error {
	lane := &s.orderLanes[uint64(o.PizzeriaID)%uint64(len(s.orderLanes))]
	job := &pgOrder{ctx: ctx, o: o, needs: needs, byUserID: byUserID, idem: idem, notify: notify, attempt: attempt, done: make(chan error, 1)}
	lane.mu.Lock()
	lane.queue = append(lane.queue, job)
	lane.mu.Unlock()
	// Queued, the order is placed or refused by whoever holds the turn,
	// this caller or another: wait for its outcome even if the caller
	// gives up (a cancelled order not yet sent is dropped at once).
	for {
		select {
		case err := <-job.done:
			return err
		case lane.turn <- struct{}{}:
			lane.mu.Lock()
			n := min(len(lane.queue), maxOrderGroup)
			group := slices.Clone(lane.queue[:n])
			lane.queue = append(lane.queue[:0], lane.queue[n:]...)
			lane.mu.Unlock()
			func() {
				defer func() { <-lane.turn }() // even if placing panics
				s.placeGroup(group)
			}()
		}
	}
}

// placeGroup places orders in one transaction and answers each.
func (s *Store) placeGroup(group []*pgOrder) {
	live := make([]*pgOrder, 0, len(group))
	for _, j := range group {
		if err := j.ctx.Err(); err != nil {
			j.done <- err
			continue
		}
		live = append(live, j)
	}
	if len(live) == 0 {
		return
	}
	// Counter rows locked in one order by every instance: two groups
	// spanning the same pizzerias cannot deadlock.
	slices.SortStableFunc(live, func(a, b *pgOrder) int { return cmp.Compare(a.o.PizzeriaID, b.o.PizzeriaID) })
	ctx, cancel := context.WithTimeout(context.Background(), pipelineTimeout)
	defer cancel()
	defer func() {
		// The other callers of the group wait for an answer: give them
		// one before the panic goes up the leader's own request.
		if p := recover(); p != nil {
			for _, j := range live {
				j.done <- fmt.Errorf("placing orders: %v", p)
			}
			panic(p)
		}
	}()
	results := make([]error, len(live))
	err := s.withPgx(ctx, func(pc *pgx.Conn) error { return s.runGroup(ctx, pc, live, results) })
	for i, j := range live {
		if results[i] == nil {
			results[i] = err // not committed
		}
		j.done <- results[i]
	}
}

// runGroup places the orders in one transaction, setting results[i] to
// the outcome of each; an error returned fails the whole transaction.
func (s *Store) runGroup(ctx context.Context, pc *pgx.Conn, jobs []*pgOrder, results []error) error {
	grouped := len(jobs) > 1
	committed := false
	for i, j := range jobs {
		last := i == len(jobs)-1
		committed, results[i] = s.placeOne(ctx, pc, j, i == 0, grouped, last)
		if results[i] == nil {
			continue
		}
		if !grouped || pc.IsClosed() {
			return results[i] // withPgx rolls back
		}
		if _, err := pc.Exec(ctx, "ROLLBACK TO SAVEPOINT o"); err != nil {
			return fmt.Errorf("rollback to savepoint: %w", err)
		}
	}
	if !committed {
		return commit(ctx, pc)
	}
	return nil
}

// placeOne sends one order's two batches. The first opens the transaction
// if first, the order's savepoint if grouped; the second releases it and,
// if last, commits.
func (s *Store) placeOne(ctx context.Context, pc *pgx.Conn, j *pgOrder, first, grouped, last bool) (committed bool, err error) {
	o, needs, idem := j.o, j.needs, j.idem
	now := s.Now()
	b := &pgx.Batch{}
	control := 0 // statements queued before the order's own, with nothing to read
	if first {
		b.Queue("BEGIN")
		control++
	}
	if grouped {
		b.Queue("SAVEPOINT o")
		control++
	}
	if idem != nil {
		b.Queue(s.q(selectIdempotency), idem.UserID, idem.Key)
	}
	b.Queue("SELECT nextval(pg_get_serial_sequence('orders', 'id'))")
	b.Queue(s.q(nextOrderSeqReturning), o.PizzeriaID)
	limit, capped := s.capped(*o, j.byUserID)
	if capped { // read under the counter lock the statement above took
		b.Queue(s.q(selectHeld), heldArgs(o.PizzeriaID, o.CustomerID, 0)...)
	}
	if len(needs) > 0 {
		take := s.takeStockStmt(o.PizzeriaID, needs, now)
		b.Queue(s.q(take.query), take.args...)
	}
	br := pc.SendBatch(ctx, b)
	var (
		seq    int64
		code   string
		replay bool
		short  bool
		held   order.Held
	)
	err = func() error {
		for range control {
			if _, err := br.Exec(); err != nil {
				return err
			}
		}
		if idem != nil {
			var hash string
			var orderID int64
			err := br.QueryRow().Scan(&hash, &orderID)
			if err != nil && !errors.Is(err, pgx.ErrNoRows) {
				return err
			}
			replay = err == nil
		}
		if err := br.QueryRow().Scan(&o.ID); err != nil {
			return err
		}
		if err := br.QueryRow().Scan(&seq, &code); err != nil {
			return notFound(err, "pizzeria")
		}
		if capped {
			if err := br.QueryRow().Scan(&held.Orders, &held.Items); err != nil {
				return err
			}
		}
		if len(needs) > 0 {
			tag, err := br.Exec()
			if err != nil {
				return err
			}
			short = tag.RowsAffected() != int64(len(needs))
		}
		return nil
	}()
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	var over error // the stock taken meanwhile is rolled back with the order
	if capped {
		over = limit.CheckNew(held, o.Lines)
	}
	switch {
	case err != nil:
		return false, err
	case replay:
		return false, errReplay
	case over != nil:
		return false, over
	case short:
		return false, &shortError{o.PizzeriaID, needs}
	}

	o.Number = order.Number(code, seq)
	o.CreatedAt, o.UpdatedAt, o.Version = now, now, 1
	o.History = []order.Change{{Status: o.Status, At: now, ByUserID: j.byUserID}}
	b = &pgx.Batch{}
	for _, st := range append([]stmt{insertOrder(*o, true)}, s.orderRows(*o, needs, j.byUserID, idem, j.notify, j.attempt)...) {
		b.Queue(s.q(st.query), st.args...)
	}
	if grouped {
		b.Queue("RELEASE SAVEPOINT o")
	}
	if last {
		b.Queue("COMMIT")
	}
	br = pc.SendBatch(ctx, b)
	var tag pgconn.CommandTag
	for range b.Len() {
		if tag, err = br.Exec(); err != nil {
			break
		}
	}
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	var pgErr *pgconn.PgError
	switch {
	case err == nil && last && tag.String() != "COMMIT":
		return false, fmt.Errorf("commit: the server answered %q", tag)
	case s.d.isUnique(err) && errors.As(err, &pgErr) && pgErr.TableName == "idempotency_keys":
		return false, errReplay // a concurrent request with the same key won
	}
	return err == nil && last, err
}

// updateOrderPipelined applies a change of status or payment (no stock,
// no lines: the kitchen's, the drivers' and the counter's changes) in two
// round trips instead of one per statement: the guarded update first, whose
// row count says whether the order was still at the version read; then the
// history entry, the notification and the COMMIT together.
func (s *Store) updateOrderPipelined(ctx context.Context, ch order.Update) (order.Order, error) {
	u := s.orderUpdate(ch, s.Now())
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), pipelineTimeout)
	defer cancel()
	err := s.retry(ctx, func() error {
		return s.withPgx(ctx, func(pc *pgx.Conn) error {
			b := &pgx.Batch{}
			b.Queue("BEGIN")
			b.Queue(s.q(u.guarded.query), u.guarded.args...)
			br := pc.SendBatch(ctx, b)
			_, err := br.Exec()
			var tag pgconn.CommandTag
			if err == nil {
				tag, err = br.Exec()
			}
			if cerr := br.Close(); err == nil {
				err = cerr
			}
			switch {
			case err != nil:
				return err
			case tag.RowsAffected() != 1:
				return u.conflict() // withPgx rolls back
			}
			b = &pgx.Batch{}
			for _, st := range u.then {
				b.Queue(s.q(st.query), st.args...)
			}
			b.Queue("COMMIT")
			br = pc.SendBatch(ctx, b)
			for range b.Len() {
				if tag, err = br.Exec(); err != nil {
					break
				}
			}
			if cerr := br.Close(); err == nil {
				err = cerr
			}
			if err == nil && tag.String() != "COMMIT" {
				err = fmt.Errorf("commit: the server answered %q", tag)
			}
			return err
		})
	})
	if err != nil {
		return ch.Order, err
	}
	return u.next, nil
}

// commit ends the transaction, reporting a COMMIT the server turned into
// a ROLLBACK (which it does, without error, to an aborted transaction).
func commit(ctx context.Context, pc *pgx.Conn) error {
	tag, err := pc.Exec(ctx, "COMMIT")
	if err == nil && tag.String() != "COMMIT" {
		err = fmt.Errorf("commit: the server answered %q", tag)
	}
	return err
}

// withPgx runs fn on a connection of the pool seen as pgx's own, for
// pipelining, which database/sql cannot express. Whatever fn leaves, the
// connection goes back to the pool outside any transaction.
func (s *Store) withPgx(ctx context.Context, fn func(pc *pgx.Conn) error) error {
	sc, err := s.wdb.Conn(ctx)
	if err != nil {
		return err
	}
	defer sc.Close()
	return sc.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("pipelining needs the pgx driver, not %T", dc)
		}
		pc := c.Conn()
		err := fn(pc)
		if !pc.IsClosed() && pc.PgConn().TxStatus() != 'I' {
			if _, rerr := pc.Exec(ctx, "ROLLBACK"); rerr != nil {
				pc.Close(ctx) // the pool drops a closed connection
			}
		}
		return err
	})
}
