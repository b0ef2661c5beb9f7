package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/oc-pizza/ocpizza/internal/account"
	"github.com/oc-pizza/ocpizza/internal/catalog"
	"github.com/oc-pizza/ocpizza/internal/order"
	"github.com/oc-pizza/ocpizza/internal/pizzeria"
	"github.com/oc-pizza/ocpizza/internal/shop"
	"github.com/oc-pizza/ocpizza/internal/stock"
)

// day is the shape of a shop's day: the status each order has reached,
// oldest first, and whether it is delivered.
var day = []struct {
	status   order.Status
	delivery bool
}{
	{order.Delivered, true}, {order.PickedUp, false}, {order.Delivered, true}, {order.Cancelled, true},
	{order.Delivered, true}, {order.PickedUp, false}, {order.Delivered, true}, {order.OutForDelivery, true},
	{order.Ready, false}, {order.Preparing, true}, {order.Pending, true}, {order.Pending, false},
}

// path is the sequence of statuses leading to a target, with the minutes
// after the order at which each is reached.
func path(target order.Status, delivery bool) []struct {
	status order.Status
	after  int
} {
	type step = struct {
		status order.Status
		after  int
	}
	switch target {
	case order.Cancelled:
		return []step{{order.Cancelled, 3}}
	case order.Pending:
		return nil
	}
	steps := []step{{order.Preparing, 4}, {order.Ready, 16}}
	if delivery {
		steps = append(steps, step{order.OutForDelivery, 19}, step{order.Delivered, 36})
	} else {
		steps = append(steps, step{order.PickedUp, 27})
	}
	for i, s := range steps {
		if s.status == target {
			return steps[:i+1]
		}
	}
	return steps
}

func (l *loader) loadOrders(ctx context.Context) error {
	st := l.sh.Store
	realNow := st.Clock()
	defer st.SetClock(realNow)
	end := realNow()
	var pizzas, extras []catalog.Product
	for _, p := range l.products {
		if p.Category == catalog.Pizza {
			pizzas = append(pizzas, p)
		} else {
			extras = append(extras, p)
		}
	}
	for si, p := range l.shops {
		staff := l.staff[p.Code]
		customer := l.customers[si]
		// Spread the day over the ten opening hours before now, the newest
		// orders last so they are still in progress. A closed shop takes no
		// order, so each is placed at a time the shop was open.
		for i, d := range day {
			back := time.Duration(len(day)-i)*50*time.Minute - time.Duration(l.rng.IntN(20))*time.Minute
			if d.status == order.Pending || d.status == order.Preparing || d.status == order.Ready || d.status == order.OutForDelivery {
				back = time.Duration(len(day)-i) * 6 * time.Minute
			}
			at := openedBefore(p, end, back)
			// Loaded while the shop is closed, the orders the kitchen has
			// not started are taken by phone for the next service: those
			// of the last one would be cancelled as abandoned
			// (order.AbandonedBefore) when the server starts.
			ahead := d.status == order.Pending && !p.OpenAt(end)
			if ahead {
				at = end.Add(-time.Duration(len(day)-i) * time.Minute)
			}
			st.SetClock(func() time.Time { return at })
			items := []order.Item{{ProductID: pizzas[l.rng.IntN(len(pizzas))].ID, Quantity: int64(1 + l.rng.IntN(2))}}
			if l.rng.IntN(2) == 0 {
				items = append(items, order.Item{ProductID: pizzas[l.rng.IntN(len(pizzas))].ID, Quantity: 1})
			}
			if l.rng.IntN(3) > 0 {
				items = append(items, order.Item{ProductID: extras[l.rng.IntN(len(extras))].ID, Quantity: int64(1 + l.rng.IntN(3))})
			}
			draft := order.Draft{PizzeriaID: p.ID, Items: items, PaymentMethod: order.OnDelivery, Fulfilment: order.Pickup}
			actor := account.ActorOf(customer)
			if d.delivery {
				c := customers[si]
				draft.Fulfilment = order.Delivery
				draft.DeliveryAddress = &pizzeria.Address{Street: c.street, Postcode: c.postcode, City: "Lyon"}
			}
			if ahead || (!d.delivery && i%2 == 1) {
				actor = staff[account.Counter]
				draft.Channel = order.Phone
				draft.Contact = order.Contact{Name: fmt.Sprintf("Client %s %d", p.Code, i+1), Phone: fmt.Sprintf("06 98 76 54 %02d", i)}
			}
			o, _, err := l.sh.PlaceOrder(ctx, actor, shop.PlaceRequest{Draft: draft})
			if err != nil {
				return fmt.Errorf("demo order in %s: %w", p.Name, err)
			}
			for _, step := range path(d.status, d.delivery) {
				t := at.Add(time.Duration(step.after) * time.Minute)
				st.SetClock(func() time.Time { return t })
				by := map[order.Status]account.Actor{
					order.Preparing: staff[account.Pizzaiolo], order.Ready: staff[account.Pizzaiolo],
					order.OutForDelivery: staff[account.Driver], order.Delivered: staff[account.Driver],
					order.PickedUp: staff[account.Counter], order.Cancelled: actor,
				}[step.status]
				if step.status == order.Delivered || step.status == order.PickedUp {
					method := "cash"
					if step.status == order.PickedUp {
						method = "card"
					}
					if _, err := l.sh.RecordPayment(ctx, by, o.ID, method); err != nil {
						return fmt.Errorf("demo payment of %s: %w", o.Number, err)
					}
				}
				if o, err = l.sh.SetStatus(ctx, by, o.ID, step.status); err != nil {
					return fmt.Errorf("demo order %s to %s: %w", o.Number, step.status, err)
				}
			}
			l.sum.Orders++
		}
	}
	// The evening inventory found some shops short: a count sets the
	// scarce levels, so a few pizzas are rare or unavailable there.
	st.SetClock(realNow)
	for _, p := range l.shops {
		for name, q := range scarce[p.Code] {
			m := stock.ManualMovement{IngredientID: l.ingredients[name], Reason: stock.Count, Quantity: q}
			if _, err := l.sh.RecordMovement(ctx, l.staff[p.Code][account.Manager], p.ID, m); err != nil {
				return fmt.Errorf("inventory of %s in %s: %w", name, p.Name, err)
			}
		}
	}
	return nil
}

// openedBefore goes back from t by d of the shop's opening time: the
// minutes it was closed are skipped. A shop without hours goes back d.
func openedBefore(p pizzeria.Pizzeria, t time.Time, d time.Duration) time.Time {
	at := t.Truncate(time.Minute)
	for limit := at.Add(-8 * 24 * time.Hour); at.After(limit); at = at.Add(-time.Minute) {
		if p.OpenAt(at) {
			if d <= 0 {
				return at
			}
			d -= time.Minute
		}
	}
	return t.Add(-d)
}
