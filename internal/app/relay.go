package app

import (
	"context"
	"log/slog"
	"time"

	"github.com/oc-pizza/ocpizza/internal/event"
	"github.com/oc-pizza/ocpizza/internal/store"
)

// relay tails the event journal and hands the other instances' events to
// this instance's screens, so a kitchen screen sees every order whichever
// instance took it. Ids can commit out of order: a gap is waited for up to
// gapWait before it is passed over.
func relay(ctx context.Context, st *store.Store, broker *event.Broker, origin string, log *slog.Logger) {
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
				broker.PublishRaw(e.Kind, e.Payload, event.Topics(e.PizzeriaID, e.OrderID)...)
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
