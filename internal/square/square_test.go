package square_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/oc-pizza/ocpizza/internal/payment"
	"github.com/oc-pizza/ocpizza/internal/square"
	"github.com/oc-pizza/ocpizza/internal/square/squaretest"
)

func client(fake *squaretest.Server) *square.Client {
	c := square.New(fake.URL, fake.Token, "LOC1")
	c.Backoff = []time.Duration{time.Millisecond, time.Millisecond, time.Millisecond}
	return c
}

func charge(key, nonce string) payment.Charge {
	return payment.Charge{IdempotencyKey: key, SourceToken: nonce, AmountCents: 2200, Currency: "EUR", Reference: "REP-0001"}
}

func TestChargeOutcomes(t *testing.T) {
	fake := squaretest.Start(t)
	c := client(fake)
	ctx := context.Background()
	r, err := c.Charge(ctx, charge("k-ok", squaretest.OK))
	if err != nil || r.ID == "" || r.Status != "COMPLETED" {
		t.Fatalf("ok nonce: %+v %v", r, err)
	}
	again, err := c.Charge(ctx, charge("k-ok", squaretest.OK))
	if err != nil || again.ID != r.ID {
		t.Fatalf("same key charged again: %+v %v", again, err)
	}
	if len(fake.Payments()) != 1 {
		t.Fatalf("%d payments for one key", len(fake.Payments()))
	}
	for nonce, code := range map[string]string{
		"cnon:card-nonce-declined": "GENERIC_DECLINE", "cnon:card-nonce-rejected-cvv": "CVV_FAILURE",
		"cnon:card-nonce-rejected-postalcode": "ADDRESS_VERIFICATION_FAILURE", "cnon:card-nonce-rejected-expiration": "INVALID_EXPIRATION",
	} {
		_, err := c.Charge(ctx, charge("k-"+code, nonce))
		var d *payment.Declined
		if !errors.As(err, &d) || d.Code != code {
			t.Errorf("%s: %v, want declined %s", nonce, err, code)
		}
	}
	if _, err := c.Charge(ctx, payment.Charge{IdempotencyKey: "k-ok", SourceToken: squaretest.OK, AmountCents: 999, Currency: "EUR"}); err == nil {
		t.Error("a key reused for another amount was accepted")
	}
	bad := square.New(fake.URL, "wrong-token", "LOC1")
	if _, err := bad.Charge(ctx, charge("k-auth", squaretest.OK)); err == nil || errors.Is(err, payment.ErrUnknown) {
		t.Errorf("bad token: %v", err)
	}
}

func TestChargeRetriesThenCancels(t *testing.T) {
	fake := squaretest.Start(t)
	c := client(fake)
	ctx := context.Background()
	fake.FailNext(500, 503)
	r, err := c.Charge(ctx, charge("k-retry", squaretest.OK))
	if err != nil || fake.Calls("/v2/payments") != 3 {
		t.Fatalf("after two 5xx: %+v %v, %d calls", r, err, fake.Calls("/v2/payments"))
	}
	fake.FailNext(500, 500, 500, 500)
	_, err = c.Charge(ctx, charge("k-unknown", squaretest.OK))
	if !errors.Is(err, payment.ErrUnknown) || fake.Calls("/v2/payments/cancel") != 1 {
		t.Fatalf("unknown outcome: %v, %d cancels", err, fake.Calls("/v2/payments/cancel"))
	}
}

func TestRefund(t *testing.T) {
	fake := squaretest.Start(t)
	c := client(fake)
	ctx := context.Background()
	r, _ := c.Charge(ctx, charge("k-pay", squaretest.OK))
	ref, err := c.Refund(ctx, payment.Refund{IdempotencyKey: "refund-" + r.ID, PaymentID: r.ID, AmountCents: 2200, Currency: "EUR"})
	if err != nil || ref.Status != "PENDING" {
		t.Fatalf("refund: %+v %v", ref, err)
	}
	again, err := c.Refund(ctx, payment.Refund{IdempotencyKey: "refund-" + r.ID, PaymentID: r.ID, AmountCents: 2200, Currency: "EUR"})
	if err != nil || again.ID != ref.ID {
		t.Fatalf("refund retried: %+v %v", again, err)
	}
}

// Square's published test vectors.
func TestWebhookSignature(t *testing.T) {
	const key, url = "signature-key", "https://webhook.site/webhooks"
	vectors := map[string]string{
		`{"data":{"type":"webhooks","id":"fake_id"}}`: "W3FlCNk5IA3ZQ2LHTWoajvzfaDu/OwY2tNHIHC3IUOA=",
		`{"data":{"type":"webhooks","id":">id<"}}`:    "Cxt7+aTi4rKgcA0bC4g9EHdVtLSDWdqccmL5MvihU4U=",
	}
	for body, sig := range vectors {
		if !square.ValidSignature(key, url, []byte(body), sig) {
			t.Errorf("published vector refused: %s", body)
		}
		if square.ValidSignature(key, url, []byte(body+" "), sig) || square.ValidSignature("other", url, []byte(body), sig) ||
			square.ValidSignature(key, url+"/x", []byte(body), sig) {
			t.Errorf("altered request accepted: %s", body)
		}
		if squaretest.Sign(key, url, []byte(body)) != sig {
			t.Errorf("the fake signs differently: %s", body)
		}
	}
	if square.ValidSignature(key, url, nil, "x") || square.ValidSignature(key, url, []byte("{}"), "") {
		t.Error("empty body or signature accepted")
	}
}
