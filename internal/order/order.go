// Package order holds the order lifecycle: what an order is, how it is
// priced from a draft, which status follows which, and who may do what.
// It knows nothing of HTTP or SQL.
package order

import (
	"fmt"
	"strings"
	"time"

	"github.com/oc-pizza/ocpizza/internal/pizzeria"
)

// Status is where an order is in its life.
type Status string

const (
	Pending        Status = "pending"
	Preparing      Status = "preparing"
	Ready          Status = "ready"
	OutForDelivery Status = "out_for_delivery"
	Delivered      Status = "delivered"
	PickedUp       Status = "picked_up"
	Cancelled      Status = "cancelled"
)

// Statuses lists every status in lifecycle order.
var Statuses = []Status{Pending, Preparing, Ready, OutForDelivery, Delivered, PickedUp, Cancelled}

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	for _, k := range Statuses {
		if s == k {
			return true
		}
	}
	return false
}

// Final reports whether nothing can follow s.
func (s Status) Final() bool { return s == Delivered || s == PickedUp || s == Cancelled }

// Channel is how an order reached the shop.
type Channel string

const (
	Web   Channel = "web"
	Phone Channel = "phone"
	Walk  Channel = "counter"
)

// Fulfilment is how the customer gets the order.
type Fulfilment string

const (
	Delivery Fulfilment = "delivery"
	Pickup   Fulfilment = "pickup"
)

// PaymentMethod is how the customer pays.
type PaymentMethod string

const (
	Online     PaymentMethod = "online"      // by card on the website, through the payment provider
	OnDelivery PaymentMethod = "on_delivery" // cash or card to the driver or at the counter
)

// PaymentStatus is kept apart from the order status: an order can be
// delivered and unpaid for a moment, or cancelled and refunded.
type PaymentStatus string

const (
	Unpaid   PaymentStatus = "unpaid"
	Paid     PaymentStatus = "paid"
	Refunded PaymentStatus = "refunded"
)

// Line is one product of an order, with its price and VAT rate copied at
// order time so later menu changes never alter a past order.
type Line struct {
	ProductID      int64
	Name           string
	Quantity       int64
	UnitPriceCents int64
	VATBasis       int
}

// Change is one entry of an order's status history.
type Change struct {
	Status   Status
	At       time.Time
	ByUserID int64 // 0 for the system
}

// Contact is who to call about an order.
type Contact struct {
	Name  string
	Phone string
	Email string
}

// Order is a customer's order in one pizzeria.
type Order struct {
	ID              int64
	Number          string // readable at the counter: shop code and a sequence, "REP-0042"
	PizzeriaID      int64
	CustomerID      int64 // 0 for a phone or counter order without an account
	Contact         Contact
	Channel         Channel
	Fulfilment      Fulfilment
	DeliveryAddress *pizzeria.Address
	Lines           []Line
	TotalCents      int64
	PaymentMethod   PaymentMethod
	PaymentStatus   PaymentStatus
	PaymentRef      string // the provider's payment id, or "cash"/"card" when taken in the shop
	Status          Status
	CreatedAt       time.Time
	UpdatedAt       time.Time
	History         []Change
	// Version grows with every change; a change made from a stale copy
	// is refused instead of overwriting what happened meanwhile.
	Version int64
}

// Total sums the lines.
func Total(lines []Line) int64 {
	var t int64
	for _, l := range lines {
		t += l.UnitPriceCents * l.Quantity
	}
	return t
}

// Number formats the counter number of an order: "REP-0042".
func Number(shopCode string, seq int64) string {
	return fmt.Sprintf("%s-%04d", strings.ToUpper(shopCode), seq)
}
