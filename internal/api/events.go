package api

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/oc-pizza/ocpizza/internal/errs"
	"github.com/oc-pizza/ocpizza/internal/event"
)

func itoa(v int64) string { return strconv.FormatInt(v, 10) }

func (a *API) pizzeriaEvents(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		writeError(w, r, err)
		return
	}
	if !actorOf(r).IsStaffOf(id) {
		writeError(w, r, errs.E(errs.Forbidden, "only the staff of pizzeria %d follow its events", id))
		return
	}
	a.stream(w, r, event.PizzeriaTopic(id))
}

func (a *API) orderEvents(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		writeError(w, r, err)
		return
	}
	// Reading the order checks that the caller may see it.
	if _, err := a.shop.Order(r.Context(), actorOf(r), id); err != nil {
		writeError(w, r, err)
		return
	}
	a.stream(w, r, event.OrderTopic(id))
}

// stream sends a topic's events as Server-Sent Events until the client
// leaves or the broker drops the subscription (too slow, or shutting
// down); EventSource clients then reconnect by themselves.
func (a *API) stream(w http.ResponseWriter, r *http.Request, topic event.Topic) {
	sub := a.events.Subscribe(topic)
	defer sub.Close()
	rc := http.NewResponseController(w)
	// The server's write timeout is for ordinary responses; a stream
	// lives as long as the client stays.
	rc.SetWriteDeadline(time.Time{})
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no") // tell nginx not to buffer
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, "retry: 3000\n: connected\n\n")
	if err := rc.Flush(); err != nil {
		return
	}
	beat := time.NewTicker(a.Heartbeat)
	defer beat.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case ev, ok := <-sub.C:
			if !ok {
				return
			}
			fmt.Fprintf(w, "id: %d\nevent: %s\ndata: %s\n\n", ev.ID, ev.Kind, ev.Data)
		case <-beat.C:
			fmt.Fprint(w, ": keep-alive\n\n")
		}
		if err := rc.Flush(); err != nil {
			return
		}
	}
}
