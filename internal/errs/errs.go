// Package errs defines the application's error type: a machine-readable code,
// a message safe to show to users, and optional details. Every layer returns
// these for expected failures; the HTTP layer maps codes to statuses in one
// place, and anything that is not an *Error is an internal failure.
package errs

import (
	"errors"
	"fmt"
	"time"
)

// Code classifies an expected failure.
type Code string

const (
	Invalid            Code = "invalid"             // malformed or semantically wrong input
	NotFound           Code = "not_found"           // the thing does not exist or is not visible to the caller
	Conflict           Code = "conflict"            // the request clashes with current state
	Forbidden          Code = "forbidden"           // authenticated, but not allowed
	Unauthorized       Code = "unauthorized"        // no or bad credentials
	OutOfStock         Code = "out_of_stock"        // not enough ingredients to make the order
	EmailTaken         Code = "email_taken"         // an account already uses this e-mail
	NotModifiable      Code = "not_modifiable"      // the order left the pending state
	NotCancellable     Code = "not_cancellable"     // the order left the pending state
	InvalidTransition  Code = "invalid_transition"  // the lifecycle does not allow this move
	PaymentUnavailable Code = "payment_unavailable" // online payment is not configured
	PaymentDeclined    Code = "payment_declined"    // the card was refused
	IdempotencyReused  Code = "idempotency_key_reused"
	Maintenance        Code = "maintenance"
	Unavailable        Code = "unavailable" // a dependency (database, provider) does not answer
	Malformed          Code = "malformed"   // the request body is not the JSON expected
	TooLarge           Code = "too_large"   // the request body exceeds the limit
	RateLimited        Code = "rate_limited"
	MethodNotAllowed   Code = "method_not_allowed" // the path exists, not with this method
	AddressNotFound    Code = "address_not_found"  // the maps service does not know the delivery address
	Closed             Code = "closed"             // the pizzeria is not open now
	HoldLimit          Code = "hold_limit"         // a customer's orders waiting for the kitchen hold as much as the website allows
)

// Error is an expected failure with a code and a human message.
type Error struct {
	Code    Code
	Message string
	// Fields carries extra machine-readable details (for example the
	// product_id that ran out of stock). Values must be JSON-encodable.
	Fields map[string]any
	// Format and Args are the message before formatting: the English
	// format is the key under which the web pages find its translation.
	Format string
	Args   []any
	// RetryAfter, when set, is how long the caller should wait before
	// trying again (a rate limit, a busy server).
	RetryAfter time.Duration
}

func (e *Error) Error() string { return string(e.Code) + ": " + e.Message }

// E builds an *Error with a formatted message.
func E(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Format: format, Args: args}
}

// With returns a copy of e carrying one more detail field.
func (e *Error) With(key string, value any) *Error {
	c := *e
	c.Fields = make(map[string]any, len(e.Fields)+1)
	for k, v := range e.Fields {
		c.Fields[k] = v
	}
	c.Fields[key] = value
	return &c
}

// Later returns a copy of e telling the caller to try again after d.
func (e *Error) Later(d time.Duration) *Error {
	c := *e
	c.RetryAfter = d
	return &c
}

// RetryAfter returns how long err asks the caller to wait, or 0.
func RetryAfter(err error) time.Duration {
	var e *Error
	if errors.As(err, &e) {
		return e.RetryAfter
	}
	return 0
}

// CodeOf returns the code of the first *Error in err's chain, or "" for
// internal errors (and nil).
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// Is reports whether err carries the given code.
func Is(err error, code Code) bool { return err != nil && CodeOf(err) == code }
