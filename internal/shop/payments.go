package shop

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/oc-pizza/ocpizza/internal/account"
	"github.com/oc-pizza/ocpizza/internal/catalog"
	"github.com/oc-pizza/ocpizza/internal/errs"
	"github.com/oc-pizza/ocpizza/internal/event"
	"github.com/oc-pizza/ocpizza/internal/order"
	"github.com/oc-pizza/ocpizza/internal/payment"
	"github.com/oc-pizza/ocpizza/internal/stock"
	"github.com/oc-pizza/ocpizza/internal/store"
	"github.com/oc-pizza/ocpizza/internal/wire"
)

// Money never moves without a trace in our database. Every request to the
// payment provider is recorded first, as an open payment attempt (for a new
// order, with the order itself, numbered and its stock reserved, awaiting
// payment); its answer — the attempt settled, the ledger row, the order's
// change — is written in one transaction. An attempt whose answer never
// came (a crash, a network failure) stays open, and Reconcile asks the
// provider about it.

// AttemptGrace is how long an attempt's answer may take before the
// reconciler asks the provider about it: a charge with its retries takes
// under a minute and a half (chargeTimeout).
const AttemptGrace = 2 * time.Minute

// chargeTimeout bounds a call to the provider and the writing of its
// answer, detached from the request: a customer closing the page must not
// leave a payment unknown.
const chargeTimeout = 90 * time.Second

// lateConfirm is how long after the order a payment found by the
// reconciler still sends it to the kitchen. Later (the server or the
// provider was down), the customer has given up on that dinner: the order
// is cancelled and the money given back.
const lateConfirm = 30 * time.Minute

// placePaid records the order awaiting payment, then charges the card with
// the order number as the provider's reference. A declined card removes the
// order whole (nobody saw it); an unknown outcome leaves it awaiting
// payment, returned without error, for the reconciler to settle.
func (s *Shop) placePaid(ctx context.Context, actor account.Actor, o order.Order, needs []stock.Need, idem *store.Idempotency, source string) (order.Order, bool, error) {
	if source == "" {
		return o, false, errs.E(errs.Invalid, "online payment needs a payment_source from the card form")
	}
	o.Status = order.AwaitingPayment
	a := payment.Attempt{Kind: payment.AttemptOrder, Key: "o-" + randomKey(), AmountCents: o.TotalCents}
	placed, replayed, err := s.Store.PlaceAwaitingPayment(ctx, o, needs, actor.UserID, idem, a)
	if err != nil || replayed {
		// A replay is the order as it stands: paid, or still awaiting
		// the answer the first request (or the reconciler) will settle.
		return placed, replayed, err
	}
	s.publishStock(ctx, placed.PizzeriaID, ingredientIDs(needs))
	a.OrderID, a.OrderNumber, a.CreatedAt = placed.ID, placed.Number, placed.CreatedAt
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), chargeTimeout)
	defer cancel()
	receipt, err := s.Payments.Charge(ctx, payment.Charge{IdempotencyKey: a.Key, SourceToken: source, AmountCents: a.AmountCents,
		Currency: "EUR", Reference: placed.Number})
	var declined *payment.Declined
	switch {
	case errors.As(err, &declined):
		s.apply(ctx, s.discard(placed, a, payment.AttemptDeclined, declined.Code))
		return o, false, payment.DeclinedError(declined)
	case errors.Is(err, payment.ErrRefused):
		s.apply(ctx, s.discard(placed, a, payment.AttemptAbandoned, err.Error()))
		return o, false, fmt.Errorf("charge: %w", err)
	case err != nil:
		s.Log.Warn("payment outcome unknown: the order awaits reconciliation", "order", placed.Number, "err", err)
		return placed, false, nil
	}
	if settled, ok := s.apply(ctx, s.settleTaken(placed, a, receipt.ID, receipt.Status)); ok {
		return settled, false, nil
	}
	// Not written (the database failed, or the reconciler settled it
	// first): the order as it stands now.
	if now, err := s.Store.Order(ctx, placed.ID); err == nil {
		return now, false, nil
	}
	return placed, false, nil
}

// settlement is a money change to write, and what to do once it is.
type settlement struct {
	change store.MoneyChange
	after  func(ctx context.Context, updated order.Order)
}

// apply writes a settlement and runs what follows it. It reports the order
// as changed and whether it was written; a failure is logged: the attempt
// stays open and the reconciler settles it later.
func (s *Shop) apply(ctx context.Context, st settlement) (order.Order, bool) {
	updated, applied, err := s.Store.ApplyMoney(ctx, st.change)
	if err != nil {
		s.Log.Error("record a payment outcome: left for the reconciler", "err", err)
		return updated, false
	}
	if applied && st.after != nil {
		st.after(ctx, updated)
	}
	return updated, applied
}

// discard settles a first charge that took no money, removing its order
// and giving its stock back.
func (s *Shop) discard(o order.Order, a payment.Attempt, status, detail string) settlement {
	return settlement{change: store.MoneyChange{
		Settle:  &store.Outcome{Key: a.Key, Status: status, Detail: detail},
		Order:   &order.Update{Order: o, Status: order.Cancelled, ReleaseAll: true},
		Discard: true,
	}, after: func(ctx context.Context, _ order.Order) {
		s.publishStock(ctx, o.PizzeriaID, s.ingredientsOf(ctx, o))
	}}
}

// abandon settles a first charge that took no money, after the customer
// may have seen the order awaiting payment: it is cancelled, not removed.
func (s *Shop) abandon(o order.Order, a payment.Attempt, detail string) settlement {
	return settlement{change: store.MoneyChange{
		Settle: &store.Outcome{Key: a.Key, Status: payment.AttemptAbandoned, Detail: detail},
		Order:  &order.Update{Order: o, Status: order.Cancelled, ReleaseAll: true, Notify: notification(o, order.Cancelled)},
	}, after: func(ctx context.Context, updated order.Order) {
		s.published(ctx, event.OrderUpdated, updated, nil)
		s.publishStock(ctx, o.PizzeriaID, s.ingredientsOf(ctx, o))
	}}
}

// settleTaken settles a first charge that took the money: the order goes
// to the kitchen, paid — or, confirmed too late, is cancelled and the money
// given back.
func (s *Shop) settleTaken(o order.Order, a payment.Attempt, paymentID, status string) settlement {
	charge := payment.Movement{OrderID: o.ID, Kind: "charge", ProviderRef: paymentID, ChargeRef: paymentID, AmountCents: a.AmountCents, Status: status}
	if s.Store.Now().Sub(a.CreatedAt) > lateConfirm {
		return settlement{change: store.MoneyChange{
			Settle: &store.Outcome{Key: a.Key, Status: payment.AttemptReturned, ProviderRef: paymentID, Detail: "payment confirmed too late for the order"},
			Order: &order.Update{Order: o, Status: order.Cancelled, ReleaseAll: true, Payment: order.Paid, Ref: paymentID,
				Notify: notification(o, order.Cancelled), Open: []payment.Attempt{refundAttempt(paymentID, a.AmountCents, 0, "paid too late")}},
			Ledger: []payment.Movement{charge},
		}, after: func(ctx context.Context, updated order.Order) {
			s.published(ctx, event.OrderUpdated, updated, nil)
			s.publishStock(ctx, o.PizzeriaID, s.ingredientsOf(ctx, o))
			s.sendRefunds(ctx, updated)
		}}
	}
	return settlement{change: store.MoneyChange{
		Settle: &store.Outcome{Key: a.Key, Status: payment.AttemptPaid, ProviderRef: paymentID},
		Order:  &order.Update{Order: o, Status: order.Pending, Payment: order.Paid, Ref: paymentID, Notify: notification(o, order.Pending)},
		Ledger: []payment.Movement{charge},
	}, after: func(ctx context.Context, updated order.Order) {
		s.publish(ctx, event.OrderCreated, wire.OrderOf(updated), updated.PizzeriaID, updated.ID)
	}}
}

// returnCharge settles a further charge that took the money for a change
// that was not made: the charge is recorded and a refund owed for it.
func (s *Shop) returnCharge(o order.Order, a payment.Attempt, paymentID, status, why string) settlement {
	return settlement{change: store.MoneyChange{
		Settle: &store.Outcome{Key: a.Key, Status: payment.AttemptReturned, ProviderRef: paymentID, Detail: why},
		Ledger: []payment.Movement{{OrderID: o.ID, Kind: "charge", ProviderRef: paymentID, ChargeRef: paymentID, AmountCents: a.AmountCents, Status: status}},
		Open:   []payment.Attempt{{OrderID: o.ID, OrderNumber: o.Number, Kind: payment.AttemptRefund, ChargeRef: paymentID, AmountCents: a.AmountCents, Detail: why, Key: idempotencyKey("refund-" + paymentID + "-0")}},
	}, after: func(ctx context.Context, _ order.Order) {
		if now, err := s.Store.Order(ctx, o.ID); err == nil {
			s.sendRefunds(ctx, now)
		}
	}}
}

func refundAttempt(chargeRef string, amount int64, n int, reason string) payment.Attempt {
	return payment.Attempt{Kind: payment.AttemptRefund, Key: idempotencyKey(fmt.Sprintf("refund-%s-%d", chargeRef, n)),
		ChargeRef: chargeRef, AmountCents: amount, Detail: reason}
}

// refundPlan owes amount of an order's online payments back, from the
// newest charge to the oldest: the refund attempts to open with the change
// that owes it.
func (s *Shop) refundPlan(ctx context.Context, o order.Order, amount int64, reason string) ([]payment.Attempt, error) {
	moves, err := s.Store.MoneyOf(ctx, o.ID)
	if err != nil {
		return nil, err
	}
	attempts, err := s.Store.AttemptsOf(ctx, o.ID)
	if err != nil {
		return nil, err
	}
	if len(moves) == 0 && o.PaymentRef != "" {
		// Paid before the ledger was kept.
		moves = []payment.Movement{{Kind: "charge", ProviderRef: o.PaymentRef, ChargeRef: o.PaymentRef, AmountCents: o.TotalCents}}
	}
	owed := map[string]int64{} // by charge: refunded or being refunded
	count := map[string]int{}  // refunds asked of each charge, for their keys
	for _, m := range moves {
		if m.Kind == "refund" {
			owed[m.ChargeRef] += m.AmountCents
			count[m.ChargeRef]++
		}
	}
	for _, a := range attempts {
		if a.Kind == payment.AttemptRefund && (a.Status == payment.AttemptOpen || a.Status == payment.AttemptFailed) {
			if a.Status == payment.AttemptOpen {
				owed[a.ChargeRef] += a.AmountCents
			}
			count[a.ChargeRef]++
		}
	}
	var out []payment.Attempt
	for i := len(moves) - 1; i >= 0 && amount > 0; i-- {
		m := moves[i]
		if m.Kind != "charge" {
			continue
		}
		part := min(amount, m.AmountCents-owed[m.ProviderRef])
		if part <= 0 {
			continue
		}
		out = append(out, refundAttempt(m.ProviderRef, part, count[m.ProviderRef], reason))
		count[m.ProviderRef]++
		amount -= part
	}
	if amount > 0 {
		return nil, fmt.Errorf("refund of order %s: %d cents could not be matched to a charge", o.Number, amount)
	}
	return out, nil
}

// sendRefunds asks the provider for the refunds an order owes and returns
// the order as it then stands (refunded, when they all completed at once).
// A refund whose answer does not come stays open for the reconciler.
func (s *Shop) sendRefunds(ctx context.Context, o order.Order) order.Order {
	if s.Payments == nil {
		return o
	}
	attempts, err := s.Store.AttemptsOf(ctx, o.ID)
	if err != nil {
		s.Log.Error("read the refunds an order owes: left for the reconciler", "order", o.Number, "err", err)
		return o
	}
	for _, a := range attempts {
		if a.Kind == payment.AttemptRefund && a.Status == payment.AttemptOpen {
			if err := s.sendRefund(ctx, a); err != nil {
				s.Log.Warn("refund not sent: left for the reconciler", "order", o.Number, "key", a.Key, "err", err)
			}
		}
	}
	if now, err := s.Store.Order(ctx, o.ID); err == nil {
		return now
	}
	return o
}

// sendRefund asks the provider for one refund, with the attempt's key (so
// asking again never refunds twice), and records its answer with the
// ledger row — and the order refunded, if that was the last of its refunds
// and it completed.
func (s *Shop) sendRefund(ctx context.Context, a payment.Attempt) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), chargeTimeout)
	defer cancel()
	r, err := s.Payments.Refund(ctx, payment.Refund{IdempotencyKey: a.Key, PaymentID: a.ChargeRef, AmountCents: a.AmountCents, Currency: "EUR", Reason: a.Detail})
	if errors.Is(err, payment.ErrRefused) {
		s.apply(ctx, settlement{change: store.MoneyChange{Settle: &store.Outcome{Key: a.Key, Status: payment.AttemptFailed, Detail: err.Error()}}})
		if s.Alert != nil {
			s.Alert(ctx, "refund", "a refund was refused by the payment provider",
				fmt.Sprintf("The refund of %d cents of payment %s for order %s was refused: %v. Refund it from the provider's dashboard.", a.AmountCents, a.ChargeRef, a.OrderNumber, err))
		}
		return err
	}
	if err != nil {
		return err
	}
	s.Log.Info("refund requested", "order", a.OrderNumber, "refund", r.ID, "cents", a.AmountCents, "status", r.Status)
	for try := 0; try < 3; try++ {
		m := store.MoneyChange{
			Settle: &store.Outcome{Key: a.Key, Status: payment.AttemptSent, ProviderRef: r.ID},
			Ledger: []payment.Movement{{OrderID: a.OrderID, Kind: "refund", ProviderRef: r.ID, ChargeRef: a.ChargeRef, AmountCents: a.AmountCents, Status: r.Status}},
		}
		o, err := s.Store.Order(ctx, a.OrderID)
		if err != nil {
			return err
		}
		done, err := s.refundedInFull(ctx, o, m.Ledger, nil, a.Key)
		if err != nil {
			return err
		}
		if done {
			m.Order = &order.Update{Order: o, Payment: order.Refunded, Ref: o.PaymentRef, Notify: refundNotice(o)}
		}
		updated, applied, err := s.Store.ApplyMoney(ctx, m)
		if errs.Is(err, errs.Conflict) {
			continue
		}
		if err != nil {
			return err
		}
		if applied && done {
			s.published(ctx, event.OrderUpdated, updated, nil)
		}
		return nil
	}
	return errs.E(errs.Conflict, "order %s kept changing", a.OrderNumber)
}

// refundedInFull reports whether a cancelled, paid order has all its
// charges given back by completed refunds: its ledger with the rows being
// written (extra) and the statuses being changed, and no refund still open
// but the one being settled.
func (s *Shop) refundedInFull(ctx context.Context, o order.Order, extra []payment.Movement, statuses map[string]string, settling string) (bool, error) {
	if o.Status != order.Cancelled || o.PaymentStatus != order.Paid {
		return false, nil
	}
	attempts, err := s.Store.AttemptsOf(ctx, o.ID)
	if err != nil {
		return false, err
	}
	for _, a := range attempts {
		if a.Status == payment.AttemptOpen && a.Key != settling {
			return false, nil
		}
	}
	moves, err := s.Store.MoneyOf(ctx, o.ID)
	if err != nil {
		return false, err
	}
	moves = append(moves, extra...)
	var charged, refunded int64
	for _, m := range moves {
		if st, ok := statuses[m.ProviderRef]; ok {
			m.Status = st
		}
		switch {
		case m.Kind == "charge":
			charged += m.AmountCents
		case !payment.Completed(m.Status):
			return false, nil
		default:
			refunded += m.AmountCents
		}
	}
	if charged == 0 {
		charged = o.TotalCents // paid before the ledger was kept
	}
	return refunded > 0 && refunded >= charged, nil
}

func refundNotice(o order.Order) *order.Notification {
	if o.Contact.Email == "" {
		return nil
	}
	return &order.Notification{Kind: "refunded", Recipient: o.Contact.Email}
}

func ingredientIDs(needs []stock.Need) []int64 {
	ids := make([]int64, len(needs))
	for i, n := range needs {
		ids[i] = n.IngredientID
	}
	return ids
}

// ingredientsOf names the ingredients an order's lines use, to tell the
// screens which stock levels moved.
func (s *Shop) ingredientsOf(ctx context.Context, o order.Order) []int64 {
	snap, err := s.snapshot(ctx)
	if err != nil {
		return nil
	}
	return ingredientIDs(stock.Needs(linesOf(o.Lines), snap.recipes))
}

// modifyPaying makes a change that costs delta more on an order paid
// online: the further charge is recorded as an attempt, asked with the
// order number as its reference, and written with the change. If the
// change cannot be made after all, the charge is recorded and refunded.
func (s *Shop) modifyPaying(ctx context.Context, o order.Order, ch order.Update, delta int64, source string) (order.Order, error) {
	if s.Payments == nil {
		return o, errs.E(errs.PaymentUnavailable, "online payment is not available")
	}
	if source == "" {
		return o, errs.E(errs.Invalid, "the new total is %s more: give a payment_source from the card form", catalog.FormatEuros(delta))
	}
	if err := s.Store.CheckHoldLimit(ctx, o, ch.ByUserID, ch.Lines); err != nil {
		return o, err
	}
	// One key per order version and card token: a declined card then
	// another is a new attempt, the same request again is not.
	a, err := s.Store.OpenAttempt(ctx, payment.Attempt{OrderID: o.ID, OrderNumber: o.Number, Kind: payment.AttemptCharge,
		Key: idempotencyKey(fmt.Sprintf("mod-%d-v%d-%s", o.ID, o.Version, source)), AmountCents: delta})
	if err != nil {
		return o, err
	}
	if a.Status == payment.AttemptPaid || a.Status == payment.AttemptReturned {
		return o, errs.E(errs.Conflict, "order %s was already changed with this card: reload it", o.Number)
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), chargeTimeout)
	defer cancel()
	receipt, err := s.Payments.Charge(ctx, payment.Charge{IdempotencyKey: a.Key, SourceToken: source, AmountCents: delta, Currency: "EUR", Reference: o.Number})
	var declined *payment.Declined
	switch {
	case errors.As(err, &declined):
		s.apply(ctx, settlement{change: store.MoneyChange{Settle: &store.Outcome{Key: a.Key, Status: payment.AttemptDeclined, Detail: declined.Code}}})
		return o, payment.DeclinedError(declined)
	case errors.Is(err, payment.ErrRefused):
		s.apply(ctx, settlement{change: store.MoneyChange{Settle: &store.Outcome{Key: a.Key, Status: payment.AttemptAbandoned, Detail: err.Error()}}})
		return o, fmt.Errorf("charge: %w", err)
	case err != nil:
		s.Log.Warn("payment outcome unknown: the change was not made", "order", o.Number, "err", err)
		return o, errs.E(errs.Unavailable, "the payment could not be confirmed: the order was not changed, and any amount taken will be refunded")
	}
	charge := payment.Movement{OrderID: o.ID, Kind: "charge", ProviderRef: receipt.ID, ChargeRef: receipt.ID, AmountCents: delta, Status: receipt.Status}
	updated, applied, err := s.Store.ApplyMoney(ctx, store.MoneyChange{
		Settle: &store.Outcome{Key: a.Key, Status: payment.AttemptPaid, ProviderRef: receipt.ID},
		Order:  &ch, Ledger: []payment.Movement{charge}})
	switch {
	case err != nil:
		// Refused (changed meanwhile, sold out) or not written: the
		// money goes back. If even that is not written, the attempt stays
		// open and the reconciler finds the payment and refunds it.
		s.apply(ctx, s.returnCharge(o, a, receipt.ID, receipt.Status, "order change failed"))
		return o, err
	case !applied:
		return s.Store.Order(ctx, o.ID)
	}
	s.published(ctx, event.OrderUpdated, updated, ch.Stock)
	return updated, nil
}
