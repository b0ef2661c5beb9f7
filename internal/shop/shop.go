// Package shop carries out what users ask of the chain: it reads what a
// decision needs, lets the domain packages decide, has the store write the
// outcome in one transaction and publishes what happened. The JSON API and
// the web pages both call it, so a rule is never enforced in only one of
// them.
package shop

import (
	"context"
	"encoding/json"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/oc-pizza/ocpizza/internal/account"
	"github.com/oc-pizza/ocpizza/internal/catalog"
	"github.com/oc-pizza/ocpizza/internal/errs"
	"github.com/oc-pizza/ocpizza/internal/event"
	"github.com/oc-pizza/ocpizza/internal/maps"
	"github.com/oc-pizza/ocpizza/internal/payment"
	"github.com/oc-pizza/ocpizza/internal/pizzeria"
	"github.com/oc-pizza/ocpizza/internal/stock"
	"github.com/oc-pizza/ocpizza/internal/store"
)

// Shop is the chain's application service.
type Shop struct {
	Store    *store.Store
	Events   *event.Broker
	Payments payment.Provider // nil: online payment is refused
	Maps     *maps.Client     // nil: delivery zones by postcode and a fixed time
	// Alert, when set, tells the administrator about a provider problem
	// that needs a person (a refused maps key, say).
	Alert func(ctx context.Context, kind, subject, body string)
	Log   *slog.Logger
	// Journal, when set, also records each event for the other instances
	// on the same database (see app's relay).
	Journal func(ctx context.Context, kind string, pizzeriaID, orderID int64, data []byte) error

	// Mail sends password links; nil without a mail server.
	Mail Mailer
	// PublicURL is the site's address as customers reach it, for the
	// links in mails (never the request's Host, which anyone can forge).
	PublicURL string
	// LogLinks logs password links when no mail server is set
	// (development only: a log is no place for them in production).
	LogLinks bool
	// Passwords hashes and verifies passwords, a bounded number at once.
	// Test fixtures give it cheap parameters.
	Passwords *account.Hasher

	sessions sessionCache
	signIns  *throttle // per account and per client address
	signUps  *throttle // per client address
	lookups  *throttle // delivery look-ups, per client address
	mu       sync.Mutex
	cached   *catalogSnapshot
	lowStock stockWatch    // levels orders moved, to check for alerts
	levels   levelsCache   // stock levels between their changes
	menus    sync.Map      // pizzeria id → *builtMenu
	Refresh  time.Duration // how long the catalogue snapshot is trusted
}

// New returns a shop over a store.
func New(st *store.Store, events *event.Broker, log *slog.Logger) *Shop {
	s := &Shop{Store: st, Events: events, Log: log, Refresh: 5 * time.Second,
		Passwords: account.NewHasher(account.ProductionParams, account.DefaultLimits()),
		signIns:   newThrottle(), signUps: newThrottle(), lookups: newThrottle()}
	if events != nil {
		events.Observe(s.observe)
	}
	return s
}

// catalogSnapshot is the menu and the list of pizzerias, which change a
// few times a year but are read on every order: it is kept for a few
// seconds instead of being read each time. Stock is never cached.
type catalogSnapshot struct {
	at        time.Time
	products  []catalog.Product
	byID      map[int64]catalog.Product
	recipes   map[int64][]catalog.RecipeLine
	pizzerias map[int64]pizzeria.Pizzeria
	list      []pizzeria.Pizzeria
	// offMenu holds, by pizzeria, the products taken off its menu.
	offMenu map[int64]map[int64]catalog.OffMenu
	// menus caches menuAt's answer per pizzeria.
	menus sync.Map
}

// menuAt is the catalogue as one pizzeria sells it: without the products
// it took off its menu (for a reason other than stock), which then
// cannot be ordered there.
func (c *catalogSnapshot) menuAt(pizzeriaID int64) map[int64]catalog.Product {
	off := c.offMenu[pizzeriaID]
	if len(off) == 0 {
		return c.byID
	}
	if m, ok := c.menus.Load(pizzeriaID); ok {
		return m.(map[int64]catalog.Product)
	}
	m := make(map[int64]catalog.Product, len(c.byID))
	for id, p := range c.byID {
		if _, gone := off[id]; !gone {
			m[id] = p
		}
	}
	c.menus.Store(pizzeriaID, m)
	return m
}

func (s *Shop) snapshot(ctx context.Context) (*catalogSnapshot, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cached != nil && time.Since(s.cached.at) < s.Refresh {
		return s.cached, nil
	}
	products, err := s.Store.Products(ctx, false)
	if err != nil {
		return nil, err
	}
	shops, err := s.Store.Pizzerias(ctx)
	if err != nil {
		return nil, err
	}
	off, err := s.Store.OffMenus(ctx)
	if err != nil {
		return nil, err
	}
	snap := &catalogSnapshot{at: time.Now(), products: products, byID: map[int64]catalog.Product{},
		recipes: map[int64][]catalog.RecipeLine{}, pizzerias: map[int64]pizzeria.Pizzeria{}, list: shops, offMenu: off}
	for _, p := range products {
		snap.byID[p.ID] = p
		snap.recipes[p.ID] = p.Recipe
	}
	for _, p := range shops {
		snap.pizzerias[p.ID] = p
	}
	s.cached = snap
	return snap, nil
}

// Forget drops the cached catalogue, after the catalogue or pizzerias
// changed in this process.
func (s *Shop) Forget() {
	s.mu.Lock()
	s.cached = nil
	s.mu.Unlock()
}

// Pizzerias lists the pizzerias open to customers (staff see all).
func (s *Shop) Pizzerias(ctx context.Context, actor account.Actor) ([]pizzeria.Pizzeria, error) {
	snap, err := s.snapshot(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]pizzeria.Pizzeria, 0, len(snap.list))
	for _, p := range snap.list {
		if p.Active || actor.IsStaff() {
			out = append(out, p)
		}
	}
	return out, nil
}

// Pizzeria returns one pizzeria; an inactive one only to staff.
func (s *Shop) Pizzeria(ctx context.Context, actor account.Actor, id int64) (pizzeria.Pizzeria, error) {
	snap, err := s.snapshot(ctx)
	if err != nil {
		return pizzeria.Pizzeria{}, err
	}
	p, ok := snap.pizzerias[id]
	if !ok {
		// Created since the snapshot, perhaps.
		if p, err = s.Store.Pizzeria(ctx, id); err != nil {
			return p, err
		}
		s.Forget()
	}
	if !p.Active && !actor.IsStaff() {
		return p, errs.E(errs.NotFound, "no pizzeria %d", id)
	}
	return p, nil
}

// MenuItem is a product as one pizzeria offers it now.
type MenuItem struct {
	ProductID   int64            `json:"product_id"`
	Name        string           `json:"name"`
	Category    catalog.Category `json:"category"`
	Description string           `json:"description"`
	// DescriptionEN is the description in English ("" when there is none).
	DescriptionEN string `json:"description_en,omitempty"`
	PriceCents    int64  `json:"price_cents"`
	// Available is how many can be made now from the pizzeria's stock.
	Available int64 `json:"available"`
}

// Menu returns a pizzeria's active products with how many of each it can
// make now, leaving out those it took off its menu.
func (s *Shop) Menu(ctx context.Context, actor account.Actor, pizzeriaID int64) ([]MenuItem, error) {
	if _, err := s.Pizzeria(ctx, actor, pizzeriaID); err != nil {
		return nil, err
	}
	m, err := s.menu(ctx, pizzeriaID)
	if err != nil {
		return nil, err
	}
	return slices.Clone(m.items), nil
}

// MenuJSON is Menu encoded as JSON, as the API sends it: encoded once per
// change rather than once per read. The bytes are shared: read only.
func (s *Shop) MenuJSON(ctx context.Context, actor account.Actor, pizzeriaID int64) ([]byte, error) {
	if _, err := s.Pizzeria(ctx, actor, pizzeriaID); err != nil {
		return nil, err
	}
	m, err := s.menu(ctx, pizzeriaID)
	if err != nil {
		return nil, err
	}
	return m.json, nil
}

// Recipe returns a product's recipe and memo, for staff.
func (s *Shop) Recipe(ctx context.Context, actor account.Actor, productID int64) (catalog.Product, error) {
	if !actor.IsStaff() {
		return catalog.Product{}, errs.E(errs.Forbidden, "recipes are for the staff")
	}
	return s.Store.Product(ctx, productID)
}

// Stock returns a pizzeria's stock levels, for its staff.
func (s *Shop) Stock(ctx context.Context, actor account.Actor, pizzeriaID int64) ([]stock.Level, error) {
	if !actor.IsStaffOf(pizzeriaID) {
		return nil, errs.E(errs.Forbidden, "only the staff of pizzeria %d see its stock", pizzeriaID)
	}
	return s.Store.StockLevels(ctx, pizzeriaID)
}

// RecordMovement records a delivery, waste or inventory count. Managers
// (and the admin) only.
func (s *Shop) RecordMovement(ctx context.Context, actor account.Actor, pizzeriaID int64, m stock.ManualMovement) (stock.Level, error) {
	if !actor.Has(account.Manager, pizzeriaID) {
		return stock.Level{}, errs.E(errs.Forbidden, "only the manager of pizzeria %d records stock movements", pizzeriaID)
	}
	level, err := s.Store.RecordMovement(ctx, pizzeriaID, m, actor.UserID)
	if err != nil {
		return level, err
	}
	s.stockMoved(ctx, pizzeriaID, []int64{m.IngredientID})
	return level, nil
}

// StockChange is the payload of a stock.changed event: which levels moved.
type StockChange struct {
	PizzeriaID    int64   `json:"pizzeria_id"`
	IngredientIDs []int64 `json:"ingredient_ids"`
}

func (s *Shop) publishStock(ctx context.Context, pizzeriaID int64, ingredients []int64) {
	if len(ingredients) == 0 {
		return
	}
	s.publish(ctx, event.StockChanged, StockChange{PizzeriaID: pizzeriaID, IngredientIDs: ingredients}, pizzeriaID, 0)
	s.watchLater(pizzeriaID, ingredients)
}

// publish tells this instance's screens at once and, through the journal,
// the other instances' screens.
func (s *Shop) publish(ctx context.Context, kind string, payload any, pizzeriaID, orderID int64) {
	if s.Events == nil {
		return
	}
	data, err := json.Marshal(payload)
	if err != nil {
		s.Log.Error("encode event", "kind", kind, "err", err)
		return
	}
	s.Events.Apply(kind, data, pizzeriaID, orderID)
	if s.Journal != nil {
		// The change is committed already: a slow journal must not fail
		// the request, nor a cancelled request lose the event.
		jctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
		defer cancel()
		if err := s.Journal(jctx, kind, pizzeriaID, orderID, data); err != nil {
			s.Log.Error("journal event", "kind", kind, "err", err)
		}
	}
}
