package store

import (
	"context"
	"fmt"
	"sync"
)

// SQLite has one writer. Transactions queued for it are run together:
// one BEGIN and one COMMIT for all of them, each inside a savepoint of its
// own, so one that fails is rolled back alone and the others are not
// affected. The pages they share (stock levels, counters, the tails of the
// indexes) are then written to the WAL once per batch instead of once per
// transaction: group commit. A caller gets its result only after the
// COMMIT, so nothing is reported done before it is durable.

// maxBatch bounds how many transactions share one commit.
const maxBatch = 64

type writeJob struct {
	ctx  context.Context
	fn   func(c conn) error
	done chan error
}

type batcher struct {
	s    *Store
	jobs chan writeJob
	stop chan struct{}
	once sync.Once
	wg   sync.WaitGroup
}

func newBatcher(s *Store) *batcher {
	b := &batcher{s: s, jobs: make(chan writeJob), stop: make(chan struct{})}
	b.wg.Add(1)
	go b.loop()
	return b
}

// run submits fn and waits for its outcome.
func (b *batcher) run(ctx context.Context, fn func(c conn) error) error {
	job := writeJob{ctx: ctx, fn: fn, done: make(chan error, 1)}
	select {
	case b.jobs <- job:
	case <-ctx.Done():
		return ctx.Err()
	case <-b.stop:
		return fmt.Errorf("store closed")
	}
	// Once submitted, the job runs to completion: wait for it even if
	// the caller gives up, so its outcome is never ambiguous.
	return <-job.done
}

func (b *batcher) close() {
	b.once.Do(func() { close(b.stop) })
	b.wg.Wait()
}

func (b *batcher) loop() {
	defer b.wg.Done()
	batch := make([]writeJob, 0, maxBatch)
	for {
		select {
		case <-b.stop:
			return
		case j := <-b.jobs:
			batch = append(batch[:0], j)
		}
	collect:
		for len(batch) < maxBatch {
			select {
			case j := <-b.jobs:
				batch = append(batch, j)
			default:
				break collect
			}
		}
		b.runBatch(batch)
	}
}

func (b *batcher) runBatch(batch []writeJob) {
	s := b.s
	ctx := context.Background()
	results := make([]error, len(batch))
	fail := func(err error) {
		for _, j := range batch {
			j.done <- err
		}
	}
	tx, err := s.wdb.BeginTx(ctx, nil)
	if err != nil {
		fail(fmt.Errorf("begin: %w", err))
		return
	}
	var unprepared []string
	// Statements of a batch are not cancellable: SQLite rolls back the
	// whole transaction when a statement is interrupted, which would take
	// the other jobs with it.
	c := conn{s: s, x: tx, tx: tx, unprepared: &unprepared, detached: true}
	if len(batch) == 1 {
		// Alone, a job needs no savepoint: its failure is the batch's.
		if results[0] = batch[0].ctx.Err(); results[0] == nil {
			results[0] = batch[0].fn(c)
		}
		if results[0] != nil {
			tx.Rollback()
			batch[0].done <- results[0]
			return
		}
	} else {
		for i, j := range batch {
			if err := j.ctx.Err(); err != nil {
				results[i] = err
				continue
			}
			if _, err := c.exec(ctx, "SAVEPOINT job"); err != nil {
				tx.Rollback()
				fail(fmt.Errorf("savepoint: %w", err))
				return
			}
			results[i] = j.fn(c)
			if results[i] != nil {
				if _, err := c.exec(ctx, "ROLLBACK TO job"); err != nil {
					tx.Rollback()
					fail(fmt.Errorf("rollback to savepoint: %w", err))
					return
				}
			}
			if _, err := c.exec(ctx, "RELEASE job"); err != nil {
				tx.Rollback()
				fail(fmt.Errorf("release savepoint: %w", err))
				return
			}
		}
	}
	if err := tx.Commit(); err != nil {
		fail(fmt.Errorf("commit: %w", err))
		return
	}
	for i, j := range batch {
		j.done <- results[i]
	}
	if len(unprepared) > 0 {
		s.prepare(ctx, unprepared)
	}
}
