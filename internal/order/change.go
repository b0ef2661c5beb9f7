package order

import (
	"time"

	"github.com/oc-pizza/ocpizza/internal/payment"
	"github.com/oc-pizza/ocpizza/internal/stock"
)

// Update is what a status, items or payment change does to an order,
// decided on a copy of it: it applies only if the order is still at
// Order.Version.
type Update struct {
	Order  Order        // the current order, as the decision was made on it
	Status Status       // new status, or "" to keep it
	Lines  []Line       // new lines, or nil to keep them
	Stock  []stock.Need // stock to take (positive) or give back (negative)
	// ReleaseAll gives back whatever stock the order still holds, as its
	// stock ledger says: a cancellation that does not depend on recipes
	// unchanged since the order was placed.
	ReleaseAll bool
	Payment    PaymentStatus
	Ref        string // payment reference, with Payment
	ByUserID   int64
	Notify     *Notification // a customer notification to send once committed
	// Open records payment attempts with the change (a refund it owes), so
	// that what the provider is asked next is known even if the process
	// dies before asking.
	Open []payment.Attempt
}

// Notification is a message to send to a customer about an order, queued
// in the outbox by the transaction that made the change.
type Notification struct {
	Kind      string // what happened: confirmed, preparing, ready, …
	Recipient string
	Lang      string
}

// Filter selects orders for a list.
type Filter struct {
	PizzeriaID  int64
	CustomerID  int64
	Statuses    []Status
	Since       time.Time // placed at or after, when set
	Before      time.Time // placed before, when set
	Phone       string    // the contact's phone, in its stored form
	Limit       int       // default 200
	NewestFirst bool
}
