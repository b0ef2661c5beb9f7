package loadtest

import (
	"context"
	"io"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/oc-pizza/ocpizza/internal/account"
	"github.com/oc-pizza/ocpizza/internal/pizzeria"
	"github.com/oc-pizza/ocpizza/internal/shop"
	"github.com/oc-pizza/ocpizza/internal/store"
)

// BenchmarkReport measures the reports on a year of one chain, in the
// databases named by OCPIZZA_BENCH_SQLITE and OCPIZZA_BENCH_POSTGRES
// (filled beforehand by `ocpizza loadtest year --database URL`, ~500,000
// orders); without them it is skipped. "cold" builds the rollups of the
// whole year first (once, as the nightly job does day by day), then every
// report reads them: a whole year of the chain, a year of one pizzeria, a
// month.
func BenchmarkReport(b *testing.B) {
	for _, db := range []struct{ name, env string }{{"sqlite", "OCPIZZA_BENCH_SQLITE"}, {"postgres", "OCPIZZA_BENCH_POSTGRES"}} {
		url := os.Getenv(db.env)
		b.Run(db.name, func(b *testing.B) {
			if url == "" {
				b.Skipf("%s is not set: fill a database with `ocpizza loadtest year --database URL` and name it there", db.env)
			}
			ctx := context.Background()
			st, err := store.Open(ctx, url)
			if err != nil {
				b.Fatal(err)
			}
			defer st.Close()
			if _, err := st.Migrate(ctx); err != nil {
				b.Fatal(err)
			}
			sh := shop.New(st, nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
			shops, err := st.Pizzerias(ctx)
			if err != nil || len(shops) == 0 {
				b.Fatalf("no pizzeria: %v", err)
			}
			today := time.Now().In(pizzeria.Paris)
			yearAgo := today.AddDate(-1, 0, 0).Format("2006-01-02")
			monthAgo := today.AddDate(0, -1, 0).Format("2006-01-02")
			end := today.Format("2006-01-02")
			b.Run("cold-rollup-of-the-year", func(b *testing.B) {
				for b.Loop() {
					start := time.Now()
					n, err := sh.RollUp(ctx, 400, 400)
					if err != nil {
						b.Fatal(err)
					}
					b.ReportMetric(float64(n), "days")
					b.ReportMetric(time.Since(start).Seconds(), "s/rollup")
				}
			})
			for _, r := range []struct {
				name       string
				from       string
				pizzeriaID int64
			}{{"year-of-the-chain", yearAgo, 0}, {"year-of-one-pizzeria", yearAgo, shops[0].ID}, {"month-of-the-chain", monthAgo, 0}} {
				b.Run(r.name, func(b *testing.B) {
					var orders int64
					for b.Loop() {
						rep, err := sh.Report(ctx, account.System, r.from, end, r.pizzeriaID)
						if err != nil {
							b.Fatal(err)
						}
						orders = rep.Total.Orders + rep.Total.Cancelled
					}
					b.ReportMetric(float64(orders), "orders")
				})
			}
		})
	}
}
