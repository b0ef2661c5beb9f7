package store_test

import (
	"context"
	"testing"

	"github.com/oc-pizza/ocpizza/internal/stock"
	"github.com/oc-pizza/ocpizza/internal/store/storetest"
)

// BenchmarkPlaceOrder measures one order transaction (number, stock
// reservation, lines, history, ledger) on each engine, from parallel
// goroutines as on a busy evening.
func BenchmarkPlaceOrder(b *testing.B) {
	ctx := context.Background()
	for _, e := range storetest.Engines {
		b.Run(string(e), func(b *testing.B) {
			f := newFixture(b, e)
			f.stockUp(b, stock.MaxQuantity, stock.MaxQuantity)
			o, needs := f.newOrder(1)
			b.SetParallelism(benchParallelism)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, _, err := f.s.PlaceOrder(ctx, o, needs, f.customer.ID, nil); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}

// benchParallelism is goroutines per core in the parallel benchmarks.
var benchParallelism = 4
