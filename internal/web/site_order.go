package web

import (
	"context"
	"net/http"
	"slices"
	"strconv"

	"github.com/oc-pizza/ocpizza/internal/account"
	"github.com/oc-pizza/ocpizza/internal/errs"
	"github.com/oc-pizza/ocpizza/internal/event"
	"github.com/oc-pizza/ocpizza/internal/order"
	"github.com/oc-pizza/ocpizza/internal/pizzeria"
	"github.com/oc-pizza/ocpizza/internal/shop"
	"github.com/oc-pizza/ocpizza/internal/sse"
)

// trackStep is one step of the tracking page.
type trackStep struct {
	Name    string
	At      string
	Done    bool
	Current bool
	// UnderWay: the current step of an order not finished yet (marked
	// as going on, not ticked as done).
	UnderWay bool
}

type orderData struct {
	Page
	Order order.Order
	Shop  pizzeria.Pizzeria
	Steps []trackStep
	// Promised is the time promised, while it still matters.
	Promised   string
	CanModify  bool
	CanCancel  bool
	Cancelled  bool
	Refundable bool // cancelling gives an online payment back
	// Locked: the kitchen started it, the customer can no longer change
	// it online; the page says so, and whom to call.
	Locked bool
	// Why, for a cancelled order the customer did not cancel: its cause
	// (order.CancelCause).
	Why   string
	Error string
}

func (p *Pages) orderShow(w http.ResponseWriter, r *http.Request) {
	p.orderPage(w, r, http.StatusOK, nil)
}

// orderPage renders the tracking page, with an error when an action on
// the order was refused.
func (p *Pages) orderPage(w http.ResponseWriter, r *http.Request, status int, failure error) {
	id, err := pathID(r, "id")
	if err != nil {
		p.errorPage(w, r, err)
		return
	}
	actor := actorOf(r)
	o, err := p.shop.Order(r.Context(), actor, id)
	if err != nil {
		p.errorPage(w, r, err)
		return
	}
	ps, err := p.shop.Pizzeria(r.Context(), account.System, o.PizzeriaID)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	d := orderData{Page: p.page(r, "order.title", o.Number), Order: o, Shop: ps}
	d.Live = "/orders/" + strconv.FormatInt(o.ID, 10) + "/live"
	d.Steps = steps(d.Page, o)
	d.Cancelled = o.Status == order.Cancelled
	if cause := o.Cause(); cause != order.NotCancelled && cause != order.CancelledByCustomer {
		d.Why = string(cause)
	}
	if !o.Status.Final() {
		d.Promised = d.Clock(o.PromisedAt())
	}
	d.CanModify = order.CheckModify(actor, o) == nil
	d.CanCancel = order.CheckTransition(actor, o, order.Cancelled) == nil
	d.Refundable = o.PaymentStatus == order.Paid && o.PaymentMethod == order.Online
	d.Locked = o.CustomerID != 0 && o.CustomerID == actor.UserID && o.Started()
	switch r.URL.Query().Get("done") {
	case "cancelled":
		d.Notice = d.T("order.cancelled.notice")
	case "modified":
		d.Notice = d.T("order.modified.notice")
	}
	if failure != nil {
		d.Error = p.text.message(d.Lang, failure)
	}
	p.render(w, r, status, "site/order", d)
}

// steps lays the order's path out with the time each step was reached;
// a cancelled order shows the steps it reached.
func steps(pg Page, o order.Order) []trackStep {
	path := order.Path(o.Fulfilment)
	current := slices.Index(path, o.Status)
	out := make([]trackStep, 0, len(path))
	for i, st := range path {
		s := trackStep{Name: pg.T(stepKey(o.Fulfilment, st)), Done: current >= 0 && i <= current, Current: i == current,
			UnderWay: i == current && !o.Status.Final()}
		if at, ok := o.EnteredAt(st); ok && (s.Done || o.Status == order.Cancelled) {
			s.At = pg.Clock(at)
			s.Done = true
		}
		out = append(out, s)
	}
	return out
}

func stepKey(f order.Fulfilment, s order.Status) string {
	if f == order.Pickup && s == order.Ready {
		return "step.ready_pickup"
	}
	return "step." + string(s)
}

// orderLive tells the tracking page that its order changed. Only the
// order's customer (or its pizzeria's staff) may follow it, and signing
// out ends the stream.
func (p *Pages) orderLive(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		p.errorPage(w, r, err)
		return
	}
	v := visitorOf(r)
	if _, err := p.shop.Order(r.Context(), v.actor, id); err != nil {
		p.errorPage(w, r, err)
		return
	}
	p.stream(w, r, event.OrderTopic(id), nil)
}

// stream follows a topic for the signed-in visitor: the stream belongs to
// their session, so signing out or a disabled account ends it. keep, when
// set, picks the events the screen cares about.
func (p *Pages) stream(w http.ResponseWriter, r *http.Request, topic event.Topic, keep func(event.Event) bool) {
	v := visitorOf(r)
	sub := p.events.SubscribeAs(topic, event.Owner{Session: shop.SessionKey(v.token), UserID: v.actor.UserID})
	sse.Serve(w, r, sub, sse.Options{Heartbeat: p.opt.Heartbeat, Write: changed, Recheck: p.opt.Heartbeat, Keep: keep,
		Check: func(ctx context.Context) error {
			_, err := p.shop.Authenticate(ctx, v.token)
			return err
		}})
}

func (p *Pages) orderCancel(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		p.errorPage(w, r, err)
		return
	}
	if _, err := p.shop.SetStatus(r.Context(), actorOf(r), id, order.Cancelled); err != nil {
		if errs.Is(err, errs.NotFound) || internal(err) {
			p.errorPage(w, r, err)
			return
		}
		p.orderPage(w, r, refusalStatus(w, err), err)
		return
	}
	redirect(w, r, "/orders/"+strconv.FormatInt(id, 10)+"?done=cancelled")
}
