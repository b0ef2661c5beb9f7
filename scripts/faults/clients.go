package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/oc-pizza/ocpizza/internal/demo"
	"github.com/oc-pizza/ocpizza/internal/order"
	"github.com/oc-pizza/ocpizza/internal/store"
)

// client orders as the demo's customers do, each order with an
// Idempotency-Key.
type client struct {
	base     string
	http     *http.Client
	tokens   []string
	shops    []int64
	products []int64
}

func newClient(ctx context.Context, e *env) (*client, error) {
	c := &client{base: "http://" + e.addr, http: &http.Client{Timeout: 10 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: 256}}}
	st, err := store.Open(ctx, e.dbURL)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	shops, err := st.Pizzerias(ctx)
	if err != nil {
		return nil, err
	}
	for _, p := range shops {
		c.shops = append(c.shops, p.ID)
	}
	products, err := st.Products(ctx, false)
	if err != nil {
		return nil, err
	}
	for _, p := range products {
		if p.Active {
			c.products = append(c.products, p.ID)
		}
	}
	for _, email := range demo.Emails() {
		if !strings.HasSuffix(email, "@example.fr") {
			continue
		}
		var out struct{ Token string }
		if status, err := c.call(ctx, "POST", "/api/v1/auth/token", "", "", map[string]string{"email": email, "password": demo.Password}, &out); err != nil || status != 200 {
			return nil, fmt.Errorf("sign in %s: %d %v", email, status, err)
		}
		c.tokens = append(c.tokens, out.Token)
	}
	return c, nil
}

func (c *client) call(ctx context.Context, method, path, token, key string, body, out any) (int, error) {
	status, _, err := c.send(ctx, method, path, token, key, body, out)
	return status, err
}

func (c *client) send(ctx context.Context, method, path, token, key string, body, out any) (int, http.Header, error) {
	var r io.Reader
	if body != nil {
		data, _ := json.Marshal(body)
		r = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, r)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	res, err := c.http.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		return res.StatusCode, res.Header, err
	}
	if out != nil && res.StatusCode < 300 {
		err = json.Unmarshal(data, out)
	}
	return res.StatusCode, res.Header, err
}

// attempt is one order asked for, with its key, body and session.
type attempt struct {
	key   string
	token string
	body  map[string]any
}

func (c *client) newAttempt(rng *mrand.Rand) attempt {
	b := make([]byte, 12)
	rand.Read(b)
	var items []map[string]any
	for range 1 + rng.IntN(3) {
		items = append(items, map[string]any{"product_id": c.products[rng.IntN(len(c.products))], "quantity": 1 + rng.IntN(2)})
	}
	return attempt{key: hex.EncodeToString(b), token: c.tokens[rng.IntN(len(c.tokens))], body: map[string]any{
		"pizzeria_id": c.shops[rng.IntN(len(c.shops))], "items": items, "fulfilment": "pickup", "payment_method": "on_delivery"}}
}

type placed struct {
	ID       int64  `json:"id"`
	Number   string `json:"number"`
	replayed bool
}

// place sends an attempt; err is set when no answer came (the
// connection was refused or lost).
func (c *client) place(ctx context.Context, a attempt) (int, placed, error) {
	var p placed
	status, h, err := c.send(ctx, "POST", "/api/v1/orders", a.token, a.key, a.body, &p)
	p.replayed = h.Get("Idempotent-Replayed") == "true"
	return status, p, err
}

// ledger records what the clients were told.
type ledger struct {
	mu      sync.Mutex
	acked   map[string]placed  // key → order answered 201
	unknown map[string]attempt // no answer: to ask again with the same key
	refused map[int]int        // status → count
	fivexx  int
}

func newLedger() *ledger {
	return &ledger{acked: map[string]placed{}, unknown: map[string]attempt{}, refused: map[int]int{}}
}

func (l *ledger) note(a attempt, status int, p placed, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case err == nil && (status == http.StatusCreated || status == http.StatusAccepted):
		l.acked[a.key] = p
		delete(l.unknown, a.key)
	case err != nil || status == http.StatusServiceUnavailable:
		l.unknown[a.key] = a
	default:
		l.refused[status]++
		if status >= 500 {
			l.fivexx++
		}
	}
}

// orderClients runs n clients placing orders until ctx ends; each waits a
// little after a failure, as a person would.
func (c *client) orderClients(ctx context.Context, n int, l *ledger, pause time.Duration) *sync.WaitGroup {
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := mrand.New(mrand.NewPCG(uint64(i), uint64(time.Now().UnixNano())))
			for ctx.Err() == nil {
				a := c.newAttempt(rng)
				rctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				status, p, err := c.place(rctx, a)
				cancel()
				l.note(a, status, p, err)
				if err != nil || status >= 500 {
					time.Sleep(200 * time.Millisecond)
				} else if pause > 0 {
					time.Sleep(pause)
				}
			}
		}()
	}
	return &wg
}

// settleUnknown asks again, twice, with the same key, for every order
// whose answer was lost: each must give one order, the same both times.
func (c *client) settleUnknown(ctx context.Context, l *ledger) (replayed, placedNew int, err error) {
	for key, a := range l.unknown {
		s1, p1, err1 := c.place(ctx, a)
		s2, p2, err2 := c.place(ctx, a)
		if err1 != nil || err2 != nil || s1 != 201 || s2 != 201 || p1.ID != p2.ID || !p2.replayed {
			return replayed, placedNew, fmt.Errorf("key %s asked again: %d %+v %v, then %d %+v %v", key, s1, p1, err1, s2, p2, err2)
		}
		if p1.replayed {
			replayed++
		} else {
			placedNew++
		}
		l.acked[key] = p1
	}
	return replayed, placedNew, nil
}

// checkOrders: every order answered 201 is in the database; every order
// placed since the order firstNew is whole — lines, history, and its stock
// reserved as its lines need — or absent.
func checkOrders(ctx context.Context, st *store.Store, acked map[string]placed, firstNew int64) (int, error) {
	for key, p := range acked {
		if _, err := st.Order(ctx, p.ID); err != nil {
			return 0, fmt.Errorf("order %s (key %s) answered 201 is not in the database: %v", p.Number, key, err)
		}
	}
	products, err := st.Products(ctx, true)
	if err != nil {
		return 0, err
	}
	recipes := map[int64][]stockLine{}
	for _, p := range products {
		for _, l := range p.Recipe {
			recipes[p.ID] = append(recipes[p.ID], stockLine{l.IngredientID, l.Quantity})
		}
	}
	held := map[int64]map[int64]int64{} // order → ingredient → taken
	shops, err := st.Pizzerias(ctx)
	if err != nil {
		return 0, err
	}
	for _, p := range shops {
		moves, err := st.Movements(ctx, p.ID, 10_000_000)
		if err != nil {
			return 0, err
		}
		for _, m := range moves {
			if m.OrderID >= firstNew {
				if held[m.OrderID] == nil {
					held[m.OrderID] = map[int64]int64{}
				}
				held[m.OrderID][m.IngredientID] -= m.Delta
			}
		}
	}
	newest, err := st.Orders(ctx, order.Filter{NewestFirst: true, Limit: 1})
	if err != nil || len(newest) == 0 {
		return 0, err
	}
	n := 0
	for id := firstNew; id <= newest[0].ID; id++ {
		o, err := st.Order(ctx, id)
		if err != nil {
			continue // absent: an id drawn by a transaction that did not commit
		}
		n++
		if len(o.Lines) == 0 || len(o.History) == 0 {
			return n, fmt.Errorf("order %s is not whole: %d lines, %d history entries", o.Number, len(o.Lines), len(o.History))
		}
		want := map[int64]int64{}
		for _, l := range o.Lines {
			for _, r := range recipes[l.ProductID] {
				want[r.ingredient] += r.quantity * l.Quantity
			}
		}
		for ing, q := range want {
			if held[o.ID][ing] != q {
				return n, fmt.Errorf("order %s holds %d of ingredient %d, its lines need %d", o.Number, held[o.ID][ing], ing, q)
			}
		}
	}
	return n, nil
}

type stockLine struct{ ingredient, quantity int64 }
