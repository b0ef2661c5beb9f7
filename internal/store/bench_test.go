package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/oc-pizza/ocpizza/internal/account"
	"github.com/oc-pizza/ocpizza/internal/order"
	"github.com/oc-pizza/ocpizza/internal/stock"
	"github.com/oc-pizza/ocpizza/internal/store/storetest"
)

// BenchmarkPlaceOrder measures one order transaction (number, stock
// reservation, lines, history, ledger) on each engine: one client after
// another ("sequential", the latency of a transaction), then 4 goroutines
// per core as on a busy evening ("parallel", the throughput under
// contention for the same stock rows).
func BenchmarkPlaceOrder(b *testing.B) {
	ctx := context.Background()
	for _, e := range storetest.Engines {
		f := newFixture(b, e)
		f.stockUp(b, stock.MaxQuantity, stock.MaxQuantity)
		o, needs := f.newOrder(1)
		place := func(b *testing.B) {
			if _, _, err := f.s.PlaceOrder(ctx, o, needs, f.customer.ID, nil, nil); err != nil {
				b.Fatal(err)
			}
		}
		b.Run(string(e)+"/sequential", func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				place(b)
			}
		})
		b.Run(string(e)+"/parallel", func(b *testing.B) {
			b.SetParallelism(4)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, _, err := f.s.PlaceOrder(ctx, o, needs, f.customer.ID, nil, nil); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}

// BenchmarkHoldLimitCheck measures what reading a customer's waiting
// orders adds to an order, in the worst case the limit allows: a pizzeria
// crowded with thousands of waiting orders of other accounts, and each
// customer already holding two there. "off" places the same orders
// without the check; "on" sets a limit high enough never to refuse.
func BenchmarkHoldLimitCheck(b *testing.B) {
	ctx := context.Background()
	for _, e := range storetest.Engines {
		f := newFixture(b, e)
		f.stockUp(b, stock.MaxQuantity, stock.MaxQuantity)
		o, needs := f.newOrder(1)
		users := 0
		// holding returns n new customers, each holding two waiting orders.
		holding := func(b *testing.B, n int) []int64 {
			out := make([]int64, n)
			for i := range out {
				users++
				u, err := f.s.CreateUser(ctx, account.User{Email: fmt.Sprintf("c%d@example.test", users), Name: "C", PasswordHash: "x", Grants: []account.Grant{{Role: account.Customer}}})
				must(b, err)
				out[i], o.CustomerID = u.ID, u.ID
				for range 2 {
					_, _, err := f.s.PlaceOrder(ctx, o, needs, u.ID, nil, nil)
					must(b, err)
				}
			}
			return out
		}
		f.s.SetHoldLimit(order.HoldLimit{})
		holding(b, 2500) // the crowd
		// Off and on alternate, order after order, so that whatever else
		// the machine and the database do weighs on both alike.
		b.Run(string(e), func(b *testing.B) {
			customers := holding(b, b.N)
			var spent [2]time.Duration
			b.ResetTimer()
			for i := range b.N {
				on := i % 2
				f.s.SetHoldLimit([]order.HoldLimit{{}, {Orders: 1 << 40, Items: 1 << 50}}[on])
				o.CustomerID = customers[i]
				start := time.Now()
				if _, _, err := f.s.PlaceOrder(ctx, o, needs, o.CustomerID, nil, nil); err != nil {
					b.Fatal(err)
				}
				spent[on] += time.Since(start)
			}
			b.ReportMetric(float64(spent[0].Nanoseconds())/float64(b.N-b.N/2), "off-ns/op")
			b.ReportMetric(float64(spent[1].Nanoseconds())/float64(max(1, b.N/2)), "on-ns/op")
			b.ReportMetric(float64(spent[1])/float64(max(1, b.N/2))/(float64(spent[0])/float64(b.N-b.N/2)), "on/off")
		})
	}
}
