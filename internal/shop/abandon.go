package shop

import (
	"context"
	"errors"

	"github.com/oc-pizza/ocpizza/internal/account"
	"github.com/oc-pizza/ocpizza/internal/errs"
	"github.com/oc-pizza/ocpizza/internal/order"
)

// abandonBatch bounds the orders one pizzeria cancels in a run; the next
// run goes on, so that one order failing again and again delays nothing.
const abandonBatch = 200

// CancelAbandoned cancels the pending orders whose service ended over
// order.AbandonAfter ago without the kitchen starting them: they held
// stock the next service needs (order.AbandonedBefore). Each is cancelled
// as a customer's own cancellation is — stock given back, payment
// refunded — and the customer is told why. Run it every few minutes;
// instances may run it together (the store refuses the second
// cancellation of an order).
func (s *Shop) CancelAbandoned(ctx context.Context) (cancelled int, err error) {
	shops, err := s.Store.Pizzerias(ctx)
	if err != nil {
		return 0, err
	}
	now := s.Store.Now()
	var errList []error
	for _, p := range shops {
		before, ok := order.AbandonedBefore(p, now)
		if !ok {
			continue
		}
		waiting, err := s.Store.Orders(ctx, order.Filter{PizzeriaID: p.ID, Statuses: []order.Status{order.Pending}, Before: before, Limit: abandonBatch})
		if err != nil {
			errList = append(errList, err)
			continue
		}
		for _, o := range waiting {
			_, err := s.setStatus(ctx, account.System, o.ID, order.Cancelled, "closed_unmade")
			switch {
			case err == nil:
				cancelled++
				s.Log.Info("order cancelled: its pizzeria closed before the kitchen started it", "order", o.Number, "placed", o.CreatedAt, "closed", before)
			case errs.Is(err, errs.NotCancellable):
				// Started meanwhile, or cancelled by another instance.
			default:
				errList = append(errList, err)
			}
		}
	}
	return cancelled, errors.Join(errList...)
}
