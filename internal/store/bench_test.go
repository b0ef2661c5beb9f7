package store_test

import (
	"context"
	"testing"

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
