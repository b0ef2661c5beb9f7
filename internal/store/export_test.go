package store

import "context"

// HoldOrderLane takes the turn of a pizzeria's order lane on PostgreSQL,
// as a caller placing orders does, so that a test can queue orders behind
// it and see them placed in one transaction once it calls release. queued
// counts the orders waiting.
func (s *Store) HoldOrderLane(pizzeriaID int64) (queued func() int, release func()) {
	lane := &s.orderLanes[uint64(pizzeriaID)%uint64(len(s.orderLanes))]
	lane.turn <- struct{}{}
	queued = func() int {
		lane.mu.Lock()
		defer lane.mu.Unlock()
		return len(lane.queue)
	}
	return queued, func() { <-lane.turn }
}

// OrderLanes is how many lanes pizzerias share.
func (s *Store) OrderLanes() int { return len(s.orderLanes) }

// Exec runs a statement in a transaction of its own, written with ? for
// every engine: for a test to shape rows as an older version wrote them.
func (s *Store) Exec(ctx context.Context, query string, args ...any) error {
	return s.write(ctx, func(c conn) error {
		_, err := c.exec(ctx, query, args...)
		return err
	})
}

// QueryInt reads one number, written with ? for every engine: for a test
// working on a schema older than the store's code.
func (s *Store) QueryInt(ctx context.Context, query string, args ...any) (int64, error) {
	var n int64
	err := s.read().queryRow(ctx, query, args...).Scan(&n)
	return n, err
}
