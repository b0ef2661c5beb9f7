package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oc-pizza/ocpizza/internal/account"
	"github.com/oc-pizza/ocpizza/internal/app"
	"github.com/oc-pizza/ocpizza/internal/catalog"
	"github.com/oc-pizza/ocpizza/internal/order"
	"github.com/oc-pizza/ocpizza/internal/pizzeria"
	"github.com/oc-pizza/ocpizza/internal/square"
	"github.com/oc-pizza/ocpizza/internal/square/squaretest"
	"github.com/oc-pizza/ocpizza/internal/stock"
	"github.com/oc-pizza/ocpizza/internal/store"
	"github.com/oc-pizza/ocpizza/internal/store/storetest"
	"github.com/oc-pizza/ocpizza/internal/web"
)

const password = "correct horse battery"

// site is the chain served over HTTP for a browser: two pizzerias open
// around the clock, a small menu with stock, staff of every role in the
// first, a customer, Square's fake with the stand-in card form.
type site struct {
	t      *testing.T
	URL    string
	server *app.Server
	store  *store.Store
	square *squaretest.Server
	// down makes the site answer 503 to everything, as a server that is
	// restarting does.
	down  atomic.Bool
	shop  int64
	other int64
	// products by name, ingredients by name
	product    map[string]int64
	ingredient map[string]int64
}

func newSite(t *testing.T, e store.Engine) *site {
	t.Helper()
	ctx := context.Background()
	st := storetest.Open(t, e)
	s := &site{t: t, store: st, product: map[string]int64{}, ingredient: map[string]int64{}}
	mk := func(code, name, postcode string) int64 {
		p, err := st.CreatePizzeria(ctx, pizzeria.Pizzeria{Code: code, Name: name, Active: true, Phone: "04 78 00 00 01",
			Address: pizzeria.Address{Street: "1 rue de la " + code, Postcode: postcode, City: "Lyon"}, DeliveryPostcodes: []string{postcode},
			Hours: pizzeria.AroundTheClock()})
		check(t, err)
		return p.ID
	}
	s.shop, s.other = mk("REP", "OC Pizza République", "69002"), mk("CRX", "OC Pizza Croix-Rousse", "69004")
	for _, in := range []struct {
		name string
		unit catalog.Unit
	}{{"Pâte", catalog.Gram}, {"Mozzarella", catalog.Gram}, {"Jambon", catalog.Gram}, {"Canette", catalog.Piece}} {
		i, err := st.CreateIngredient(ctx, catalog.Ingredient{Name: in.name, Unit: in.unit}, 0)
		check(t, err)
		s.ingredient[in.name] = i.ID
	}
	for _, p := range []struct {
		name   string
		cat    catalog.Category
		price  int64
		recipe map[string]int64
	}{
		{"Margherita", catalog.Pizza, 950, map[string]int64{"Pâte": 250, "Mozzarella": 100}},
		{"Reine", catalog.Pizza, 1150, map[string]int64{"Pâte": 250, "Mozzarella": 100, "Jambon": 80}},
		{"Coca-Cola", catalog.Drink, 350, map[string]int64{"Canette": 1}},
	} {
		var recipe []catalog.RecipeLine
		for in, q := range p.recipe {
			recipe = append(recipe, catalog.RecipeLine{IngredientID: s.ingredient[in], Quantity: q})
		}
		prod := catalog.Product{Category: p.cat, Name: p.name, Description: "La " + p.name + " de la maison.", DescriptionEN: "Our own " + p.name + "."}
		if p.cat == catalog.Pizza {
			prod.Steps = []string{"Étaler 250 g de pâte à 31 cm.", "Garnir : sauce, mozzarella, puis le reste.", "Enfourner."}
			prod.BakeSeconds, prod.BakeCelsius = 90, 450
		}
		prod, err := st.CreateProduct(ctx, catalog.Product{Category: p.cat, Name: p.name, Description: prod.Description, Steps: prod.Steps,
			BakeSeconds: prod.BakeSeconds, BakeCelsius: prod.BakeCelsius,
			PriceCents: p.price, VATBasis: 1000, Active: true, Recipe: recipe})
		check(t, err)
		s.product[p.name] = prod.ID
	}
	for _, shopID := range []int64{s.shop, s.other} {
		for name, q := range map[string]int64{"Pâte": 50 * 250, "Mozzarella": 50 * 100, "Jambon": 50 * 80, "Canette": 40} {
			_, err := st.RecordMovement(ctx, shopID, stock.ManualMovement{IngredientID: s.ingredient[name], Reason: stock.Delivery, Delta: q}, 0)
			check(t, err)
		}
	}

	s.square = squaretest.Start(t)
	var site http.Handler
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.down.Load() {
			http.Error(w, "restarting", http.StatusServiceUnavailable)
			return
		}
		site.ServeHTTP(w, r)
	}))
	t.Cleanup(ts.Close)
	s.URL = ts.URL
	s.server = app.NewServer(st, slog.New(slog.NewTextHandler(testLog{t}, nil)), web.Options{
		SquareSDK: ts.URL + "/test/square.js", SquareAppID: "sandbox-sq0idb-test", SquareLocationID: "LOC1", Heartbeat: time.Second})
	sq := square.New(s.square.URL, s.square.Token, "LOC1")
	sq.Backoff = []time.Duration{time.Millisecond}
	s.server.Shop.Payments = sq
	s.server.Shop.Passwords = account.NewHasher(account.FixtureParams, account.DefaultLimits())
	t.Cleanup(s.server.Shop.Close) // after the site, before the store
	mux := http.NewServeMux()
	mux.HandleFunc("GET /test/square.js", squaretest.ServeWebSDK)
	mux.Handle("/", s.server.Handler())
	site = mux

	users := map[string]account.Grant{
		"counter@ocpizza.test":   {Role: account.Counter, PizzeriaID: s.shop},
		"pizzaiolo@ocpizza.test": {Role: account.Pizzaiolo, PizzeriaID: s.shop},
		"driver@ocpizza.test":    {Role: account.Driver, PizzeriaID: s.shop},
		"manager@ocpizza.test":   {Role: account.Manager, PizzeriaID: s.shop},
		"admin@ocpizza.test":     {Role: account.Admin},
	}
	for email, g := range users {
		_, err := s.server.Shop.AddUser(ctx, email, "Staff "+string(g.Role), password, []account.Grant{g})
		check(t, err)
	}
	for _, c := range []string{"alice", "bob"} {
		_, err := s.server.Shop.SignUp(ctx, account.NewCustomer{Email: c + "@example.test", Password: password, Name: c, Phone: "06 00 00 00 00"}, "")
		check(t, err)
	}
	return s
}

// api calls the JSON API as a user (signing in first), as the staff's
// other tools do; it returns the decoded answer.
func (s *site) api(email, method, path string, body any) map[string]any {
	s.t.Helper()
	token := s.token(email)
	var r io.Reader
	if body != nil {
		data, _ := json.Marshal(body)
		r = bytes.NewReader(data)
	}
	req, _ := http.NewRequest(method, s.URL+path, r)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	check(s.t, err)
	defer res.Body.Close()
	var out map[string]any
	json.NewDecoder(res.Body).Decode(&out)
	if res.StatusCode >= 300 {
		s.t.Fatalf("%s %s as %s: %d %v", method, path, email, res.StatusCode, out)
	}
	return out
}

func (s *site) token(email string) string {
	s.t.Helper()
	token, _, err := s.server.Shop.SignIn(context.Background(), email, password, "")
	check(s.t, err)
	return token
}

// setLevel sets an ingredient's level in the first pizzeria by an
// inventory count, as a manager would.
func (s *site) setLevel(ingredient string, q int64) {
	s.t.Helper()
	manager, err := s.store.UserByEmail(context.Background(), "manager@ocpizza.test")
	check(s.t, err)
	_, err = s.server.Shop.RecordMovement(context.Background(), account.ActorOf(manager), s.shop,
		stock.ManualMovement{IngredientID: s.ingredient[ingredient], Reason: stock.Count, Quantity: q})
	check(s.t, err)
}

// storeAll selects every order of a test.
var storeAll = order.Filter{Limit: 1000}

func (s *site) orders() int {
	s.t.Helper()
	os, err := s.store.Orders(context.Background(), storeAll)
	check(s.t, err)
	return len(os)
}

func check(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func id(v any) string { return fmt.Sprint(int64(v.(float64))) }

func itoa[T int64 | int](v T) string { return fmt.Sprint(v) }

// testLog shows the server's errors in the failing test's output.
type testLog struct{ t *testing.T }

func (l testLog) Write(p []byte) (int, error) {
	if bytes.Contains(p, []byte("level=ERROR")) || bytes.Contains(p, []byte("level=WARN")) {
		l.t.Logf("server: %s", bytes.TrimSpace(p))
	}
	return len(p), nil
}
