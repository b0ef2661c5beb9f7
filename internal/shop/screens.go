package shop

import (
	"context"
	"sort"
	"time"

	"github.com/oc-pizza/ocpizza/internal/account"
	"github.com/oc-pizza/ocpizza/internal/catalog"
	"github.com/oc-pizza/ocpizza/internal/errs"
	"github.com/oc-pizza/ocpizza/internal/event"
	"github.com/oc-pizza/ocpizza/internal/order"
	"github.com/oc-pizza/ocpizza/internal/pizzeria"
)

// Kitchen is what the kitchen display shows: the queue, oldest first,
// the tickets made ready last (to take one back), and the pizzas to make.
type Kitchen struct {
	Queue  []order.Order
	Recent []order.Order // made ready, newest first, at most 10
	ToMake []order.Count
}

// recallSize is how many tickets made ready the kitchen may take back.
const recallSize = 10

// KitchenView reads a pizzeria's kitchen for its staff.
func (s *Shop) KitchenView(ctx context.Context, actor account.Actor, pizzeriaID int64) (Kitchen, error) {
	orders, err := s.PizzeriaOrders(ctx, actor, pizzeriaID, []order.Status{order.Pending, order.Preparing, order.Ready})
	if err != nil {
		return Kitchen{}, err
	}
	snap, err := s.snapshot(ctx)
	if err != nil {
		return Kitchen{}, err
	}
	var k Kitchen
	for _, o := range orders {
		if o.Status == order.Ready {
			k.Recent = append(k.Recent, o)
		} else {
			k.Queue = append(k.Queue, o)
		}
	}
	readyAt := func(o order.Order) time.Time { t, _ := o.EnteredAt(order.Ready); return t }
	sort.SliceStable(k.Recent, func(i, j int) bool { return readyAt(k.Recent[i]).After(readyAt(k.Recent[j])) })
	if len(k.Recent) > recallSize {
		k.Recent = k.Recent[:recallSize]
	}
	k.ToMake = order.ToMake(k.Queue, func(id int64) bool { return snap.byID[id].Category == catalog.Pizza })
	return k, nil
}

// Recipes returns the recipe memo of every active product, for the
// kitchen's staff.
func (s *Shop) Recipes(ctx context.Context, actor account.Actor, pizzeriaID int64) ([]catalog.Product, error) {
	if !actor.IsStaffOf(pizzeriaID) {
		return nil, errs.E(errs.Forbidden, "recipes are for the staff")
	}
	snap, err := s.snapshot(ctx)
	if err != nil {
		return nil, err
	}
	var out []catalog.Product
	for _, p := range snap.products {
		if p.Active {
			out = append(out, p)
		}
	}
	return out, nil
}

// Deliveries is what a driver's screen shows: the deliveries ready to
// leave, and the ones this driver took out, in the order taken. For a
// manager, Others are those out with another driver: one whose phone died,
// or who left the team, cannot mark them delivered; the manager can.
type Deliveries struct {
	Ready  []order.Order
	Mine   []order.Order
	Others []order.Order
}

// DriverView reads a pizzeria's deliveries for one of its drivers.
func (s *Shop) DriverView(ctx context.Context, actor account.Actor, pizzeriaID int64) (Deliveries, error) {
	orders, err := s.PizzeriaOrders(ctx, actor, pizzeriaID, []order.Status{order.Ready, order.OutForDelivery})
	if err != nil {
		return Deliveries{}, err
	}
	var d Deliveries
	for _, o := range orders {
		switch {
		case o.Fulfilment != order.Delivery:
		case o.Status == order.Ready:
			d.Ready = append(d.Ready, o)
		case order.TakenBy(o) == actor.UserID:
			d.Mine = append(d.Mine, o)
		case actor.Has(account.Manager, pizzeriaID):
			d.Others = append(d.Others, o)
		}
	}
	return d, nil
}

// TakeDeliveries sends a driver out with several deliveries at once
// (ready → out for delivery), one after the other: on a refusal, those
// before it have left.
func (s *Shop) TakeDeliveries(ctx context.Context, actor account.Actor, ids []int64) ([]order.Order, error) {
	ids, err := order.Run(ids)
	if err != nil {
		return nil, err
	}
	out := make([]order.Order, 0, len(ids))
	for _, id := range ids {
		o, err := s.SetStatus(ctx, actor, id, order.OutForDelivery)
		if err != nil {
			return out, err
		}
		out = append(out, o)
	}
	return out, nil
}

// Complete hands an order over — delivered by the driver, or picked up at
// the counter — and, when it is to be paid then, records how it was paid
// in the same change.
func (s *Shop) Complete(ctx context.Context, actor account.Actor, id int64, to order.Status, method string) (order.Order, error) {
	updated, _, err := s.update(ctx, actor, id, func(o order.Order) (order.Update, error) {
		collect, err := order.CheckCompletion(actor, o, to, method)
		if err != nil {
			return order.Update{}, err
		}
		ch := order.Update{Status: to, Notify: notification(o, to)}
		if collect {
			ch.Payment, ch.Ref = order.Paid, method
		}
		return ch, nil
	})
	if err != nil {
		return updated, err
	}
	s.published(ctx, event.OrderUpdated, updated, nil)
	return updated, nil
}

// TodaysOrders lists a pizzeria's orders placed since midnight in Paris,
// for its counter, newest first.
func (s *Shop) TodaysOrders(ctx context.Context, actor account.Actor, pizzeriaID int64) ([]order.Order, error) {
	if !actor.IsStaffOf(pizzeriaID) {
		return nil, errs.E(errs.Forbidden, "only the staff of pizzeria %d see its orders", pizzeriaID)
	}
	now := s.Store.Now().In(pizzeria.Paris)
	midnight := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, pizzeria.Paris)
	return s.Store.Orders(ctx, order.Filter{PizzeriaID: pizzeriaID, Since: midnight, NewestFirst: true, Limit: 500})
}

// Caller is what the counter knows of a phone number: the last orders
// placed with it in the pizzeria, and the addresses they went to.
type Caller struct {
	Phone     string
	Name      string
	Orders    []order.Order // newest first
	Addresses []pizzeria.Address
}

// callerOrders is how many of a caller's orders the counter sees.
const callerOrders = 5

// FindCaller looks a phone number up for the counter staff of a pizzeria:
// a regular's name, last orders and addresses come up; an unknown number
// gives a Caller with no order.
func (s *Shop) FindCaller(ctx context.Context, actor account.Actor, pizzeriaID int64, phone string) (Caller, error) {
	if !actor.HasAny(pizzeriaID, account.Counter, account.Manager) {
		return Caller{}, errs.E(errs.Forbidden, "only the counter staff of pizzeria %d look callers up", pizzeriaID)
	}
	key, err := account.NormalizePhone(phone)
	if err != nil {
		return Caller{}, err
	}
	c := Caller{Phone: key}
	if key == "" {
		return c, nil
	}
	c.Orders, err = s.Store.Orders(ctx, order.Filter{PizzeriaID: pizzeriaID, Phone: key, NewestFirst: true, Limit: callerOrders})
	if err != nil {
		return c, err
	}
	seen := map[pizzeria.Address]bool{}
	for _, o := range c.Orders {
		if c.Name == "" {
			c.Name = o.Contact.Name
		}
		if a := o.DeliveryAddress; a != nil && !seen[*a] {
			seen[*a] = true
			c.Addresses = append(c.Addresses, *a)
		}
	}
	return c, nil
}
