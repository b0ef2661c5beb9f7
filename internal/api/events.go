package api

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/oc-pizza/ocpizza/internal/errs"
	"github.com/oc-pizza/ocpizza/internal/event"
	"github.com/oc-pizza/ocpizza/internal/shop"
	"github.com/oc-pizza/ocpizza/internal/sse"
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

// stream sends a topic's events to the caller's session as Server-Sent
// Events. Signing out (here or on another instance) closes it through the
// broker; a check every half minute ends it when the session expired.
func (a *API) stream(w http.ResponseWriter, r *http.Request, topic event.Topic) {
	token, _ := bearer(r)
	actor := actorOf(r)
	owner := event.Owner{Session: shop.SessionKey(token), UserID: actor.UserID}
	opt := sse.Options{Heartbeat: a.Heartbeat, Recheck: 30 * time.Second, Epoch: a.events.Epoch(), Check: func(ctx context.Context) error {
		_, err := a.shop.Authenticate(ctx, token)
		return err
	}}
	var sub *event.Subscription
	if epoch, after, reconnect := sse.LastEventID(r); reconnect {
		// A client coming back: what it missed, if this instance still
		// has it all, else a "reload" (it reconnected to another
		// instance, after a restart, or after too long).
		var complete bool
		sub, opt.Missed, complete = a.events.SubscribeSince(topic, owner, epoch, after)
		opt.Reload = !complete
	} else {
		sub = a.events.SubscribeAs(topic, owner)
	}
	sse.Serve(w, r, sub, opt)
}
