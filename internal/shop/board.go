package shop

import (
	"context"
	"slices"
	"time"

	"github.com/oc-pizza/ocpizza/internal/account"
	"github.com/oc-pizza/ocpizza/internal/errs"
	"github.com/oc-pizza/ocpizza/internal/order"
	"github.com/oc-pizza/ocpizza/internal/pizzeria"
	"github.com/oc-pizza/ocpizza/internal/stock"
	"github.com/oc-pizza/ocpizza/internal/store"
)

// Board is a pizzeria as its manager watches it: the orders in progress,
// late ones first, today's takings and the stock running low.
type Board struct {
	Pizzeria pizzeria.Pizzeria
	At       time.Time
	// Orders are in progress, late ones first (order.Urgency).
	Orders []order.Order
	// Counts are the orders in progress by status; Late how many of them
	// are past the time promised.
	Counts map[order.Status]int
	Late   int
	// Today is what was ordered since midnight in Paris, cancellations
	// left out.
	Today store.Sales
	// Alerts are the levels at or under their threshold, most urgent
	// first.
	Alerts []stock.Level
}

// Board returns a pizzeria's board, for its manager (and the admin).
func (s *Shop) Board(ctx context.Context, actor account.Actor, pizzeriaID int64) (Board, error) {
	if !actor.Has(account.Manager, pizzeriaID) {
		return Board{}, errs.E(errs.Forbidden, "only the manager of pizzeria %d sees its board", pizzeriaID)
	}
	p, err := s.Pizzeria(ctx, actor, pizzeriaID)
	if err != nil {
		return Board{}, err
	}
	now := s.Store.Now()
	sales, err := s.Store.SalesBetween(ctx, dayStart(now), now.Add(time.Minute))
	if err != nil {
		return Board{}, err
	}
	return s.board(ctx, p, now, sales[pizzeriaID])
}

// ChainBoard returns every pizzeria's board side by side, for the admin.
func (s *Shop) ChainBoard(ctx context.Context, actor account.Actor) ([]Board, error) {
	if !actor.IsAdmin() {
		return nil, errs.E(errs.Forbidden, "the chain's board is for its administrators")
	}
	shops, err := s.Pizzerias(ctx, actor)
	if err != nil {
		return nil, err
	}
	now := s.Store.Now()
	sales, err := s.Store.SalesBetween(ctx, dayStart(now), now.Add(time.Minute))
	if err != nil {
		return nil, err
	}
	out := make([]Board, 0, len(shops))
	for _, p := range shops {
		b, err := s.board(ctx, p, now, sales[p.ID])
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, nil
}

func (s *Shop) board(ctx context.Context, p pizzeria.Pizzeria, now time.Time, today store.Sales) (Board, error) {
	orders, err := s.Store.Orders(ctx, order.Filter{PizzeriaID: p.ID, Statuses: order.Active, Limit: 1000})
	if err != nil {
		return Board{}, err
	}
	slices.SortFunc(orders, order.Urgency(now))
	b := Board{Pizzeria: p, At: now, Orders: orders, Counts: map[order.Status]int{}, Today: today}
	for _, o := range orders {
		b.Counts[o.Status]++
		if o.LateAt(now) {
			b.Late++
		}
	}
	levels, err := s.Store.StockLevels(ctx, p.ID)
	if err != nil {
		return Board{}, err
	}
	for _, l := range levels {
		if l.Low() {
			b.Alerts = append(b.Alerts, l)
		}
	}
	slices.SortFunc(b.Alerts, stock.Urgency)
	return b, nil
}

// dayStart is midnight in Paris on the day of t.
func dayStart(t time.Time) time.Time {
	y, m, d := t.In(pizzeria.Paris).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, pizzeria.Paris)
}
