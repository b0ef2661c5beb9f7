package loadtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"regexp"
	"sync/atomic"
	"time"

	"github.com/oc-pizza/ocpizza/internal/account"
	"github.com/oc-pizza/ocpizza/internal/demo"
	"github.com/oc-pizza/ocpizza/internal/errs"
	"github.com/oc-pizza/ocpizza/internal/order"
	"github.com/oc-pizza/ocpizza/internal/shop"
	"github.com/oc-pizza/ocpizza/internal/stock"
	"github.com/oc-pizza/ocpizza/internal/store"
)

// menuTotal sums the baseline's makeable counts; nothing reads it.
var menuTotal atomic.Int64

const (
	loadPassword  = "load-test-password"
	loadCustomers = 8
)

func loadDemo(ctx context.Context, st *store.Store) error {
	sh := shop.New(st, nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
	defer sh.Close()
	_, err := demo.Load(ctx, sh)
	return err
}

// loadUsers returns the ids of the load test's customers and admin,
// creating them on first use.
func loadUsers(ctx context.Context, st *store.Store) (customers []int64, admin int64, err error) {
	hash, err := account.HashPassword(loadPassword, account.ProductionParams)
	if err != nil {
		return nil, 0, err
	}
	get := func(email string, g account.Grant) (int64, error) {
		u, err := st.UserByEmail(ctx, email)
		if err == nil {
			return u.ID, nil
		}
		if !errs.Is(err, errs.NotFound) {
			return 0, err
		}
		u, err = st.CreateUser(ctx, account.User{Email: email, Name: "Load " + email, PasswordHash: hash, Grants: []account.Grant{g}})
		return u.ID, err
	}
	for i := 0; i < loadCustomers; i++ {
		id, err := get(fmt.Sprintf("load-%d@example.test", i), account.Grant{Role: account.Customer})
		if err != nil {
			return nil, 0, err
		}
		customers = append(customers, id)
	}
	admin, err = get("load-admin@example.test", account.Grant{Role: account.Admin})
	return customers, admin, err
}

// storeDriver performs the operations as the shop does, minus HTTP,
// JSON and authentication: the baseline.
type storeDriver struct {
	st        *store.Store
	w         *world
	customers []int64
	admin     int64
}

func (d *storeDriver) init(ctx context.Context) error {
	if d.customers != nil {
		return nil
	}
	var err error
	d.customers, d.admin, err = loadUsers(ctx, d.st)
	return err
}

func (d *storeDriver) menu(ctx context.Context, rng *rand.Rand, shop int64) error {
	levels, err := d.st.StockQuantities(ctx, d.w.shops[shop%int64(len(d.w.shops))])
	if err != nil {
		return err
	}
	var total int64
	for _, p := range d.w.products {
		total += stock.Makeable(p.Recipe, levels)
	}
	menuTotal.Add(total) // keeps the computation from being optimised away
	return nil
}

func (d *storeDriver) order(ctx context.Context, rng *rand.Rand, shop int64) (int64, error) {
	if err := d.init(ctx); err != nil {
		return 0, err
	}
	lines := d.w.items(rng)
	o := order.Order{PizzeriaID: d.w.shops[shop%int64(len(d.w.shops))], CustomerID: d.customers[rng.IntN(len(d.customers))],
		Contact: order.Contact{Name: "Load"}, Channel: order.Web, Fulfilment: order.Pickup, PaymentMethod: order.OnDelivery,
		PaymentStatus: order.Unpaid, Status: order.Pending}
	for _, l := range lines {
		p := d.w.byID[l.ProductID]
		o.Lines = append(o.Lines, order.Line{ProductID: p.ID, Name: p.Name, Quantity: l.Quantity, UnitPriceCents: p.PriceCents, VATBasis: p.VATBasis})
	}
	o.TotalCents = order.Total(o.Lines)
	// The same writes as the API: the order, its stock, and the customer's
	// confirmation queued in the outbox.
	notice := &order.Notification{Kind: "confirmed", Recipient: "load@example.test"}
	placed, _, err := d.st.PlaceOrder(ctx, o, stock.Needs(lines, d.w.recipes), o.CustomerID, nil, notice)
	return placed.ID, err
}

func (d *storeDriver) advance(ctx context.Context, id int64, to string) error {
	o, err := d.st.Order(ctx, id)
	if err != nil {
		return err
	}
	// As the API does, the customer hears of the step (all load orders
	// are pickups: "preparing", then "ready").
	notice := &order.Notification{Kind: to, Recipient: "load@example.test"}
	_, err = d.st.UpdateOrder(ctx, order.Update{Order: o, Status: order.Status(to), ByUserID: d.admin, Notify: notice})
	return err
}

// httpDriver performs the operations through the public API.
type httpDriver struct {
	base      string
	client    *http.Client
	w         *world
	customers []string // bearer tokens
	admin     string
	// pages reads the menu as its web page instead of the API's JSON.
	pages bool
}

// opError is a failed HTTP operation, classified by the API's error code.
type opError struct{ code string }

func (e *opError) Error() string { return e.code }

func errorCode(err error) string {
	var op *opError
	if errors.As(err, &op) {
		return op.code
	}
	if c := errs.CodeOf(err); c != "" {
		return string(c)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "timeout"
	}
	return "error"
}

func newHTTPDriver(ctx context.Context, base string, w *world, concurrency int) (*httpDriver, error) {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns, tr.MaxIdleConnsPerHost = concurrency*2+64, concurrency*2+64
	d := &httpDriver{base: base, w: w, client: &http.Client{Transport: tr, Timeout: 30 * time.Second}}
	signIn := func(email string) (string, error) {
		var out struct {
			Token string `json:"token"`
		}
		if err := d.do(ctx, "POST", "/api/v1/auth/token", "", map[string]string{"email": email, "password": loadPassword}, &out); err != nil {
			return "", fmt.Errorf("sign in %s: %w", email, err)
		}
		return out.Token, nil
	}
	for i := 0; i < loadCustomers; i++ {
		tok, err := signIn(fmt.Sprintf("load-%d@example.test", i))
		if err != nil {
			return nil, err
		}
		d.customers = append(d.customers, tok)
	}
	var err error
	d.admin, err = signIn("load-admin@example.test")
	return d, err
}

func (d *httpDriver) do(ctx context.Context, method, path, token string, body, out any) error {
	var r io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			return err
		}
		r = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, d.base+path, r)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := d.client.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode >= 300 {
		var e struct {
			Error struct{ Code string } `json:"error"`
		}
		json.NewDecoder(res.Body).Decode(&e)
		if e.Error.Code == "" {
			e.Error.Code = fmt.Sprintf("http_%d", res.StatusCode)
		}
		return &opError{e.Error.Code}
	}
	if out == nil {
		_, err = io.Copy(io.Discard, res.Body)
		return err
	}
	return json.NewDecoder(res.Body).Decode(out)
}

func (d *httpDriver) menu(ctx context.Context, rng *rand.Rand, shop int64) error {
	id := d.w.shops[shop%int64(len(d.w.shops))]
	if d.pages {
		return d.do(ctx, "GET", fmt.Sprintf("/pizzerias/%d", id), "", nil, nil)
	}
	return d.do(ctx, "GET", fmt.Sprintf("/api/v1/pizzerias/%d/menu", id), "", nil, nil)
}

// staticRef finds the page's own static files.
var staticRef = regexp.MustCompile(`(?:href|src)="(/static/[^"]+)"`)

// firstLoad is what a visitor's browser downloads the first time it opens
// a pizzeria's menu page: the page, then its stylesheet, scripts and icon
// (Square's script is only on the checkout).
func (d *httpDriver) firstLoad(ctx context.Context) (int64, error) {
	get := func(path string) ([]byte, error) {
		req, err := http.NewRequestWithContext(ctx, "GET", d.base+path, nil)
		if err != nil {
			return nil, err
		}
		res, err := d.client.Do(req)
		if err != nil {
			return nil, err
		}
		defer res.Body.Close()
		if res.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("GET %s: %d", path, res.StatusCode)
		}
		return io.ReadAll(res.Body)
	}
	page, err := get(fmt.Sprintf("/pizzerias/%d", d.w.shops[0]))
	if err != nil {
		return 0, err
	}
	total := int64(len(page))
	seen := map[string]bool{}
	for _, m := range staticRef.FindAllSubmatch(page, -1) {
		if path := string(m[1]); !seen[path] {
			seen[path] = true
			body, err := get(path)
			if err != nil {
				return 0, err
			}
			total += int64(len(body))
		}
	}
	return total, nil
}

func (d *httpDriver) order(ctx context.Context, rng *rand.Rand, shop int64) (int64, error) {
	return d.orderAs(ctx, rng, shop, d.customers[rng.IntN(len(d.customers))])
}

// orderAs places an order for the customer of a token.
func (d *httpDriver) orderAs(ctx context.Context, rng *rand.Rand, shop int64, token string) (int64, error) {
	type item struct {
		ProductID int64 `json:"product_id"`
		Quantity  int64 `json:"quantity"`
	}
	var items []item
	for _, l := range d.w.items(rng) {
		items = append(items, item{l.ProductID, l.Quantity})
	}
	body := map[string]any{"pizzeria_id": d.w.shops[shop%int64(len(d.w.shops))], "items": items, "fulfilment": "pickup", "payment_method": "on_delivery"}
	var out struct {
		ID int64 `json:"id"`
	}
	err := d.do(ctx, "POST", "/api/v1/orders", token, body, &out)
	return out.ID, err
}

func (d *httpDriver) advance(ctx context.Context, id int64, to string) error {
	return d.do(ctx, "POST", fmt.Sprintf("/api/v1/orders/%d/status", id), d.admin, map[string]string{"status": to}, nil)
}
