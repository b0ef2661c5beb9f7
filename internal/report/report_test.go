package report

import (
	"testing"
	"time"

	"github.com/oc-pizza/ocpizza/internal/errs"
	"github.com/oc-pizza/ocpizza/internal/order"
)

func TestRollAndBuild(t *testing.T) {
	utc := func(s string) time.Time {
		tm, err := time.Parse("2006-01-02 15:04", s)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	placed := utc("2026-03-01 18:00") // 19:00 in Paris
	orders := []Order{
		{ID: 1, PizzeriaID: 1, CreatedAt: placed, Status: order.Delivered, TotalCents: 2000, ETAMinutes: 40,
			ReadyAt: placed.Add(15 * time.Minute), DoneAt: placed.Add(35 * time.Minute), Lines: []Line{{ProductID: 7, Quantity: 2, Cents: 2000}}},
		{ID: 2, PizzeriaID: 1, CreatedAt: placed, Status: order.PickedUp, TotalCents: 1000, ETAMinutes: 20,
			ReadyAt: placed.Add(25 * time.Minute), DoneAt: placed.Add(30 * time.Minute), Lines: []Line{{ProductID: 7, Quantity: 1, Cents: 1000}}},
		{ID: 3, PizzeriaID: 1, CreatedAt: placed, Status: order.Cancelled, Payment: order.Refunded, TotalCents: 500},
		{ID: 4, PizzeriaID: 1, CreatedAt: placed, Status: order.Cancelled, Payment: order.Unpaid, TotalCents: 700},
		// 23:30 UTC on 1 March is 00:30 on 2 March in Paris.
		{ID: 5, PizzeriaID: 2, CreatedAt: utc("2026-03-01 23:30"), Status: order.Pending, TotalCents: 900, Lines: []Line{{ProductID: 8, Quantity: 1, Cents: 900}}},
	}
	days := Roll(orders)
	if len(days) != 2 || days[0].Date != "2026-03-01" || days[1].Date != "2026-03-02" || days[1].Hours[0].Orders != 1 {
		t.Fatalf("days %+v", days)
	}
	d := days[0]
	if d.Orders != 2 || d.Cents != 3000 || d.Cancelled != 2 || d.CancelledCents != 1200 || d.Refunded != 1 || d.RefundedCents != 500 ||
		d.Late != 1 || d.Done != 2 || d.Hours[19].Orders != 2 || d.Products[7].Quantity != 3 {
		t.Fatalf("day %+v", d)
	}
	p, err := NewPeriod("2026-03-01", "2026-03-03")
	if err != nil {
		t.Fatal(err)
	}
	r := Build(p, days, nil, map[int64]string{1: "République", 2: "Croix-Rousse", 3: "Vaise"}, map[int64]string{7: "Margherita", 8: "Reine"})
	if len(r.Pizzerias) != 3 || len(r.Days) != 3 || len(r.Hours) != 24 || r.Total.Orders != 3 || r.Total.Cents != 3900 {
		t.Fatalf("report %+v", r)
	}
	rep := r.Pizzerias[1] // by name: Croix-Rousse, République, Vaise
	if rep.Name != "République" || rep.AverageCents != 1500 || rep.PrepMinutes != 20 || rep.DoneMinutes != 32.5 || rep.PromisedMinutes != 30 || rep.LateShare() != 0.5 {
		t.Fatalf("République %+v", rep)
	}
	if r.Products[0].Name != "Margherita" || r.Products[0].Cents != 3000 || r.Days[1].Orders != 1 {
		t.Fatalf("products %+v days %+v", r.Products, r.Days)
	}
}

func TestPeriods(t *testing.T) {
	p, err := NewPeriod("2026-03-28", "2026-03-30") // across the change to summer time
	if err != nil || len(p.Days()) != 3 {
		t.Fatalf("%v %v", p.Days(), err)
	}
	from, to := p.Bounds()
	if to.Sub(from) != 71*time.Hour {
		t.Fatalf("bounds %s %s", from, to)
	}
	for _, bad := range [][2]string{{"2026-03-30", "2026-03-28"}, {"28/03/2026", "2026-03-30"}, {"2020-01-01", "2026-01-01"}} {
		if _, err := NewPeriod(bad[0], bad[1]); !errs.Is(err, errs.Invalid) {
			t.Errorf("%v: %v", bad, err)
		}
	}
	now := time.Date(2026, 3, 30, 10, 0, 0, 0, time.UTC)
	if !Settled("2026-03-28", now) || Settled("2026-03-29", now) || Settled("2026-03-30", now) {
		t.Fatal("Settled")
	}
}
