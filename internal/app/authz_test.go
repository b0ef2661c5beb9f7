package app_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/oc-pizza/ocpizza/internal/account"
	"github.com/oc-pizza/ocpizza/internal/catalog"
	"github.com/oc-pizza/ocpizza/internal/order"
	"github.com/oc-pizza/ocpizza/internal/pizzeria"
)

// Who may use each API route, on their own pizzeria's or customer's data.
// A rule lists the actors allowed; the target says whose data the request
// names. Staff of the first pizzerias are counter, pizzaiolo, driver and
// manager; manager2 and driver2 work in the second; alice owns the orders
// and addresses named, bob is another customer.
type authzRule struct {
	allowed []string
	// target builds the path's id and the body for one call (a fresh
	// order each time where the call changes it).
	target func(c *chain, who string) (id string, body any)
}

var (
	everyone   = []string{"", "alice", "bob", "counter", "pizzaiolo", "driver", "manager", "manager2", "driver2", "admin"}
	signedIn   = everyone[1:]
	customers  = []string{"alice", "bob"}
	staff      = []string{"counter", "pizzaiolo", "driver", "manager", "manager2", "driver2", "admin"}
	staffOfOne = []string{"counter", "pizzaiolo", "driver", "manager", "admin"}
	viewers    = []string{"alice", "counter", "pizzaiolo", "driver", "manager", "admin"}
	managers   = []string{"manager", "admin"} // of the first pizzeria
	admins     = []string{"admin"}
)

func authzRules() map[string]authzRule {
	none := func(*chain, string) (string, any) { return "", nil }
	shopOne := func(c *chain, _ string) (string, any) { return fmt.Sprint(c.shop), nil }
	// An order of alice's in the first pizzeria, placed for this call.
	aliceOrder := func(body any) func(c *chain, who string) (string, any) {
		return func(c *chain, who string) (string, any) {
			return id(c.order("alice", map[string]any{"items": []map[string]any{{"product_id": c.pizza, "quantity": 1}}, "fulfilment": "pickup", "delivery_address": nil})), body
		}
	}
	return map[string]authzRule{
		"GET /api/v1/openapi.json": {everyone, none},
		"POST /api/v1/auth/token": {everyone, func(c *chain, _ string) (string, any) {
			return "", map[string]any{"email": "alice@example.test", "password": password}
		}},
		"DELETE /api/v1/auth/token": {signedIn, none},
		"GET /api/v1/me":            {signedIn, none},
		"GET /api/v1/me/addresses":  {customers, none},
		"POST /api/v1/me/addresses": {customers, func(*chain, string) (string, any) {
			return "", map[string]any{"street": "3 rue Neuve", "postcode": "69002", "city": "Lyon"}
		}},
		"DELETE /api/v1/me/addresses/{id}": {[]string{"alice"}, func(c *chain, _ string) (string, any) {
			out := c.must(201, "POST", "/api/v1/me/addresses", "alice", map[string]any{"street": fmt.Sprintf("%d rue Neuve", time.Now().UnixNano()%10000), "postcode": "69002", "city": "Lyon"})
			return id(out), nil
		}},
		"POST /api/v1/customers": {everyone, func(*chain, string) (string, any) {
			return "", map[string]any{"email": fmt.Sprintf("n%d@example.test", time.Now().UnixNano()), "password": password, "name": "N", "phone": "06"}
		}},
		"GET /api/v1/pizzerias":            {everyone, none},
		"GET /api/v1/pizzerias/{id}/menu":  {everyone, shopOne},
		"GET /api/v1/delivery":             {everyone, none},
		"GET /api/v1/products/{id}/recipe": {staff, func(c *chain, _ string) (string, any) { return fmt.Sprint(c.pizza), nil }},
		"POST /api/v1/orders": {[]string{"alice", "bob", "counter", "manager", "admin"}, func(c *chain, who string) (string, any) {
			body := map[string]any{"pizzeria_id": c.shop, "items": []map[string]any{{"product_id": c.pizza, "quantity": 1}}, "fulfilment": "pickup", "payment_method": "on_delivery"}
			if !slices.Contains(customers, who) {
				body["channel"], body["customer"] = "phone", map[string]any{"name": "Jean", "phone": "0478"}
			}
			return "", body
		}},
		"GET /api/v1/orders":                {signedIn, none},
		"GET /api/v1/orders/{id}":           {viewers, aliceOrder(nil)},
		"PUT /api/v1/orders/{id}/items":     {[]string{"alice", "counter", "manager", "admin"}, aliceOrder(map[string]any{"items": []map[string]any{{"product_id": 0, "quantity": 1}}})},
		"POST /api/v1/orders/{id}/cancel":   {[]string{"alice", "counter", "manager", "admin"}, aliceOrder(nil)},
		"POST /api/v1/orders/{id}/status":   {[]string{"pizzaiolo", "manager", "admin"}, aliceOrder(map[string]any{"status": "preparing"})},
		"POST /api/v1/orders/{id}/payment":  {[]string{"counter", "driver", "manager", "admin"}, aliceOrder(map[string]any{"method": "cash"})},
		"GET /api/v1/orders/{id}/events":    {viewers, aliceOrder(nil)},
		"GET /api/v1/pizzerias/{id}/orders": {staffOfOne, shopOne},
		"GET /api/v1/pizzerias/{id}/stock":  {staffOfOne, shopOne},
		"POST /api/v1/pizzerias/{id}/stock/movements": {[]string{"manager", "admin"}, func(c *chain, _ string) (string, any) {
			return fmt.Sprint(c.shop), map[string]any{"ingredient_id": c.dough, "reason": "delivery", "delta": 10}
		}},
		"GET /api/v1/pizzerias/{id}/events": {staffOfOne, shopOne},

		// The back office: the manager of a pizzeria and the admin; the
		// chain's catalogue and boards, the admin alone.
		"POST /api/v1/pizzerias": {admins, func(c *chain, _ string) (string, any) {
			return "", map[string]any{"code": fmt.Sprintf("N%d", time.Now().UnixNano()%1000), "name": "Nouvelle"}
		}},
		"GET /api/v1/pizzerias/{id}": {everyone, shopOne},
		"PATCH /api/v1/pizzerias/{id}": {managers, func(c *chain, _ string) (string, any) {
			return fmt.Sprint(c.shop), map[string]any{"kitchen": map[string]any{"warn_minutes": 10, "late_minutes": 15}}
		}},
		"POST /api/v1/pizzerias/{id}/closures": {managers, func(c *chain, _ string) (string, any) {
			return fmt.Sprint(c.shop), map[string]any{"date": time.Now().AddDate(0, 1, 0).Format("2006-01-02"), "reason": "inventaire"}
		}},
		"DELETE /api/v1/pizzerias/{id}/closures/{date}": {managers, func(c *chain, _ string) (string, any) {
			// A closure to delete on the path's date, for each call.
			check(c.t, c.store.SetClosure(context.Background(), c.shop, pizzeria.Closure{Date: time.Now().AddDate(0, 1, 0).Format("2006-01-02"), Reason: "inventaire"}))
			return fmt.Sprint(c.shop), nil
		}},
		"GET /api/v1/pizzerias/{id}/board":        {managers, shopOne},
		"GET /api/v1/board":                       {admins, none},
		"GET /api/v1/pizzerias/{id}/availability": {staffOfOne, shopOne},
		"PUT /api/v1/pizzerias/{id}/availability/{product}": {managers, func(c *chain, _ string) (string, any) {
			return fmt.Sprint(c.shop), map[string]any{"on_menu": true}
		}},
		"POST /api/v1/pizzerias/{id}/stock/batches": {managers, func(c *chain, _ string) (string, any) {
			return fmt.Sprint(c.shop), map[string]any{"reason": "delivery", "lines": []map[string]any{{"ingredient_id": c.dough, "quantity": 10}}}
		}},
		"GET /api/v1/pizzerias/{id}/stock/movements": {managers, shopOne},
		"PUT /api/v1/pizzerias/{id}/stock/{ingredient}/threshold": {managers, func(c *chain, _ string) (string, any) {
			return fmt.Sprint(c.shop), map[string]any{"low_threshold": 5}
		}},
		"GET /api/v1/products":      {staff, none},
		"POST /api/v1/products":     {admins, func(*chain, string) (string, any) { return "", map[string]any{"name": ""} }},
		"GET /api/v1/products/{id}": {staff, func(c *chain, _ string) (string, any) { return fmt.Sprint(c.pizza), nil }},
		"PUT /api/v1/products/{id}": {admins, func(c *chain, _ string) (string, any) { return fmt.Sprint(c.pizza), map[string]any{"name": ""} }},
		"POST /api/v1/products/{id}/retire": {admins, func(c *chain, _ string) (string, any) {
			return fmt.Sprint(c.throwawayProduct()), nil
		}},
		"GET /api/v1/ingredients":  {staff, none},
		"POST /api/v1/ingredients": {admins, func(*chain, string) (string, any) { return "", map[string]any{"name": ""} }},
		"PATCH /api/v1/ingredients/{id}": {admins, func(c *chain, _ string) (string, any) {
			return fmt.Sprint(c.dough), map[string]any{"name": "Pâte"}
		}},
		// Without ?pizzeria=, the whole chain's staff: the admin's.
		"GET /api/v1/staff": {admins, none},
		"POST /api/v1/staff": {managers, func(c *chain, _ string) (string, any) {
			return "", map[string]any{"email": fmt.Sprintf("new%d@ocpizza.test", time.Now().UnixNano()), "name": "Nouveau", "role": "driver", "pizzeria_id": c.shop}
		}},
		"PUT /api/v1/staff/{id}/role": {managers, func(c *chain, _ string) (string, any) {
			return fmt.Sprint(c.throwawayDriver()), map[string]any{"role": "counter", "pizzeria_id": c.shop}
		}},
		"POST /api/v1/staff/{id}/disable": {managers, func(c *chain, _ string) (string, any) { return fmt.Sprint(c.throwawayDriver()), nil }},
		"POST /api/v1/staff/{id}/enable":  {managers, func(c *chain, _ string) (string, any) { return fmt.Sprint(c.throwawayDriver()), nil }},
		"DELETE /api/v1/staff/{id}/pizzerias/{pizzeria}": {managers, func(c *chain, _ string) (string, any) {
			return fmt.Sprint(c.throwawayDriver()), nil
		}},
		// Without ?pizzeria=, the whole chain: the admin's.
		"GET /api/v1/reports": {admins, none},
	}
}

// throwawayDriver is a driver of the first pizzeria made for one call
// (disabling the fixture's own would end the test's other calls).
func (c *chain) throwawayDriver() int64 {
	c.t.Helper()
	u, err := c.store.CreateUser(context.Background(), account.User{Email: fmt.Sprintf("d%d@ocpizza.test", time.Now().UnixNano()), Name: "Livreur",
		PasswordHash: "!", Grants: []account.Grant{{Role: account.Driver, PizzeriaID: c.shop}}})
	check(c.t, err)
	return u.ID
}

// throwawayProduct is a product made for one call that retires it.
func (c *chain) throwawayProduct() int64 {
	c.t.Helper()
	p, err := c.store.CreateProduct(context.Background(), catalog.Product{Category: catalog.Drink, Name: fmt.Sprintf("Eau %d", time.Now().UnixNano()),
		PriceCents: 200, VATBasis: 550, Active: true, Recipe: []catalog.RecipeLine{{IngredientID: c.dough, Quantity: 1}}})
	check(c.t, err)
	return p.ID
}

// TestAuthorizationMatrix walks the API's route table: every route, as
// every role, on data of their own pizzeria or customer account and of
// another's. An allowed call is not refused (401, 403, 404); any other is,
// anonymously with 401. A route without a rule here fails: a new route
// cannot be added without saying who may use it.
func TestAuthorizationMatrix(t *testing.T) {
	t.Parallel()
	c := newChain(t, "sqlite")
	// Every call about an order of alice's places one, and they wait.
	c.store.SetHoldLimit(order.HoldLimit{})
	rules := authzRules()
	for _, pattern := range c.server.API.Patterns() {
		rule, ok := rules[pattern]
		if !ok {
			t.Errorf("%s has no rule in the authorization matrix (authz_test.go): say who may use it", pattern)
			continue
		}
		method, path, _ := strings.Cut(pattern, " ")
		for _, who := range everyone {
			kept := c.tokens[who]
			if pattern == "DELETE /api/v1/auth/token" && who != "" {
				c.signInAgain(who) // a session of its own, which the call ends
			}
			target, body := rule.target(c, who)
			if m, ok := body.(map[string]any); ok && m["items"] != nil && pattern == "PUT /api/v1/orders/{id}/items" {
				m["items"] = []map[string]any{{"product_id": c.cola, "quantity": 1}}
			}
			// The path's other parts name the fixture's own things.
			full := strings.NewReplacer("{id}", target, "{date}", time.Now().AddDate(0, 1, 0).Format("2006-01-02"),
				"{product}", fmt.Sprint(c.pizza), "{ingredient}", fmt.Sprint(c.dough), "{pizzeria}", fmt.Sprint(c.shop)).Replace(path)
			status := c.status(method, full, who, body)
			if who != "" {
				c.tokens[who] = kept
			}
			refused := status == http.StatusUnauthorized || status == http.StatusForbidden || status == http.StatusNotFound
			switch allowed := slices.Contains(rule.allowed, who); {
			case allowed && refused:
				t.Errorf("%s as %q: refused with %d, but the rule allows it", pattern, who, status)
			case !allowed && !refused:
				t.Errorf("%s as %q: %d, but the rule refuses it", pattern, who, status)
			case !allowed && who == "" && status != http.StatusUnauthorized:
				t.Errorf("%s anonymously: %d, want 401", pattern, status)
			}
		}
	}
	for pattern := range rules {
		if !slices.Contains(c.server.API.Patterns(), pattern) {
			t.Errorf("the matrix has a rule for %s, which is no route", pattern)
		}
	}
}

// status calls a route and returns its status only: an event stream is
// cut as soon as its headers arrive.
func (c *chain) status(method, path, who string, body any) int {
	c.t.Helper()
	if strings.HasSuffix(path, "/events") {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, method, c.srv.URL+path, nil)
		if tok, ok := c.tokens[who]; ok {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
		res, err := c.srv.Client().Do(req)
		check(c.t, err)
		res.Body.Close()
		return res.StatusCode
	}
	status, _ := c.call(method, path, who, body)
	return status
}

// signInAgain gives who a fresh session.
func (c *chain) signInAgain(who string) {
	c.t.Helper()
	email := who + "@ocpizza.test"
	if slices.Contains(customers, who) {
		email = who + "@example.test"
	}
	out := c.must(200, "POST", "/api/v1/auth/token", "", map[string]any{"email": email, "password": password})
	c.tokens[who] = out["token"].(string)
}
