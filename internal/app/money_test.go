package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oc-pizza/ocpizza/internal/api"
	"github.com/oc-pizza/ocpizza/internal/order"
	"github.com/oc-pizza/ocpizza/internal/square"
	"github.com/oc-pizza/ocpizza/internal/square/squaretest"
	"github.com/oc-pizza/ocpizza/internal/store/storetest"
)

// withSquare plugs the fake Square into a chain, with quick retries.
func withSquare(c *chain) *squaretest.Server {
	fake := squaretest.Start(c.t)
	sq := square.New(fake.URL, fake.Token, "LOC1")
	sq.Backoff = []time.Duration{time.Millisecond}
	c.server.Shop.Payments = sq
	return fake
}

// lose makes Square act on the next charge (or refund) but its answers,
// retries included, never arrive.
func lose(fake *squaretest.Server, path string) { fake.LoseAnswers(path, 2) }

// later moves the store's clock on, so the attempts made before look old
// to the reconciler. Call it between requests.
func (c *chain) later(d time.Duration) {
	c.t.Helper()
	prev := c.store.Clock()
	c.store.SetClock(func() time.Time { return prev().Add(d) })
}

func (c *chain) reconcile() int {
	c.t.Helper()
	n, err := c.server.Shop.Reconcile(context.Background())
	check(c.t, err)
	return n
}

func (c *chain) ledger(orderID string) (charged, refunded int64, rows int) {
	c.t.Helper()
	var oid int64
	fmt.Sscan(orderID, &oid)
	moves, err := c.store.MoneyOf(context.Background(), oid)
	check(c.t, err)
	for _, m := range moves {
		if m.Kind == "charge" {
			charged += m.AmountCents
		} else {
			refunded += m.AmountCents
		}
	}
	return charged, refunded, len(moves)
}

func (c *chain) kitchen() []any {
	c.t.Helper()
	status, out := c.call("GET", fmt.Sprintf("/api/v1/pizzerias/%d/orders?status=pending,preparing", c.shop), "pizzaiolo", nil)
	if status != 200 {
		c.t.Fatalf("kitchen queue: %d %v", status, out)
	}
	return out.([]any)
}

func paidPickup(nonce string) map[string]any {
	return map[string]any{"pizzeria_id": 0, "items": []map[string]any{{"product_id": 0, "quantity": 1}}, "fulfilment": "pickup",
		"payment_method": "online", "payment_source": nonce}
}

func (c *chain) pay(nonce string, want int) map[string]any {
	c.t.Helper()
	body := paidPickup(nonce)
	body["pizzeria_id"], body["items"] = c.shop, []map[string]any{{"product_id": c.pizza, "quantity": 1}}
	return c.must(want, "POST", "/api/v1/orders", "alice", body)
}

// TestOrderRecordedBeforeTheCharge: when Square is asked for the money, the
// order is already in the database — numbered, its stock reserved,
// awaiting payment, out of the kitchen's queue — and Square's reference is
// the order number. Then the charge, its ledger row and the order's move to
// the kitchen are written together.
func TestOrderRecordedBeforeTheCharge(t *testing.T) {
	t.Parallel()
	forEngines(t, func(t *testing.T, c *chain) {
		fake := withSquare(c)
		dough := c.level(c.shop, c.dough)
		var during order.Order
		var queued int
		fake.OnPayment(func([]byte) {
			os, err := c.store.Orders(context.Background(), order.Filter{CustomerID: 0, Limit: 10})
			check(t, err)
			if len(os) == 1 {
				during = os[0]
			}
			queued = len(c.kitchen())
		})
		o := c.pay(squaretest.OK, 201)
		if during.Number == "" || during.Status != order.AwaitingPayment || during.PaymentStatus != order.Unpaid {
			t.Fatalf("when Square was called the order was %+v", during)
		}
		if queued != 0 {
			t.Fatal("an order awaiting payment was in the kitchen's queue")
		}
		if c.level(c.shop, c.dough) != dough-250 {
			t.Fatal("stock not reserved")
		}
		if o["status"] != "pending" || o["payment_status"] != "paid" || o["number"] != during.Number || len(c.kitchen()) != 1 {
			t.Fatalf("after the charge: %v", o)
		}
		ps := fake.Payments()
		if len(ps) != 1 || ps[0]["reference_id"] != during.Number {
			t.Fatalf("Square's reference is not the order number %s: %v", during.Number, ps)
		}
		if charged, _, rows := c.ledger(id(o)); charged != 950 || rows != 1 {
			t.Fatalf("ledger: %d cents in %d rows", charged, rows)
		}
		if c.later(3 * time.Minute); c.reconcile() != 0 {
			t.Fatal("a settled attempt was reconciled")
		}
	})
}

// TestChargeWhoseAnswerIsLost: Square took the money but no answer came.
// The order waits (202, awaiting payment, out of the kitchen) and the
// reconciler, asking Square by the order number, sends it to the kitchen,
// paid — once.
func TestChargeWhoseAnswerIsLost(t *testing.T) {
	t.Parallel()
	forEngines(t, func(t *testing.T, c *chain) {
		fake := withSquare(c)
		lose(fake, "/v2/payments")
		o := c.pay(squaretest.OK, 202)
		if o["status"] != "awaiting_payment" || len(c.kitchen()) != 0 {
			t.Fatalf("answer lost: %v", o)
		}
		if mine := c.must(200, "GET", "/api/v1/orders/"+id(o), "alice", nil); mine["status"] != "awaiting_payment" {
			t.Fatalf("the customer sees %v", mine["status"])
		}
		if c.reconcile() != 0 {
			t.Fatal("an attempt was settled before its answer could have come")
		}
		c.later(3 * time.Minute)
		if n := c.reconcile(); n != 1 {
			t.Fatalf("reconciled %d", n)
		}
		got := c.must(200, "GET", "/api/v1/orders/"+id(o), "alice", nil)
		if got["status"] != "pending" || got["payment_status"] != "paid" || len(c.kitchen()) != 1 {
			t.Fatalf("after reconciliation: %v", got)
		}
		if charged, _, rows := c.ledger(id(o)); charged != 950 || rows != 1 {
			t.Fatalf("ledger: %d cents in %d rows", charged, rows)
		}
		if c.reconcile() != 0 || len(fake.Payments()) != 1 {
			t.Fatal("reconciled twice, or charged again")
		}
	})
}

// TestLateOrAbsentPaymentsAreSettled: a payment found long after the order
// cancels it and refunds; an attempt Square never received cancels the
// order and gives its stock back.
func TestLateOrAbsentPaymentsAreSettled(t *testing.T) {
	t.Parallel()
	c := newChain(t, "sqlite")
	fake := withSquare(c)
	dough := c.level(c.shop, c.dough)

	lose(fake, "/v2/payments")
	late := c.pay(squaretest.OK, 202)
	fake.FailNext(500, 500) // the charge and its retry never reach Square
	absent := c.pay(squaretest.OK, 202)
	if c.level(c.shop, c.dough) != dough-500 {
		t.Fatal("stock not reserved by the orders awaiting payment")
	}
	c.later(40 * time.Minute)
	if n := c.reconcile(); n != 2 {
		t.Fatalf("reconciled %d", n)
	}
	got := c.must(200, "GET", "/api/v1/orders/"+id(late), "alice", nil)
	if got["status"] != "cancelled" || got["payment_status"] != "paid" || len(fake.Refunds()) != 1 {
		t.Fatalf("paid too late: %v, %d refunds", got, len(fake.Refunds()))
	}
	if charged, refunded, _ := c.ledger(id(late)); charged != 950 || refunded != 950 {
		t.Fatalf("ledger of the late order: +%d -%d", charged, refunded)
	}
	if got := c.must(200, "GET", "/api/v1/orders/"+id(absent), "alice", nil); got["status"] != "cancelled" || got["payment_status"] != "unpaid" {
		t.Fatalf("never paid: %v", got)
	}
	if c.level(c.shop, c.dough) != dough {
		t.Fatalf("stock not given back: %d, was %d", c.level(c.shop, c.dough), dough)
	}
	if len(c.kitchen()) != 0 {
		t.Fatal("a cancelled order reached the kitchen")
	}
}

// TestChargeNotWrittenIsReconciled: the charge went through but writing
// its outcome failed (the database, or a crash, at that moment). The
// attempt stays open and the order awaiting payment; the reconciler writes
// the charge and confirms the order — nothing is charged twice, and the
// ledger holds the charge once.
func TestChargeNotWrittenIsReconciled(t *testing.T) {
	t.Parallel()
	forEngines(t, func(t *testing.T, c *chain) {
		fake := withSquare(c)
		heal := storetest.FailWrites(t, c.url, "payments", "INSERT")
		o := c.pay(squaretest.OK, 202)
		if o["status"] != "awaiting_payment" {
			t.Fatalf("outcome not written: %v", o)
		}
		heal()
		c.later(3 * time.Minute)
		if n := c.reconcile(); n != 1 {
			t.Fatalf("reconciled %d", n)
		}
		got := c.must(200, "GET", "/api/v1/orders/"+id(o), "alice", nil)
		if got["status"] != "pending" || got["payment_status"] != "paid" {
			t.Fatalf("after reconciliation: %v", got)
		}
		if charged, _, rows := c.ledger(id(o)); charged != 950 || rows != 1 || len(fake.Payments()) != 1 {
			t.Fatalf("ledger: %d cents in %d rows, %d payments", charged, rows, len(fake.Payments()))
		}
	})
}

// TestRefundsOwedAreNeverLost: a paid order is cancelled while Square does
// not answer. The refund owed is recorded with the cancellation, asked
// again by the reconciler with the same key, written with its ledger row;
// Square's webhook then completes it.
func TestRefundsOwedAreNeverLost(t *testing.T) {
	t.Parallel()
	forEngines(t, func(t *testing.T, c *chain) {
		fake := withSquare(c)
		o := c.pay(squaretest.OK, 201)
		lose(fake, "/v2/refunds")
		cancelled := c.must(200, "POST", "/api/v1/orders/"+id(o)+"/cancel", "alice", nil)
		if cancelled["status"] != "cancelled" || cancelled["payment_status"] != "paid" {
			t.Fatalf("cancelled: %v", cancelled)
		}
		if _, refunded, _ := c.ledger(id(o)); refunded != 0 {
			t.Fatal("a refund whose answer was lost is in the ledger")
		}
		c.later(3 * time.Minute)
		if n := c.reconcile(); n != 1 {
			t.Fatalf("reconciled %d", n)
		}
		if _, refunded, _ := c.ledger(id(o)); refunded != 950 || len(fake.Refunds()) != 1 {
			t.Fatalf("refunded %d, %d refunds at Square", refunded, len(fake.Refunds()))
		}
		refund := fake.Refunds()[0]
		hooks := webhooks(c)
		if status := hooks(refundEvent("evt-r1", refund["id"].(string), refund["payment_id"].(string))); status != 200 {
			t.Fatalf("webhook: %d", status)
		}
		if got := c.must(200, "GET", "/api/v1/orders/"+id(o), "alice", nil); got["payment_status"] != "refunded" {
			t.Fatalf("after the refund completed: %v", got["payment_status"])
		}
	})
}

// TestPendingRefundsAreFollowedUp: Square answers a refund PENDING and
// completes it later; when its notification never comes, the reconciler
// asks Square and marks the order refunded — and tells the admin of a
// refund Square rejected.
func TestPendingRefundsAreFollowedUp(t *testing.T) {
	t.Parallel()
	forEngines(t, func(t *testing.T, c *chain) {
		fake := withSquare(c)
		var mu sync.Mutex
		var alerts []string
		c.server.Shop.Alert = func(_ context.Context, kind, subject, body string) {
			mu.Lock()
			alerts = append(alerts, subject+": "+body)
			mu.Unlock()
		}
		// One refund completes, one is rejected, and Square no longer
		// knows the third (asked with other keys): each is settled once.
		done, rejected, forgotten := c.pay(squaretest.OK, 201), c.pay(squaretest.OK, 201), c.pay(squaretest.OK, 201)
		for _, o := range []map[string]any{done, rejected, forgotten} {
			c.must(200, "POST", "/api/v1/orders/"+id(o)+"/cancel", "alice", nil)
		}
		refunds := fake.Refunds()
		if len(refunds) != 3 {
			t.Fatalf("%d refunds asked", len(refunds))
		}
		refundOf := map[string]string{}
		for _, o := range []map[string]any{done, rejected, forgotten} {
			var oid int64
			fmt.Sscan(id(o), &oid)
			moves, err := c.store.MoneyOf(context.Background(), oid)
			check(t, err)
			for _, m := range moves {
				if m.Kind == "refund" {
					refundOf[id(o)] = m.ProviderRef
				}
			}
		}
		fake.SettleRefund(refundOf[id(done)], "COMPLETED")
		fake.SettleRefund(refundOf[id(rejected)], "REJECTED")
		fake.ForgetRefund(refundOf[id(forgotten)])
		if n := c.reconcile(); n != 0 {
			t.Fatalf("a refund pending for a moment was followed up: %d", n)
		}
		c.later(20 * time.Minute)
		// Several instances reconcile at once: each refund is followed
		// up once, and the admin told once.
		var settled atomic.Int64
		var wg sync.WaitGroup
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				n, _ := c.server.Shop.Reconcile(context.Background())
				settled.Add(int64(n))
			}()
		}
		wg.Wait()
		if n := settled.Load(); n != 3 {
			t.Fatalf("followed up %d refunds, want 3", n)
		}
		if got := c.must(200, "GET", "/api/v1/orders/"+id(done), "alice", nil); got["payment_status"] != "refunded" {
			t.Fatalf("the completed refund's order: %v", got["payment_status"])
		}
		if got := c.must(200, "GET", "/api/v1/orders/"+id(rejected), "alice", nil); got["payment_status"] != "paid" {
			t.Fatalf("the rejected refund's order: %v", got["payment_status"])
		}
		if got := c.must(200, "GET", "/api/v1/orders/"+id(forgotten), "alice", nil); got["payment_status"] != "paid" {
			t.Fatalf("the forgotten refund's order: %v", got["payment_status"])
		}
		if len(alerts) != 2 || !strings.Contains(strings.Join(alerts, "\n"), refundOf[id(rejected)]+" of") ||
			!strings.Contains(strings.Join(alerts, "\n"), "REJECTED") || !strings.Contains(strings.Join(alerts, "\n"), refundOf[id(forgotten)]+" of") ||
			!strings.Contains(strings.Join(alerts, "\n"), "unknown to the payment provider") {
			t.Fatalf("alerts: %q", alerts)
		}
		if n := c.reconcile(); n != 0 || len(alerts) != 2 {
			t.Fatalf("followed up again: %d, alerts %q", n, alerts)
		}
	})
}

// TestWebhookEventAndEffectTogether: when applying a notification fails,
// it is not recorded either, so Square's next delivery applies it.
func TestWebhookEventAndEffectTogether(t *testing.T) {
	t.Parallel()
	forEngines(t, func(t *testing.T, c *chain) {
		fake := withSquare(c)
		o := c.pay(squaretest.OK, 201)
		c.must(200, "POST", "/api/v1/orders/"+id(o)+"/cancel", "alice", nil)
		refund := fake.Refunds()[0]
		hooks := webhooks(c)
		event := refundEvent("evt-1", refund["id"].(string), refund["payment_id"].(string))
		heal := storetest.FailWrites(t, c.url, "orders", "UPDATE")
		if status := hooks(event); status < 500 {
			t.Fatalf("a notification whose effect failed was acknowledged: %d", status)
		}
		heal()
		if status := hooks(event); status != 200 {
			t.Fatalf("Square's retry: %d", status)
		}
		if got := c.must(200, "GET", "/api/v1/orders/"+id(o), "alice", nil); got["payment_status"] != "refunded" {
			t.Fatalf("the retried notification was ignored: %v", got["payment_status"])
		}
		if status := hooks(event); status != 200 {
			t.Fatalf("a repeat: %d", status)
		}
	})
}

// TestTopUpWhoseAnswerIsLost: a paid order grows, Square takes the extra
// but its answer is lost: the change is not made, and the reconciler gives
// the extra back.
func TestTopUpWhoseAnswerIsLost(t *testing.T) {
	t.Parallel()
	c := newChain(t, "sqlite")
	fake := withSquare(c)
	o := c.pay(squaretest.OK, 201)
	lose(fake, "/v2/payments")
	path := "/api/v1/orders/" + id(o) + "/items"
	if code := c.errorCode(503, "PUT", path, "alice", map[string]any{"items": []map[string]any{{"product_id": c.pizza, "quantity": 2}},
		"payment_source": squaretest.OK}); code != "unavailable" {
		t.Fatal(code)
	}
	if got := c.must(200, "GET", "/api/v1/orders/"+id(o), "alice", nil); got["total_cents"].(float64) != 950 {
		t.Fatalf("changed without a known payment: %v", got["total_cents"])
	}
	c.later(3 * time.Minute)
	if n := c.reconcile(); n != 1 {
		t.Fatalf("reconciled %d", n)
	}
	charged, refunded, _ := c.ledger(id(o))
	if charged != 1900 || refunded != 950 || len(fake.Refunds()) != 1 {
		t.Fatalf("ledger +%d -%d, %d refunds", charged, refunded, len(fake.Refunds()))
	}
}

// webhooks serves the chain with Square's notification endpoint and
// returns a function posting a signed notification.
func webhooks(c *chain) func(body []byte) int {
	const key, notifyURL = "whsec-test", "https://ocpizza.example/webhooks/square"
	c.server.SquareWebhook = api.SquareWebhook{SignatureKey: key, NotificationURL: notifyURL}
	srv := httptest.NewServer(c.server.Handler())
	c.t.Cleanup(srv.Close)
	return func(body []byte) int {
		res, err := squaretest.SendWebhook(srv.URL+"/webhooks/square", notifyURL, key, body)
		check(c.t, err)
		res.Body.Close()
		return res.StatusCode
	}
}

func refundEvent(eventID, refundID, paymentID string) []byte {
	b, _ := json.Marshal(map[string]any{"merchant_id": "M1", "type": "refund.updated", "event_id": eventID,
		"data": map[string]any{"type": "refund", "id": refundID, "object": map[string]any{"refund": map[string]any{
			"id": refundID, "status": "COMPLETED", "payment_id": paymentID}}}})
	return b
}
