package app_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/oc-pizza/ocpizza/internal/account"
	"github.com/oc-pizza/ocpizza/internal/order"
)

func (c *chain) menuItem(shopID, productID int64) map[string]any {
	c.t.Helper()
	status, out := c.call("GET", fmt.Sprintf("/api/v1/pizzerias/%d/menu", shopID), "", nil)
	if status != 200 {
		c.t.Fatalf("menu: %d", status)
	}
	for _, it := range out.([]any) {
		if m := it.(map[string]any); int64(m["product_id"].(float64)) == productID {
			return m
		}
	}
	return nil
}

// TestProducts: the admin adds a pizza with its recipe, changes its price
// (orders keep theirs) and retires it; nobody else may, and bad products
// are refused with nothing written.
func TestProducts(t *testing.T) {
	t.Parallel()
	forEngines(t, func(t *testing.T, c *chain) {
		reine := func() map[string]any {
			return map[string]any{"category": "pizza", "name": "Reine", "description": "Jambon, champignons", "description_en": "Ham, mushrooms", "price_cents": 1150, "vat_basis_points": 1000,
				"recipe": []map[string]any{{"ingredient_id": c.dough, "quantity": 250}}, "steps": []string{"Étaler la pâte", "Garnir"},
				"bake_seconds": 90, "bake_celsius": 450}
		}
		bad := func(k string, v any) map[string]any {
			m := reine()
			m[k] = v
			return m
		}
		before := c.productCount()
		c.refuse([]refusal{
			{"anonymous", "POST", "/api/v1/products", "", reine(), 401, "unauthorized"},
			{"manager", "POST", "/api/v1/products", "manager", reine(), 403, "forbidden"},
			{"customer", "POST", "/api/v1/products", "alice", reine(), 403, "forbidden"},
			{"no recipe", "POST", "/api/v1/products", "admin", bad("recipe", []any{}), 422, "invalid"},
			{"unknown ingredient", "POST", "/api/v1/products", "admin", bad("recipe", []map[string]any{{"ingredient_id": 999999, "quantity": 1}}), 422, "invalid"},
			{"zero quantity", "POST", "/api/v1/products", "admin", bad("recipe", []map[string]any{{"ingredient_id": c.dough, "quantity": 0}}), 422, "invalid"},
			{"free", "POST", "/api/v1/products", "admin", bad("price_cents", 0), 422, "invalid"},
			{"unknown category", "POST", "/api/v1/products", "admin", bad("category", "soup"), 422, "invalid"},
			{"a day in the oven", "POST", "/api/v1/products", "admin", bad("bake_seconds", 86400), 422, "invalid"},
			{"name taken", "POST", "/api/v1/products", "admin", bad("name", "Margherita"), 409, "conflict"},
			{"unknown field", "POST", "/api/v1/products", "admin", bad("colour", "red"), 400, "malformed"},
			{"NUL in the English description", "POST", "/api/v1/products", "admin", bad("description_en", "Ham\u0000"), 422, "invalid"},
		})
		if c.productCount() != before {
			t.Fatal("a refused product was written")
		}

		p := c.must(201, "POST", "/api/v1/products", "admin", reine())
		path := "/api/v1/products/" + id(p)
		pid := int64(p["id"].(float64))
		if p["active"] != true || len(p["recipe"].([]any)) != 1 || len(p["steps"].([]any)) != 2 {
			t.Fatalf("created %v", p)
		}
		if it := c.menuItem(c.other, pid); it == nil || it["available"].(float64) != 100 || it["description_en"] != "Ham, mushrooms" {
			t.Fatalf("the new pizza on the other menu: %v", it)
		}
		if p["description_en"] != "Ham, mushrooms" {
			t.Fatalf("the English description is not kept: %v", p)
		}
		// The English menu page describes it in English; the French one
		// in French.
		if _, en := get(t, http.DefaultClient, fmt.Sprintf("%s/pizzerias/%d?lang=en", c.srv.URL, c.other), nil); !strings.Contains(en, "Ham, mushrooms") {
			t.Error("the English menu does not show the English description")
		}
		if _, fr := get(t, http.DefaultClient, fmt.Sprintf("%s/pizzerias/%d?lang=fr", c.srv.URL, c.other), nil); !strings.Contains(fr, "Jambon, champignons") {
			t.Error("the French menu does not show the French description")
		}
		c.must(200, "GET", path, "pizzaiolo", nil)
		if status, list := c.call("GET", "/api/v1/products", "counter", nil); status != 200 || len(list.([]any)) != before+1 {
			t.Fatalf("catalogue: %d", status)
		}

		// A new price is for new orders.
		o := c.must(201, "POST", "/api/v1/orders", "alice", map[string]any{"pizzeria_id": c.shop, "items": []map[string]any{{"product_id": pid, "quantity": 1}},
			"fulfilment": "pickup", "payment_method": "on_delivery"})
		changed := reine()
		changed["price_cents"] = 1250
		c.must(200, "PUT", path, "admin", changed)
		if old := c.must(200, "GET", "/api/v1/orders/"+id(o), "alice", nil); old["total_cents"].(float64) != 1150 {
			t.Fatalf("a placed order changed price: %v", old["total_cents"])
		}
		o2 := c.must(201, "POST", "/api/v1/orders", "alice", map[string]any{"pizzeria_id": c.shop, "items": []map[string]any{{"product_id": pid, "quantity": 1}},
			"fulfilment": "pickup", "payment_method": "on_delivery"})
		if o2["total_cents"].(float64) != 1250 {
			t.Fatalf("a new order at the old price: %v", o2["total_cents"])
		}
		c.refuse([]refusal{
			{"manager changes", "PUT", path, "manager", changed, 403, "forbidden"},
			{"rename as another", "PUT", path, "admin", func() map[string]any { m := reine(); m["name"] = "Margherita"; return m }(), 409, "conflict"},
			{"unknown product", "PUT", "/api/v1/products/999999", "admin", changed, 404, "not_found"},
			{"manager retires", "POST", path + "/retire", "manager", nil, 403, "forbidden"},
			{"customer reads", "GET", path, "alice", nil, 403, "forbidden"},
			{"customer lists", "GET", "/api/v1/products", "alice", nil, 403, "forbidden"},
		})
		if got := c.must(200, "GET", path, "admin", nil); got["price_cents"].(float64) != 1250 || got["name"] != "Reine" {
			t.Fatalf("a refused change wrote: %v", got)
		}

		retired := c.must(200, "POST", path+"/retire", "admin", nil)
		if retired["active"] != false || c.menuItem(c.shop, pid) != nil {
			t.Fatal("a retired pizza is still on the menu")
		}
		if code := c.errorCode(422, "POST", "/api/v1/orders", "alice", map[string]any{"pizzeria_id": c.shop, "items": []map[string]any{{"product_id": pid, "quantity": 1}},
			"fulfilment": "pickup", "payment_method": "on_delivery"}); code != "invalid" {
			t.Fatalf("a retired pizza ordered: %s", code)
		}
	})
}

// TestIngredients: the admin adds an ingredient, which every pizzeria's
// stock then lists.
func TestIngredients(t *testing.T) {
	t.Parallel()
	forEngines(t, func(t *testing.T, c *chain) {
		c.refuse([]refusal{
			{"manager", "POST", "/api/v1/ingredients", "manager", map[string]any{"name": "Basilic", "unit": "g"}, 403, "forbidden"},
			{"bad unit", "POST", "/api/v1/ingredients", "admin", map[string]any{"name": "Basilic", "unit": "kg"}, 422, "invalid"},
			{"no name", "POST", "/api/v1/ingredients", "admin", map[string]any{"name": " ", "unit": "g"}, 422, "invalid"},
			{"name taken", "POST", "/api/v1/ingredients", "admin", map[string]any{"name": "Mozzarella", "unit": "g"}, 409, "conflict"},
			{"customer lists", "GET", "/api/v1/ingredients", "alice", nil, 403, "forbidden"},
		})
		basil := c.must(201, "POST", "/api/v1/ingredients", "admin", map[string]any{"name": "Basilic", "unit": "g", "low_threshold": 50})
		for _, shopID := range []int64{c.shop, c.other} {
			levels, err := c.store.StockLevels(context.Background(), shopID)
			check(t, err)
			if len(levels) != 4 {
				t.Fatalf("pizzeria %d lists %d ingredients", shopID, len(levels))
			}
		}
		status, list := c.call("GET", "/api/v1/ingredients", "driver", nil)
		if status != 200 || len(list.([]any)) != 4 || basil["unit"] != "g" {
			t.Fatalf("ingredients: %d %v", status, list)
		}

		// A name corrected: everywhere it shows, its unit unchanged.
		rename := fmt.Sprintf("/api/v1/ingredients/%d", c.dough)
		c.refuse([]refusal{
			{"manager renames", "PATCH", rename, "manager", map[string]any{"name": "Pâte à pizza"}, 403, "forbidden"},
			{"blank name", "PATCH", rename, "admin", map[string]any{"name": "  "}, 422, "invalid"},
			{"name of another", "PATCH", rename, "admin", map[string]any{"name": "Mozzarella"}, 409, "conflict"},
			{"no such ingredient", "PATCH", "/api/v1/ingredients/999999", "admin", map[string]any{"name": "Farine"}, 404, "not_found"},
			{"unit given", "PATCH", rename, "admin", map[string]any{"name": "Pâte", "unit": "ml"}, 400, "malformed"},
		})
		renamed := c.must(200, "PATCH", rename, "admin", map[string]any{"name": " Pâte à pizza "})
		if renamed["name"] != "Pâte à pizza" || renamed["unit"] != "g" {
			t.Fatalf("renamed: %v", renamed)
		}
		c.must(200, "PATCH", rename, "admin", map[string]any{"name": "Pâte à pizza"}) // the same again
		recipe := c.must(200, "GET", fmt.Sprintf("/api/v1/products/%d/recipe", c.pizza), "pizzaiolo", nil)
		if !strings.Contains(fmt.Sprint(recipe), "Pâte à pizza") {
			t.Fatalf("the recipe still names the old ingredient: %v", recipe)
		}
	})
}

// TestOffTheMenu: a manager takes a pizza off their pizzeria's menu for a
// reason other than stock: customers do not see it there nor order it,
// the other pizzeria still sells it; back on, it sells again.
func TestOffTheMenu(t *testing.T) {
	t.Parallel()
	forEngines(t, func(t *testing.T, c *chain) {
		path := fmt.Sprintf("/api/v1/pizzerias/%d/availability/%d", c.shop, c.pizza)
		c.refuse([]refusal{
			{"no reason", "PUT", path, "manager", map[string]any{"on_menu": false, "reason": " "}, 422, "invalid"},
			{"no switch", "PUT", path, "manager", map[string]any{"reason": "four"}, 422, "invalid"},
			{"other manager", "PUT", path, "manager2", map[string]any{"on_menu": false, "reason": "four"}, 403, "forbidden"},
			{"counter", "PUT", path, "counter", map[string]any{"on_menu": false, "reason": "four"}, 403, "forbidden"},
			{"customer", "PUT", path, "alice", map[string]any{"on_menu": false, "reason": "four"}, 403, "forbidden"},
			{"unknown product", "PUT", fmt.Sprintf("/api/v1/pizzerias/%d/availability/999999", c.shop), "manager", map[string]any{"on_menu": false, "reason": "x"}, 404, "not_found"},
			{"customer reads", "GET", fmt.Sprintf("/api/v1/pizzerias/%d/availability", c.shop), "alice", nil, 403, "forbidden"},
			{"other shop's driver reads", "GET", fmt.Sprintf("/api/v1/pizzerias/%d/availability", c.shop), "driver2", nil, 403, "forbidden"},
		})
		if c.menuItem(c.shop, c.pizza) == nil {
			t.Fatal("a refused switch took the pizza off")
		}
		got := c.must(200, "PUT", path, "manager", map[string]any{"on_menu": false, "reason": "Four à pizza en panne"})
		if got["on_menu"] != false || got["reason"] != "Four à pizza en panne" || got["makeable"].(float64) != 100 {
			t.Fatalf("switched %v", got)
		}
		if c.menuItem(c.shop, c.pizza) != nil || c.menuItem(c.other, c.pizza) == nil {
			t.Fatal("the switch is not this pizzeria's only")
		}
		if code := c.errorCode(422, "POST", "/api/v1/orders", "alice", map[string]any{"pizzeria_id": c.shop, "items": []map[string]any{{"product_id": c.pizza, "quantity": 1}},
			"fulfilment": "pickup", "payment_method": "on_delivery"}); code != "invalid" {
			t.Fatalf("ordered off the menu: %s", code)
		}
		c.must(201, "POST", "/api/v1/orders", "alice", map[string]any{"pizzeria_id": c.other, "items": []map[string]any{{"product_id": c.pizza, "quantity": 1}},
			"fulfilment": "pickup", "payment_method": "on_delivery"})
		// A cart that holds it is priced without it, and says so (it was
		// priced, then refused at checkout).
		q, err := c.server.Shop.Quote(context.Background(), account.Actor{}, c.shop, []order.Item{{ProductID: c.pizza, Quantity: 2}, {ProductID: c.cola, Quantity: 1}})
		check(t, err)
		if len(q.Lines) != 1 || q.Lines[0].ProductID != c.cola || len(q.Dropped) != 1 || q.Dropped[0] != c.pizza {
			t.Fatalf("a cart quoted with a product off the menu: %+v", q)
		}
		status, list := c.call("GET", fmt.Sprintf("/api/v1/pizzerias/%d/availability", c.shop), "pizzaiolo", nil)
		if status != 200 || len(list.([]any)) != 2 {
			t.Fatalf("availability: %d %v", status, list)
		}
		c.must(200, "PUT", path, "manager", map[string]any{"on_menu": true})
		c.order("alice", nil)
	})
}
