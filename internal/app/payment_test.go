package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/oc-pizza/ocpizza/internal/api"
	"github.com/oc-pizza/ocpizza/internal/square/squaretest"
)

func TestOnlinePaymentWithSquare(t *testing.T) {
	t.Parallel()
	c := newChain(t, "sqlite")
	fake := withSquare(c)

	online := func(nonce string) map[string]any {
		return map[string]any{"payment_method": "online", "payment_source": nonce, "fulfilment": "pickup", "delivery_address": nil}
	}
	completed := func() int {
		n := 0
		for _, p := range fake.Payments() {
			if p["status"] == "COMPLETED" {
				n++
			}
		}
		return n
	}
	o := c.order("alice", online(squaretest.OK))
	if o["payment_status"] != "paid" || completed() != 1 {
		t.Fatalf("paid order: %v, %d payments", o, completed())
	}

	orders, dough := c.orderCount(), c.level(c.shop, c.dough)
	for nonce, code := range map[string]string{
		"cnon:card-nonce-declined": "GENERIC_DECLINE", "cnon:card-nonce-rejected-cvv": "CVV_FAILURE",
		"cnon:card-nonce-rejected-postalcode": "ADDRESS_VERIFICATION_FAILURE", "cnon:card-nonce-rejected-expiration": "INVALID_EXPIRATION",
	} {
		body := map[string]any{"pizzeria_id": c.shop, "items": []map[string]any{{"product_id": c.pizza, "quantity": 1}}, "fulfilment": "pickup",
			"payment_method": "online", "payment_source": nonce}
		status, out := c.call("POST", "/api/v1/orders", "alice", body)
		e, _ := out.(map[string]any)["error"].(map[string]any)
		if status != 402 || e["code"] != "payment_declined" || e["detail"] != code {
			t.Errorf("%s: %d %v", nonce, status, out)
		}
	}
	if c.orderCount() != orders || c.level(c.shop, c.dough) != dough {
		t.Fatalf("a declined card left an order or moved stock")
	}
	if c.errorCode(422, "POST", "/api/v1/orders", "alice", map[string]any{"pizzeria_id": c.shop,
		"items": []map[string]any{{"product_id": c.pizza, "quantity": 1}}, "fulfilment": "pickup", "payment_method": "online"}) != "invalid" {
		t.Error("online without a card token")
	}

	// A retried request with the same Idempotency-Key never charges twice.
	body, _ := json.Marshal(map[string]any{"pizzeria_id": c.shop, "items": []map[string]any{{"product_id": c.pizza, "quantity": 1}},
		"fulfilment": "pickup", "payment_method": "online", "payment_source": squaretest.OK})
	key := map[string]string{"Idempotency-Key": "checkout-42"}
	s1, o1 := c.send("POST", "/api/v1/orders", "alice", strings.NewReader(string(body)), key)
	s2, o2 := c.send("POST", "/api/v1/orders", "alice", strings.NewReader(string(body)), key)
	if s1 != 201 || s2 != 201 || id(o1.(map[string]any)) != id(o2.(map[string]any)) || completed() != 2 {
		t.Fatalf("retry: %d %d, %d payments", s1, s2, completed())
	}

	// Changing a paid order: more is charged with a new card token, less is
	// refunded.
	m := c.order("alice", online(squaretest.OK)) // 2 pizzas and a cola: 22.00
	mpath := "/api/v1/orders/" + id(m) + "/items"
	three := []map[string]any{{"product_id": c.pizza, "quantity": 3}}
	if c.errorCode(422, "PUT", mpath, "alice", map[string]any{"items": three}) != "invalid" {
		t.Fatal("a larger paid order changed without a card")
	}
	if c.errorCode(402, "PUT", mpath, "alice", map[string]any{"items": three, "payment_source": "cnon:card-nonce-declined"}) != "payment_declined" {
		t.Fatal("declined top-up")
	}
	grown := c.must(200, "PUT", mpath, "alice", map[string]any{"items": three, "payment_source": squaretest.OK})
	if grown["total_cents"].(float64) != 2850 || grown["payment_status"] != "paid" || completed() != 4 {
		t.Fatalf("grown: %v, %d payments", grown["total_cents"], completed())
	}
	refundsBefore := fake.Calls("/v2/refunds")
	shrunk := c.must(200, "PUT", mpath, "alice", map[string]any{"items": []map[string]any{{"product_id": c.pizza, "quantity": 1}}})
	if shrunk["total_cents"].(float64) != 950 || shrunk["payment_status"] != "paid" || fake.Calls("/v2/refunds") != refundsBefore+2 {
		t.Fatalf("shrunk: %v, %d refund calls (one per charge)", shrunk["total_cents"], fake.Calls("/v2/refunds")-refundsBefore)
	}
	moves, err := c.store.MoneyOf(context.Background(), int64(m["id"].(float64)))
	check(t, err)
	var net int64
	for _, mv := range moves {
		if mv.Kind == "charge" {
			net += mv.AmountCents
		} else {
			net -= mv.AmountCents
		}
	}
	if net != 950 {
		t.Fatalf("the payment ledger nets %d cents, the order costs 950", net)
	}

	// Cancelling a paid order asks for a refund; Square completes it later
	// and says so by a signed webhook.
	cancelled := c.must(200, "POST", "/api/v1/orders/"+id(o)+"/cancel", "alice", nil)
	if cancelled["status"] != "cancelled" || cancelled["payment_status"] != "paid" || fake.Calls("/v2/refunds") != refundsBefore+3 {
		t.Fatalf("cancel of a paid order: %v, %d refund calls", cancelled, fake.Calls("/v2/refunds"))
	}
	const hookKey, notifyURL = "whsec-test", "https://ocpizza.example/webhooks/square"
	c.server.SquareWebhook = api.SquareWebhook{SignatureKey: hookKey, NotificationURL: notifyURL}
	hooks := httptest.NewServer(c.server.Handler())
	defer hooks.Close()
	stored, err := c.store.Order(context.Background(), int64(o["id"].(float64)))
	check(t, err)
	paymentID := stored.PaymentRef
	event := []byte(`{"merchant_id":"M1","type":"refund.updated","event_id":"evt-1","data":{"type":"refund","id":"ref_1","object":{"refund":{"id":"ref_1","status":"COMPLETED","payment_id":"` + paymentID + `"}}}}`)
	post := func(body []byte, signature string) int {
		req, _ := http.NewRequest("POST", hooks.URL+"/webhooks/square", bytes.NewReader(body))
		if signature != "" {
			req.Header.Set("x-square-hmacsha256-signature", signature)
		}
		res, err := http.DefaultClient.Do(req)
		check(t, err)
		res.Body.Close()
		return res.StatusCode
	}
	if post(event, squaretest.Sign("forged-key", notifyURL, event)) != 401 || post(event, "") != 401 || post(nil, squaretest.Sign(hookKey, notifyURL, nil)) != 401 {
		t.Fatal("a forged, unsigned or empty notification was accepted")
	}
	if got := c.must(200, "GET", "/api/v1/orders/"+id(o), "alice", nil); got["payment_status"] != "paid" {
		t.Fatalf("a refused notification changed the order: %v", got["payment_status"])
	}
	res, err := squaretest.SendWebhook(hooks.URL+"/webhooks/square", notifyURL, hookKey, event)
	check(t, err)
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("signed notification: %d", res.StatusCode)
	}
	if got := c.must(200, "GET", "/api/v1/orders/"+id(o), "alice", nil); got["payment_status"] != "refunded" {
		t.Fatalf("after refund.updated COMPLETED: %v", got["payment_status"])
	}
	// The same event again changes nothing and is acknowledged.
	if post(event, squaretest.Sign(hookKey, notifyURL, event)) != 200 {
		t.Fatal("a repeated notification was not acknowledged")
	}
}
