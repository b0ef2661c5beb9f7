package app_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/oc-pizza/ocpizza/internal/square/squaretest"
)

// TestOneCustomerCannotHoldAShopsStock: a customer took a pizzeria's 100
// pizzas in two orders of 50 (issue 12). Now the website lets a customer's
// orders waiting for the kitchen hold 50 items and 3 orders in a
// pizzeria; what the kitchen has started no longer counts, and the staff's
// orders are not capped.
func TestOneCustomerCannotHoldAShopsStock(t *testing.T) {
	t.Parallel()
	forEngines(t, func(t *testing.T, c *chain) {
		pizzas := func(n int, extra ...any) map[string]any {
			body := map[string]any{"fulfilment": "pickup", "delivery_address": nil, "items": []map[string]any{{"product_id": c.pizza, "quantity": n}}}
			for i := 0; i+1 < len(extra); i += 2 {
				body[extra[i].(string)] = extra[i+1]
			}
			return body
		}
		first := c.order("bob", pizzas(50))
		body := pizzas(50)
		body["pizzeria_id"] = c.shop
		body["payment_method"] = "on_delivery"
		if status, out := c.call("POST", "/api/v1/orders", "bob", body); status != 409 ||
			fmt.Sprint(out.(map[string]any)["error"].(map[string]any)["counts"]) != "items" {
			t.Fatalf("a second order of 50: %d %v, want 409 hold_limit counting items", status, out)
		}
		if got := c.call2menu()[c.pizza]; got != 50 {
			t.Fatalf("%d pizzas left to order, want 50", got)
		}
		// Elsewhere in the chain, the customer is free.
		c.order("bob", pizzas(2, "pizzeria_id", c.other))

		// A delivery of another hundred pizzas' worth; once the kitchen
		// starts on the 50, the customer may order again, up to three
		// waiting orders.
		levels, err := c.store.StockLevels(context.Background(), c.shop)
		check(t, err)
		for _, l := range levels {
			c.must(201, "POST", fmt.Sprintf("/api/v1/pizzerias/%d/stock/movements", c.shop), "manager", map[string]any{"ingredient_id": l.IngredientID, "reason": "delivery", "delta": 100 * 250})
		}
		c.must(200, "POST", fmt.Sprintf("/api/v1/orders/%v/status", first["id"]), "pizzaiolo", map[string]any{"status": "preparing"})
		var waiting []map[string]any
		for range 3 {
			waiting = append(waiting, c.order("bob", pizzas(1)))
		}
		body = pizzas(1)
		body["pizzeria_id"], body["payment_method"] = c.shop, "on_delivery"
		if code := c.errorCode(409, "POST", "/api/v1/orders", "bob", body); code != "hold_limit" {
			t.Fatalf("a fourth waiting order: %s, want hold_limit", code)
		}
		items := func(n int) map[string]any {
			return map[string]any{"items": []map[string]any{{"product_id": c.pizza, "quantity": n}}}
		}
		path := fmt.Sprintf("/api/v1/orders/%v/items", waiting[0]["id"])
		if code := c.errorCode(409, "PUT", path, "bob", items(49)); code != "hold_limit" {
			t.Fatalf("enlarged to 51 items waiting: %s, want hold_limit", code)
		}
		c.must(200, "PUT", path, "bob", items(48))
		// The counter enters what the customer asks on the phone.
		c.must(200, "PUT", path, "counter", items(49))
		c.order("counter", pizzas(30, "channel", "phone", "customer", map[string]any{"name": "Bob", "phone": "0478000001"}))
	})
}

// TestPaidOrderGrownPastTheLimitIsNotCharged: a paid order grown past the
// hold limit is refused before the card is charged, not charged and then
// refunded.
func TestPaidOrderGrownPastTheLimitIsNotCharged(t *testing.T) {
	t.Parallel()
	c := newChain(t, "sqlite")
	fake := withSquare(c)
	o := c.order("alice", map[string]any{"payment_method": "online", "payment_source": squaretest.OK, "fulfilment": "pickup", "delivery_address": nil})
	path := "/api/v1/orders/" + id(o) + "/items"
	if code := c.errorCode(409, "PUT", path, "alice", map[string]any{"items": []map[string]any{{"product_id": c.pizza, "quantity": 40}, {"product_id": c.cola, "quantity": 11}},
		"payment_source": squaretest.OK}); code != "hold_limit" {
		t.Fatalf("grown to 51 items: %s, want hold_limit", code)
	}
	if n := len(fake.Payments()); n != 1 {
		t.Fatalf("%d payments at Square, want only the order's", n)
	}
}
