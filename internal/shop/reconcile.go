package shop

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/oc-pizza/ocpizza/internal/errs"
	"github.com/oc-pizza/ocpizza/internal/event"
	"github.com/oc-pizza/ocpizza/internal/order"
	"github.com/oc-pizza/ocpizza/internal/payment"
	"github.com/oc-pizza/ocpizza/internal/store"
)

// Reconcile settles the payment attempts whose answer should have come by
// now and did not (the process died, the network failed): it asks the
// provider what became of each charge, by the order number it carries, and
// asks again for each refund with the same idempotency key. A first charge
// that took the money confirms its order (or, too late, cancels it and
// refunds); one that did not cancels it and gives its stock back; a further
// charge that took money for a change never made is refunded. Run it at
// start and every few minutes; instances may run it together (an attempt
// is settled once). It then follows up the refunds left pending. It
// returns how many attempts and refunds it settled.
func (s *Shop) Reconcile(ctx context.Context) (int, error) {
	if s.Payments == nil {
		return 0, nil
	}
	open, err := s.Store.OpenAttempts(ctx, s.Store.Now().Add(-AttemptGrace))
	if err != nil {
		return 0, err
	}
	settled := 0
	var failed error
	for _, a := range open {
		ok, err := s.reconcile(ctx, a)
		if err != nil {
			s.Log.Warn("reconcile a payment attempt", "order", a.OrderNumber, "kind", a.Kind, "key", a.Key, "err", err)
			failed = errors.Join(failed, err)
		}
		if ok {
			settled++
		}
	}
	pending, err := s.Store.PendingRefunds(ctx, s.Store.Now().Add(-RefundGrace))
	if err != nil {
		return settled, errors.Join(failed, err)
	}
	for _, m := range pending {
		ok, err := s.followRefund(ctx, m)
		if err != nil {
			s.Log.Warn("follow a pending refund", "order", m.OrderID, "refund", m.ProviderRef, "err", err)
			failed = errors.Join(failed, err)
		}
		if ok {
			settled++
		}
	}
	return settled, failed
}

// RefundGrace is how long a refund may stay pending before the reconciler
// asks the provider about it: Square usually completes one within
// minutes and says so by webhook, which may never arrive (none configured,
// or lost after its retries).
const RefundGrace = 15 * time.Minute

// followRefund asks the provider what became of a refund still pending in
// the ledger, and applies its answer as its notification would have: a
// completed refund, the order's last, marks it refunded; one the provider
// rejected or failed alerts the admin.
func (s *Shop) followRefund(ctx context.Context, m payment.Movement) (bool, error) {
	r, err := s.Payments.RefundStatus(ctx, m.ProviderRef)
	if errors.Is(err, payment.ErrNotFound) {
		// Asking again would never tell more: a person must look (keys
		// of another account or environment, or a refund made by hand).
		r, err = payment.Receipt{ID: m.ProviderRef, Status: payment.StatusNotFound}, nil
	}
	if err != nil {
		return false, err
	}
	switch r.Status {
	case m.Status:
		return false, nil // still pending: next time
	case payment.StatusCompleted, payment.StatusRejected, payment.StatusFailed, payment.StatusNotFound:
	default:
		return false, fmt.Errorf("refund %s: unexpected status %q from the provider", m.ProviderRef, r.Status)
	}
	st, err := s.refundNotice(ctx, PaymentNotice{Type: "refund.updated", RefundID: m.ProviderRef, RefundStatus: r.Status, RefundPaymentID: m.ChargeRef})
	if err != nil || len(st.change.LedgerStatus) == 0 {
		return false, err // told meanwhile, by a webhook or another instance
	}
	_, applied := s.apply(ctx, st)
	s.Log.Info("pending refund followed up", "order", m.OrderID, "refund", m.ProviderRef, "status", r.Status, "applied", applied)
	return applied, nil
}

func (s *Shop) reconcile(ctx context.Context, a payment.Attempt) (bool, error) {
	if a.Kind == payment.AttemptRefund {
		err := s.sendRefund(ctx, a)
		return err == nil, err
	}
	moves, err := s.Store.MoneyOf(ctx, a.OrderID)
	if err != nil {
		return false, err
	}
	known := map[string]bool{}
	for _, m := range moves {
		known[m.ProviderRef] = true
	}
	f, found, err := s.Payments.Find(ctx, payment.Lookup{Reference: a.OrderNumber, AmountCents: a.AmountCents, Since: a.CreatedAt, Exclude: known})
	if err != nil {
		return false, err
	}
	if found && f.Pending() {
		return false, nil // still pending at the provider: next time
	}
	o, err := s.Store.Order(ctx, a.OrderID)
	if err != nil {
		return false, err
	}
	var st settlement
	switch {
	case a.Kind == payment.AttemptOrder && o.Status != order.AwaitingPayment:
		// Settled in another way; only the attempt is left open.
		st = settlement{change: store.MoneyChange{Settle: &store.Outcome{Key: a.Key, Status: payment.AttemptAbandoned, Detail: "order no longer awaiting payment"}}}
		if found && f.Taken() {
			st = s.returnCharge(o, a, f.ID, f.Status, "order no longer awaiting payment")
		}
	case a.Kind == payment.AttemptOrder && found && f.Taken():
		st = s.settleTaken(o, a, f.ID, f.Status)
	case a.Kind == payment.AttemptOrder:
		st = s.abandon(o, a, "no payment at the provider")
	case found && f.Taken():
		st = s.returnCharge(o, a, f.ID, f.Status, "the change it paid for was not made")
	default:
		st = settlement{change: store.MoneyChange{Settle: &store.Outcome{Key: a.Key, Status: payment.AttemptAbandoned, Detail: "no payment at the provider"}}}
	}
	_, applied := s.apply(ctx, st)
	s.Log.Info("payment attempt reconciled", "order", a.OrderNumber, "kind", a.Kind, "found", found, "status", f.Status, "applied", applied)
	return applied, nil
}

// PaymentNotice is a payment provider's notification (a webhook) about a
// payment or a refund.
type PaymentNotice struct {
	EventID string
	Type    string // payment.updated, refund.updated, …
	// The payment, for payment events.
	PaymentID, PaymentStatus, Reference string
	AmountCents                         int64
	// The refund, for refund events.
	RefundID, RefundStatus, RefundPaymentID string
}

// PaymentEvent applies a provider's notification, recorded in the same
// transaction as its effect: a repeat changes nothing, and a notification
// whose effect failed is applied when the provider delivers it again. A
// completed refund updates the ledger and, the last one, marks a cancelled
// order refunded; a completed payment confirms the order awaiting it.
// Payments of other systems are recorded and ignored. It reports whether
// the notification was a repeat.
func (s *Shop) PaymentEvent(ctx context.Context, n PaymentNotice) (repeat bool, err error) {
	if n.EventID == "" {
		return false, errs.E(errs.Invalid, "a notification needs its event id")
	}
	for try := 0; ; try++ {
		seen, err := s.Store.WebhookSeen(ctx, n.EventID)
		if err != nil || seen {
			return seen, err
		}
		st, err := s.decideNotice(ctx, n)
		if err != nil {
			return false, err
		}
		st.change.Event = &store.WebhookEvent{ID: n.EventID, Kind: n.Type}
		updated, applied, err := s.Store.ApplyMoney(ctx, st.change)
		if err == nil && applied {
			if st.after != nil {
				st.after(ctx, updated)
			}
			return false, nil
		}
		// Changed meanwhile (or settled by another): decide again on
		// what is there now.
		if try >= 3 || err != nil && !errs.Is(err, errs.Conflict) {
			if err == nil {
				err = errs.E(errs.Conflict, "the payment changed meanwhile: try again")
			}
			return false, err
		}
	}
}

// decideNotice chooses what a notification changes.
func (s *Shop) decideNotice(ctx context.Context, n PaymentNotice) (settlement, error) {
	switch {
	case n.Type == "refund.updated" && n.RefundID != "":
		return s.refundNotice(ctx, n)
	case n.Type == "payment.updated" && n.PaymentID != "" && payment.Completed(n.PaymentStatus):
		return s.paymentNotice(ctx, n)
	}
	return settlement{}, nil
}

func (s *Shop) refundNotice(ctx context.Context, n PaymentNotice) (settlement, error) {
	row, err := s.Store.MoneyByRef(ctx, n.RefundID)
	if errs.Is(err, errs.NotFound) {
		return s.legacyRefundNotice(ctx, n)
	}
	if err != nil {
		return settlement{}, err
	}
	if n.RefundStatus == row.Status {
		return settlement{}, nil // told before
	}
	st := settlement{change: store.MoneyChange{LedgerStatus: map[string]string{n.RefundID: n.RefundStatus}}}
	if n.RefundStatus != payment.StatusPending && !payment.Completed(n.RefundStatus) {
		// Rejected or failed: the customer still waits for that money.
		st.after = func(ctx context.Context, _ order.Order) {
			if s.Alert != nil {
				outcome := "ended " + n.RefundStatus + " at the payment provider"
				if n.RefundStatus == payment.StatusNotFound {
					outcome = "is unknown to the payment provider (keys of another account or environment?)"
				}
				s.Alert(ctx, "refund", "a refund did not go through",
					fmt.Sprintf("The refund %s of %d cents (payment %s, order id %d) %s. Check it, and refund from the provider's dashboard if needed.",
						row.ProviderRef, row.AmountCents, row.ChargeRef, row.OrderID, outcome))
			}
		}
	}
	if !payment.Completed(n.RefundStatus) {
		return st, nil
	}
	o, err := s.Store.Order(ctx, row.OrderID)
	if err != nil {
		return st, err
	}
	done, err := s.refundedInFull(ctx, o, nil, st.change.LedgerStatus, "")
	if err != nil || !done {
		return st, err
	}
	st.change.Order = &order.Update{Order: o, Payment: order.Refunded, Ref: o.PaymentRef, Notify: refundNotice(o)}
	st.after = func(ctx context.Context, updated order.Order) { s.published(ctx, event.OrderUpdated, updated, nil) }
	return st, nil
}

// legacyRefundNotice handles a refund asked before refunds were kept in
// the ledger: a completed one marks its cancelled, paid order refunded.
func (s *Shop) legacyRefundNotice(ctx context.Context, n PaymentNotice) (settlement, error) {
	o, err := s.Store.OrderByPaymentRef(ctx, n.RefundPaymentID)
	if errs.Is(err, errs.NotFound) || err == nil && (!payment.Completed(n.RefundStatus) || o.PaymentStatus != order.Paid || o.Status != order.Cancelled) {
		return settlement{}, nil
	}
	if err != nil {
		return settlement{}, err
	}
	return settlement{change: store.MoneyChange{Order: &order.Update{Order: o, Payment: order.Refunded, Ref: o.PaymentRef, Notify: refundNotice(o)}},
		after: func(ctx context.Context, updated order.Order) { s.published(ctx, event.OrderUpdated, updated, nil) }}, nil
}

// paymentNotice confirms the order awaiting a completed payment, found by
// the order number the payment carries: the same as the reconciler would,
// sooner.
func (s *Shop) paymentNotice(ctx context.Context, n PaymentNotice) (settlement, error) {
	if _, err := s.Store.MoneyByRef(ctx, n.PaymentID); err == nil || !errs.Is(err, errs.NotFound) {
		return settlement{}, err // known already
	}
	o, err := s.Store.OrderByNumber(ctx, n.Reference)
	if errs.Is(err, errs.NotFound) {
		return settlement{}, nil
	}
	if err != nil {
		return settlement{}, err
	}
	attempts, err := s.Store.AttemptsOf(ctx, o.ID)
	if err != nil {
		return settlement{}, err
	}
	for _, a := range attempts {
		if a.Status == payment.AttemptOpen && a.AmountCents == n.AmountCents {
			switch {
			case a.Kind == payment.AttemptOrder && o.Status == order.AwaitingPayment:
				return s.settleTaken(o, a, n.PaymentID, n.PaymentStatus), nil
			case a.Kind == payment.AttemptCharge && s.Store.Now().Sub(a.CreatedAt) > AttemptGrace:
				// Its request is over without recording it: the change
				// was not made.
				return s.returnCharge(o, a, n.PaymentID, n.PaymentStatus, "the change it paid for was not made"), nil
			}
		}
	}
	return settlement{}, nil
}
