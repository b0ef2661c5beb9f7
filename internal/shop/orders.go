package shop

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/oc-pizza/ocpizza/internal/account"
	"github.com/oc-pizza/ocpizza/internal/errs"
	"github.com/oc-pizza/ocpizza/internal/event"
	"github.com/oc-pizza/ocpizza/internal/order"
	"github.com/oc-pizza/ocpizza/internal/payment"
	"github.com/oc-pizza/ocpizza/internal/stock"
	"github.com/oc-pizza/ocpizza/internal/store"
)

// PlaceRequest is an order as a client submits it.
type PlaceRequest struct {
	Draft order.Draft
	// IdempotencyKey, when set, makes a retried request return the first
	// order instead of placing another.
	IdempotencyKey string
	// PaymentSource is the provider's card token for online payment.
	PaymentSource string
}

// PlaceOrder checks, prices and stores a new order, reserving its stock.
// It returns the order and whether it was a replay of an earlier request
// with the same idempotency key.
func (s *Shop) PlaceOrder(ctx context.Context, actor account.Actor, req PlaceRequest) (order.Order, bool, error) {
	if actor.Anonymous() {
		return order.Order{}, false, errs.E(errs.Unauthorized, "sign in to order")
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
	o, err := order.Build(req.Draft, actor, shop, snap.byID, customer)
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
		body, _ := json.Marshal(req.Draft)
		sum := sha256.Sum256(body)
		idem = &store.Idempotency{UserID: actor.UserID, Key: req.IdempotencyKey, RequestHash: hex.EncodeToString(sum[:])}
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

// placePaid charges the card, then stores the order. If the order cannot
// be stored after all (the last pizza went meanwhile), the charge is
// refunded at once.
func (s *Shop) placePaid(ctx context.Context, actor account.Actor, o order.Order, needs []stock.Need, idem *store.Idempotency, source string) (order.Order, bool, error) {
	if source == "" {
		return o, false, errs.E(errs.Invalid, "online payment needs a payment_source from the card form")
	}
	// Check stock before charging, so a customer is rarely charged and
	// refunded for a pizza that had already run out.
	levels, err := s.Store.StockQuantities(ctx, o.PizzeriaID)
	if err != nil {
		return o, false, err
	}
	for _, n := range needs {
		if levels[n.IngredientID] < n.Quantity {
			return o, false, errs.E(errs.OutOfStock, "not enough ingredients left for this order").With("product_id", n.ProductID)
		}
	}
	key := "order-" + source
	if idem != nil {
		key = fmt.Sprintf("u%d-%s", actor.UserID, idem.Key)
	}
	key = idempotencyKey(key)
	receipt, err := s.Payments.Charge(ctx, payment.Charge{IdempotencyKey: key, SourceToken: source, AmountCents: o.TotalCents, Currency: "EUR", Reference: fmt.Sprintf("OC Pizza %d", o.PizzeriaID)})
	var declined *payment.Declined
	switch {
	case errors.As(err, &declined):
		return o, false, errs.E(errs.PaymentDeclined, "the card was declined").With("detail", declined.Code)
	case errors.Is(err, payment.ErrUnknown):
		return o, false, errs.E(errs.Unavailable, "the payment could not be confirmed and was cancelled: please try again")
	case err != nil:
		return o, false, fmt.Errorf("charge: %w", err)
	}
	o.PaymentStatus, o.PaymentRef = order.Paid, receipt.ID
	placed, replayed, err := s.Store.PlaceOrder(ctx, o, needs, actor.UserID, idem, notification(o, order.Pending))
	if err != nil {
		if _, rerr := s.Payments.Refund(ctx, payment.Refund{IdempotencyKey: idempotencyKey("refund-" + receipt.ID), PaymentID: receipt.ID, AmountCents: o.TotalCents, Currency: "EUR", Reason: "order could not be placed"}); rerr != nil {
			s.Log.Error("refund after failed order", "payment", receipt.ID, "err", rerr)
		}
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
	s.publish(ctx, kind, o, o.PizzeriaID, o.ID)
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
func (s *Shop) update(ctx context.Context, actor account.Actor, id int64, decide func(o order.Order) (store.Change, error)) (order.Order, []stock.Need, error) {
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
	snap, err := s.snapshot(ctx)
	if err != nil {
		return order.Order{}, err
	}
	updated, moved, err := s.update(ctx, actor, id, func(o order.Order) (store.Change, error) {
		if err := order.CheckTransition(actor, o, to); err != nil {
			return store.Change{}, err
		}
		ch := store.Change{Status: to, Notify: notification(o, to)}
		if to == order.Cancelled {
			ch.Stock = stock.Diff(stock.Needs(linesOf(o.Lines), snap.recipes), nil)
		}
		return ch, nil
	})
	if err != nil {
		return updated, err
	}
	if to == order.Cancelled && updated.PaymentStatus == order.Paid && s.Payments != nil {
		updated = s.refund(ctx, actor, updated)
	}
	s.published(ctx, event.OrderUpdated, updated, moved)
	return updated, nil
}

// refund gives a cancelled order's payment back. The order is marked
// refunded when the provider says the refund completed — at once, or later
// through its webhook (PaymentEvent). A failure is logged and left for
// staff: the order stays cancelled and paid, which shows.
func (s *Shop) refund(ctx context.Context, actor account.Actor, o order.Order) order.Order {
	receipt, err := s.Payments.Refund(ctx, payment.Refund{IdempotencyKey: idempotencyKey("refund-" + o.PaymentRef), PaymentID: o.PaymentRef, AmountCents: o.TotalCents, Currency: "EUR", Reason: "order cancelled"})
	if err != nil {
		s.Log.Error("refund cancelled order", "order", o.Number, "err", err)
		return o
	}
	s.Log.Info("refund requested", "order", o.Number, "refund", receipt.ID, "status", receipt.Status)
	if receipt.Status != "COMPLETED" {
		return o
	}
	refunded, err := s.Store.UpdateOrder(ctx, store.Change{Order: o, Payment: order.Refunded, Ref: o.PaymentRef, ByUserID: actor.UserID, Notify: refundNotice(o)})
	if err != nil {
		s.Log.Error("record refund", "order", o.Number, "err", err)
		return o
	}
	return refunded
}

// PaymentEvent applies a payment provider's notification about a payment
// or a refund of one: a completed refund marks the order refunded, a
// completed payment marks an unpaid order paid. Unknown payments are
// ignored (another system's, or a test notification).
func (s *Shop) PaymentEvent(ctx context.Context, paymentID, objectType, status string) error {
	o, err := s.Store.OrderByPaymentRef(ctx, paymentID)
	if errs.Is(err, errs.NotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	var to order.PaymentStatus
	switch {
	case objectType == "refund" && status == "COMPLETED" && o.PaymentStatus == order.Paid:
		to = order.Refunded
	case objectType == "payment" && status == "COMPLETED" && o.PaymentStatus == order.Unpaid:
		to = order.Paid
	default:
		return nil
	}
	ch := store.Change{Order: o, Payment: to, Ref: o.PaymentRef}
	if to == order.Refunded {
		ch.Notify = refundNotice(o)
	}
	updated, err := s.Store.UpdateOrder(ctx, ch)
	if err != nil {
		return err
	}
	s.published(ctx, event.OrderUpdated, updated, nil)
	return nil
}

func refundNotice(o order.Order) *store.Notification {
	if o.Contact.Email == "" {
		return nil
	}
	return &store.Notification{Kind: "refunded", Recipient: o.Contact.Email}
}

// ModifyItems replaces a pending order's items, taking or giving back the
// difference in stock.
func (s *Shop) ModifyItems(ctx context.Context, actor account.Actor, id int64, items []order.Item) (order.Order, error) {
	snap, err := s.snapshot(ctx)
	if err != nil {
		return order.Order{}, err
	}
	updated, moved, err := s.update(ctx, actor, id, func(o order.Order) (store.Change, error) {
		if err := order.CheckModify(actor, o); err != nil {
			return store.Change{}, err
		}
		lines, err := order.PriceItems(items, snap.byID)
		if err != nil {
			return store.Change{}, err
		}
		before := stock.Needs(linesOf(o.Lines), snap.recipes)
		after := stock.Needs(linesOf(lines), snap.recipes)
		return store.Change{Lines: lines, Stock: stock.Diff(before, after)}, nil
	})
	if err != nil {
		return updated, err
	}
	s.published(ctx, event.OrderUpdated, updated, moved)
	return updated, nil
}

// RecordPayment records that an order paid on delivery was paid, in cash
// or by card, to the driver or at the counter.
func (s *Shop) RecordPayment(ctx context.Context, actor account.Actor, id int64, method string) (order.Order, error) {
	updated, _, err := s.update(ctx, actor, id, func(o order.Order) (store.Change, error) {
		if err := order.CheckPayment(actor, o, method); err != nil {
			return store.Change{}, err
		}
		return store.Change{Payment: order.Paid, Ref: method}, nil
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
	return s.Store.Orders(ctx, store.OrderFilter{PizzeriaID: pizzeriaID, Statuses: statuses})
}

// MyOrders lists a customer's own orders, newest first.
func (s *Shop) MyOrders(ctx context.Context, actor account.Actor) ([]order.Order, error) {
	if actor.Anonymous() {
		return nil, errs.E(errs.Unauthorized, "sign in to see your orders")
	}
	return s.Store.Orders(ctx, store.OrderFilter{CustomerID: actor.UserID, NewestFirst: true, Limit: 50})
}

// notification says which customer message a move to status sends, if
// any, and to whom.
func notification(o order.Order, status order.Status) *store.Notification {
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
	return &store.Notification{Kind: kind, Recipient: o.Contact.Email}
}
