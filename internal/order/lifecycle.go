package order

import (
	"github.com/oc-pizza/ocpizza/internal/account"
	"github.com/oc-pizza/ocpizza/internal/errs"
)

// step is one allowed move of the lifecycle and the roles that make it
// (besides manager and admin, who may make any move in their scope).
type step struct {
	from, to   Status
	fulfilment Fulfilment // "" for both
	roles      []account.Role
}

var steps = []step{
	{Pending, Preparing, "", []account.Role{account.Pizzaiolo}},
	{Preparing, Ready, "", []account.Role{account.Pizzaiolo}},
	{Ready, OutForDelivery, Delivery, []account.Role{account.Driver}},
	{OutForDelivery, Delivered, Delivery, []account.Role{account.Driver}},
	{Ready, PickedUp, Pickup, []account.Role{account.Counter}},
	{Pending, Cancelled, "", []account.Role{account.Counter}},
}

// Next lists the statuses that may follow s for the given fulfilment.
func Next(s Status, f Fulfilment) []Status {
	var out []Status
	for _, st := range steps {
		if st.from == s && (st.fulfilment == "" || st.fulfilment == f) {
			out = append(out, st.to)
		}
	}
	return out
}

// CanView reports whether actor may see order o: its customer, or the
// staff of its pizzeria.
func CanView(actor account.Actor, o Order) bool {
	if o.CustomerID != 0 && actor.UserID == o.CustomerID {
		return true
	}
	return actor.IsStaffOf(o.PizzeriaID)
}

// CheckTransition says whether actor may move o to status to. A customer
// may only cancel their own pending order.
func CheckTransition(actor account.Actor, o Order, to Status) error {
	if !CanView(actor, o) {
		return errs.E(errs.NotFound, "no such order")
	}
	if !to.Valid() {
		return errs.E(errs.Invalid, "unknown status %q", to)
	}
	var move *step
	for i, st := range steps {
		if st.from == o.Status && st.to == to && (st.fulfilment == "" || st.fulfilment == o.Fulfilment) {
			move = &steps[i]
			break
		}
	}
	if to == Cancelled && o.CustomerID != 0 && actor.UserID == o.CustomerID {
		if move == nil {
			return errs.E(errs.NotCancellable, "order %s is %s: it can no longer be cancelled", o.Number, o.Status)
		}
		return nil
	}
	if !actor.IsStaffOf(o.PizzeriaID) {
		return errs.E(errs.Forbidden, "only the staff of the pizzeria move an order on")
	}
	// Permission follows the target status, so staff are told "forbidden"
	// for what their role never does and "invalid" for a wrong moment.
	allowed := actor.Has(account.Manager, o.PizzeriaID)
	for _, st := range steps {
		if st.to == to && actor.HasAny(o.PizzeriaID, st.roles...) {
			allowed = true
		}
	}
	if !allowed {
		return errs.E(errs.Forbidden, "your role may not set an order %s", to)
	}
	if move == nil {
		if to == Cancelled {
			return errs.E(errs.NotCancellable, "order %s is %s: it can no longer be cancelled", o.Number, o.Status)
		}
		return errs.E(errs.InvalidTransition, "order %s cannot go from %s to %s", o.Number, o.Status, to)
	}
	return nil
}

// CheckModify says whether actor may change the items of o: its customer
// or the counter staff, only while it is pending.
func CheckModify(actor account.Actor, o Order) error {
	owner := o.CustomerID != 0 && actor.UserID == o.CustomerID
	switch {
	case !CanView(actor, o):
		return errs.E(errs.NotFound, "no such order")
	case !owner && !actor.HasAny(o.PizzeriaID, account.Counter, account.Manager):
		return errs.E(errs.Forbidden, "only the customer or the counter staff change an order")
	case o.Status != Pending:
		return errs.E(errs.NotModifiable, "order %s is %s: it can no longer be changed", o.Number, o.Status)
	case o.PaymentStatus == Refunded, o.PaymentStatus == Paid && o.PaymentMethod != Online:
		// Money taken in the shop cannot be topped up or given back from
		// here; online payments are adjusted through the provider.
		return errs.E(errs.NotModifiable, "order %s is already paid: cancel it and order again", o.Number)
	}
	return nil
}

// CheckPayment says whether actor may record that o was paid in the shop
// or to the driver.
func CheckPayment(actor account.Actor, o Order, method string) error {
	switch {
	case !CanView(actor, o):
		return errs.E(errs.NotFound, "no such order")
	case !actor.HasAny(o.PizzeriaID, account.Counter, account.Driver, account.Manager):
		return errs.E(errs.Forbidden, "only the counter staff, drivers and managers take payments")
	case method != "cash" && method != "card":
		return errs.E(errs.Invalid, "method must be cash or card")
	case o.Status == Cancelled:
		return errs.E(errs.Conflict, "order %s is cancelled", o.Number)
	case o.PaymentStatus != Unpaid:
		return errs.E(errs.Conflict, "order %s is already %s", o.Number, o.PaymentStatus)
	case o.PaymentMethod != OnDelivery:
		return errs.E(errs.Conflict, "order %s is paid online", o.Number)
	}
	return nil
}
