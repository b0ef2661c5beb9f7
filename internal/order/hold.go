package order

import (
	"time"

	"github.com/oc-pizza/ocpizza/internal/errs"
	"github.com/oc-pizza/ocpizza/internal/pizzeria"
)

// HoldLimit caps what one customer's own website orders hold in one
// pizzeria before the kitchen starts on them (awaiting payment or
// pending). Such an order has its stock reserved and may still be
// cancelled by the customer, so without a cap one account could take a
// shop's whole stock of a pizza and let it go at the last minute.
// Orders entered or enlarged by the staff are the shop's own decision
// and are not capped. A zero field is no limit.
type HoldLimit struct {
	Orders int64 // orders waiting for the kitchen
	Items  int64 // units over all their lines
}

// DefaultHoldLimit is generous for a family ordering a second time before
// the first order is in the oven, and for a party's 50 pizzas; a bigger
// order is a phone call to the pizzeria, as at the best chains.
var DefaultHoldLimit = HoldLimit{Orders: 3, Items: 50}

// Held is what a customer's orders waiting for the kitchen hold in one
// pizzeria.
type Held struct {
	Orders int64
	Items  int64
}

// Waiting are the statuses of an order waiting for the kitchen, its
// stock reserved: what a HoldLimit counts.
var Waiting = []Status{AwaitingPayment, Pending}

// Capped reports whether an order placed or changed by the user byUserID
// counts against its customer's HoldLimit: a website order, by the
// customer themself.
func Capped(o Order, byUserID int64) bool {
	return o.Channel == Web && o.CustomerID != 0 && byUserID == o.CustomerID
}

// Items counts the units of lines.
func Items(lines []Line) int64 {
	var n int64
	for _, l := range lines {
		n += l.Quantity
	}
	return n
}

// CheckNew says whether a customer whose other orders waiting in the
// pizzeria hold others may place one more, with lines.
func (l HoldLimit) CheckNew(others Held, lines []Line) error {
	if l.Orders > 0 && others.Orders+1 > l.Orders {
		return errs.E(errs.HoldLimit, "you already have %d orders waiting for the kitchen in this pizzeria: order again once it has started on one, or call the pizzeria", others.Orders).
			With("limit", l.Orders).With("counts", "orders")
	}
	return l.checkItems(others.Items+Items(lines), 0)
}

// CheckChange says whether a customer may change a waiting order's lines
// from before to after, their other waiting orders in the pizzeria
// holding others. A change that holds no more than before is always
// allowed, even over a limit lowered meanwhile.
func (l HoldLimit) CheckChange(others Held, before, after []Line) error {
	return l.checkItems(others.Items+Items(after), others.Items+Items(before))
}

func (l HoldLimit) checkItems(n, was int64) error {
	if l.Items > 0 && n > l.Items && n > was {
		return errs.E(errs.HoldLimit, "your orders waiting for the kitchen in this pizzeria would hold %d items, and the website takes %d at most: call the pizzeria for a larger order", n, l.Items).
			With("limit", l.Items).With("counts", "items")
	}
	return nil
}

// AbandonAfter is how long after its pizzeria closes an order the kitchen
// never started is kept: time for the last tickets of the evening to be
// marked, not enough to hold stock until the next service.
const AbandonAfter = 30 * time.Minute

// AbandonedBefore returns the time before which a pending order of the
// pizzeria was placed for a service that ended over AbandonAfter ago: the
// kitchen never started it, and it is cancelled (its stock given back, a
// payment refunded). An order taken while the shop is closed, for the
// next service, is kept until that one ends. False when the shop has not
// closed in the past week (a shop open around the clock).
func AbandonedBefore(shop pizzeria.Pizzeria, now time.Time) (time.Time, bool) {
	return shop.LastClosing(now.Add(-AbandonAfter))
}
