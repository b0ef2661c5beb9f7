package loadtest

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"time"

	"github.com/oc-pizza/ocpizza/internal/catalog"
	"github.com/oc-pizza/ocpizza/internal/order"
	"github.com/oc-pizza/ocpizza/internal/pizzeria"
	"github.com/oc-pizza/ocpizza/internal/stock"
	"github.com/oc-pizza/ocpizza/internal/store"
)

// YearOptions shape the year of orders the load tool generates, for the
// reports to be measured on.
type YearOptions struct {
	DatabaseURL string
	Orders      int       // about how many, over the whole chain
	Days        int       // ending the day before End
	End         time.Time // zero: today
	Seed        uint64
}

// YearMain parses `ocpizza loadtest year` and generates the year.
func YearMain(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	fs := flag.NewFlagSet("ocpizza loadtest year", flag.ContinueOnError)
	fs.SetOutput(stderr)
	o := YearOptions{}
	fs.StringVar(&o.DatabaseURL, "database", getenv("OCPIZZA_DATABASE_URL"), "database to fill (migrated, and loaded with the demo chain when empty)")
	fs.IntVar(&o.Orders, "orders", 500_000, "about how many orders over the whole chain")
	fs.IntVar(&o.Days, "days", 365, "how many days, ending yesterday")
	fs.Uint64Var(&o.Seed, "seed", 2026, "seed of the random choices: the same seed gives the same year")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if o.DatabaseURL == "" {
		return errors.New("give --database (or OCPIZZA_DATABASE_URL): the year goes into a database you keep")
	}
	if o.Orders < 1 || o.Days < 1 || o.Days > 3660 {
		return errors.New("--orders must be positive and --days from 1 to 3660")
	}
	st, err := store.Open(ctx, o.DatabaseURL)
	if err != nil {
		return err
	}
	defer st.Close()
	start := time.Now()
	n, err := GenerateYear(ctx, st, o, stdout)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%d orders over %d days in %s (%s)\n", n, o.Days, time.Since(start).Round(time.Second), st.Engine())
	return nil
}

// GenerateYear fills st with o.Days of a chain's orders, all finished
// (delivered, picked up, or cancelled and refunded when paid), with their
// lines, history and stock ledger, and some waste: the shape of a real
// year, lunch and dinner peaks, busier weekends. It returns how many
// orders it wrote.
func GenerateYear(ctx context.Context, st *store.Store, o YearOptions, progress io.Writer) (int, error) {
	if _, err := st.Migrate(ctx); err != nil {
		return 0, err
	}
	empty, err := st.Empty(ctx)
	if err != nil {
		return 0, err
	}
	if empty {
		if err := loadDemo(ctx, st); err != nil {
			return 0, err
		}
	}
	customers, _, err := loadUsers(ctx, st)
	if err != nil {
		return 0, err
	}
	shops, err := st.Pizzerias(ctx)
	if err != nil {
		return 0, err
	}
	products, err := st.Products(ctx, true)
	if err != nil {
		return 0, err
	}
	ingredients, err := st.Ingredients(ctx)
	if err != nil {
		return 0, err
	}
	seqs, err := st.OrderSeqs(ctx)
	if err != nil {
		return 0, err
	}
	if len(shops) == 0 || len(products) == 0 {
		return 0, errors.New("no pizzeria or product to order")
	}
	end := o.End
	if end.IsZero() {
		end = time.Now()
	}
	y, m, d := end.In(pizzeria.Paris).Date()
	first := time.Date(y, m, d-o.Days, 0, 0, 0, 0, pizzeria.Paris)
	g := &year{rng: rand.New(rand.NewPCG(o.Seed, 7)), products: products, customers: customers, recipes: map[int64][]catalog.RecipeLine{}}
	for _, p := range products {
		g.recipes[p.ID] = p.Recipe
	}
	// A weekday's share of orders: Friday and Saturday twice a Monday's.
	weekday := [7]float64{1.5, 0.8, 0.85, 0.9, 1.0, 1.6, 1.7}
	perDay := float64(o.Orders) / float64(o.Days*len(shops)) / 1.193 // the weights' mean
	var batch []store.PastOrder
	var waste []stock.Movement
	written := 0
	flush := func() error {
		if err := st.ImportOrders(ctx, batch, waste); err != nil {
			return err
		}
		written += len(batch)
		batch, waste = batch[:0], waste[:0]
		fmt.Fprintf(progress, "%d orders written\n", written)
		return nil
	}
	for day := 0; day < o.Days; day++ {
		date := first.AddDate(0, 0, day)
		for _, p := range shops {
			n := int(perDay * weekday[date.Weekday()] * (0.85 + 0.3*g.rng.Float64()))
			for range n {
				seqs[p.ID]++
				batch = append(batch, g.order(p, seqs[p.ID], date))
			}
			// Waste: a dropped tray or a past date, twice a week or so.
			if g.rng.IntN(7) < 2 && len(ingredients) > 0 {
				in := ingredients[g.rng.IntN(len(ingredients))]
				waste = append(waste, stock.Movement{PizzeriaID: p.ID, IngredientID: in.ID, Reason: stock.Waste, Delta: -int64(1 + g.rng.IntN(500)),
					At: date.Add(time.Duration(22*60+g.rng.IntN(60)) * time.Minute).UTC(), Note: "Date dépassée"})
			}
		}
		if len(batch) >= 5000 {
			if err := flush(); err != nil {
				return written, err
			}
		}
	}
	if err := flush(); err != nil {
		return written, err
	}
	return written, st.Analyze(ctx)
}

// year draws the orders of a year.
type year struct {
	rng       *rand.Rand
	products  []catalog.Product
	customers []int64
	recipes   map[int64][]catalog.RecipeLine
}

// order draws one finished order of a pizzeria on a day.
func (g *year) order(p pizzeria.Pizzeria, seq int64, date time.Time) store.PastOrder {
	r := g.rng
	// Lunch from 11:30, dinner from 18:30, dinner busier.
	minute := 11*60 + 30 + r.IntN(150)
	if r.IntN(100) < 65 {
		minute = 18*60 + 30 + r.IntN(240)
	}
	created := date.Add(time.Duration(minute)*time.Minute + time.Duration(r.IntN(60))*time.Second).UTC()
	o := order.Order{PizzeriaID: p.ID, Number: order.Number(p.Code, seq), Status: order.Delivered, Fulfilment: order.Delivery,
		Channel: order.Web, PaymentMethod: order.Online, PaymentStatus: order.Paid, CreatedAt: created, Version: 1,
		Contact: order.Contact{Name: "Client", Phone: "0600000000"}, ETAMinutes: int64(order.PrepMinutes + 10 + r.IntN(25))}
	switch c := r.IntN(100); {
	case c < 25:
		o.Channel, o.PaymentMethod = order.Phone, order.OnDelivery
	case c < 30:
		o.Channel, o.PaymentMethod = order.Walk, order.OnDelivery
	default:
		o.CustomerID = g.customers[r.IntN(len(g.customers))]
		if r.IntN(100) < 40 {
			o.PaymentMethod = order.OnDelivery
		}
	}
	if r.IntN(100) < 40 {
		o.Fulfilment, o.Status, o.ETAMinutes = order.Pickup, order.PickedUp, order.PrepMinutes
	}
	if o.Fulfilment == order.Delivery {
		o.DeliveryAddress = &pizzeria.Address{Street: "1 rue de la République", Postcode: p.Address.Postcode, City: p.Address.City}
	}
	var lines []stock.Line
	for range 1 + r.IntN(3) {
		pr := g.products[r.IntN(len(g.products))]
		q := int64(1 + r.IntN(2))
		o.Lines = append(o.Lines, order.Line{ProductID: pr.ID, Name: pr.Name, Quantity: q, UnitPriceCents: pr.PriceCents, VATBasis: pr.VATBasis})
		lines = append(lines, stock.Line{ProductID: pr.ID, Quantity: q})
	}
	o.TotalCents = order.Total(o.Lines)
	at := created
	o.History = []order.Change{{Status: order.Pending, At: at}}
	step := func(s order.Status, minMinutes, spread int) {
		at = at.Add(time.Duration(minMinutes*60+r.IntN(spread*60)) * time.Second)
		o.History = append(o.History, order.Change{Status: s, At: at})
	}
	if r.IntN(100) < 3 {
		o.Status = order.Cancelled
		step(order.Cancelled, 1, 5)
		if o.PaymentMethod == order.Online {
			o.PaymentStatus = order.Refunded
		} else {
			o.PaymentStatus = order.Unpaid
		}
	} else {
		step(order.Preparing, 1, 8)
		step(order.Ready, 8, 14)
		if o.Fulfilment == order.Delivery {
			step(order.OutForDelivery, 1, 6)
			step(order.Delivered, 8, 20)
		} else {
			step(order.PickedUp, 2, 15)
		}
	}
	o.UpdatedAt = at
	return store.PastOrder{Order: o, Needs: stock.Needs(lines, g.recipes)}
}
