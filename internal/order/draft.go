package order

import (
	"slices"
	"strings"
	"time"

	"github.com/oc-pizza/ocpizza/internal/account"
	"github.com/oc-pizza/ocpizza/internal/catalog"
	"github.com/oc-pizza/ocpizza/internal/errs"
	"github.com/oc-pizza/ocpizza/internal/pizzeria"
	"github.com/oc-pizza/ocpizza/internal/text"
)

// Limits on a single order: generous for a family, small enough that a
// typo (10,000 pizzas) is refused instead of emptying a shop.
const (
	MaxLineQuantity = 50
	MaxLines        = 30
)

// MaxRun is how many deliveries a driver takes out at once: more than a
// scooter carries, few enough that one form cannot ask for thousands.
const MaxRun = 12

// Run makes the orders ids one driver's run: each once, in the order
// given, at least one and at most MaxRun.
func Run(ids []int64) ([]int64, error) {
	run := make([]int64, 0, min(len(ids), MaxRun+1))
	for _, id := range ids {
		if slices.Contains(run, id) {
			continue // ticked twice is taken once
		}
		if len(run) == MaxRun {
			return nil, errs.E(errs.Invalid, "a driver takes at most %d deliveries at once", MaxRun)
		}
		run = append(run, id)
	}
	if len(run) == 0 {
		return nil, errs.E(errs.Invalid, "tick the deliveries you take")
	}
	return run, nil
}

// Item is a product and a quantity as a client asks for it.
type Item struct {
	ProductID int64
	Quantity  int64
}

// Draft is an order as requested, before it is checked and priced.
type Draft struct {
	PizzeriaID      int64
	Items           []Item
	Fulfilment      Fulfilment
	DeliveryAddress *pizzeria.Address
	PaymentMethod   PaymentMethod
	Channel         Channel // "" means web
	Contact         Contact // required for staff-entered orders
}

// Build checks a draft on behalf of actor against the shop at time now
// and the catalogue (products by id) and returns the priced order, status
// pending. customer is the ordering customer's account (zero for staff
// orders without one); it fills the contact when the draft gives none.
func Build(d Draft, actor account.Actor, shop pizzeria.Pizzeria, products map[int64]catalog.Product, customer account.User, now time.Time) (Order, error) {
	o := Order{
		PizzeriaID:    shop.ID,
		Fulfilment:    d.Fulfilment,
		PaymentMethod: d.PaymentMethod,
		PaymentStatus: Unpaid,
		Status:        Pending,
		Channel:       d.Channel,
		Contact:       trimContact(d.Contact),
	}
	if !shop.Active {
		return o, errs.E(errs.Invalid, "%s does not take orders yet", shop.Name)
	}
	// Customers order on the website while the shop is open; staff are in
	// the shop, and take a phone or counter order when they choose to.
	if (o.Channel == "" || o.Channel == Web) && !shop.OpenAt(now) {
		e := errs.E(errs.Closed, "%s is closed now", shop.Name)
		if next, ok := shop.NextOpening(now); ok {
			e = errs.E(errs.Closed, "%s is closed now: it opens at %s", shop.Name, next.In(pizzeria.Paris).Format("15:04")).With("opens_at", next.UTC())
		}
		return o, e
	}
	if o.Channel == "" {
		o.Channel = Web
	}
	switch o.Channel {
	case Web:
		if !actor.Has(account.Customer, 0) {
			return o, errs.E(errs.Forbidden, "only customers order on the website; staff enter phone or counter orders")
		}
		o.CustomerID = actor.UserID
		if o.Contact.Name == "" {
			o.Contact = Contact{Name: customer.Name, Phone: customer.Phone, Email: customer.Email}
		}
	case Phone, Walk:
		if !actor.HasAny(shop.ID, account.Counter, account.Manager) {
			return o, errs.E(errs.Forbidden, "only the counter staff of %s enter phone and counter orders", shop.Name)
		}
		// A name to call out; a phone to call back, for a phone order or
		// a delivery (the driver calls). Someone at the counter with a
		// take-away order need not give one.
		switch {
		case o.Contact.Name == "":
			return o, errs.E(errs.Invalid, "a phone or counter order needs the customer's name").With("field", "name")
		case o.Contact.Phone == "" && (d.Channel == Phone || d.Fulfilment == Delivery):
			return o, errs.E(errs.Invalid, "a phone order or a delivery needs the customer's phone").With("field", "phone")
		}
	default:
		return o, errs.E(errs.Invalid, "channel must be web, phone or counter")
	}
	if len(o.Contact.Name) > 100 || len(o.Contact.Phone) > 30 || len(o.Contact.Email) > 254 {
		return o, errs.E(errs.Invalid, "the customer's contact details are too long")
	}
	if err := text.Lines("customer's name", o.Contact.Name, "customer's phone", o.Contact.Phone, "customer's e-mail", o.Contact.Email); err != nil {
		return o, err
	}

	switch o.Fulfilment {
	case Delivery:
		if d.DeliveryAddress == nil {
			return o, errs.E(errs.Invalid, "a delivery needs an address")
		}
		addr, err := d.DeliveryAddress.Normalize()
		if err != nil {
			return o, err
		}
		if !shop.Delivers(addr.Postcode) {
			return o, errs.E(errs.Invalid, "%s does not deliver to %s", shop.Name, addr.Postcode).With("field", "delivery_address.postcode")
		}
		o.DeliveryAddress = &addr
	case Pickup:
		o.DeliveryAddress = nil
	default:
		return o, errs.E(errs.Invalid, "fulfilment must be delivery or pickup")
	}

	switch o.PaymentMethod {
	case Online:
		if o.Channel != Web {
			return o, errs.E(errs.Invalid, "online payment is for website orders")
		}
	case OnDelivery:
	default:
		return o, errs.E(errs.Invalid, "payment_method must be online or on_delivery")
	}

	lines, err := PriceItems(d.Items, products)
	if err != nil {
		return o, err
	}
	o.Lines = lines
	o.TotalCents = Total(lines)
	return o, nil
}

// PriceItems checks requested items and turns them into priced lines, one
// per product (a product asked twice is merged), in the order first asked.
func PriceItems(items []Item, products map[int64]catalog.Product) ([]Line, error) {
	if len(items) == 0 {
		return nil, errs.E(errs.Invalid, "an order needs at least one item")
	}
	if len(items) > MaxLines {
		return nil, errs.E(errs.Invalid, "an order has at most %d lines", MaxLines)
	}
	var lines []Line
	index := map[int64]int{}
	for _, it := range items {
		if it.Quantity < 1 || it.Quantity > MaxLineQuantity {
			return nil, errs.E(errs.Invalid, "quantities go from 1 to %d", MaxLineQuantity).With("product_id", it.ProductID)
		}
		p, ok := products[it.ProductID]
		if !ok || !p.Active {
			return nil, errs.E(errs.Invalid, "product %d is not on the menu", it.ProductID).With("product_id", it.ProductID)
		}
		if i, ok := index[p.ID]; ok {
			lines[i].Quantity += it.Quantity
			if lines[i].Quantity > MaxLineQuantity {
				return nil, errs.E(errs.Invalid, "quantities go from 1 to %d", MaxLineQuantity).With("product_id", p.ID)
			}
			continue
		}
		index[p.ID] = len(lines)
		lines = append(lines, Line{ProductID: p.ID, Name: p.Name, Quantity: it.Quantity, UnitPriceCents: p.PriceCents, VATBasis: p.VATBasis})
	}
	return lines, nil
}

func trimContact(c Contact) Contact {
	return Contact{Name: strings.TrimSpace(c.Name), Phone: account.PhoneKey(c.Phone), Email: strings.ToLower(strings.TrimSpace(c.Email))}
}
