// Package payment is the port through which orders are paid online. The
// shop speaks only to Provider; an adapter (Square) implements it. Card
// data never reaches our server: the browser turns the card into a
// single-use token (the source) with the provider's own script, and we
// only pass that token on.
package payment

import (
	"context"
	"errors"
)

// Charge asks the provider to take money.
type Charge struct {
	// IdempotencyKey is stable for one order attempt, so a retried
	// request never charges twice.
	IdempotencyKey string
	SourceToken    string
	AmountCents    int64
	Currency       string // "EUR"
	Reference      string // shown in the provider's dashboard
}

// Receipt is an accepted charge or refund.
type Receipt struct {
	ID     string
	Status string // the provider's status, e.g. COMPLETED, PENDING
}

// Refund gives money back for a charge.
type Refund struct {
	IdempotencyKey string
	PaymentID      string
	AmountCents    int64
	Currency       string
	Reason         string
}

// Declined is returned when the provider refuses the card; Code is the
// provider's reason (e.g. GENERIC_DECLINE, CVV_FAILURE).
type Declined struct{ Code string }

func (d *Declined) Error() string { return "payment declined: " + d.Code }

// ErrUnknown means the outcome could not be learned (network failure
// after retries); the charge was cancelled and the customer may try again.
var ErrUnknown = errors.New("payment outcome unknown")

// Provider takes and refunds card payments.
type Provider interface {
	Charge(ctx context.Context, c Charge) (Receipt, error)
	Refund(ctx context.Context, r Refund) (Receipt, error)
}
