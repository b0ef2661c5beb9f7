package store_test

import (
	"context"
	"testing"

	"github.com/oc-pizza/ocpizza/internal/stock"
	"github.com/oc-pizza/ocpizza/internal/store/storetest"
)

func BenchmarkPlaceOrderSequential(b *testing.B) {
	ctx := context.Background()
	for _, e := range storetest.Engines {
		b.Run(string(e), func(b *testing.B) {
			f := newFixture(b, e)
			f.stockUp(b, stock.MaxQuantity, stock.MaxQuantity)
			o, needs := f.newOrder(1)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, _, err := f.s.PlaceOrder(ctx, o, needs, f.customer.ID, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
