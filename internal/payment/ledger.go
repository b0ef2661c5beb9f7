package payment

import "time"

// Movement is one charge or refund with the payment provider.
type Movement struct {
	ID          int64
	OrderID     int64
	Kind        string // "charge" or "refund"
	ProviderRef string // the provider's payment or refund id
	ChargeRef   string // for a refund, the charge it gives back; for a charge, itself
	AmountCents int64
	Status      string
	At          time.Time
}

// Kinds of payment attempts.
const (
	AttemptOrder  = "order"  // the first charge of an order paid online
	AttemptCharge = "charge" // a further charge when a paid order grows
	AttemptRefund = "refund" // money given back
)

// Statuses of payment attempts: open until the provider's answer is
// known, then one of the others, for good.
const (
	AttemptOpen      = "open"
	AttemptPaid      = "paid"      // charged, and the order (or its change) stands
	AttemptDeclined  = "declined"  // the provider refused the card
	AttemptAbandoned = "abandoned" // no money was taken
	AttemptReturned  = "returned"  // charged, but what it paid for could not be kept: a refund attempt gives it back
	AttemptSent      = "sent"      // a refund the provider accepted (see the ledger for its progress)
	AttemptFailed    = "failed"    // a refund the provider refused: a person must look
)

// Attempt is a request for money made (or about to be made) of the
// payment provider.
type Attempt struct {
	ID          int64
	OrderID     int64
	OrderNumber string // the reference the provider shows
	Kind        string
	Key         string // the provider's idempotency key: asking again never moves money twice
	ChargeRef   string // for a refund, the payment it gives back
	AmountCents int64
	Status      string
	ProviderRef string
	Detail      string
	CreatedAt   time.Time
}
