// Package journal carries events between the instances that serve one
// database: each writes its events to the database's journal, and relays
// the others' to its own screens.
package journal

import (
	"context"
	"log/slog"
	"time"

	"github.com/oc-pizza/ocpizza/internal/event"
	"github.com/oc-pizza/ocpizza/internal/store"
)

// Relay tails the event journal and hands the other instances' events to
// this instance's screens, so a kitchen screen sees every order whichever
// instance took it. Ids can commit out of order: a gap is waited for up to
// gapWait before it is passed over.
func Relay(ctx context.Context, st *store.Store, broker *event.Broker, origin string, log *slog.Logger) {
	const gapWait = time.Second
	waiter, err := st.NewEventWaiter(ctx, 200*time.Millisecond)
	if err != nil {
		log.Error("event relay: cannot listen; other instances' events will not show here", "err", err)
		return
	}
	defer waiter.Close()
	last, err := st.LastEventID(ctx)
	if err != nil {
		log.Error("event relay", "err", err)
		return
	}
	var gapSince time.Time
	prune := time.NewTicker(10 * time.Minute)
	defer prune.Stop()
	for {
		events, err := st.EventsAfter(ctx, last, 500)
		if err != nil && ctx.Err() == nil {
			log.Warn("event relay: read", "err", err)
		}
		for _, e := range events {
			if e.ID != last+1 {
				if gapSince.IsZero() {
					gapSince = time.Now()
				}
				if time.Since(gapSince) < gapWait {
					break // a transaction may still commit the missing id
				}
			}
			gapSince = time.Time{}
			last = e.ID
			if e.Origin != origin {
				broker.Apply(e.Kind, e.Payload, e.PizzeriaID, e.OrderID)
			}
		}
		select {
		case <-prune.C:
			if err := st.PruneEvents(ctx, time.Hour); err != nil && ctx.Err() == nil {
				log.Warn("event relay: prune", "err", err)
			}
		default:
		}
		if err := waiter.Wait(ctx); err != nil {
			if ctx.Err() != nil {
				return
			}
			log.Warn("event relay: wait", "err", err)
			time.Sleep(time.Second)
		}
	}
}

// linger is how long the journal writer waits for more events
// before writing what it has: on a busy evening a write (with its commit and
// the NOTIFY that wakes every instance's relay) then carries the events of
// many orders instead of one or two. Other instances show an event that
// much later, which a screen does not notice.
const linger = 10 * time.Millisecond

// Write writes queued events in batches: one statement and one
// commit for all the events that arrived meanwhile, instead of a commit
// each. An event is a notification for screens, which reload what they show
// when they reconnect: losing the last few in a crash is acceptable.
func Write(ctx context.Context, st *store.Store, queue <-chan store.JournalEvent, log *slog.Logger) {
	batch := make([]store.JournalEvent, 0, 256)
	timer := time.NewTimer(linger)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case e := <-queue:
			batch = append(batch[:0], e)
		}
		timer.Reset(linger)
	collect:
		for len(batch) < cap(batch) {
			select {
			case e := <-queue:
				batch = append(batch, e)
			case <-timer.C:
				break collect
			case <-ctx.Done():
				break collect
			}
		}
		wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		if err := st.AppendEvents(wctx, batch); err != nil {
			log.Error("event journal", "events", len(batch), "err", err)
		}
		cancel()
	}
}
