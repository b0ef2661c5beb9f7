package app_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/oc-pizza/ocpizza/internal/notify"
	"github.com/oc-pizza/ocpizza/internal/notify/outbox"
	"github.com/oc-pizza/ocpizza/internal/notify/smtptest"
)

// TestStockBatches: a delivery note of several lines, a count and waste,
// each all or nothing, in the history with who and when.
func TestStockBatches(t *testing.T) {
	t.Parallel()
	forEngines(t, func(t *testing.T, c *chain) {
		path := fmt.Sprintf("/api/v1/pizzerias/%d/stock", c.shop)
		dough := c.level(c.shop, c.dough)
		status, out := c.call("GET", path, "manager", nil)
		if status != 200 {
			t.Fatal(status)
		}
		var mozza, can int64
		for _, l := range out.([]any) {
			m := l.(map[string]any)
			switch m["name"] {
			case "Mozzarella":
				mozza = int64(m["ingredient_id"].(float64))
			case "Cola":
				can = int64(m["ingredient_id"].(float64))
			}
		}
		note := map[string]any{"reason": "delivery", "note": "BL 4411", "lines": []map[string]any{
			{"ingredient_id": c.dough, "quantity": 5000}, {"ingredient_id": mozza, "quantity": 0}, {"ingredient_id": can, "quantity": 24}}}
		before := c.level(c.shop, can)
		c.refuse([]refusal{
			{"counter", "POST", path + "/batches", "counter", note, 403, "forbidden"},
			{"other manager", "POST", path + "/batches", "manager2", note, 403, "forbidden"},
			{"customer", "POST", path + "/batches", "alice", note, 403, "forbidden"},
			{"anonymous", "POST", path + "/batches", "", note, 401, "unauthorized"},
			{"no quantity", "POST", path + "/batches", "manager", map[string]any{"reason": "delivery", "lines": []map[string]any{{"ingredient_id": c.dough, "quantity": 0}}}, 422, "invalid"},
			{"twice", "POST", path + "/batches", "manager", map[string]any{"reason": "delivery", "lines": []map[string]any{{"ingredient_id": c.dough, "quantity": 1}, {"ingredient_id": c.dough, "quantity": 2}}}, 422, "invalid"},
			{"waste without why", "POST", path + "/batches", "manager", map[string]any{"reason": "waste", "lines": []map[string]any{{"ingredient_id": c.dough, "quantity": 1}}}, 422, "invalid"},
			{"reservation by hand", "POST", path + "/batches", "manager", map[string]any{"reason": "reservation", "lines": []map[string]any{{"ingredient_id": c.dough, "quantity": 1}}}, 422, "invalid"},
			// All or nothing: the good first line is not kept.
			{"unknown ingredient on line 2", "POST", path + "/batches", "manager", map[string]any{"reason": "delivery", "lines": []map[string]any{{"ingredient_id": can, "quantity": 5}, {"ingredient_id": 999999, "quantity": 1}}}, 404, "not_found"},
			{"waste more than held on line 2", "POST", path + "/batches", "manager", map[string]any{"reason": "waste", "note": "tombé", "lines": []map[string]any{{"ingredient_id": can, "quantity": 1}, {"ingredient_id": c.dough, "quantity": dough + 1}}}, 409, "conflict"},
			{"unknown field", "POST", path + "/batches", "manager", map[string]any{"reason": "delivery", "supplier": "x", "lines": []any{}}, 400, "malformed"},
		})
		if c.level(c.shop, can) != before || c.level(c.shop, c.dough) != dough {
			t.Fatal("a refused batch moved stock")
		}
		status, levels := c.call("POST", path+"/batches", "manager", note)
		if status != 201 || len(levels.([]any)) != 2 || c.level(c.shop, c.dough) != dough+5000 || c.level(c.shop, can) != before+24 {
			t.Fatalf("delivery: %d %v", status, levels)
		}
		c.must(201, "POST", path+"/batches", "admin", map[string]any{"reason": "count", "lines": []map[string]any{{"ingredient_id": can, "quantity": 10}}})
		c.must(201, "POST", path+"/batches", "manager", map[string]any{"reason": "waste", "note": "Canettes percées", "lines": []map[string]any{{"ingredient_id": can, "quantity": 2}}})
		if c.level(c.shop, can) != 8 {
			t.Fatalf("after count and waste: %d cans", c.level(c.shop, can))
		}

		status, hist := c.call("GET", path+"/movements?limit=3", "manager", nil)
		if status != 200 || len(hist.([]any)) != 3 {
			t.Fatalf("history: %d %v", status, hist)
		}
		last := hist.([]any)[0].(map[string]any)
		if last["reason"] != "waste" || last["delta"].(float64) != -2 || last["by"] != "manager" || last["note"] != "Canettes percées" || last["at"] == nil || last["ingredient"] != "Cola" {
			t.Fatalf("latest movement %v", last)
		}
		if hist.([]any)[1].(map[string]any)["by"] != "admin" {
			t.Fatalf("the count's author: %v", hist.([]any)[1])
		}
		if status, older := c.call("GET", path+"/movements?before="+id(last), "manager", nil); status != 200 || len(older.([]any)) < 2 {
			t.Fatalf("older movements: %d %v", status, older)
		}
		c.refuse([]refusal{
			{"driver reads history", "GET", path + "/movements", "driver", nil, 403, "forbidden"},
			{"other manager reads history", "GET", path + "/movements", "manager2", nil, 403, "forbidden"},
		})
	})
}

// TestLowStockMailsOncePerCrossing: a level that goes under its threshold
// queues one mail for the pizzeria's manager, whatever moves next, until
// a delivery takes it back above; the next crossing mails again.
func TestLowStockMailsOncePerCrossing(t *testing.T) {
	t.Parallel()
	forEngines(t, func(t *testing.T, c *chain) {
		c.lowStockMails() // those of the fixture's first deliveries
		threshold := fmt.Sprintf("/api/v1/pizzerias/%d/stock/%d/threshold", c.shop, c.dough)
		c.refuse([]refusal{
			{"counter sets", "PUT", threshold, "counter", map[string]any{"low_threshold": 10}, 403, "forbidden"},
			{"other manager sets", "PUT", threshold, "manager2", map[string]any{"low_threshold": 10}, 403, "forbidden"},
			{"negative", "PUT", threshold, "manager", map[string]any{"low_threshold": -1}, 422, "invalid"},
			{"missing", "PUT", threshold, "manager", map[string]any{}, 422, "invalid"},
			{"unknown ingredient", "PUT", fmt.Sprintf("/api/v1/pizzerias/%d/stock/999999/threshold", c.shop), "manager", map[string]any{"low_threshold": 1}, 404, "not_found"},
		})
		if mails := c.lowStockMails(); len(mails) != 0 {
			t.Fatalf("refused changes mailed %v", mails)
		}
		// Two pizzas' worth above the threshold: the third order crosses it.
		level := c.level(c.shop, c.dough)
		if status, _ := c.call("PUT", threshold, "manager", map[string]any{"low_threshold": level - 2*2*250 - 1}); status != 204 {
			t.Fatalf("threshold: %d", status)
		}
		c.order("alice", nil)
		c.order("alice", nil)
		if mails := c.lowStockMails(); len(mails) != 0 {
			t.Fatalf("mailed before the crossing: %v", mails)
		}
		c.order("bob", nil) // crosses
		c.order("bob", nil) // still low
		// Orders' levels are checked off their requests, within a moment.
		want := []string{fmt.Sprintf("manager@ocpizza.test %d", c.dough)}
		var mails []string
		for deadline := time.Now().Add(10 * time.Second); len(mails) == 0 && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			mails = c.lowStockMails()
		}
		c.must(201, "POST", fmt.Sprintf("/api/v1/pizzerias/%d/stock/movements", c.shop), "manager", map[string]any{"ingredient_id": c.dough, "reason": "waste", "delta": 10})
		time.Sleep(400 * time.Millisecond)
		if mails = append(mails, c.lowStockMails()...); !slices.Equal(mails, want) {
			t.Fatalf("mails %v, want %v", mails, want)
		}
		// Back above, then under again: one more mail.
		c.must(201, "POST", fmt.Sprintf("/api/v1/pizzerias/%d/stock/batches", c.shop), "manager", map[string]any{"reason": "delivery", "lines": []map[string]any{{"ingredient_id": c.dough, "quantity": 10000}}})
		c.must(201, "POST", fmt.Sprintf("/api/v1/pizzerias/%d/stock/batches", c.shop), "manager", map[string]any{"reason": "count", "lines": []map[string]any{{"ingredient_id": c.dough, "quantity": 0}}})
		if mails := c.lowStockMails(); !slices.Equal(mails, want) {
			t.Fatalf("second crossing: %v, want %v", mails, want)
		}
		// The other pizzeria's levels are its own.
		c.must(201, "POST", fmt.Sprintf("/api/v1/pizzerias/%d/stock/movements", c.other), "manager2", map[string]any{"ingredient_id": c.dough, "reason": "count", "quantity": 0})
		if mails := c.lowStockMails(); !slices.Equal(mails, []string{fmt.Sprintf("manager2@ocpizza.test %d", c.dough)}) {
			t.Fatalf("other pizzeria: %v", mails)
		}
	})
}

// TestLowStockMailReachesTheManager: the outbox sends the alert to the
// manager, in their language, with the level as it stands.
func TestLowStockMailReachesTheManager(t *testing.T) {
	t.Parallel()
	forEngines(t, func(t *testing.T, c *chain) {
		ctx := context.Background()
		smtp := smtptest.Start(t)
		mailer, err := notify.NewMailer("smtp://"+smtp.Addr, "OC Pizza <no-reply@ocpizza.fr>")
		check(t, err)
		quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
		level := c.level(c.shop, c.dough)
		c.must(204, "PUT", fmt.Sprintf("/api/v1/pizzerias/%d/stock/%d/threshold", c.shop, c.dough), "manager", map[string]any{"low_threshold": level + 1})
		outbox.Send(ctx, c.store, mailer, notify.NewAlerter(nil, "", quiet), quiet)
		msgs := smtp.Messages()
		if len(msgs) != 1 || !strings.Contains(msgs[0].Data, "Subject: =?utf-8?q?Stock_bas_:_P=C3=A2te") || !strings.Contains(strings.Join(msgs[0].To, ","), "manager@ocpizza.test") {
			t.Fatalf("messages %+v", msgs)
		}
		if !strings.Contains(msgs[0].Data, fmt.Sprint(level)) {
			t.Fatalf("the level is not in the mail: %s", msgs[0].Data)
		}
	})
}

// TestStockHistoryOfOneIngredient: the history keeps one ingredient's
// movements when asked, and an order's reservation names the order.
func TestStockHistoryOfOneIngredient(t *testing.T) {
	t.Parallel()
	forEngines(t, func(t *testing.T, c *chain) {
		o := c.order("alice", nil) // two pizzas and a cola
		status, out := c.call("GET", fmt.Sprintf("/api/v1/pizzerias/%d/stock/movements?ingredient=%d", c.shop, c.dough), "manager", nil)
		rows, _ := out.([]any)
		if status != 200 || len(rows) == 0 {
			t.Fatalf("history of the dough: %d %v", status, out)
		}
		named := false
		for _, r := range rows {
			m := r.(map[string]any)
			if m["ingredient_id"].(float64) != float64(c.dough) {
				t.Fatalf("another ingredient in the dough's history: %v", m)
			}
			named = named || m["order_number"] == o["number"]
		}
		if !named {
			t.Errorf("the order's reservation does not name %v: %v", o["number"], rows)
		}
		c.errorCode(422, "GET", fmt.Sprintf("/api/v1/pizzerias/%d/stock/movements?ingredient=x", c.shop), "manager", nil)
		page := c.pageOK("manager", fmt.Sprintf("/manage/%d/stock/history?ingredient=%d", c.shop, c.dough))
		if !strings.Contains(page, fmt.Sprintf("commande %v", o["number"])) || strings.Contains(page, `<th scope="row">Cola</th>`) || !strings.Contains(page, `<th scope="row">Pâte</th>`) {
			t.Errorf("the history page of the dough:\n%s", page)
		}
	})
}
