// Package order holds the order lifecycle: what an order is, how it is
// priced from a draft, which status follows which, and who may do what.
// It knows nothing of HTTP or SQL.
package order

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/oc-pizza/ocpizza/internal/pizzeria"
)

// Status is where an order is in its life.
type Status string

const (
	// AwaitingPayment is an order paid online whose payment is asked of
	// the provider: numbered, its stock reserved, but not for the kitchen
	// until the payment is confirmed (then Pending), nor to be kept if it
	// never is (then Cancelled, its stock given back).
	AwaitingPayment Status = "awaiting_payment"
	Pending         Status = "pending"
	Preparing       Status = "preparing"
	Ready           Status = "ready"
	OutForDelivery  Status = "out_for_delivery"
	Delivered       Status = "delivered"
	PickedUp        Status = "picked_up"
	Cancelled       Status = "cancelled"
)

// Statuses lists every status in lifecycle order.
var Statuses = []Status{AwaitingPayment, Pending, Preparing, Ready, OutForDelivery, Delivered, PickedUp, Cancelled}

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
	// Location is the geocoded delivery point, when a maps key is set.
	Location *Location
	// DistanceMeters and ETAMinutes are the drive from the pizzeria and the
	// time promised to the customer at order time.
	DistanceMeters int64
	ETAMinutes     int64
	// DriverLink opens the navigation to the delivery address.
	DriverLink    string
	Lines         []Line
	TotalCents    int64
	PaymentMethod PaymentMethod
	PaymentStatus PaymentStatus
	PaymentRef    string // the provider's payment id, or "cash"/"card" when taken in the shop
	Status        Status
	CreatedAt     time.Time
	UpdatedAt     time.Time
	History       []Change
	// Version grows with every change; a change made from a stale copy
	// is refused instead of overwriting what happened meanwhile.
	Version int64
}

// CancelCause says why an order was cancelled, as its history tells it.
type CancelCause string

const (
	NotCancelled        CancelCause = ""
	CancelledByCustomer CancelCause = "customer"
	CancelledByStaff    CancelCause = "staff"
	// CancelledUnpaid: its online payment did not go through, or came
	// too late (and is given back).
	CancelledUnpaid CancelCause = "payment"
	// CancelledAtClosing: left unmade when the pizzeria closed.
	CancelledAtClosing CancelCause = "closing"
)

// Cause tells who or what cancelled o: the status it left and who moved
// it (the system, user 0, for a payment or the closing).
func (o Order) Cause() CancelCause {
	n := len(o.History)
	if o.Status != Cancelled || n == 0 {
		return NotCancelled
	}
	last := o.History[n-1]
	var from Status
	if n > 1 {
		from = o.History[n-2].Status
	}
	switch {
	case from == AwaitingPayment:
		return CancelledUnpaid
	case last.ByUserID != 0 && last.ByUserID == o.CustomerID:
		return CancelledByCustomer
	case last.ByUserID != 0:
		return CancelledByStaff
	case from == Pending:
		return CancelledAtClosing
	}
	return CancelledByStaff
}

// Started reports whether the kitchen has taken o on and it is not
// finished yet: the customer can no longer change or cancel it.
func (o Order) Started() bool {
	return o.Status == Preparing || o.Status == Ready || o.Status == OutForDelivery
}

// Due reports whether money is still to be collected for o: paid on
// delivery or at the counter, not paid yet, and not cancelled (a
// cancelled order owes nothing, whatever its payment status says).
func (o Order) Due() bool {
	return o.PaymentMethod == OnDelivery && o.PaymentStatus == Unpaid && !o.NothingToPay()
}

// NothingToPay reports whether o was cancelled before anything was paid.
func (o Order) NothingToPay() bool { return o.Status == Cancelled && o.PaymentStatus == Unpaid }

// PromisedAt is when the order was promised: delivered, or ready to take
// away.
func (o Order) PromisedAt() time.Time {
	return o.CreatedAt.Add(time.Duration(o.ETAMinutes) * time.Minute)
}

// EnteredAt is when the order last entered status s, from its history.
func (o Order) EnteredAt(s Status) (time.Time, bool) {
	for i := len(o.History) - 1; i >= 0; i-- {
		if o.History[i].Status == s {
			return o.History[i].At, true
		}
	}
	return time.Time{}, false
}

// Location is a point on Earth, in degrees.
type Location struct {
	Lat float64
	Lng float64
}

// NavigationLink returns the driver's Google Maps link for a delivery: to
// the geocoded point when known, else to the address text. It needs no
// API key.
func NavigationLink(o Order) string {
	if o.Fulfilment != Delivery || o.DeliveryAddress == nil {
		return ""
	}
	dest := o.DeliveryAddress.String()
	if o.Location != nil {
		dest = strconv.FormatFloat(o.Location.Lat, 'f', 6, 64) + "," + strconv.FormatFloat(o.Location.Lng, 'f', 6, 64)
	}
	q := url.Values{"api": {"1"}, "destination": {dest}, "travelmode": {"driving"}}
	return "https://www.google.com/maps/dir/?" + q.Encode()
}

// TripLink returns a Google Maps link for a driver's round: driving from
// the pizzeria through the deliveries in the given order, the last one as
// the destination. "" without a delivery.
func TripLink(from pizzeria.Address, orders []Order) string {
	var stops []string
	for _, o := range orders {
		if o.Fulfilment != Delivery || o.DeliveryAddress == nil {
			continue
		}
		stop := o.DeliveryAddress.String()
		if o.Location != nil {
			stop = strconv.FormatFloat(o.Location.Lat, 'f', 6, 64) + "," + strconv.FormatFloat(o.Location.Lng, 'f', 6, 64)
		}
		stops = append(stops, stop)
	}
	if len(stops) == 0 {
		return ""
	}
	q := url.Values{"api": {"1"}, "origin": {from.String()}, "destination": {stops[len(stops)-1]}, "travelmode": {"driving"}}
	if len(stops) > 1 {
		q.Set("waypoints", strings.Join(stops[:len(stops)-1], "|"))
	}
	return "https://www.google.com/maps/dir/?" + q.Encode()
}

// Promised times without a maps key: preparation plus a typical drive
// across a Lyon district.
const (
	PrepMinutes         = 20
	DefaultDriveMinutes = 20
)

// AmountCents is what the line costs.
func (l Line) AmountCents() int64 { return l.UnitPriceCents * l.Quantity }

// Total sums the lines.
func Total(lines []Line) int64 {
	var t int64
	for _, l := range lines {
		t += l.AmountCents()
	}
	return t
}

// Number formats the counter number of an order: "REP-0042".
func Number(shopCode string, seq int64) string {
	return fmt.Sprintf("%s-%04d", strings.ToUpper(shopCode), seq)
}
