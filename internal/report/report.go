// Package report holds the arithmetic of the chain's reports: what one
// order counts for (sales, preparation and delivery times against the
// time promised, cancellations and refunds), rolled up per pizzeria and
// day in Paris, then summed over a period by pizzeria, product, day and
// hour of the day. It knows nothing of HTTP or SQL.
package report

import (
	"cmp"
	"slices"
	"strconv"
	"time"

	"github.com/oc-pizza/ocpizza/internal/errs"
	"github.com/oc-pizza/ocpizza/internal/order"
	"github.com/oc-pizza/ocpizza/internal/pizzeria"
)

// DateLayout is how a day is written, in Paris.
const DateLayout = pizzeria.DateLayout

// Line is what one order line counts for.
type Line struct {
	ProductID int64
	Quantity  int64
	Cents     int64
}

// Order is what a report needs to know of one order.
type Order struct {
	ID         int64
	PizzeriaID int64
	CreatedAt  time.Time
	Status     order.Status
	Payment    order.PaymentStatus
	TotalCents int64
	ETAMinutes int64
	// ReadyAt and DoneAt are when it was ready, and delivered or picked
	// up; zero when it was not.
	ReadyAt, DoneAt time.Time
	Lines           []Line
}

// Sales are orders and money.
type Sales struct {
	Orders int64 `json:"orders"`
	Cents  int64 `json:"cents"`
}

// Quantity is how many of a product sold and for how much.
type Quantity struct {
	Quantity int64 `json:"quantity"`
	Cents    int64 `json:"cents"`
}

// Day is one pizzeria's day (in Paris), rolled up: what every report is
// summed from. Cancelled orders count in Cancelled only.
type Day struct {
	Date       string
	PizzeriaID int64
	Sales
	Cancelled, CancelledCents int64
	Refunded, RefundedCents   int64
	// Prepared orders reached "ready": PrepSeconds is their time from
	// being placed to ready, summed.
	Prepared, PrepSeconds int64
	// Done orders were delivered or picked up: DoneSeconds their time from
	// being placed, PromisedSeconds the time promised, Late how many came
	// after it.
	Done, DoneSeconds, PromisedSeconds, Late int64
	Hours                                    [24]Sales // by hour of the day they were placed, in Paris
	Products                                 map[int64]Quantity
}

// Roll rolls orders up into days, one per pizzeria and Paris date.
func Roll(orders []Order) []Day {
	index := map[string]int{}
	var days []Day
	for _, o := range orders {
		local := o.CreatedAt.In(pizzeria.Paris)
		key := local.Format(DateLayout) + "/" + strconv.FormatInt(o.PizzeriaID, 10)
		i, ok := index[key]
		if !ok {
			i = len(days)
			index[key] = i
			days = append(days, Day{Date: local.Format(DateLayout), PizzeriaID: o.PizzeriaID, Products: map[int64]Quantity{}})
		}
		days[i].add(o, local.Hour())
	}
	slices.SortFunc(days, func(a, b Day) int {
		return cmp.Or(cmp.Compare(a.Date, b.Date), cmp.Compare(a.PizzeriaID, b.PizzeriaID))
	})
	return days
}

func (d *Day) add(o Order, hour int) {
	if o.Status == order.Cancelled {
		d.Cancelled++
		d.CancelledCents += o.TotalCents
		if o.Payment == order.Refunded {
			d.Refunded++
			d.RefundedCents += o.TotalCents
		}
		return
	}
	d.Orders++
	d.Cents += o.TotalCents
	d.Hours[hour].Orders++
	d.Hours[hour].Cents += o.TotalCents
	for _, l := range o.Lines {
		q := d.Products[l.ProductID]
		q.Quantity += l.Quantity
		q.Cents += l.Cents
		d.Products[l.ProductID] = q
	}
	if !o.ReadyAt.IsZero() {
		d.Prepared++
		d.PrepSeconds += int64(o.ReadyAt.Sub(o.CreatedAt).Seconds())
	}
	if !o.DoneAt.IsZero() {
		d.Done++
		d.DoneSeconds += int64(o.DoneAt.Sub(o.CreatedAt).Seconds())
		d.PromisedSeconds += o.ETAMinutes * 60
		if o.DoneAt.After(o.CreatedAt.Add(time.Duration(o.ETAMinutes) * time.Minute)) {
			d.Late++
		}
	}
}

// MaxDays bounds a report's period: two years.
const MaxDays = 731

// Period is the days a report covers, From to To included, in Paris.
type Period struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// NewPeriod checks a period given as two dates (YYYY-MM-DD).
func NewPeriod(from, to string) (Period, error) {
	f, err1 := time.ParseInLocation(DateLayout, from, pizzeria.Paris)
	t, err2 := time.ParseInLocation(DateLayout, to, pizzeria.Paris)
	switch {
	case err1 != nil || err2 != nil:
		return Period{}, errs.E(errs.Invalid, "a period runs from one date to another, written YYYY-MM-DD")
	case t.Before(f):
		return Period{}, errs.E(errs.Invalid, "the period ends before it starts")
	case len(Period{from, to}.Days()) > MaxDays:
		return Period{}, errs.E(errs.Invalid, "a report covers at most %d days", MaxDays)
	}
	return Period{From: from, To: to}, nil
}

// Bounds are the period's first and last instants: [start, end).
func (p Period) Bounds() (time.Time, time.Time) {
	f, _ := time.ParseInLocation(DateLayout, p.From, pizzeria.Paris)
	t, _ := time.ParseInLocation(DateLayout, p.To, pizzeria.Paris)
	return f, t.AddDate(0, 0, 1)
}

// Days lists the period's dates.
func (p Period) Days() []string {
	f, err1 := time.ParseInLocation(DateLayout, p.From, pizzeria.Paris)
	t, err2 := time.ParseInLocation(DateLayout, p.To, pizzeria.Paris)
	if err1 != nil || err2 != nil {
		return nil
	}
	var out []string
	for d := f; !d.After(t) && len(out) <= MaxDays; d = d.AddDate(0, 0, 1) {
		out = append(out, d.Format(DateLayout))
	}
	return out
}

// Settled reports whether a day's orders are done with: it ended more
// than a day before now, so its rollup can be kept.
func Settled(date string, now time.Time) bool {
	y, m, d := now.In(pizzeria.Paris).Date()
	return date < time.Date(y, m, d-1, 0, 0, 0, 0, pizzeria.Paris).Format(DateLayout)
}
