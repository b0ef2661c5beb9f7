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

// TestRefundStatus: a refund's status is read back; one Square does not
// know is payment.ErrNotFound, while an outage stays an ordinary error
// (asked again later), never a NOT_FOUND.
func TestRefundStatus(t *testing.T) {
	fake := squaretest.Start(t)
	c := client(fake)
	ctx := context.Background()
	r, _ := c.Charge(ctx, charge("k-pay", squaretest.OK))
	ref, err := c.Refund(ctx, payment.Refund{IdempotencyKey: "refund-" + r.ID, PaymentID: r.ID, AmountCents: 2200, Currency: "EUR"})
	if err != nil {
		t.Fatal(err)
	}
	fake.SettleRefund(ref.ID, "COMPLETED")
	if got, err := c.RefundStatus(ctx, ref.ID); err != nil || got.Status != "COMPLETED" {
		t.Fatalf("status: %+v %v", got, err)
	}
	fake.FailNext(503, 503, 503, 503)
	if _, err := c.RefundStatus(ctx, ref.ID); err == nil || errors.Is(err, payment.ErrNotFound) {
		t.Fatalf("an outage: %v", err)
	}
	fake.ForgetRefund(ref.ID)
	if _, err := c.RefundStatus(ctx, ref.ID); !errors.Is(err, payment.ErrNotFound) {
		t.Fatalf("an unknown refund: %v", err)
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

// TestFindAfterALostAnswer: when Square took the money but its answers
// were lost, Charge says it does not know, the completed payment is not
// voided (Square voids only approved ones), and Find gives it by the order
// number it carries as its reference.
func TestFindAfterALostAnswer(t *testing.T) {
	fake := squaretest.Start(t)
	c := client(fake)
	ctx := context.Background()
	since := time.Now()
	if _, err := c.Charge(ctx, payment.Charge{IdempotencyKey: "k-other", SourceToken: squaretest.OK, AmountCents: 2200, Currency: "EUR", Reference: "REP-0002"}); err != nil {
		t.Fatal(err)
	}
	fake.LoseAnswers("/v2/payments", 1+len(c.Backoff))
	_, err := c.Charge(ctx, charge("k-lost", squaretest.OK))
	if !errors.Is(err, payment.ErrUnknown) {
		t.Fatalf("lost answers: %v", err)
	}
	f, ok, err := c.Find(ctx, payment.Lookup{Reference: "REP-0001", AmountCents: 2200, Since: since})
	if err != nil || !ok || !f.Taken() {
		t.Fatalf("find: %+v %v %v", f, ok, err)
	}
	if p := fake.Payments(); len(p) != 2 {
		t.Fatalf("%d payments", len(p))
	}
	if _, ok, err := c.Find(ctx, payment.Lookup{Reference: "REP-0001", AmountCents: 2200, Since: since, Exclude: map[string]bool{f.ID: true}}); ok || err != nil {
		t.Fatalf("an excluded payment was found again: %v", err)
	}
	if _, ok, err := c.Find(ctx, payment.Lookup{Reference: "REP-0001", AmountCents: 2200, Since: since.Add(2 * time.Hour)}); ok || err != nil {
		t.Fatalf("a payment made before the attempt was found: %v", err)
	}
	// Refunds whose answers are lost are unknown too, and asked again
	// with the same key give back the same refund.
	fake.LoseAnswers("/v2/refunds", 1+len(c.Backoff))
	refund := payment.Refund{IdempotencyKey: "refund-k", PaymentID: f.ID, AmountCents: 2200, Currency: "EUR"}
	if _, err := c.Refund(ctx, refund); !errors.Is(err, payment.ErrUnknown) {
		t.Fatalf("lost refund: %v", err)
	}
	if _, err := c.Refund(ctx, refund); err != nil || len(fake.Refunds()) != 1 {
		t.Fatalf("refund asked again: %v, %d refunds", err, len(fake.Refunds()))
	}
	if _, err := c.Refund(ctx, payment.Refund{IdempotencyKey: "refund-x", PaymentID: "nope", AmountCents: 1, Currency: "EUR"}); !errors.Is(err, payment.ErrRefused) {
		t.Fatalf("refund of an unknown payment: %v", err)
	}
}
