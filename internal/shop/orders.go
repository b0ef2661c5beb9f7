package shop

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"

	"github.com/oc-pizza/ocpizza/internal/account"
	"github.com/oc-pizza/ocpizza/internal/errs"
	"github.com/oc-pizza/ocpizza/internal/event"
	"github.com/oc-pizza/ocpizza/internal/order"
	"github.com/oc-pizza/ocpizza/internal/stock"
	"github.com/oc-pizza/ocpizza/internal/store"
	"github.com/oc-pizza/ocpizza/internal/wire"
)

// PlaceRequest is an order as a client submits it.
type PlaceRequest struct {
	Draft order.Draft
	// IdempotencyKey, when set, makes a retried request return the first
	// order instead of placing another, for KeepIdempotencyKeys.
	IdempotencyKey string
	// PaymentSource is the provider's card token for online payment.
	PaymentSource string
	// AddressID names one of the customer's saved addresses to deliver
	// to, instead of Draft.DeliveryAddress.
	AddressID int64
}

// PlaceOrder checks, prices and stores a new order, reserving its stock.
// It returns the order and whether it was a replay of an earlier request
// with the same idempotency key.
func (s *Shop) PlaceOrder(ctx context.Context, actor account.Actor, req PlaceRequest) (order.Order, bool, error) {
	if actor.Anonymous() {
		return order.Order{}, false, errs.E(errs.Unauthorized, "sign in to order")
	}
	if req.AddressID != 0 {
		if req.Draft.DeliveryAddress != nil {
			return order.Order{}, false, errs.E(errs.Invalid, "give delivery_address or delivery_address_id, not both").With("field", "delivery_address_id")
		}
		saved, err := s.Store.Address(ctx, actor.UserID, req.AddressID)
		if errs.Is(err, errs.NotFound) {
			return order.Order{}, false, errs.E(errs.Invalid, "you keep no address %d", req.AddressID).With("field", "delivery_address_id")
		}
		if err != nil {
			return order.Order{}, false, err
		}
		req.Draft.DeliveryAddress = &saved.Address
	}
	shop, err := s.Pizzeria(ctx, actor, req.Draft.PizzeriaID)
	if err != nil {
		if errs.Is(err, errs.NotFound) {
			return order.Order{}, false, errs.E(errs.Invalid, "no pizzeria %d", req.Draft.PizzeriaID).With("field", "pizzeria_id")
		}
		return order.Order{}, false, err
	}
	snap, err := s.snapshot(ctx)
	if err != nil {
		return order.Order{}, false, err
	}
	customer := account.User{ID: actor.UserID, Name: actor.Name, Email: actor.Email, Phone: actor.Phone}
	o, err := order.Build(req.Draft, actor, shop, snap.menuAt(shop.ID), customer, s.Store.Now())
	if err != nil {
		return o, false, err
	}
	if o.PaymentMethod == order.Online && s.Payments == nil {
		return o, false, errs.E(errs.PaymentUnavailable, "online payment is not available: choose payment on delivery")
	}
	if err := s.planDelivery(ctx, shop, &o); err != nil {
		return o, false, err
	}

	var idem *store.Idempotency
	if req.IdempotencyKey != "" {
		if len(req.IdempotencyKey) > 64 {
			return o, false, errs.E(errs.Invalid, "the Idempotency-Key is at most 64 characters")
		}
		idem = &store.Idempotency{UserID: actor.UserID, Key: req.IdempotencyKey, RequestHash: requestHash(req.Draft)}
	}
	needs := stock.Needs(linesOf(o.Lines), snap.recipes)

	if o.PaymentMethod == order.Online {
		return s.placePaid(ctx, actor, o, needs, idem, req.PaymentSource)
	}
	placed, replayed, err := s.Store.PlaceOrder(ctx, o, needs, actor.UserID, idem, notification(o, order.Pending))
	if err != nil {
		return placed, false, err
	}
	if !replayed {
		s.published(ctx, event.OrderCreated, placed, needs)
	}
	return placed, replayed, nil
}

// idempotencyKey fits a key into the 45 characters payment providers allow.
func idempotencyKey(k string) string {
	if len(k) <= 45 {
		return k
	}
	sum := sha256.Sum256([]byte(k))
	return hex.EncodeToString(sum[:])[:45]
}

func linesOf(lines []order.Line) []stock.Line {
	out := make([]stock.Line, len(lines))
	for i, l := range lines {
		out[i] = stock.Line{ProductID: l.ProductID, Quantity: l.Quantity}
	}
	return out
}

// published tells the pizzeria and the order's followers what happened.
func (s *Shop) published(ctx context.Context, kind string, o order.Order, moved []stock.Need) {
	s.publish(ctx, kind, wire.OrderOf(o), o.PizzeriaID, o.ID)
	ids := make([]int64, len(moved))
	for i, n := range moved {
		ids[i] = n.IngredientID
	}
	s.publishStock(ctx, o.PizzeriaID, ids)
}

// Order returns an order its customer or its pizzeria's staff may see.
func (s *Shop) Order(ctx context.Context, actor account.Actor, id int64) (order.Order, error) {
	o, err := s.Store.Order(ctx, id)
	if err != nil {
		return o, err
	}
	if !order.CanView(actor, o) {
		return order.Order{}, errs.E(errs.NotFound, "no such order")
	}
	return o, nil
}

// update reads an order, lets decide choose the change, and retries when
// another change got in between (the store refuses stale versions).
func (s *Shop) update(ctx context.Context, actor account.Actor, id int64, decide func(o order.Order) (order.Update, error)) (order.Order, []stock.Need, error) {
	for attempt := 0; ; attempt++ {
		o, err := s.Order(ctx, actor, id)
		if err != nil {
			return o, nil, err
		}
		ch, err := decide(o)
		if err != nil {
			return o, nil, err
		}
		ch.Order, ch.ByUserID = o, actor.UserID
		updated, err := s.Store.UpdateOrder(ctx, ch)
		if errs.Is(err, errs.Conflict) && attempt < 3 {
			continue
		}
		return updated, ch.Stock, err
	}
}

// SetStatus moves an order along its lifecycle; cancelling gives its
// stock back (and refunds a paid order).
func (s *Shop) SetStatus(ctx context.Context, actor account.Actor, id int64, to order.Status) (order.Order, error) {
	return s.setStatus(ctx, actor, id, to, "")
}

// setStatus is SetStatus, telling the customer with the message of kind
// instead of the status's own when kind is set.
func (s *Shop) setStatus(ctx context.Context, actor account.Actor, id int64, to order.Status, kind string) (order.Order, error) {
	snap, err := s.snapshot(ctx)
	if err != nil {
		return order.Order{}, err
	}
	updated, moved, err := s.update(ctx, actor, id, func(o order.Order) (order.Update, error) {
		if err := order.CheckTransition(actor, o, to); err != nil {
			return order.Update{}, err
		}
		ch := order.Update{Status: to, Notify: notification(o, to)}
		if ch.Notify != nil && kind != "" {
			ch.Notify.Kind = kind
		}
		if to == order.Cancelled {
			ch.Stock = stock.Diff(stock.Needs(linesOf(o.Lines), snap.recipes), nil)
			if o.PaymentStatus == order.Paid && o.PaymentMethod == order.Online {
				// The refunds owed are recorded with the cancellation, so
				// that a crash before they are asked cannot lose them.
				var err error
				if ch.Open, err = s.refundPlan(ctx, o, o.TotalCents, "order cancelled"); err != nil {
					return ch, err
				}
			}
		}
		return ch, nil
	})
	if err != nil {
		return updated, err
	}
	if to == order.Cancelled && updated.PaymentStatus == order.Paid && updated.PaymentMethod == order.Online {
		updated = s.sendRefunds(ctx, updated)
	}
	s.published(ctx, event.OrderUpdated, updated, moved)
	return updated, nil
}

// ModifyItems replaces a pending order's items, taking or giving back the
// difference in stock. For an order paid online, a larger total is charged
// first with a new card token (nothing changes if the card is declined) and
// a smaller one refunds the difference once the change is stored.
func (s *Shop) ModifyItems(ctx context.Context, actor account.Actor, id int64, items []order.Item, paymentSource string) (order.Order, error) {
	snap, err := s.snapshot(ctx)
	if err != nil {
		return order.Order{}, err
	}
	o, err := s.Order(ctx, actor, id)
	if err != nil {
		return o, err
	}
	if o.PaymentStatus != order.Paid {
		// No money moves: decide on a fresh copy, again if another change
		// got in between.
		updated, moved, err := s.update(ctx, actor, id, func(o order.Order) (order.Update, error) {
			if err := order.CheckModify(actor, o); err != nil {
				return order.Update{}, err
			}
			lines, err := order.PriceItems(items, snap.menuAt(o.PizzeriaID))
			if err != nil {
				return order.Update{}, err
			}
			return order.Update{Lines: lines, Stock: stock.Diff(stock.Needs(linesOf(o.Lines), snap.recipes), stock.Needs(linesOf(lines), snap.recipes))}, nil
		})
		if err != nil {
			return updated, err
		}
		s.published(ctx, event.OrderUpdated, updated, moved)
		return updated, nil
	}
	// Money moves with the provider: decided once, on this copy; a
	// concurrent change makes the store refuse it (and the charge is
	// refunded below).
	if err := order.CheckModify(actor, o); err != nil {
		return o, err
	}
	lines, err := order.PriceItems(items, snap.menuAt(o.PizzeriaID))
	if err != nil {
		return o, err
	}
	ch := order.Update{Order: o, Lines: lines, ByUserID: actor.UserID,
		Stock: stock.Diff(stock.Needs(linesOf(o.Lines), snap.recipes), stock.Needs(linesOf(lines), snap.recipes))}
	delta := order.Total(lines) - o.TotalCents
	paidOnline := o.PaymentStatus == order.Paid && o.PaymentMethod == order.Online
	if paidOnline && delta > 0 {
		return s.modifyPaying(ctx, o, ch, delta, paymentSource)
	}
	if paidOnline && delta < 0 {
		// The refund owed is recorded with the change that owes it.
		if ch.Open, err = s.refundPlan(ctx, o, -delta, "order reduced"); err != nil {
			return o, err
		}
	}
	updated, err := s.Store.UpdateOrder(ctx, ch)
	if err != nil {
		return updated, err
	}
	if len(ch.Open) > 0 {
		updated = s.sendRefunds(ctx, updated)
	}
	s.published(ctx, event.OrderUpdated, updated, ch.Stock)
	return updated, nil
}

// RecordPayment records that an order paid on delivery was paid, in cash
// or by card, to the driver or at the counter.
func (s *Shop) RecordPayment(ctx context.Context, actor account.Actor, id int64, method string) (order.Order, error) {
	updated, _, err := s.update(ctx, actor, id, func(o order.Order) (order.Update, error) {
		if err := order.CheckPayment(actor, o, method); err != nil {
			return order.Update{}, err
		}
		return order.Update{Payment: order.Paid, Ref: method}, nil
	})
	if err != nil {
		return updated, err
	}
	s.published(ctx, event.OrderUpdated, updated, nil)
	return updated, nil
}

// PizzeriaOrders lists a pizzeria's orders for its staff, oldest first.
func (s *Shop) PizzeriaOrders(ctx context.Context, actor account.Actor, pizzeriaID int64, statuses []order.Status) ([]order.Order, error) {
	if !actor.IsStaffOf(pizzeriaID) {
		return nil, errs.E(errs.Forbidden, "only the staff of pizzeria %d see its orders", pizzeriaID)
	}
	for _, st := range statuses {
		if !st.Valid() {
			return nil, errs.E(errs.Invalid, "unknown status %q", st)
		}
	}
	return s.Store.Orders(ctx, order.Filter{PizzeriaID: pizzeriaID, Statuses: statuses})
}

// MyOrders lists a customer's own orders, newest first.
func (s *Shop) MyOrders(ctx context.Context, actor account.Actor) ([]order.Order, error) {
	if actor.Anonymous() {
		return nil, errs.E(errs.Unauthorized, "sign in to see your orders")
	}
	return s.Store.Orders(ctx, order.Filter{CustomerID: actor.UserID, NewestFirst: true, Limit: 50})
}

// notification says which customer message a move to status sends, if
// any, and to whom.
func notification(o order.Order, status order.Status) *order.Notification {
	if o.Contact.Email == "" {
		return nil
	}
	kind := map[order.Status]string{
		order.Pending: "confirmed", order.Preparing: "preparing", order.OutForDelivery: "out_for_delivery",
		order.Delivered: "delivered", order.Cancelled: "cancelled",
	}[status]
	if status == order.Ready && o.Fulfilment == order.Pickup {
		kind = "ready"
	}
	if kind == "" {
		return nil
	}
	return &order.Notification{Kind: kind, Recipient: o.Contact.Email}
}

func randomKey() string {
	b := make([]byte, 12)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// requestHash fingerprints a draft for its idempotency key. Keys are kept
// for good, so the encoding is pinned here rather than left to the domain
// types: it is the one drafts had when the contact and the address
// carried JSON tags, and a retry across an upgrade still finds its order.
func requestHash(d order.Draft) string {
	type item struct{ ProductID, Quantity int64 }
	type address struct {
		Street   string `json:"street"`
		Postcode string `json:"postcode"`
		City     string `json:"city"`
	}
	type contact struct {
		Name  string `json:"name"`
		Phone string `json:"phone"`
		Email string `json:"email,omitempty"`
	}
	var pinned struct {
		PizzeriaID      int64
		Items           []item
		Fulfilment      string
		DeliveryAddress *address
		PaymentMethod   string
		Channel         string
		Contact         contact
	}
	pinned.PizzeriaID, pinned.Fulfilment, pinned.PaymentMethod, pinned.Channel = d.PizzeriaID, string(d.Fulfilment), string(d.PaymentMethod), string(d.Channel)
	pinned.Contact = contact{Name: d.Contact.Name, Phone: d.Contact.Phone, Email: d.Contact.Email}
	if d.Items != nil {
		pinned.Items = make([]item, len(d.Items))
		for i, it := range d.Items {
			pinned.Items[i] = item{ProductID: it.ProductID, Quantity: it.Quantity}
		}
	}
	if a := d.DeliveryAddress; a != nil {
		pinned.DeliveryAddress = &address{Street: a.Street, Postcode: a.Postcode, City: a.City}
	}
	body, _ := json.Marshal(pinned)
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])
}
