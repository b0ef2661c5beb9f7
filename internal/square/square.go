// Package square is a small client of Square's Payments and Refunds APIs,
// the adapter behind payment.Provider. The browser turns the card into a
// single-use token with Square's Web Payments SDK; only that token reaches
// us, and we only pass it on.
package square

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/oc-pizza/ocpizza/internal/payment"
)

// Version is the Square-Version header: the API version this client was
// written against.
const Version = "2025-10-16"

// Base URLs of Square's environments, and of the Web Payments SDK script
// each one's card form is loaded from.
const (
	SandboxURL       = "https://connect.squareupsandbox.com"
	ProductionURL    = "https://connect.squareup.com"
	SandboxWebSDK    = "https://sandbox.web.squarecdn.com/v1/square.js"
	ProductionWebSDK = "https://web.squarecdn.com/v1/square.js"
)

// Client calls Square.
type Client struct {
	BaseURL     string
	AccessToken string
	LocationID  string
	HTTP        *http.Client
	// Backoff is the wait before each retry; its length is the number of
	// retries.
	Backoff []time.Duration
}

// New returns a client with sensible timeouts and three retries.
func New(baseURL, accessToken, locationID string) *Client {
	return &Client{BaseURL: strings.TrimRight(baseURL, "/"), AccessToken: accessToken, LocationID: locationID,
		HTTP:    &http.Client{Timeout: 15 * time.Second},
		Backoff: []time.Duration{200 * time.Millisecond, time.Second, 3 * time.Second}}
}

// Money is an amount in the smallest unit of the currency.
type Money struct {
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
}

// Error is one entry of Square's errors array.
type Error struct {
	Category string `json:"category"`
	Code     string `json:"code"`
	Detail   string `json:"detail,omitempty"`
	Field    string `json:"field,omitempty"`
}

// Payment is the part of Square's payment object we use.
type Payment struct {
	ID          string `json:"id"`
	Status      string `json:"status"`
	AmountMoney Money  `json:"amount_money"`
	ReferenceID string `json:"reference_id,omitempty"`
}

// Refund is the part of Square's refund object we use.
type Refund struct {
	ID          string `json:"id"`
	Status      string `json:"status"`
	PaymentID   string `json:"payment_id"`
	AmountMoney Money  `json:"amount_money"`
}

type response struct {
	Errors   []Error   `json:"errors"`
	Payment  *Payment  `json:"payment"`
	Refund   *Refund   `json:"refund"`
	Payments []Payment `json:"payments"`
	Cursor   string    `json:"cursor"`
}

// errTransient marks an outcome worth retrying with the same key.
var errTransient = errors.New("transient")

// post sends one request and classifies the answer by Square's error
// categories and codes, not by the HTTP status alone: a declined card is
// *payment.Declined, what is worth retrying is errTransient, and an answer
// saying Square did nothing is payment.ErrRefused.
func (c *Client) post(ctx context.Context, path string, body any) (response, error) {
	var out response
	data, err := json.Marshal(body)
	if err != nil {
		return out, err
	}
	req, err := http.NewRequestWithContext(ctx, "POST", c.BaseURL+path, bytes.NewReader(data))
	if err != nil {
		return out, err
	}
	req.Header.Set("Content-Type", "application/json")
	return c.do(req)
}

func (c *Client) do(req *http.Request) (response, error) {
	var out response
	req.Header.Set("Authorization", "Bearer "+c.AccessToken)
	req.Header.Set("Square-Version", Version)
	res, err := c.HTTP.Do(req)
	if err != nil {
		return out, fmt.Errorf("%w: %v", errTransient, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil {
		return out, fmt.Errorf("%w: %v", errTransient, err)
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		if res.StatusCode == http.StatusTooManyRequests || res.StatusCode >= 500 {
			return out, fmt.Errorf("%w: HTTP %d", errTransient, res.StatusCode)
		}
		return out, fmt.Errorf("%w: square: unreadable answer (HTTP %d)", payment.ErrRefused, res.StatusCode)
	}
	for _, e := range out.Errors {
		switch {
		case e.Category == "PAYMENT_METHOD_ERROR":
			return out, &payment.Declined{Code: e.Code}
		case e.Category == "RATE_LIMIT_ERROR", e.Code == "TEMPORARY_ERROR", e.Code == "SERVICE_UNAVAILABLE", e.Code == "GATEWAY_TIMEOUT",
			e.Category == "API_ERROR":
			return out, fmt.Errorf("%w: %s %s", errTransient, e.Category, e.Code)
		}
	}
	if len(out.Errors) > 0 {
		e := out.Errors[0]
		return out, fmt.Errorf("%w: square: %s %s: %s", payment.ErrRefused, e.Category, e.Code, e.Detail)
	}
	if res.StatusCode == http.StatusTooManyRequests || res.StatusCode >= 500 {
		return out, fmt.Errorf("%w: HTTP %d", errTransient, res.StatusCode)
	}
	if res.StatusCode >= 300 {
		return out, fmt.Errorf("%w: square: HTTP %d", payment.ErrRefused, res.StatusCode)
	}
	return out, nil
}

// withRetries repeats a request with the same idempotency key while the
// outcome is transient.
func (c *Client) withRetries(ctx context.Context, path string, body any) (response, error) {
	return c.retrying(ctx, func() (response, error) { return c.post(ctx, path, body) })
}

func (c *Client) retrying(ctx context.Context, send func() (response, error)) (response, error) {
	out, err := send()
	for _, wait := range c.Backoff {
		if !errors.Is(err, errTransient) {
			break
		}
		select {
		case <-ctx.Done():
			return out, fmt.Errorf("%w: %v", errTransient, ctx.Err())
		case <-time.After(wait):
		}
		out, err = send()
	}
	return out, err
}

// Charge takes a payment (payment.Provider). A declined card gives
// *payment.Declined; an outcome still unknown after the retries cancels the
// payment by its idempotency key (which voids it if it is only approved;
// a completed one stays, for the caller to find) and gives
// payment.ErrUnknown.
func (c *Client) Charge(ctx context.Context, ch payment.Charge) (payment.Receipt, error) {
	body := map[string]any{
		"source_id":       ch.SourceToken,
		"idempotency_key": ch.IdempotencyKey,
		"amount_money":    Money{Amount: ch.AmountCents, Currency: ch.Currency},
		"location_id":     c.LocationID,
		"reference_id":    ch.Reference,
		"autocomplete":    true,
	}
	out, err := c.withRetries(ctx, "/v2/payments", body)
	if errors.Is(err, errTransient) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		// Unknown: make sure no payment stays behind that key.
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
		defer cancel()
		c.withRetries(cctx, "/v2/payments/cancel", map[string]string{"idempotency_key": ch.IdempotencyKey})
		return payment.Receipt{}, fmt.Errorf("%w: %v", payment.ErrUnknown, err)
	}
	if err != nil {
		return payment.Receipt{}, err
	}
	if out.Payment == nil || !payment.Taken(out.Payment.Status) {
		return payment.Receipt{}, fmt.Errorf("%w: square: payment not completed (%+v)", payment.ErrUnknown, out.Payment)
	}
	return payment.Receipt{ID: out.Payment.ID, Status: out.Payment.Status}, nil
}

// Find looks a charge up among the location's payments made since the
// attempt was recorded (payment.Provider): Square has no search by
// reference, so the hour that follows is listed and filtered.
func (c *Client) Find(ctx context.Context, l payment.Lookup) (payment.Found, bool, error) {
	q := url.Values{"location_id": {c.LocationID}, "sort_order": {"ASC"}, "limit": {"100"},
		"begin_time": {l.Since.Add(-time.Minute).UTC().Format(time.RFC3339)}, "end_time": {l.Since.Add(time.Hour).UTC().Format(time.RFC3339)}}
	var best payment.Found
	found := false
	for page := 0; page < 50; page++ {
		req, err := http.NewRequestWithContext(ctx, "GET", c.BaseURL+"/v2/payments?"+q.Encode(), nil)
		if err != nil {
			return best, false, err
		}
		out, err := c.retrying(ctx, func() (response, error) { return c.do(req.Clone(ctx)) })
		if err != nil {
			return best, false, err
		}
		for _, p := range out.Payments {
			if p.ReferenceID != l.Reference || p.AmountMoney.Amount != l.AmountCents || l.Exclude[p.ID] {
				continue
			}
			f := payment.Found{ID: p.ID, Status: p.Status}
			if !found || f.Taken() && !best.Taken() {
				best, found = f, true
			}
		}
		if out.Cursor == "" {
			return best, found, nil
		}
		q.Set("cursor", out.Cursor)
	}
	return best, found, errors.New("square: too many payments to list")
}

// Refund gives money back (payment.Provider); the refund is usually
// PENDING at first and completed later (refund.updated webhook).
func (c *Client) Refund(ctx context.Context, r payment.Refund) (payment.Receipt, error) {
	body := map[string]any{
		"idempotency_key": r.IdempotencyKey,
		"payment_id":      r.PaymentID,
		"amount_money":    Money{Amount: r.AmountCents, Currency: r.Currency},
		"reason":          r.Reason,
	}
	out, err := c.withRetries(ctx, "/v2/refunds", body)
	if errors.Is(err, errTransient) {
		return payment.Receipt{}, fmt.Errorf("%w: %v", payment.ErrUnknown, err)
	}
	if err != nil {
		return payment.Receipt{}, err
	}
	if out.Refund == nil {
		return payment.Receipt{}, errors.New("square: no refund in the answer")
	}
	return payment.Receipt{ID: out.Refund.ID, Status: out.Refund.Status}, nil
}

// RefundStatus asks Square what became of a refund (payment.Provider).
func (c *Client) RefundStatus(ctx context.Context, refundID string) (payment.Receipt, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", c.BaseURL+"/v2/refunds/"+url.PathEscape(refundID), nil)
	if err != nil {
		return payment.Receipt{}, err
	}
	out, err := c.retrying(ctx, func() (response, error) { return c.do(req.Clone(ctx)) })
	if errors.Is(err, payment.ErrRefused) {
		for _, e := range out.Errors {
			if e.Code == "NOT_FOUND" {
				return payment.Receipt{}, fmt.Errorf("%w: square refund %s", payment.ErrNotFound, refundID)
			}
		}
	}
	if err != nil {
		return payment.Receipt{}, err
	}
	if out.Refund == nil {
		return payment.Receipt{}, errors.New("square: no refund in the answer")
	}
	return payment.Receipt{ID: out.Refund.ID, Status: out.Refund.Status}, nil
}

// ValidSignature checks a webhook notification: the header
// x-square-hmacsha256-signature must equal base64(HMAC-SHA256(key,
// notification URL + raw body)), compared in constant time. The raw bytes
// are signed: re-encoding the JSON would change them.
func ValidSignature(signatureKey, notificationURL string, body []byte, header string) bool {
	if signatureKey == "" || len(body) == 0 || header == "" {
		return false
	}
	mac := hmac.New(sha256.New, []byte(signatureKey))
	mac.Write([]byte(notificationURL))
	mac.Write(body)
	want := base64.StdEncoding.EncodeToString(mac.Sum(nil))
	return hmac.Equal([]byte(want), []byte(header))
}
