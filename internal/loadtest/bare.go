package loadtest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/oc-pizza/ocpizza/internal/order"
	"github.com/oc-pizza/ocpizza/internal/shop"
	"github.com/oc-pizza/ocpizza/internal/stock"
	"github.com/oc-pizza/ocpizza/internal/store"
)

// bareDriver is the floor each operation is compared with, measured in
// the same run: a menu read is a bare net/http handler encoding a menu of
// the same size (no middleware, no database), an order a hand-written
// transaction of the same shape (store.BareOrder), a kitchen step one
// UPDATE. The store's share of the floor is its own work; the server's
// share is what routing, security and logging cost.
type bareDriver struct {
	st     *store.Store
	w      *world
	base   string
	client *http.Client
	srv    *http.Server
	sd     *storeDriver
}

// newBareDriver serves each pizzeria's menu, as the API would answer now,
// from a bare handler on a loopback port.
func newBareDriver(ctx context.Context, st *store.Store, w *world, sd *storeDriver, concurrency int) (*bareDriver, error) {
	menus := map[string][]shop.MenuItem{}
	for _, id := range w.shops {
		levels, err := st.StockQuantities(ctx, id)
		if err != nil {
			return nil, err
		}
		var items []shop.MenuItem
		for _, p := range w.products {
			items = append(items, shop.MenuItem{ProductID: p.ID, Name: p.Name, Category: p.Category, Description: p.Description,
				PriceCents: p.PriceCents, Available: stock.Makeable(p.Recipe, levels)})
		}
		menus[strconv.FormatInt(id, 10)] = items
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/pizzerias/{id}/menu", func(w http.ResponseWriter, r *http.Request) {
		items, ok := menus[r.PathValue("id")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(items)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns, tr.MaxIdleConnsPerHost = concurrency*2+64, concurrency*2+64
	return &bareDriver{st: st, w: w, sd: sd, srv: srv, base: "http://" + ln.Addr().String(),
		client: &http.Client{Transport: tr, Timeout: 30 * time.Second}}, nil
}

func (d *bareDriver) close() { d.srv.Close() }

func (d *bareDriver) menu(ctx context.Context, rng *rand.Rand, shopIx int64) error {
	id := d.w.shops[shopIx%int64(len(d.w.shops))]
	req, err := http.NewRequestWithContext(ctx, "GET", fmt.Sprintf("%s/api/v1/pizzerias/%d/menu", d.base, id), nil)
	if err != nil {
		return err
	}
	res, err := d.client.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	_, err = io.Copy(io.Discard, res.Body) // as the API's reader does
	return err
}

func (d *bareDriver) order(ctx context.Context, rng *rand.Rand, shopIx int64) (int64, error) {
	if err := d.sd.init(ctx); err != nil {
		return 0, err
	}
	items := d.w.items(rng)
	var lines []order.Line
	for _, it := range items {
		p := d.w.byID[it.ProductID]
		lines = append(lines, order.Line{ProductID: p.ID, Name: p.Name, Quantity: it.Quantity, UnitPriceCents: p.PriceCents, VATBasis: p.VATBasis})
	}
	return d.st.BareOrder(ctx, d.w.shops[shopIx%int64(len(d.w.shops))], d.sd.customers[rng.IntN(len(d.sd.customers))],
		lines, stock.Needs(items, d.w.recipes))
}

func (d *bareDriver) advance(ctx context.Context, id int64, to string) error {
	return d.st.BareAdvance(ctx, id, order.Status(to))
}
