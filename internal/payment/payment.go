// Package payment is the port through which orders are paid online. The
// shop speaks only to Provider; an adapter (Square) implements it. Card
// data never reaches our server: the browser turns the card into a
// single-use token (the source) with the provider's own script, and we
// only pass that token on.
package payment

import (
	"context"
	"errors"
	"time"

	"github.com/oc-pizza/ocpizza/internal/errs"
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
// after retries): money may have moved or not. Ask the provider later
// (Find), or send the same request again with the same idempotency key.
var ErrUnknown = errors.New("payment outcome unknown")

// ErrRefused means the provider answered that it did nothing (a malformed
// request, a refund of an unknown payment): no money moved.
var ErrRefused = errors.New("refused by the payment provider")

// ErrNotFound means the provider does not know what we asked about (a
// refund id it never issued, or one of another account or environment).
var ErrNotFound = errors.New("unknown to the payment provider")

// Lookup asks the provider which payment a charge made: the charges of an
// order carry its number as their reference.
type Lookup struct {
	Reference   string
	AmountCents int64
	// Since is when the attempt was recorded, before it was sent.
	Since time.Time
	// Exclude names payments already accounted for (an order's earlier
	// charges of the same amount).
	Exclude map[string]bool
}

// Found is what the provider knows of a payment.
type Found struct {
	ID     string
	Status string // one of the Status constants below
}

// The statuses a provider reports of a payment or a refund, in Square's
// words (our one provider; another's adapter translates to them).
const (
	StatusCompleted = "COMPLETED" // the money moved
	StatusApproved  = "APPROVED"  // a payment holds the money, to be completed
	StatusPending   = "PENDING"   // asked, not done yet
	StatusFailed    = "FAILED"    // no money moved, for good
	StatusCanceled  = "CANCELED"  // a held payment let go: no money moved
	StatusRejected  = "REJECTED"  // a refund the provider refused: no money moved
	// Ours, not the provider's: a refund it says it does not know (see
	// ErrNotFound), recorded so that it is no longer asked about.
	StatusNotFound = "NOT_FOUND"
)

// Completed reports whether a payment's or refund's status says the money
// moved.
func Completed(status string) bool { return status == StatusCompleted }

// Taken reports whether a payment's status says it took the money (or
// holds it).
func Taken(status string) bool { return status == StatusCompleted || status == StatusApproved }

// Taken reports whether the payment took the money (or holds it).
func (f Found) Taken() bool { return Taken(f.Status) }

// Pending reports whether the payment is still on its way: neither taken
// nor failed or canceled.
func (f Found) Pending() bool {
	return !f.Taken() && f.Status != StatusFailed && f.Status != StatusCanceled
}

// DeclinedError is what a customer is told of a declined card, the
// provider's reason attached.
func DeclinedError(d *Declined) error {
	return errs.E(errs.PaymentDeclined, "the card was declined").With("detail", d.Code)
}

// Provider takes and refunds card payments.
type Provider interface {
	Charge(ctx context.Context, c Charge) (Receipt, error)
	Refund(ctx context.Context, r Refund) (Receipt, error)
	// Find looks a charge up by its reference, amount and time; ok is
	// false when the provider has no such payment. A payment that took
	// the money is preferred to a failed one.
	Find(ctx context.Context, l Lookup) (f Found, ok bool, err error)
	// RefundStatus asks what became of a refund, by its id: a refund is
	// usually PENDING at first, and its completion may never be notified.
	RefundStatus(ctx context.Context, refundID string) (Receipt, error)
}
