package shop

import (
	"context"
	"time"

	"github.com/oc-pizza/ocpizza/internal/account"
	"github.com/oc-pizza/ocpizza/internal/errs"
	"github.com/oc-pizza/ocpizza/internal/pizzeria"
	"github.com/oc-pizza/ocpizza/internal/report"
)

// Report returns the report of a period (dates YYYY-MM-DD, both
// included): the whole chain's (pizzeriaID 0) for the admin, one
// pizzeria's for its manager too. Settled days are read from their
// rollups, built now when missing; the last two days from the orders.
func (s *Shop) Report(ctx context.Context, actor account.Actor, from, to string, pizzeriaID int64) (report.Report, error) {
	// Has(Manager, 0) holds for the admin only.
	if !actor.Has(account.Manager, pizzeriaID) {
		return report.Report{}, errs.E(errs.Forbidden, "reports are for the administrator, and for a manager about their pizzeria")
	}
	period, err := report.NewPeriod(from, to)
	if err != nil {
		return report.Report{}, err
	}
	snap, err := s.snapshot(ctx)
	if err != nil {
		return report.Report{}, err
	}
	shops := map[int64]string{}
	for _, p := range snap.list {
		if pizzeriaID == 0 || p.ID == pizzeriaID {
			shops[p.ID] = p.Name
		}
	}
	if len(shops) == 0 {
		return report.Report{}, errs.E(errs.NotFound, "no pizzeria %d", pizzeriaID)
	}
	products := map[int64]string{}
	for _, p := range snap.products {
		products[p.ID] = p.Name
	}
	now := s.Store.Now()
	built, err := s.Store.BuiltDays(ctx, period.From, period.To)
	if err != nil {
		return report.Report{}, err
	}
	var missing, live []string
	for _, d := range period.Days() {
		switch {
		case !report.Settled(d, now):
			live = append(live, d)
		case !built[d]:
			missing = append(missing, d)
		}
	}
	if err := s.rollUp(ctx, missing); err != nil {
		return report.Report{}, err
	}
	days, err := s.Store.Days(ctx, period.From, period.To, pizzeriaID)
	if err != nil {
		return report.Report{}, err
	}
	if len(live) > 0 {
		start, _ := report.Period{From: live[0], To: live[0]}.Bounds()
		_, end := period.Bounds()
		orders, err := s.Store.ReportOrders(ctx, start, end)
		if err != nil {
			return report.Report{}, err
		}
		for _, d := range report.Roll(orders) {
			if pizzeriaID == 0 || d.PizzeriaID == pizzeriaID {
				days = append(days, d)
			}
		}
	}
	start, end := period.Bounds()
	waste, err := s.Store.Waste(ctx, start, end, pizzeriaID)
	if err != nil {
		return report.Report{}, err
	}
	return report.Build(period, days, waste, shops, products), nil
}

// rollUpRun is how many days one rollup reads at once: a month of a busy
// chain is some 40,000 orders.
const rollUpRun = 31

// rollUp builds and keeps the rollups of settled dates, a run of
// consecutive dates at a time.
func (s *Shop) rollUp(ctx context.Context, dates []string) error {
	for len(dates) > 0 {
		n := 1
		for n < len(dates) && n < rollUpRun && next(dates[n-1]) == dates[n] {
			n++
		}
		run := dates[:n]
		start, _ := report.Period{From: run[0], To: run[0]}.Bounds()
		_, end := report.Period{From: run[n-1], To: run[n-1]}.Bounds()
		orders, err := s.Store.ReportOrders(ctx, start, end)
		if err != nil {
			return err
		}
		if err := s.Store.SaveDays(ctx, run, report.Roll(orders)); err != nil {
			return err
		}
		dates = dates[n:]
	}
	return nil
}

func next(date string) string {
	d, _ := time.ParseInLocation(report.DateLayout, date, pizzeria.Paris)
	return d.AddDate(0, 0, 1).Format(report.DateLayout)
}

// RollUp keeps the reports' rollups up to date (the nightly job): it
// builds the settled days of the last `days` that have none, and builds
// again the last `again` settled days, whose orders may have moved after
// their day (a refund confirmed late). It returns how many days it built.
func (s *Shop) RollUp(ctx context.Context, days, again int) (int, error) {
	now := s.Store.Now().In(pizzeria.Paris)
	y, m, d := now.Date()
	last := time.Date(y, m, d-2, 0, 0, 0, 0, pizzeria.Paris) // the latest settled day
	first := last.AddDate(0, 0, 1-days)
	built, err := s.Store.BuiltDays(ctx, first.Format(report.DateLayout), last.Format(report.DateLayout))
	if err != nil {
		return 0, err
	}
	var todo []string
	for day := first; !day.After(last); day = day.AddDate(0, 0, 1) {
		date := day.Format(report.DateLayout)
		if !built[date] || !day.Before(last.AddDate(0, 0, 1-again)) {
			todo = append(todo, date)
		}
	}
	return len(todo), s.rollUp(ctx, todo)
}
