package app_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oc-pizza/ocpizza/internal/order"
	"github.com/oc-pizza/ocpizza/internal/pizzeria"
	"github.com/oc-pizza/ocpizza/internal/shop"
)

func TestDeliveryOrderLifecycle(t *testing.T) {
	t.Parallel()
	forEngines(t, func(t *testing.T, c *chain) {
		menu := c.must(200, "GET", fmt.Sprintf("/api/v1/pizzerias/%d/menu", c.shop), "", nil)
		_ = menu
		o := c.order("alice", nil)
		if o["status"] != "pending" || o["payment_status"] != "unpaid" || o["total_cents"].(float64) != 2*950+300 || o["channel"] != "web" {
			t.Fatalf("new order %v", o)
		}
		if !strings.HasPrefix(o["number"].(string), "ONE-") {
			t.Fatalf("number %v", o["number"])
		}
		if c.level(c.shop, c.dough) != 100*250-2*250 {
			t.Fatalf("stock not reserved: %d", c.level(c.shop, c.dough))
		}
		path := "/api/v1/orders/" + id(o)
		for _, step := range []struct{ who, status string }{
			{"pizzaiolo", "preparing"}, {"pizzaiolo", "ready"}, {"driver", "out_for_delivery"}, {"driver", "delivered"},
		} {
			got := c.must(200, "POST", path+"/status", step.who, map[string]any{"status": step.status})
			if got["status"] != step.status {
				t.Fatalf("after %s: %v", step.status, got["status"])
			}
		}
		paid := c.must(200, "POST", path+"/payment", "driver", map[string]any{"method": "cash"})
		if paid["payment_status"] != "paid" {
			t.Fatalf("payment %v", paid)
		}
		final := c.must(200, "GET", path, "alice", nil)
		hist := final["history"].([]any)
		want := []string{"pending", "preparing", "ready", "out_for_delivery", "delivered"}
		if len(hist) != len(want) {
			t.Fatalf("history %v", hist)
		}
		for i, h := range hist {
			if h.(map[string]any)["status"] != want[i] || h.(map[string]any)["at"] == nil {
				t.Fatalf("history[%d] = %v, want %s", i, h, want[i])
			}
		}
		if c.errorCode(409, "POST", path+"/status", "manager", map[string]any{"status": "ready"}) != "invalid_transition" {
			t.Fatal("a delivered order moved back")
		}
	})
}

func TestPickupOrderLifecycle(t *testing.T) {
	t.Parallel()
	forEngines(t, func(t *testing.T, c *chain) {
		o := c.order("counter", map[string]any{"channel": "phone", "fulfilment": "pickup", "delivery_address": nil,
			"customer": map[string]any{"name": "Jean Dupont", "phone": "0478000000"}})
		if o["channel"] != "phone" || o["delivery_address"] != nil || o["customer"].(map[string]any)["name"] != "Jean Dupont" {
			t.Fatalf("phone order %v", o)
		}
		path := "/api/v1/orders/" + id(o)
		c.must(200, "POST", path+"/status", "pizzaiolo", map[string]any{"status": "preparing"})
		c.must(200, "POST", path+"/status", "pizzaiolo", map[string]any{"status": "ready"})
		if c.errorCode(409, "POST", path+"/status", "driver", map[string]any{"status": "out_for_delivery"}) != "invalid_transition" {
			t.Fatal("a pickup order went out for delivery")
		}
		c.must(200, "POST", path+"/payment", "counter", map[string]any{"method": "card"})
		done := c.must(200, "POST", path+"/status", "counter", map[string]any{"status": "picked_up"})
		if done["status"] != "picked_up" || done["payment_status"] != "paid" {
			t.Fatalf("picked up %v", done)
		}
		list := c.must(200, "GET", fmt.Sprintf("/api/v1/pizzerias/%d/orders?status=picked_up", c.shop), "counter", nil)
		_ = list
	})
}

func TestModifyAndCancel(t *testing.T) {
	t.Parallel()
	forEngines(t, func(t *testing.T, c *chain) {
		full := c.level(c.shop, c.dough)
		o := c.order("alice", nil)
		path := "/api/v1/orders/" + id(o)
		m := c.must(200, "PUT", path+"/items", "alice", map[string]any{"items": []map[string]any{{"product_id": c.pizza, "quantity": 3}}})
		if m["total_cents"].(float64) != 3*950 || c.level(c.shop, c.dough) != full-3*250 {
			t.Fatalf("modified %v, dough %d", m["total_cents"], c.level(c.shop, c.dough))
		}
		if c.errorCode(404, "PUT", path+"/items", "bob", map[string]any{"items": []map[string]any{{"product_id": c.pizza, "quantity": 1}}}) != "not_found" {
			t.Fatal("another customer modified the order")
		}
		cancelled := c.must(200, "POST", path+"/cancel", "alice", nil)
		if cancelled["status"] != "cancelled" || c.level(c.shop, c.dough) != full {
			t.Fatalf("cancel: %v, dough %d want %d", cancelled["status"], c.level(c.shop, c.dough), full)
		}

		o2 := c.order("alice", nil)
		path2 := "/api/v1/orders/" + id(o2)
		c.must(200, "POST", path2+"/status", "pizzaiolo", map[string]any{"status": "preparing"})
		if c.errorCode(409, "PUT", path2+"/items", "alice", map[string]any{"items": []map[string]any{{"product_id": c.pizza, "quantity": 1}}}) != "not_modifiable" {
			t.Fatal("modified while preparing")
		}
		if c.errorCode(409, "POST", path2+"/cancel", "alice", nil) != "not_cancellable" {
			t.Fatal("cancelled while preparing")
		}
		if c.level(c.shop, c.dough) != full-2*250 {
			t.Fatalf("stock moved by refused requests: %d", c.level(c.shop, c.dough))
		}
	})
}

func TestEveryRoleRefusedWhereItMustBe(t *testing.T) {
	t.Parallel()
	forEngines(t, func(t *testing.T, c *chain) {
		o := c.order("alice", nil)
		path := "/api/v1/orders/" + id(o)
		shopPath := fmt.Sprintf("/api/v1/pizzerias/%d", c.shop)
		refusals := []struct {
			name, method, path, who string
			body                    any
			status                  int
		}{
			{"anonymous order", "POST", "/api/v1/orders", "", map[string]any{}, 401},
			{"anonymous read", "GET", path, "", nil, 401},
			{"bad token", "GET", path, "nobody", nil, 401},
			{"other customer reads", "GET", path, "bob", nil, 404},
			{"other customer cancels", "POST", path + "/cancel", "bob", nil, 404},
			{"other shop's manager reads", "GET", path, "manager2", nil, 404},
			{"other shop's driver moves", "POST", path + "/status", "driver2", map[string]any{"status": "preparing"}, 404},
			{"customer prepares", "POST", path + "/status", "alice", map[string]any{"status": "preparing"}, 403},
			{"driver prepares", "POST", path + "/status", "driver", map[string]any{"status": "preparing"}, 403},
			{"counter prepares", "POST", path + "/status", "counter", map[string]any{"status": "preparing"}, 403},
			{"pizzaiolo delivers", "POST", path + "/status", "pizzaiolo", map[string]any{"status": "delivered"}, 403},
			{"pizzaiolo takes money", "POST", path + "/payment", "pizzaiolo", map[string]any{"method": "cash"}, 403},
			{"customer marks paid", "POST", path + "/payment", "alice", map[string]any{"method": "cash"}, 403},
			{"pizzaiolo modifies", "PUT", path + "/items", "pizzaiolo", map[string]any{"items": []map[string]any{{"product_id": c.pizza, "quantity": 1}}}, 403},
			{"customer reads stock", "GET", shopPath + "/stock", "alice", nil, 403},
			{"other manager reads stock", "GET", shopPath + "/stock", "manager2", nil, 403},
			{"counter moves stock", "POST", shopPath + "/stock/movements", "counter", map[string]any{"ingredient_id": c.dough, "reason": "delivery", "delta": 5}, 403},
			{"pizzaiolo moves stock", "POST", shopPath + "/stock/movements", "pizzaiolo", map[string]any{"ingredient_id": c.dough, "reason": "delivery", "delta": 5}, 403},
			{"customer lists shop orders", "GET", shopPath + "/orders", "alice", nil, 403},
			{"other driver lists orders", "GET", shopPath + "/orders", "driver2", nil, 403},
			{"customer reads recipe", "GET", fmt.Sprintf("/api/v1/products/%d/recipe", c.pizza), "alice", nil, 403},
			{"customer enters phone order", "POST", "/api/v1/orders", "alice", map[string]any{"pizzeria_id": c.shop, "channel": "phone",
				"items": []map[string]any{{"product_id": c.pizza, "quantity": 1}}, "fulfilment": "pickup", "payment_method": "on_delivery",
				"customer": map[string]any{"name": "X", "phone": "1"}}, 403},
			{"other shop's manager enters order", "POST", "/api/v1/orders", "manager2", map[string]any{"pizzeria_id": c.shop, "channel": "counter",
				"items": []map[string]any{{"product_id": c.pizza, "quantity": 1}}, "fulfilment": "pickup", "payment_method": "on_delivery",
				"customer": map[string]any{"name": "X", "phone": "1"}}, 403},
			{"customer follows shop events", "GET", shopPath + "/events", "alice", nil, 403},
			{"other customer follows order", "GET", path + "/events", "bob", nil, 404},
		}
		before := c.level(c.shop, c.dough)
		for _, r := range refusals {
			status, body := c.call(r.method, r.path, r.who, r.body)
			e, _ := body.(map[string]any)["error"].(map[string]any)
			if status != r.status || e == nil {
				t.Errorf("%s: %d %v, want %d with an error", r.name, status, body, r.status)
			}
		}
		after := c.must(200, "GET", path, "alice", nil)
		if after["status"] != "pending" || after["payment_status"] != "unpaid" || c.level(c.shop, c.dough) != before || c.orderCount() != 1 {
			t.Fatalf("a refused request changed something: %v, dough %d", after, c.level(c.shop, c.dough))
		}
		// And the allowed ones, for contrast.
		c.must(200, "GET", fmt.Sprintf("/api/v1/products/%d/recipe", c.pizza), "pizzaiolo", nil)
		c.must(200, "GET", shopPath+"/stock", "driver", nil)
		c.must(201, "POST", shopPath+"/stock/movements", "manager", map[string]any{"ingredient_id": c.dough, "reason": "delivery", "delta": 5})
		c.must(201, "POST", shopPath+"/stock/movements", "admin", map[string]any{"ingredient_id": c.dough, "reason": "count", "quantity": 1000})
		c.must(200, "GET", path, "admin", nil)
	})
}

func TestBadInputWritesNothing(t *testing.T) {
	t.Parallel()
	forEngines(t, func(t *testing.T, c *chain) {
		base := func(items any) map[string]any {
			return map[string]any{"pizzeria_id": c.shop, "items": items, "fulfilment": "pickup", "payment_method": "on_delivery"}
		}
		item := func(product, q int64) []map[string]any {
			return []map[string]any{{"product_id": product, "quantity": q}}
		}
		unknownField := base(item(c.pizza, 1))
		unknownField["coupon"] = "FREE"
		wrongPostcode := base(item(c.pizza, 1))
		wrongPostcode["fulfilment"] = "delivery"
		wrongPostcode["delivery_address"] = map[string]any{"street": "1 rue X", "postcode": "75001", "city": "Paris"}
		online := base(item(c.pizza, 1))
		online["payment_method"] = "online"
		huge := `{"pizzeria_id":1,"items":[],"pad":"` + strings.Repeat("x", 2<<20) + `"}`
		cases := []struct {
			name   string
			body   any
			status int
			code   string
		}{
			{"malformed JSON", `{"pizzeria_id": 1, "items": [`, 400, "malformed"},
			{"not an object", `[1,2,3]`, 400, "malformed"},
			{"empty body", ``, 400, "malformed"},
			{"two values", `{} {}`, 400, "malformed"},
			{"wrong type", `{"pizzeria_id": "one"}`, 400, "malformed"},
			{"fractional quantity", `{"pizzeria_id": 1, "items": [{"product_id": 1, "quantity": 1.5}]}`, 400, "malformed"},
			{"unknown field", unknownField, 400, "malformed"},
			{"2 MB body", huge, 413, "too_large"},
			{"unknown product", base(item(999999, 1)), 422, "invalid"},
			{"quantity 0", base(item(c.pizza, 0)), 422, "invalid"},
			{"negative quantity", base(item(c.pizza, -2)), 422, "invalid"},
			{"quantity 10,000", base(item(c.pizza, 10000)), 422, "invalid"},
			{"no items", base([]any{}), 422, "invalid"},
			{"unknown pizzeria", map[string]any{"pizzeria_id": 424242, "items": item(c.pizza, 1), "fulfilment": "pickup", "payment_method": "on_delivery"}, 422, "invalid"},
			{"postcode not delivered", wrongPostcode, 422, "invalid"},
			{"online without provider", online, 422, "payment_unavailable"},
		}
		stockBefore := c.level(c.shop, c.dough)
		for _, tc := range cases {
			if got := c.errorCode(tc.status, "POST", "/api/v1/orders", "alice", tc.body); got != tc.code {
				t.Errorf("%s: code %q, want %q", tc.name, got, tc.code)
			}
		}
		if c.orderCount() != 0 || c.level(c.shop, c.dough) != stockBefore {
			t.Fatalf("bad input wrote: %d orders, dough %d → %d", c.orderCount(), stockBefore, c.level(c.shop, c.dough))
		}
		// Other endpoints.
		c.errorCode(400, "POST", "/api/v1/customers", "", `{"email":`)
		c.errorCode(422, "POST", "/api/v1/customers", "", map[string]any{"email": "nope", "password": password, "name": "x"})
		c.errorCode(422, "POST", "/api/v1/customers", "", map[string]any{"email": "new@example.test", "password": "password123", "name": "x"})
		c.errorCode(422, "POST", "/api/v1/customers", "", map[string]any{"email": "new@example.test", "password": password, "name": "x\u0000y"})
		c.errorCode(401, "POST", "/api/v1/auth/token", "", map[string]any{"email": "alice@example.test", "password": "wrong password!"})
		c.errorCode(404, "GET", "/api/v1/orders/abc", "alice", nil)
		c.errorCode(404, "GET", "/api/v1/orders/987654", "alice", nil)
		c.errorCode(404, "GET", "/api/v1/pizzerias/0/menu", "", nil)
		c.errorCode(404, "GET", "/api/v1/nothing-here", "", nil)
		c.errorCode(422, "POST", fmt.Sprintf("/api/v1/pizzerias/%d/stock/movements", c.shop), "manager", map[string]any{"ingredient_id": c.dough, "reason": "theft", "delta": 1})
		c.errorCode(422, "POST", fmt.Sprintf("/api/v1/pizzerias/%d/stock/movements", c.shop), "manager", map[string]any{"ingredient_id": c.dough, "reason": "count"})
		c.errorCode(404, "POST", fmt.Sprintf("/api/v1/pizzerias/%d/stock/movements", c.shop), "manager", map[string]any{"ingredient_id": 99999, "reason": "delivery", "delta": 1})
		c.errorCode(422, "GET", fmt.Sprintf("/api/v1/pizzerias/%d/orders?status=lost", c.shop), "manager", nil)
		o := c.order("alice", nil)
		c.errorCode(422, "POST", "/api/v1/orders/"+id(o)+"/status", "manager", map[string]any{"status": "baked"})
		c.errorCode(422, "POST", "/api/v1/orders/"+id(o)+"/payment", "counter", map[string]any{"method": "cheque"})
		if c.level(c.shop, c.dough) != stockBefore-2*250 {
			t.Fatal("stock moved by refused movements")
		}
	})
}

func TestIdempotencyKey(t *testing.T) {
	t.Parallel()
	forEngines(t, func(t *testing.T, c *chain) {
		body := map[string]any{"pizzeria_id": c.shop, "items": []map[string]any{{"product_id": c.pizza, "quantity": 1}}, "fulfilment": "pickup", "payment_method": "on_delivery"}
		data, _ := json.Marshal(body)
		key := map[string]string{"Idempotency-Key": "order-attempt-1"}
		s1, o1 := c.send("POST", "/api/v1/orders", "alice", strings.NewReader(string(data)), key)
		s2, o2 := c.send("POST", "/api/v1/orders", "alice", strings.NewReader(string(data)), key)
		if s1 != 201 || s2 != 201 || id(o1.(map[string]any)) != id(o2.(map[string]any)) {
			t.Fatalf("retry gave %d %v and %d %v", s1, o1, s2, o2)
		}
		body["items"] = []map[string]any{{"product_id": c.pizza, "quantity": 2}}
		data, _ = json.Marshal(body)
		s3, o3 := c.send("POST", "/api/v1/orders", "alice", strings.NewReader(string(data)), key)
		if s3 != 422 {
			t.Fatalf("same key, other body: %d %v", s3, o3)
		}
		if c.orderCount() != 1 || c.level(c.shop, c.dough) != 100*250-250 {
			t.Fatalf("%d orders, dough %d", c.orderCount(), c.level(c.shop, c.dough))
		}
	})
}

// TestIdempotencyKeyLastsADay: a retry within the day finds its order;
// once the hourly prune has passed a day after, the same key places a new
// one (the first order stays).
func TestIdempotencyKeyLastsADay(t *testing.T) {
	t.Parallel()
	forEngines(t, func(t *testing.T, c *chain) {
		data, _ := json.Marshal(map[string]any{"pizzeria_id": c.shop, "items": []map[string]any{{"product_id": c.pizza, "quantity": 1}},
			"fulfilment": "pickup", "payment_method": "on_delivery"})
		key := map[string]string{"Idempotency-Key": "evening-order"}
		place := func() string {
			t.Helper()
			status, o := c.send("POST", "/api/v1/orders", "alice", strings.NewReader(string(data)), key)
			if status != 201 {
				t.Fatalf("order: %d %v", status, o)
			}
			return id(o.(map[string]any))
		}
		real := c.store.Clock()
		t.Cleanup(func() { c.store.SetClock(real) })
		placedAt := real()
		first := place()
		later := func(d time.Duration) {
			t.Helper()
			c.store.SetClock(func() time.Time { return placedAt.Add(d) })
			if _, err := c.server.Shop.Prune(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
		later(shop.KeepIdempotencyKeys - time.Minute)
		if again := place(); again != first {
			t.Fatalf("a retry within the day placed order %s, want %s", again, first)
		}
		later(shop.KeepIdempotencyKeys + time.Minute)
		if again := place(); again == first {
			t.Fatal("a key sent again after a day still replays its order")
		}
		if c.orderCount() != 2 {
			t.Fatalf("%d orders, want 2", c.orderCount())
		}
	})
}

// TestLastTenPizzasOverHTTP: 200 concurrent clients order the last 10
// makeable pizzas through the API.
func TestLastTenPizzasOverHTTP(t *testing.T) {
	t.Parallel()
	forEngines(t, func(t *testing.T, c *chain) {
		// Two customers stand for 200: the race is for the stock.
		c.store.SetHoldLimit(order.HoldLimit{})
		c.must(201, "POST", fmt.Sprintf("/api/v1/pizzerias/%d/stock/movements", c.shop), "manager", map[string]any{"ingredient_id": c.dough, "reason": "count", "quantity": 10 * 250})
		menu := c.call2menu()
		if menu[c.pizza] != 10 {
			t.Fatalf("makeable before: %d", menu[c.pizza])
		}
		body := map[string]any{"pizzeria_id": c.shop, "items": []map[string]any{{"product_id": c.pizza, "quantity": 1}}, "fulfilment": "pickup", "payment_method": "on_delivery"}
		statuses := make(chan int, 200)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := 0; i < 200; i++ {
			wg.Add(1)
			who := []string{"alice", "bob"}[i%2]
			go func() {
				defer wg.Done()
				<-start
				status, _ := c.call("POST", "/api/v1/orders", who, body)
				statuses <- status
			}()
		}
		close(start)
		wg.Wait()
		close(statuses)
		counts := map[int]int{}
		for s := range statuses {
			counts[s]++
		}
		if counts[201] != 10 || counts[409] != 190 {
			t.Fatalf("statuses %v: want 10 × 201 and 190 × 409", counts)
		}
		if c.level(c.shop, c.dough) != 0 {
			t.Fatalf("dough left %d, want 0", c.level(c.shop, c.dough))
		}
		if c.call2menu()[c.pizza] != 0 || c.orderCount() != 10 {
			t.Fatalf("after: makeable %d, orders %d", c.call2menu()[c.pizza], c.orderCount())
		}
		status, body2 := c.call("POST", "/api/v1/orders", "alice", body)
		e := body2.(map[string]any)["error"].(map[string]any)
		if status != 409 || e["code"] != "out_of_stock" || int64(e["product_id"].(float64)) != c.pizza {
			t.Fatalf("one more: %d %v", status, body2)
		}
	})
}

// call2menu returns product id → available in the first shop.
func (c *chain) call2menu() map[int64]int64 {
	c.t.Helper()
	status, out := c.call("GET", fmt.Sprintf("/api/v1/pizzerias/%d/menu", c.shop), "", nil)
	if status != 200 {
		c.t.Fatalf("menu: %d", status)
	}
	m := map[int64]int64{}
	for _, it := range out.([]any) {
		item := it.(map[string]any)
		m[int64(item["product_id"].(float64))] = int64(item["available"].(float64))
	}
	return m
}

func TestEventStreams(t *testing.T) {
	t.Parallel()
	forEngines(t, func(t *testing.T, c *chain) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		open := func(path, who string) *bufio.Reader {
			req, _ := http.NewRequestWithContext(ctx, "GET", c.srv.URL+path, nil)
			req.Header.Set("Authorization", "Bearer "+c.tokens[who])
			res, err := c.srv.Client().Do(req)
			check(t, err)
			t.Cleanup(func() { res.Body.Close() })
			if res.StatusCode != 200 || res.Header.Get("Content-Type") != "text/event-stream" {
				t.Fatalf("%s: %d %s", path, res.StatusCode, res.Header.Get("Content-Type"))
			}
			return bufio.NewReader(res.Body)
		}
		next := func(r *bufio.Reader) (string, map[string]any) {
			var kind string
			for {
				line, err := r.ReadString('\n')
				check(t, err)
				line = strings.TrimRight(line, "\n")
				if k, ok := strings.CutPrefix(line, "event: "); ok {
					kind = k
				}
				if d, ok := strings.CutPrefix(line, "data: "); ok {
					var m map[string]any
					check(t, json.Unmarshal([]byte(d), &m))
					return kind, m
				}
			}
		}
		kitchen := open(fmt.Sprintf("/api/v1/pizzerias/%d/events", c.shop), "pizzaiolo")
		o := c.order("alice", nil)
		kind, data := next(kitchen)
		if kind != "order.created" || id(data) != id(o) {
			t.Fatalf("kitchen got %s %v", kind, data)
		}
		if kind, _ := next(kitchen); kind != "stock.changed" {
			t.Fatalf("kitchen then got %s", kind)
		}
		follow := open("/api/v1/orders/"+id(o)+"/events", "alice")
		c.must(200, "POST", "/api/v1/orders/"+id(o)+"/status", "pizzaiolo", map[string]any{"status": "preparing"})
		kind, data = next(follow)
		if kind != "order.updated" || data["status"] != "preparing" {
			t.Fatalf("customer got %s %v", kind, data)
		}

		// Signing out ends the session's open streams at once: a dismissed
		// employee does not keep watching the shop's orders.
		c.must(204, "DELETE", "/api/v1/auth/token", "pizzaiolo", nil)
		ended := make(chan error, 1)
		go func() {
			for {
				if _, err := kitchen.ReadString('\n'); err != nil {
					ended <- err
					return
				}
			}
		}()
		select {
		case err := <-ended:
			if !errors.Is(err, io.EOF) {
				t.Fatalf("the kitchen stream ended with %v, want its end", err)
			}
		case <-time.After(2 * time.Second):
			t.Fatal("the kitchen stream still runs 2 s after its session signed out")
		}
	})
}

func TestHealthAndOpenAPI(t *testing.T) {
	t.Parallel()
	c := newChain(t, "sqlite")
	if s, body := c.call("GET", "/healthz", "", nil); s != 200 || body.(map[string]any)["status"] != "ok" {
		t.Fatalf("healthz %d %v", s, body)
	}
	if s, _ := c.call("GET", "/readyz", "", nil); s != 200 {
		t.Fatalf("readyz %d", s)
	}
	doc := c.must(200, "GET", "/api/v1/openapi.json", "", nil)
	paths, _ := doc["paths"].(map[string]any)
	for _, p := range []string{"/api/v1/orders", "/api/v1/orders/{id}/status", "/api/v1/pizzerias/{id}/menu", "/api/v1/pizzerias/{id}/events"} {
		if paths[p] == nil {
			t.Errorf("OpenAPI document lacks %s", p)
		}
	}
	c.store.Close()
	if s, _ := c.call("GET", "/readyz", "", nil); s != 503 {
		t.Fatalf("readyz with the database closed: %d", s)
	}
	if s, _ := c.call("GET", "/healthz", "", nil); s != 200 {
		t.Fatalf("healthz with the database closed: %d", s)
	}
}

// A customer keeps delivery addresses and orders to one by its id; nobody
// else sees, uses or deletes them.
func TestSavedAddressesOverHTTP(t *testing.T) {
	t.Parallel()
	forEngines(t, func(t *testing.T, c *chain) {
		home := map[string]any{"street": " 8 rue Mercière ", "postcode": "69002", "city": "Lyon"}
		saved := c.must(201, "POST", "/api/v1/me/addresses", "alice", home)
		if saved["street"] != "8 rue Mercière" || saved["id"] == nil {
			t.Fatalf("saved %v", saved)
		}
		c.must(200, "POST", "/api/v1/me/addresses", "alice", home) // kept already
		status, list := c.call("GET", "/api/v1/me/addresses", "alice", nil)
		if status != 200 || len(list.([]any)) != 1 {
			t.Fatalf("list: %d %v", status, list)
		}
		if status, list := c.call("GET", "/api/v1/me/addresses", "bob", nil); status != 200 || len(list.([]any)) != 0 {
			t.Fatalf("bob's list: %d %v", status, list)
		}

		o := c.order("alice", map[string]any{"delivery_address": nil, "delivery_address_id": saved["id"]})
		if addr := o["delivery_address"].(map[string]any); addr["street"] != "8 rue Mercière" || addr["postcode"] != "69002" {
			t.Fatalf("order delivered to %v", addr)
		}
		before := c.orderCount()
		for _, tc := range []struct {
			name, who string
			body      map[string]any
		}{
			{"another customer's address", "bob", map[string]any{"delivery_address": nil, "delivery_address_id": saved["id"]}},
			{"both an address and an id", "alice", map[string]any{"delivery_address_id": saved["id"]}},
			{"staff with a customer's address", "counter", map[string]any{"delivery_address": nil, "delivery_address_id": saved["id"], "channel": "phone",
				"customer": map[string]any{"name": "Jean Dupont", "phone": "0478000000"}}},
		} {
			body := map[string]any{"pizzeria_id": c.shop, "items": []map[string]any{{"product_id": c.pizza, "quantity": 1}},
				"fulfilment": "delivery", "delivery_address": home, "payment_method": "on_delivery"}
			for k, v := range tc.body {
				body[k] = v
			}
			if code := c.errorCode(422, "POST", "/api/v1/orders", tc.who, body); code != "invalid" {
				t.Errorf("%s: %s", tc.name, code)
			}
		}
		if c.orderCount() != before {
			t.Fatal("a refused order was stored")
		}

		path := "/api/v1/me/addresses/" + id(saved)
		refusals := []struct {
			name, method, path, who string
			body                    any
			status                  int
			code                    string
		}{
			{"anonymous", "GET", "/api/v1/me/addresses", "", nil, 401, "unauthorized"},
			{"staff", "GET", "/api/v1/me/addresses", "manager", nil, 403, "forbidden"},
			{"staff saves", "POST", "/api/v1/me/addresses", "counter", home, 403, "forbidden"},
			{"bad postcode", "POST", "/api/v1/me/addresses", "alice", map[string]any{"street": "1 rue X", "postcode": "6900", "city": "Lyon"}, 422, "invalid"},
			{"unknown field", "POST", "/api/v1/me/addresses", "alice", map[string]any{"street": "1 rue X", "postcode": "69002", "city": "Lyon", "floor": 3}, 400, "malformed"},
			{"another customer deletes", "DELETE", path, "bob", nil, 404, "not_found"},
		}
		for _, r := range refusals {
			if code := c.errorCode(r.status, r.method, r.path, r.who, r.body); code != r.code {
				t.Errorf("%s: %s, want %s", r.name, code, r.code)
			}
		}
		if status, _ := c.call("DELETE", path, "alice", nil); status != 204 {
			t.Fatalf("delete: %d", status)
		}
		if code := c.errorCode(404, "DELETE", path, "alice", nil); code != "not_found" {
			t.Fatalf("deleted twice: %s", code)
		}
		if got := c.must(200, "GET", "/api/v1/orders/"+id(o), "alice", nil); got["delivery_address"].(map[string]any)["street"] != "8 rue Mercière" {
			t.Fatalf("the order lost its address: %v", got["delivery_address"])
		}
	})
}

// TestClosedPizzeriaRefusesWebsiteOrders: outside its hours a pizzeria
// takes no order from the website, and says when it opens; its staff
// still take phone orders.
func TestClosedPizzeriaRefusesWebsiteOrders(t *testing.T) {
	t.Parallel()
	forEngines(t, func(t *testing.T, c *chain) {
		now := time.Now().In(pizzeria.Paris)
		// Open tomorrow only, from 18:00.
		check(t, c.store.SetHours(context.Background(), c.shop, []pizzeria.Hours{{Weekday: (now.Weekday() + 1) % 7, Open: 18 * 60, Close: 23 * 60}}))
		c.server.Shop.Forget()
		status, out := c.call("POST", "/api/v1/orders", "alice", map[string]any{"pizzeria_id": c.shop, "items": []map[string]any{{"product_id": c.pizza, "quantity": 1}},
			"fulfilment": "pickup", "payment_method": "on_delivery"})
		e, _ := out.(map[string]any)["error"].(map[string]any)
		if status != 409 || e["code"] != "closed" || !strings.Contains(e["message"].(string), "opens at 18:00") || e["opens_at"] == nil {
			t.Fatalf("order in a closed pizzeria: %d %v", status, out)
		}
		c.order("counter", map[string]any{"channel": "phone", "fulfilment": "pickup", "delivery_address": nil,
			"customer": map[string]any{"name": "Jean Dupont", "phone": "0478000000"}})
	})
}
