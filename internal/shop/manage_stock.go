package shop

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/oc-pizza/ocpizza/internal/account"
	"github.com/oc-pizza/ocpizza/internal/errs"
	"github.com/oc-pizza/ocpizza/internal/event"
	"github.com/oc-pizza/ocpizza/internal/stock"
)

// RecordBatch records a delivery note of several lines, an inventory
// count or waste, in one transaction: all the lines or none. Managers
// (and the admin) only. It returns the levels the batch leaves.
func (s *Shop) RecordBatch(ctx context.Context, actor account.Actor, pizzeriaID int64, b stock.Batch) ([]stock.Level, error) {
	if !actor.Has(account.Manager, pizzeriaID) {
		return nil, errs.E(errs.Forbidden, "only the manager of pizzeria %d records stock movements", pizzeriaID)
	}
	b, err := b.Normalize()
	if err != nil {
		return nil, err
	}
	levels, err := s.Store.RecordBatch(ctx, pizzeriaID, b.Movements(), b.Note, actor.UserID)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, len(levels))
	for i, l := range levels {
		ids[i] = l.IngredientID
	}
	s.stockMoved(ctx, pizzeriaID, ids)
	return levels, nil
}

// SetThreshold changes the level under which an ingredient counts as low
// in a pizzeria. Its manager (and the admin) only.
func (s *Shop) SetThreshold(ctx context.Context, actor account.Actor, pizzeriaID, ingredientID, threshold int64) error {
	if !actor.Has(account.Manager, pizzeriaID) {
		return errs.E(errs.Forbidden, "only the manager of pizzeria %d sets its stock thresholds", pizzeriaID)
	}
	if err := s.Store.SetLowThreshold(ctx, pizzeriaID, ingredientID, threshold); err != nil {
		return err
	}
	// A threshold raised above the level is a crossing too.
	s.stockMoved(ctx, pizzeriaID, []int64{ingredientID})
	return nil
}

// StockByUrgency returns a pizzeria's levels most urgent first (empty,
// then low), for its staff.
func (s *Shop) StockByUrgency(ctx context.Context, actor account.Actor, pizzeriaID int64) ([]stock.Level, error) {
	levels, err := s.Stock(ctx, actor, pizzeriaID)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(levels, stock.Urgency)
	return levels, nil
}

// Movements returns a pizzeria's stock ledger, newest first, with who
// recorded each movement and when: its manager (and the admin) only.
// ingredientID keeps one ingredient's (0: all); before pages back from a
// movement id (0: the latest).
func (s *Shop) Movements(ctx context.Context, actor account.Actor, pizzeriaID, ingredientID, before int64, limit int) ([]stock.Movement, error) {
	if !actor.Has(account.Manager, pizzeriaID) {
		return nil, errs.E(errs.Forbidden, "only the manager of pizzeria %d reads its stock history", pizzeriaID)
	}
	return s.Store.MovementLog(ctx, pizzeriaID, ingredientID, before, limit)
}

// stockMoved tells the screens that a manager moved stock, and checks
// the levels for alerts at once: the manager sees the alert as the page
// comes back.
func (s *Shop) stockMoved(ctx context.Context, pizzeriaID int64, ingredients []int64) {
	s.publish(ctx, event.StockChanged, StockChange{PizzeriaID: pizzeriaID, IngredientIDs: ingredients}, pizzeriaID, 0)
	s.watchLowStock(ctx, pizzeriaID, ingredients)
}

// lowStockDelay is how long the levels orders moved wait to be checked
// for alerts: the orders of that moment are checked together, off their
// requests.
const lowStockDelay = 200 * time.Millisecond

// stockWatch gathers the levels orders moved, by pizzeria, until they are
// checked for alerts.
type stockWatch struct {
	mu      sync.Mutex
	pending map[int64]map[int64]bool
	timer   *time.Timer // set while a check is due
	closed  bool
}

// watchLater has the levels orders moved checked for alerts shortly, in
// the background: an order must not wait for a read it does not need, and
// a busy evening's orders share one read per pizzeria. An alert lost to a
// stop in between is raised by the level's next movement.
func (s *Shop) watchLater(pizzeriaID int64, ingredients []int64) {
	w := &s.lowStock
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.pending == nil {
		w.pending = map[int64]map[int64]bool{}
	}
	if w.pending[pizzeriaID] == nil {
		w.pending[pizzeriaID] = map[int64]bool{}
	}
	for _, id := range ingredients {
		w.pending[pizzeriaID][id] = true
	}
	if w.timer == nil && !w.closed {
		w.timer = time.AfterFunc(lowStockDelay, s.watchPending)
	}
}

// Close checks the levels still waiting to be checked, now, and stops
// the background checks: call it before closing the store, so no check
// runs on a closed store or outlives its command.
func (s *Shop) Close() {
	w := &s.lowStock
	w.mu.Lock()
	w.closed = true
	if w.timer != nil {
		w.timer.Stop()
	}
	w.mu.Unlock()
	s.watchPending()
}

func (s *Shop) watchPending() {
	w := &s.lowStock
	w.mu.Lock()
	pending := w.pending
	w.pending, w.timer = nil, nil
	w.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for pizzeriaID, set := range pending {
		ids := make([]int64, 0, len(set))
		for id := range set {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		s.watchLowStock(ctx, pizzeriaID, ids)
	}
}

// watchLowStock tells the manager when a level runs low: the moved levels
// are read; one that went low raises its flag and queues a mail (through
// the outbox, with the flag, in one transaction), one back above its
// threshold lowers the flag. Most checks leave every flag as it is and
// cost one read.
func (s *Shop) watchLowStock(ctx context.Context, pizzeriaID int64, ingredients []int64) {
	levels, err := s.Store.LevelsOf(ctx, pizzeriaID, ingredients)
	if err != nil {
		s.Log.Error("read stock alerts", "pizzeria", pizzeriaID, "err", err)
		return
	}
	var raise, clear []int64
	for _, l := range levels {
		up, down := stock.Alert(l)
		if up {
			raise = append(raise, l.IngredientID)
		}
		if down {
			clear = append(clear, l.IngredientID)
		}
	}
	if len(raise) == 0 && len(clear) == 0 {
		return
	}
	// The change is committed already: a cancelled request must not lose
	// the alert.
	raised, err := s.Store.FlagLowStock(context.WithoutCancel(ctx), pizzeriaID, raise, clear)
	if err != nil {
		s.Log.Error("flag low stock", "pizzeria", pizzeriaID, "err", err)
		return
	}
	if len(raised) > 0 {
		s.Log.Info("low stock: manager told", "pizzeria", pizzeriaID, "ingredients", raised)
	}
}
