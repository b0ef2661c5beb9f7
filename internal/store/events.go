package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// JournalEvent is one row of the event journal.
type JournalEvent struct {
	ID         int64
	Origin     string // the instance that published it
	PizzeriaID int64
	OrderID    int64
	Kind       string
	Payload    []byte
	At         time.Time
}

// eventsChannel is the PostgreSQL NOTIFY channel that wakes relays.
const eventsChannel = "ocpizza_events"

// AppendEvents writes events to the journal for the other instances, in
// one statement and one round trip (on PostgreSQL, with a NOTIFY that wakes
// them at once).
func (s *Store) AppendEvents(ctx context.Context, events []JournalEvent) error {
	if len(events) == 0 {
		return nil
	}
	args := make([]any, 0, 6*len(events))
	now := s.Now()
	for _, e := range events {
		args = append(args, e.Origin, e.PizzeriaID, nullInt(e.OrderID), e.Kind, string(e.Payload), now)
	}
	q := insertRows("INSERT INTO events (origin, pizzeria_id, order_id, kind, payload, at)", 6, len(events))
	_, err := s.wdb.ExecContext(ctx, s.q(s.d.notifying(q)), args...)
	return err
}

// LastEventID is where a relay starting now begins.
func (s *Store) LastEventID(ctx context.Context) (int64, error) {
	var id int64
	err := s.read().queryRow(ctx, "SELECT COALESCE(MAX(id), 0) FROM events").Scan(&id)
	return id, err
}

// EventsAfter returns journal rows after id, oldest first.
func (s *Store) EventsAfter(ctx context.Context, after int64, limit int) ([]JournalEvent, error) {
	rows, err := s.read().query(ctx, `SELECT id, origin, pizzeria_id, COALESCE(order_id, 0), kind, payload, at
		FROM events WHERE id > ? ORDER BY id LIMIT ?`, after, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []JournalEvent
	for rows.Next() {
		var e JournalEvent
		var payload string
		if err := rows.Scan(&e.ID, &e.Origin, &e.PizzeriaID, &e.OrderID, &e.Kind, &payload, &e.At); err != nil {
			return nil, err
		}
		e.Payload = []byte(payload)
		out = append(out, e)
	}
	return out, rows.Err()
}

// PruneEvents deletes journal rows older than the given age.
func (s *Store) PruneEvents(ctx context.Context, age time.Duration) error {
	return s.write(ctx, func(c conn) error {
		_, err := c.exec(ctx, "DELETE FROM events WHERE at < ?", s.Now().Add(-age))
		return err
	})
}

// EventWaiter blocks until new events may be in the journal.
type EventWaiter interface {
	Wait(ctx context.Context) error
	Close()
}

// NewEventWaiter returns a waiter: on PostgreSQL a LISTEN connection woken
// by AppendEvent's NOTIFY (with a periodic wake-up as a safety net);
// elsewhere a poll every interval.
func (s *Store) NewEventWaiter(ctx context.Context, poll time.Duration) (EventWaiter, error) {
	if !s.d.listens() {
		return pollWaiter{poll}, nil
	}
	conn, err := pgx.Connect(ctx, s.url)
	if err != nil {
		return nil, err
	}
	if _, err := conn.Exec(ctx, "LISTEN "+eventsChannel); err != nil {
		conn.Close(ctx)
		return nil, err
	}
	return &listenWaiter{conn: conn, safety: 5 * poll}, nil
}

type pollWaiter struct{ every time.Duration }

func (p pollWaiter) Wait(ctx context.Context) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(p.every):
		return nil
	}
}

func (pollWaiter) Close() {}

type listenWaiter struct {
	conn   *pgx.Conn
	safety time.Duration
}

func (l *listenWaiter) Wait(ctx context.Context) error {
	wctx, cancel := context.WithTimeout(ctx, l.safety)
	defer cancel()
	_, err := l.conn.WaitForNotification(wctx)
	if err != nil && ctx.Err() == nil && wctx.Err() != nil {
		return nil // the safety wake-up: look anyway
	}
	return err
}

func (l *listenWaiter) Close() { l.conn.Close(context.Background()) }
