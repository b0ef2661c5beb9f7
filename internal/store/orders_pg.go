package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/oc-pizza/ocpizza/internal/order"
	"github.com/oc-pizza/ocpizza/internal/stock"
)

// On PostgreSQL an order's dozen statements, sent one by one, cost a dozen
// network round trips, each waking the server and the client: most of the
// CPU an order took on a small machine. Pipelined, the same statements
// take two: the first draws the order's id and number and reserves its
// stock, the second writes its rows and commits. The locks on the
// pizzeria's counter and stock are held between the two only.

// pipelineTimeout bounds a pipelined transaction, which the caller cannot
// cancel once sent (an interrupted round trip would leave its outcome
// unknown).
const pipelineTimeout = 30 * time.Second

func (s *Store) placeOrderPipelined(ctx context.Context, o *order.Order, needs []stock.Need, byUserID int64, idem *Idempotency, notify *Notification) error {
	// The orders of one pizzeria take its counter row one after another
	// anyway. Queued here they wait on a channel; queued in the server
	// each would hold a connection and a backend sleeping on a row lock,
	// whose wake-ups cost more than the orders themselves once a few
	// clients wait.
	turn := s.pizzeriaTurns[uint64(o.PizzeriaID)%uint64(len(s.pizzeriaTurns))]
	select {
	case turn <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-turn }()
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), pipelineTimeout)
	defer cancel()
	return s.withPgx(ctx, func(pc *pgx.Conn) error {
		now := s.Now()
		first := &pgx.Batch{}
		first.Queue("BEGIN")
		if idem != nil {
			first.Queue(s.q(selectIdempotency), idem.UserID, idem.Key)
		}
		first.Queue("SELECT nextval(pg_get_serial_sequence('orders', 'id'))")
		first.Queue(s.q(nextOrderSeqReturning), o.PizzeriaID)
		if len(needs) > 0 {
			take := s.takeStockStmt(o.PizzeriaID, needs, now)
			first.Queue(s.q(take.query), take.args...)
		}
		br := pc.SendBatch(ctx, first)
		var (
			seq         int64
			code        string
			replay      bool
			short       bool
			hash        string
			replayOrder int64
		)
		err := func() error {
			if _, err := br.Exec(); err != nil {
				return err
			}
			if idem != nil {
				err := br.QueryRow().Scan(&hash, &replayOrder)
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
		switch {
		case err != nil:
			return err
		case replay:
			return errReplay
		case short:
			return &shortError{o.PizzeriaID, needs}
		}

		o.Number = order.Number(code, seq)
		o.CreatedAt, o.UpdatedAt, o.Version = now, now, 1
		o.History = []order.Change{{Status: o.Status, At: now, ByUserID: byUserID}}
		second := &pgx.Batch{}
		for _, st := range append([]stmt{insertOrder(*o, true)}, s.orderRows(*o, needs, byUserID, idem, notify)...) {
			second.Queue(s.q(st.query), st.args...)
		}
		second.Queue("COMMIT")
		if err := pc.SendBatch(ctx, second).Close(); err != nil {
			var pgErr *pgconn.PgError
			if s.d.isUnique(err) && errors.As(err, &pgErr) && pgErr.TableName == "idempotency_keys" {
				return errReplay // a concurrent request with the same key won
			}
			return err
		}
		return nil
	})
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
