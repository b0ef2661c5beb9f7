package order

import (
	"sort"

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
	// Taken back by the kitchen, a ticket marked ready by mistake.
	{Ready, Preparing, "", []account.Role{account.Pizzaiolo}},
}

// Path lists the statuses an order goes through when all goes well, in
// order: the steps a customer follows on the tracking page.
func Path(f Fulfilment) []Status {
	if f == Pickup {
		return []Status{Pending, Preparing, Ready, PickedUp}
	}
	return []Status{Pending, Preparing, Ready, OutForDelivery, Delivered}
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

// CheckCompletion says whether actor may hand o over — delivered, or
// picked up — and whether the payment due is taken in the same step: an
// order paid on delivery and still unpaid needs the method ("cash" or
// "card") the customer paid with.
func CheckCompletion(actor account.Actor, o Order, to Status, method string) (collect bool, err error) {
	if to != Delivered && to != PickedUp {
		return false, errs.E(errs.Invalid, "an order is completed as delivered or picked up, not %s", to)
	}
	if err := CheckTransition(actor, o, to); err != nil {
		return false, err
	}
	if o.PaymentMethod != OnDelivery || o.PaymentStatus != Unpaid {
		return false, nil
	}
	if method == "" {
		return false, errs.E(errs.Invalid, "order %s is to be paid: say how the customer paid (cash or card)", o.Number).With("field", "method")
	}
	return true, CheckPayment(actor, o, method)
}

// TakenBy is who took a delivery out: the driver who moved it out for
// delivery last (0 when it never left).
func TakenBy(o Order) int64 {
	for i := len(o.History) - 1; i >= 0; i-- {
		if o.History[i].Status == OutForDelivery {
			return o.History[i].ByUserID
		}
	}
	return 0
}

// Count is how many of a product are to make.
type Count struct {
	ProductID int64
	Name      string
	Quantity  int64
}

// ToMake adds up the pizzas still to make in orders — those pending or
// being prepared — most numerous first, then by name.
func ToMake(orders []Order, isPizza func(productID int64) bool) []Count {
	index := map[int64]int{}
	var out []Count
	for _, o := range orders {
		if o.Status != Pending && o.Status != Preparing {
			continue
		}
		for _, l := range o.Lines {
			if !isPizza(l.ProductID) {
				continue
			}
			i, ok := index[l.ProductID]
			if !ok {
				i = len(out)
				index[l.ProductID] = i
				out = append(out, Count{ProductID: l.ProductID, Name: l.Name})
			}
			out[i].Quantity += l.Quantity
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Quantity != out[j].Quantity {
			return out[i].Quantity > out[j].Quantity
		}
		return out[i].Name < out[j].Name
	})
	return out
}
