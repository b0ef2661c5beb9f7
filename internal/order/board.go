package order

import (
	"cmp"
	"time"
)

// Active are the statuses of an order still in progress.
var Active = []Status{Pending, Preparing, Ready, OutForDelivery}

// LateAt reports whether o, still in progress at now, is past the time it
// was promised. A take-away made ready in time and waiting for its
// customer is not: the pizzeria kept its promise, the customer is late.
func (o Order) LateAt(now time.Time) bool {
	if o.Status == Ready && o.Fulfilment == Pickup {
		if ready, ok := o.EnteredAt(Ready); ok {
			return ready.After(o.PromisedAt())
		}
	}
	return !o.Status.Final() && now.After(o.PromisedAt())
}

// Urgency orders orders in progress for a board: late ones first, then
// by the time promised, soonest first.
func Urgency(now time.Time) func(a, b Order) int {
	return func(a, b Order) int {
		la, lb := a.LateAt(now), b.LateAt(now)
		if la != lb {
			if la {
				return -1
			}
			return 1
		}
		return cmp.Or(a.PromisedAt().Compare(b.PromisedAt()), cmp.Compare(a.ID, b.ID))
	}
}
