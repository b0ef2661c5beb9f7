package report

import (
	"cmp"
	"slices"
	"strings"
)

// PizzeriaRow is one pizzeria over a period: its sales, cancellations and
// refunds, and its times against those promised.
type PizzeriaRow struct {
	PizzeriaID int64  `json:"pizzeria_id"`
	Name       string `json:"name"`
	Sales
	AverageCents   int64 `json:"average_cents"`
	Cancelled      int64 `json:"cancelled"`
	CancelledCents int64 `json:"cancelled_cents"`
	Refunded       int64 `json:"refunded"`
	RefundedCents  int64 `json:"refunded_cents"`
	// Average minutes from placed to ready, to delivered or picked up, and
	// promised; how many were done, and how many of those late.
	PrepMinutes     float64 `json:"prep_minutes"`
	DoneMinutes     float64 `json:"done_minutes"`
	PromisedMinutes float64 `json:"promised_minutes"`
	Done            int64   `json:"done"`
	Late            int64   `json:"late"`
	prepared, prep  int64
	done, promised  int64
}

// LateShare is the share of finished orders that came after the time
// promised, from 0 to 1.
func (r PizzeriaRow) LateShare() float64 {
	if r.Done == 0 {
		return 0
	}
	return float64(r.Late) / float64(r.Done)
}

// ProductRow is one product over a period.
type ProductRow struct {
	ProductID int64  `json:"product_id"`
	Name      string `json:"name"`
	Quantity
}

// DayRow is one day's sales, every pizzeria of the report together.
type DayRow struct {
	Date string `json:"date"`
	Sales
}

// HourRow is the sales of one hour of the day (Paris) over a period.
type HourRow struct {
	Hour int `json:"hour"`
	Sales
}

// WasteRow is what a pizzeria threw away of one ingredient over a
// period: the quantity (in the ingredient's unit) and how many times.
type WasteRow struct {
	PizzeriaID   int64  `json:"pizzeria_id"`
	Pizzeria     string `json:"pizzeria"`
	IngredientID int64  `json:"ingredient_id"`
	Ingredient   string `json:"ingredient"`
	Unit         string `json:"unit"`
	Quantity     int64  `json:"quantity"`
	Times        int64  `json:"times"`
}

// Report is a period's figures, every table of the reports page.
type Report struct {
	Period    Period        `json:"period"`
	Total     PizzeriaRow   `json:"total"`
	Pizzerias []PizzeriaRow `json:"pizzerias"`
	Products  []ProductRow  `json:"products"`
	Days      []DayRow      `json:"days"`
	Hours     []HourRow     `json:"hours"`
	Waste     []WasteRow    `json:"waste"`
}

// Build sums a period's days into its report. pizzerias names the
// pizzerias to list (each gets a row, sold or not), products the
// products.
func Build(p Period, days []Day, waste []WasteRow, pizzerias, products map[int64]string) Report {
	r := Report{Period: p, Total: PizzeriaRow{Name: "total"}, Waste: waste}
	rows := map[int64]*PizzeriaRow{}
	for id, name := range pizzerias {
		rows[id] = &PizzeriaRow{PizzeriaID: id, Name: name}
	}
	byDate := map[string]*DayRow{}
	for _, date := range p.Days() {
		r.Days = append(r.Days, DayRow{Date: date})
	}
	for i := range r.Days {
		byDate[r.Days[i].Date] = &r.Days[i]
	}
	for h := range 24 {
		r.Hours = append(r.Hours, HourRow{Hour: h})
	}
	sold := map[int64]Quantity{}
	for _, d := range days {
		row := rows[d.PizzeriaID]
		if row == nil {
			continue // a pizzeria left out of the report
		}
		for _, into := range []*PizzeriaRow{row, &r.Total} {
			into.add(d)
		}
		if day := byDate[d.Date]; day != nil {
			day.Orders += d.Orders
			day.Cents += d.Cents
		}
		for h, s := range d.Hours {
			r.Hours[h].Orders += s.Orders
			r.Hours[h].Cents += s.Cents
		}
		for id, q := range d.Products {
			t := sold[id]
			t.Quantity += q.Quantity
			t.Cents += q.Cents
			sold[id] = t
		}
	}
	for _, row := range rows {
		row.finish()
		r.Pizzerias = append(r.Pizzerias, *row)
	}
	r.Total.finish()
	slices.SortFunc(r.Pizzerias, func(a, b PizzeriaRow) int {
		return cmp.Or(strings.Compare(a.Name, b.Name), cmp.Compare(a.PizzeriaID, b.PizzeriaID))
	})
	for id, q := range sold {
		r.Products = append(r.Products, ProductRow{ProductID: id, Name: products[id], Quantity: q})
	}
	slices.SortFunc(r.Products, func(a, b ProductRow) int {
		return cmp.Or(cmp.Compare(b.Cents, a.Cents), strings.Compare(a.Name, b.Name))
	})
	slices.SortFunc(r.Waste, func(a, b WasteRow) int {
		return cmp.Or(strings.Compare(a.Pizzeria, b.Pizzeria), strings.Compare(a.Ingredient, b.Ingredient))
	})
	return r
}

func (r *PizzeriaRow) add(d Day) {
	r.Orders += d.Orders
	r.Cents += d.Cents
	r.Cancelled += d.Cancelled
	r.CancelledCents += d.CancelledCents
	r.Refunded += d.Refunded
	r.RefundedCents += d.RefundedCents
	r.prepared += d.Prepared
	r.prep += d.PrepSeconds
	r.Done += d.Done
	r.done += d.DoneSeconds
	r.promised += d.PromisedSeconds
	r.Late += d.Late
}

func (r *PizzeriaRow) finish() {
	if r.Orders > 0 {
		r.AverageCents = (r.Cents + r.Orders/2) / r.Orders
	}
	if r.prepared > 0 {
		r.PrepMinutes = float64(r.prep) / float64(r.prepared) / 60
	}
	if r.Done > 0 {
		r.DoneMinutes = float64(r.done) / float64(r.Done) / 60
		r.PromisedMinutes = float64(r.promised) / float64(r.Done) / 60
	}
}
