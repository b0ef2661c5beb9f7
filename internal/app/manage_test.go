package app_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/oc-pizza/ocpizza/internal/notify"
	"github.com/oc-pizza/ocpizza/internal/pizzeria"
)

// The back office's API: each endpoint's success, its refusals by role and
// by pizzeria, and bad input answered 4xx with nothing written — on every
// engine.

func (c *chain) pizzeriaCount() int {
	c.t.Helper()
	ps, err := c.store.Pizzerias(context.Background())
	check(c.t, err)
	return len(ps)
}

func (c *chain) productCount() int {
	c.t.Helper()
	ps, err := c.store.Products(context.Background(), false)
	check(c.t, err)
	return len(ps)
}

// refuse sends each request and checks its status and error code.
func (c *chain) refuse(cases []refusal) {
	c.t.Helper()
	for _, r := range cases {
		if code := c.errorCode(r.status, r.method, r.path, r.who, r.body); r.code != "" && code != r.code {
			c.t.Errorf("%s: code %s, want %s", r.name, code, r.code)
		}
	}
}

type refusal struct {
	name, method, path, who string
	body                    any
	status                  int
	code                    string
}

// lowStockMails returns the low-stock alerts queued since the last call,
// as "recipient ingredient" pairs.
func (c *chain) lowStockMails() []string {
	c.t.Helper()
	items, err := c.store.ClaimOutbox(context.Background(), 100, time.Hour)
	check(c.t, err)
	var out []string
	for _, it := range items {
		if it.Kind == "low_stock" {
			out = append(out, fmt.Sprintf("%s %d", it.Recipient, it.IngredientID))
		}
	}
	return out
}

// inviteLink waits for the mail sent to whom and returns its link's token.
func inviteLink(t *testing.T, box *mailbox, to string) string {
	t.Helper()
	m := mailTo(t, box, to)
	link := regexp.MustCompile(`/password/reset\?token=([A-Za-z0-9_-]+)`).FindStringSubmatch(m.Text)
	if link == nil {
		t.Fatalf("no link in %q", m.Text)
	}
	return link[1]
}

// mailTo waits up to 5 s for the first mail to an address.
func mailTo(t *testing.T, box *mailbox, to string) notify.Message {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		box.mu.Lock()
		for _, m := range box.sent {
			if m.To == to {
				box.mu.Unlock()
				return m
			}
		}
		box.mu.Unlock()
		select {
		case <-box.got:
		case <-deadline:
			t.Fatalf("no mail to %s", to)
		}
	}
}

func newPizzeriaBody(c *chain, code string) map[string]any {
	return map[string]any{"code": code, "name": "OC Pizza Guillotière", "phone": "04 78 00 00 09",
		"address":            map[string]any{"street": "12 cours Gambetta", "postcode": "69007", "city": "Lyon"},
		"hours":              []map[string]any{{"weekday": 0, "open": 0, "close": 1440}, {"weekday": 1, "open": 0, "close": 1440}, {"weekday": 2, "open": 0, "close": 1440}, {"weekday": 3, "open": 0, "close": 1440}, {"weekday": 4, "open": 0, "close": 1440}, {"weekday": 5, "open": 0, "close": 1440}, {"weekday": 6, "open": 0, "close": 1440}},
		"delivery_postcodes": []string{"69007", "69003"}, "stock_from": c.shop,
		"manager": map[string]any{"email": "gerant.gui@ocpizza.test", "name": "Gérant Guillotière"}}
}

// TestOpenPizzeria: the admin opens a pizzeria with its stock list and a
// new manager, who sets a password through the invitation, receives the
// first delivery, and a customer orders there.
func TestOpenPizzeria(t *testing.T) {
	t.Parallel()
	forEngines(t, func(t *testing.T, c *chain) {
		box := &mailbox{got: make(chan struct{}, 10)}
		c.server.Shop.Mail, c.server.Shop.PublicURL = box, "https://www.ocpizza.test"
		before := c.pizzeriaCount()
		bad := func(change func(m map[string]any)) map[string]any {
			m := newPizzeriaBody(c, "GUI")
			change(m)
			return m
		}
		c.refuse([]refusal{
			{"anonymous", "POST", "/api/v1/pizzerias", "", newPizzeriaBody(c, "GUI"), 401, "unauthorized"},
			{"customer", "POST", "/api/v1/pizzerias", "alice", newPizzeriaBody(c, "GUI"), 403, "forbidden"},
			{"manager", "POST", "/api/v1/pizzerias", "manager", newPizzeriaBody(c, "GUI"), 403, "forbidden"},
			{"code taken", "POST", "/api/v1/pizzerias", "admin", newPizzeriaBody(c, "one"), 409, "conflict"},
			{"bad code", "POST", "/api/v1/pizzerias", "admin", newPizzeriaBody(c, "G-1"), 422, "invalid"},
			{"bad postcode", "POST", "/api/v1/pizzerias", "admin", bad(func(m map[string]any) { m["delivery_postcodes"] = []string{"6907"} }), 422, "invalid"},
			{"no hours", "POST", "/api/v1/pizzerias", "admin", bad(func(m map[string]any) { m["hours"] = []any{} }), 422, "invalid"},
			{"bad hours", "POST", "/api/v1/pizzerias", "admin", bad(func(m map[string]any) { m["hours"] = []map[string]any{{"weekday": 9, "open": 0, "close": 60}} }), 422, "invalid"},
			{"no manager", "POST", "/api/v1/pizzerias", "admin", bad(func(m map[string]any) { m["manager"] = map[string]any{"email": "", "name": "X"} }), 422, "invalid"},
			{"unknown stock source", "POST", "/api/v1/pizzerias", "admin", bad(func(m map[string]any) { m["stock_from"] = 999999 }), 422, "invalid"},
			{"unknown field", "POST", "/api/v1/pizzerias", "admin", bad(func(m map[string]any) { m["owner"] = "me" }), 400, "malformed"},
		})
		if c.pizzeriaCount() != before {
			t.Fatal("a refused opening wrote a pizzeria")
		}
		if _, err := c.store.UserByEmail(context.Background(), "gerant.gui@ocpizza.test"); err == nil {
			t.Fatal("a refused opening wrote its manager")
		}

		out := c.must(201, "POST", "/api/v1/pizzerias", "admin", newPizzeriaBody(c, "gui"))
		p := out["pizzeria"].(map[string]any)
		if p["code"] != "GUI" || p["active"] != true || p["open_now"] != true || p["kitchen"].(map[string]any)["warn_minutes"].(float64) != 10 {
			t.Fatalf("opened %v", p)
		}
		gui := int64(p["id"].(float64))
		levels, err := c.store.StockLevels(context.Background(), gui)
		check(t, err)
		if len(levels) != 3 {
			t.Fatalf("the new stock lists %d ingredients, want the 3 of the first pizzeria", len(levels))
		}
		for _, l := range levels {
			if l.Quantity != 0 {
				t.Fatalf("copied level %+v is not at zero", l)
			}
		}
		// The new manager cannot sign in before setting a password.
		c.errorCode(401, "POST", "/api/v1/auth/token", "", map[string]any{"email": "gerant.gui@ocpizza.test", "password": ""})
		token := inviteLink(t, box, "gerant.gui@ocpizza.test")
		check(t, c.server.Shop.ResetPassword(context.Background(), token, password))
		signedIn := c.must(200, "POST", "/api/v1/auth/token", "", map[string]any{"email": "gerant.gui@ocpizza.test", "password": password})
		c.tokens["gui"] = signedIn["token"].(string)

		// Sold out until its first delivery, which its manager records.
		if c.errorCode(409, "POST", "/api/v1/orders", "alice", map[string]any{"pizzeria_id": gui, "items": []map[string]any{{"product_id": c.pizza, "quantity": 1}},
			"fulfilment": "pickup", "payment_method": "on_delivery"}) != "out_of_stock" {
			t.Fatal("an empty pizzeria took an order")
		}
		var lines []map[string]any
		for _, l := range levels {
			lines = append(lines, map[string]any{"ingredient_id": l.IngredientID, "quantity": 5000})
		}
		c.must(201, "POST", fmt.Sprintf("/api/v1/pizzerias/%d/stock/batches", gui), "gui", map[string]any{"reason": "delivery", "note": "BL 1", "lines": lines})
		c.refuse([]refusal{{"the other manager delivers there", "POST", fmt.Sprintf("/api/v1/pizzerias/%d/stock/batches", gui), "manager",
			map[string]any{"reason": "delivery", "lines": lines}, 403, "forbidden"}})
		o := c.must(201, "POST", "/api/v1/orders", "alice", map[string]any{"pizzeria_id": gui, "items": []map[string]any{{"product_id": c.pizza, "quantity": 1}},
			"fulfilment": "delivery", "delivery_address": map[string]any{"street": "1 rue Marc Bloch", "postcode": "69007", "city": "Lyon"}, "payment_method": "on_delivery"})
		if !strings.HasPrefix(o["number"].(string), "GUI-") {
			t.Fatalf("order number %v", o["number"])
		}
		c.must(200, "GET", fmt.Sprintf("/api/v1/pizzerias/%d/board", gui), "gui", nil)
		c.refuse([]refusal{{"the new manager's board elsewhere", "GET", fmt.Sprintf("/api/v1/pizzerias/%d/board", c.shop), "gui", nil, 403, "forbidden"}})

		// An e-mail that has an account is given the role, not a new account.
		again := newPizzeriaBody(c, "CRX")
		again["manager"] = map[string]any{"email": "manager2@ocpizza.test", "name": "manager2"}
		delete(again, "stock_from")
		out = c.must(201, "POST", "/api/v1/pizzerias", "admin", again)
		if roles := out["manager"].(map[string]any)["roles"].([]any); len(roles) != 2 {
			t.Fatalf("manager2's roles %v", roles)
		}
		crx := int64(out["pizzeria"].(map[string]any)["id"].(float64))
		if levels, _ := c.store.StockLevels(context.Background(), crx); len(levels) != 3 {
			t.Fatalf("without stock_from: %d levels, want every ingredient", len(levels))
		}
	})
}

// TestPizzeriaSettings: hours, postcodes and kitchen thresholds are the
// manager's; name, address, phone and opening the admin's; a closed day
// refuses website orders, not the counter's.
func TestPizzeriaSettings(t *testing.T) {
	t.Parallel()
	forEngines(t, func(t *testing.T, c *chain) {
		path := fmt.Sprintf("/api/v1/pizzerias/%d", c.shop)
		got := c.must(200, "PATCH", path, "manager", map[string]any{"delivery_postcodes": []string{"69002", "69001", "69001"},
			"kitchen": map[string]any{"warn_minutes": 8, "late_minutes": 12}})
		if pcs := got["delivery_postcodes"].([]any); len(pcs) != 2 || pcs[0] != "69001" || got["kitchen"].(map[string]any)["late_minutes"].(float64) != 12 {
			t.Fatalf("patched %v", got)
		}
		c.must(200, "PATCH", path, "admin", map[string]any{"name": "OC Pizza Un", "phone": "04 00"})
		before := c.must(200, "GET", path, "", nil)
		c.refuse([]refusal{
			{"manager renames", "PATCH", path, "manager", map[string]any{"name": "Chez moi"}, 403, "forbidden"},
			{"other manager", "PATCH", path, "manager2", map[string]any{"kitchen": map[string]any{"warn_minutes": 5, "late_minutes": 6}}, 403, "forbidden"},
			{"counter", "PATCH", path, "counter", map[string]any{"kitchen": map[string]any{"warn_minutes": 5, "late_minutes": 6}}, 403, "forbidden"},
			{"customer", "PATCH", path, "alice", map[string]any{"hours": []any{}}, 403, "forbidden"},
			{"red before amber", "PATCH", path, "manager", map[string]any{"kitchen": map[string]any{"warn_minutes": 20, "late_minutes": 10}}, 422, "invalid"},
			{"bad postcode", "PATCH", path, "manager", map[string]any{"delivery_postcodes": []string{"69OO1"}}, 422, "invalid"},
			{"bad hours", "PATCH", path, "manager", map[string]any{"hours": []map[string]any{{"weekday": 1, "open": 600, "close": 500}}}, 422, "invalid"},
			{"unknown pizzeria", "PATCH", "/api/v1/pizzerias/999999", "admin", map[string]any{"name": "X"}, 404, "not_found"},
			{"code", "PATCH", path, "admin", map[string]any{"code": "NEW"}, 400, "malformed"},
		})
		if after := c.must(200, "GET", path, "", nil); fmt.Sprint(after) != fmt.Sprint(before) {
			t.Fatalf("a refused change wrote:\n%v\n%v", before, after)
		}

		// Closed today: the website refuses orders, the counter takes them.
		today := time.Now().In(pizzeria.Paris).Format(pizzeria.DateLayout)
		c.refuse([]refusal{
			{"past day", "POST", path + "/closures", "manager", map[string]any{"date": "2020-01-01", "reason": "x"}, 422, "invalid"},
			{"bad date", "POST", path + "/closures", "manager", map[string]any{"date": "01/01/2030"}, 422, "invalid"},
			{"other manager closes", "POST", path + "/closures", "manager2", map[string]any{"date": today}, 403, "forbidden"},
		})
		c.must(201, "POST", path+"/closures", "manager", map[string]any{"date": today, "reason": "Inventaire"})
		if closures := c.must(200, "GET", path, "", nil)["closures"].([]any); len(closures) != 1 {
			t.Fatalf("closures %v", closures)
		}
		if code := c.errorCode(409, "POST", "/api/v1/orders", "alice", map[string]any{"pizzeria_id": c.shop, "items": []map[string]any{{"product_id": c.pizza, "quantity": 1}},
			"fulfilment": "pickup", "payment_method": "on_delivery"}); code != "closed" {
			t.Fatalf("an order on a closed day: %s", code)
		}
		c.order("counter", map[string]any{"channel": "phone", "fulfilment": "pickup", "delivery_address": nil,
			"customer": map[string]any{"name": "Jean Dupont", "phone": "0478000000"}})
		c.refuse([]refusal{{"other manager opens", "DELETE", path + "/closures/" + today, "manager2", nil, 403, "forbidden"}})
		if status, _ := c.call("DELETE", path+"/closures/"+today, "manager", nil); status != 204 {
			t.Fatalf("reopen: %d", status)
		}
		c.refuse([]refusal{{"reopen twice", "DELETE", path + "/closures/" + today, "manager", nil, 404, "not_found"}})
		c.order("alice", nil)
	})
}

// TestBoards: the manager's board lists the orders in progress late ones
// first, with today's takings and the stock alerts; the admin's shows
// every pizzeria.
func TestBoards(t *testing.T) {
	t.Parallel()
	forEngines(t, func(t *testing.T, c *chain) {
		now := c.store.Now()
		c.store.SetClock(func() time.Time { return now.Add(-time.Hour) })
		late := c.order("alice", nil) // promised 40 minutes after an hour ago
		c.store.SetClock(func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) })
		c.order("bob", nil)
		cancelled := c.order("bob", nil)
		c.must(200, "POST", "/api/v1/orders/"+id(cancelled)+"/cancel", "bob", nil)
		c.must(201, "POST", fmt.Sprintf("/api/v1/pizzerias/%d/stock/movements", c.shop), "manager", map[string]any{"ingredient_id": c.dough, "reason": "count", "quantity": 0})

		b := c.must(200, "GET", fmt.Sprintf("/api/v1/pizzerias/%d/board", c.shop), "manager", nil)
		orders := b["orders"].([]any)
		if len(orders) != 2 || id(orders[0].(map[string]any)) != id(late) || orders[0].(map[string]any)["late"] != true || b["late"].(float64) != 1 {
			t.Fatalf("board orders %v", orders)
		}
		if b["counts"].(map[string]any)["pending"].(float64) != 2 || len(b["stock_alerts"].([]any)) == 0 {
			t.Fatalf("board %v", b)
		}
		// Today's takings: the two orders not cancelled (the late one was
		// placed an hour ago, which is today unless the test runs at midnight).
		if cents := b["today_cents"].(float64); cents != 2*(2*950+300) && cents != 2*950+300 {
			t.Fatalf("today's takings %v", cents)
		}
		status, all := c.call("GET", "/api/v1/board", "admin", nil)
		if status != 200 || len(all.([]any)) != 2 {
			t.Fatalf("chain board: %d %v", status, all)
		}
		c.refuse([]refusal{
			{"other manager", "GET", fmt.Sprintf("/api/v1/pizzerias/%d/board", c.shop), "manager2", nil, 403, "forbidden"},
			{"counter", "GET", fmt.Sprintf("/api/v1/pizzerias/%d/board", c.shop), "counter", nil, 403, "forbidden"},
			{"customer", "GET", fmt.Sprintf("/api/v1/pizzerias/%d/board", c.shop), "alice", nil, 403, "forbidden"},
			{"manager, chain", "GET", "/api/v1/board", "manager", nil, 403, "forbidden"},
			{"anonymous", "GET", "/api/v1/board", "", nil, 401, "unauthorized"},
		})
	})
}
