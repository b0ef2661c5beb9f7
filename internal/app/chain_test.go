package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/oc-pizza/ocpizza/internal/account"
	"github.com/oc-pizza/ocpizza/internal/app"
	"github.com/oc-pizza/ocpizza/internal/catalog"
	"github.com/oc-pizza/ocpizza/internal/cli/clitest"
	"github.com/oc-pizza/ocpizza/internal/order"
	"github.com/oc-pizza/ocpizza/internal/pizzeria"
	"github.com/oc-pizza/ocpizza/internal/shop"
	"github.com/oc-pizza/ocpizza/internal/stock"
	"github.com/oc-pizza/ocpizza/internal/store"
	"github.com/oc-pizza/ocpizza/internal/store/storetest"
	"github.com/oc-pizza/ocpizza/internal/web"
)

const password = "correct horse battery"

// chain is a small chain served over real HTTP: two pizzerias, a
// margherita and a cola, staff of every role in the first shop, a manager
// in the second, two customers.
type chain struct {
	t      *testing.T
	srv    *httptest.Server
	server *app.Server
	store  *store.Store
	url    string // the database's
	shop   int64  // the first pizzeria
	other  int64  // the second
	pizza  int64
	cola   int64
	dough  int64
	tokens map[string]string // who → bearer token
}

func newChain(t *testing.T, e store.Engine) *chain {
	t.Helper()
	ctx := context.Background()
	st, url := storetest.OpenURL(t, e)
	c := &chain{t: t, store: st, url: url, tokens: map[string]string{}}
	mk := func(code, postcode string) int64 {
		p, err := st.CreatePizzeria(ctx, pizzeria.Pizzeria{Code: code, Name: "OC Pizza " + code, Active: true, Phone: "04",
			Address: pizzeria.Address{Street: "1 rue " + code, Postcode: postcode, City: "Lyon"}, DeliveryPostcodes: []string{postcode},
			Hours: pizzeria.AroundTheClock()})
		if err != nil {
			t.Fatal(err)
		}
		return p.ID
	}
	c.shop, c.other = mk("ONE", "69002"), mk("TWO", "69004")
	dough, err := st.CreateIngredient(ctx, catalog.Ingredient{Name: "Pâte", Unit: catalog.Gram}, 0)
	check(t, err)
	mozza, err := st.CreateIngredient(ctx, catalog.Ingredient{Name: "Mozzarella", Unit: catalog.Gram}, 0)
	check(t, err)
	can, err := st.CreateIngredient(ctx, catalog.Ingredient{Name: "Cola", Unit: catalog.Piece}, 0)
	check(t, err)
	c.dough = dough.ID
	pizza, err := st.CreateProduct(ctx, catalog.Product{Category: catalog.Pizza, Name: "Margherita", PriceCents: 950, VATBasis: 1000, Active: true,
		Memo: "90 s à 450 °C", Recipe: []catalog.RecipeLine{{IngredientID: dough.ID, Quantity: 250}, {IngredientID: mozza.ID, Quantity: 100}}})
	check(t, err)
	cola, err := st.CreateProduct(ctx, catalog.Product{Category: catalog.Drink, Name: "Cola", PriceCents: 300, VATBasis: 550, Active: true,
		Recipe: []catalog.RecipeLine{{IngredientID: can.ID, Quantity: 1}}})
	check(t, err)
	c.pizza, c.cola = pizza.ID, cola.ID
	for _, shopID := range []int64{c.shop, c.other} {
		for _, in := range []struct{ id, q int64 }{{dough.ID, 100 * 250}, {mozza.ID, 100 * 100}, {can.ID, 50}} {
			_, err := st.RecordMovement(ctx, shopID, stock.ManualMovement{IngredientID: in.id, Reason: stock.Delivery, Delta: in.q}, 0)
			check(t, err)
		}
	}

	c.server = app.NewServer(st, slog.New(slog.NewTextHandler(io.Discard, nil)), web.Options{})
	c.server.Shop.Passwords = cheapPasswords()
	t.Cleanup(c.server.Shop.Close) // after the server, before the store
	c.srv = httptest.NewServer(c.server.Handler())
	t.Cleanup(c.srv.Close)

	sh := shop.New(st, nil, slog.Default())
	sh.Passwords = cheapPasswords()
	users := map[string]account.Grant{
		"counter":   {Role: account.Counter, PizzeriaID: c.shop},
		"pizzaiolo": {Role: account.Pizzaiolo, PizzeriaID: c.shop},
		"driver":    {Role: account.Driver, PizzeriaID: c.shop},
		"manager":   {Role: account.Manager, PizzeriaID: c.shop},
		"manager2":  {Role: account.Manager, PizzeriaID: c.other},
		"driver2":   {Role: account.Driver, PizzeriaID: c.other},
		"admin":     {Role: account.Admin},
	}
	for who, g := range users {
		_, err := sh.AddUser(ctx, who+"@ocpizza.test", who, password, []account.Grant{g})
		check(t, err)
	}
	for _, who := range []string{"alice", "bob"} {
		status, _ := c.call("POST", "/api/v1/customers", "", map[string]any{"email": who + "@example.test", "password": password, "name": who, "phone": "0600"})
		if status != http.StatusAccepted {
			t.Fatalf("sign up %s: %d", who, status)
		}
		users[who] = account.Grant{}
	}
	for who := range users {
		email := who + "@ocpizza.test"
		if who == "alice" || who == "bob" {
			email = who + "@example.test"
		}
		status, body := c.call("POST", "/api/v1/auth/token", "", map[string]any{"email": email, "password": password})
		if status != http.StatusOK {
			t.Fatalf("sign in %s: %d %v", who, status, body)
		}
		c.tokens[who] = body.(map[string]any)["token"].(string)
	}
	return c
}

// cheapPasswords hashes with parameters that cost almost nothing: the
// fixtures hash hundreds of passwords, and the cost of real ones is
// tested where it matters (account, and the sign-in flood test).
func cheapPasswords() *account.Hasher {
	return account.NewHasher(account.FixtureParams, account.DefaultLimits())
}

func check(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// call sends a JSON request as who ("" for anonymous) and decodes the
// answer.
func (c *chain) call(method, path, who string, body any) (int, any) {
	c.t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	case []byte:
		r = bytes.NewReader(b)
	default:
		data, err := json.Marshal(b)
		check(c.t, err)
		r = bytes.NewReader(data)
	}
	return c.send(method, path, who, r, nil)
}

func (c *chain) send(method, path, who string, body io.Reader, header map[string]string) (int, any) {
	c.t.Helper()
	req, err := http.NewRequest(method, c.srv.URL+path, body)
	check(c.t, err)
	req.Header.Set("Content-Type", "application/json")
	if tok, ok := c.tokens[who]; ok {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := c.srv.Client().Do(req)
	check(c.t, err)
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	check(c.t, err)
	var out any
	if len(data) > 0 {
		if err := json.Unmarshal(data, &out); err != nil {
			c.t.Fatalf("%s %s: answer is not JSON: %q", method, path, data)
		}
	}
	return res.StatusCode, out
}

// must calls and fails the test unless the status is the one expected.
func (c *chain) must(want int, method, path, who string, body any) map[string]any {
	c.t.Helper()
	status, out := c.call(method, path, who, body)
	if status != want {
		c.t.Fatalf("%s %s as %q: status %d, want %d: %v", method, path, who, status, want, out)
	}
	m, _ := out.(map[string]any)
	return m
}

// errorCode calls, expects an error status and returns the error code.
func (c *chain) errorCode(wantStatus int, method, path, who string, body any) string {
	c.t.Helper()
	status, out := c.call(method, path, who, body)
	m, _ := out.(map[string]any)
	e, _ := m["error"].(map[string]any)
	if status != wantStatus || e == nil || e["code"] == nil || e["message"] == nil {
		c.t.Fatalf("%s %s as %q: status %d body %v, want %d with an error object", method, path, who, status, out, wantStatus)
	}
	return e["code"].(string)
}

func (c *chain) order(who string, extra map[string]any) map[string]any {
	c.t.Helper()
	body := map[string]any{"pizzeria_id": c.shop, "items": []map[string]any{{"product_id": c.pizza, "quantity": 2}, {"product_id": c.cola, "quantity": 1}},
		"fulfilment": "delivery", "delivery_address": map[string]any{"street": "8 rue Mercière", "postcode": "69002", "city": "Lyon"},
		"payment_method": "on_delivery"}
	for k, v := range extra {
		body[k] = v
	}
	return c.must(http.StatusCreated, "POST", "/api/v1/orders", who, body)
}

func (c *chain) level(shopID, ingredientID int64) int64 {
	c.t.Helper()
	q, err := c.store.StockQuantities(context.Background(), shopID)
	check(c.t, err)
	return q[ingredientID]
}

func (c *chain) orderCount() int {
	c.t.Helper()
	os, err := c.store.Orders(context.Background(), order.Filter{Limit: 1000})
	check(c.t, err)
	return len(os)
}

func id(m map[string]any) string { return fmt.Sprint(int64(m["id"].(float64))) }

// forEngines runs fn on a chain of each engine, side by side: each has
// its own database, and the time goes in waiting for them.
func forEngines(t *testing.T, fn func(t *testing.T, c *chain)) {
	for _, e := range storetest.Engines {
		t.Run(string(e), func(t *testing.T) {
			t.Parallel()
			fn(t, newChain(t, e))
		})
	}
}

// run executes one ocpizza command in-process with its own environment.
var run = clitest.Run
