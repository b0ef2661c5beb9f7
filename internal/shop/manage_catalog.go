package shop

import (
	"context"

	"github.com/oc-pizza/ocpizza/internal/account"
	"github.com/oc-pizza/ocpizza/internal/catalog"
	"github.com/oc-pizza/ocpizza/internal/errs"
	"github.com/oc-pizza/ocpizza/internal/event"
	"github.com/oc-pizza/ocpizza/internal/stock"
)

// Catalogue returns every product, retired ones too, with its recipe: for
// the staff.
func (s *Shop) Catalogue(ctx context.Context, actor account.Actor) ([]catalog.Product, error) {
	if !actor.IsStaff() {
		return nil, errs.E(errs.Forbidden, "the catalogue is for the staff")
	}
	return s.Store.Products(ctx, false)
}

// Ingredients lists the ingredients pizzerias stock, for the staff.
func (s *Shop) Ingredients(ctx context.Context, actor account.Actor) ([]catalog.Ingredient, error) {
	if !actor.IsStaff() {
		return nil, errs.E(errs.Forbidden, "the catalogue is for the staff")
	}
	return s.Store.Ingredients(ctx)
}

// CreateIngredient adds an ingredient to the catalogue: every pizzeria
// gets an empty level of it, with the given low threshold. Admin only.
func (s *Shop) CreateIngredient(ctx context.Context, actor account.Actor, in catalog.Ingredient, threshold int64) (catalog.Ingredient, error) {
	if !actor.IsAdmin() {
		return in, errs.E(errs.Forbidden, "only the administrator changes the catalogue")
	}
	in, err := in.Normalize()
	if err != nil {
		return in, err
	}
	if threshold < 0 || threshold > stock.MaxQuantity {
		return in, errs.E(errs.Invalid, "the threshold is zero or more").With("field", "low_threshold")
	}
	return s.Store.CreateIngredient(ctx, in, threshold)
}

// RenameIngredient corrects an ingredient's name everywhere it shows
// (stock, recipes); its unit cannot change, every quantity counts in it.
// Admin only.
func (s *Shop) RenameIngredient(ctx context.Context, actor account.Actor, id int64, name string) (catalog.Ingredient, error) {
	if !actor.IsAdmin() {
		return catalog.Ingredient{}, errs.E(errs.Forbidden, "only the administrator changes the catalogue")
	}
	in, err := catalog.Ingredient{Name: name, Unit: catalog.Gram}.Normalize() // the unit only to pass
	if err != nil {
		return catalog.Ingredient{}, err
	}
	renamed, err := s.Store.RenameIngredient(ctx, id, in.Name)
	if err != nil {
		return renamed, err
	}
	s.menusChanged(ctx) // the kitchen's recipes name it
	return renamed, nil
}

// CreateProduct adds a product with its recipe, steps and baking to the
// catalogue. Admin only.
func (s *Shop) CreateProduct(ctx context.Context, actor account.Actor, p catalog.Product) (catalog.Product, error) {
	if !actor.IsAdmin() {
		return p, errs.E(errs.Forbidden, "only the administrator changes the catalogue")
	}
	p, err := p.Normalize()
	if err != nil {
		return p, err
	}
	created, err := s.Store.CreateProduct(ctx, p)
	if err != nil {
		return created, err
	}
	s.menusChanged(ctx)
	return s.Store.Product(ctx, created.ID)
}

// UpdateProduct changes a product: texts, price, VAT, recipe, steps and
// baking, active or not. A new price applies to orders placed from now
// on: an order keeps the price it copied. Admin only.
func (s *Shop) UpdateProduct(ctx context.Context, actor account.Actor, p catalog.Product) (catalog.Product, error) {
	if !actor.IsAdmin() {
		return p, errs.E(errs.Forbidden, "only the administrator changes the catalogue")
	}
	p, err := p.Normalize()
	if err != nil {
		return p, err
	}
	if err := s.Store.UpdateProduct(ctx, p); err != nil {
		return p, err
	}
	s.menusChanged(ctx)
	return s.Store.Product(ctx, p.ID)
}

// RetireProduct takes a product off every menu of the chain for good (it
// stays in past orders and reports; UpdateProduct can bring it back).
// Admin only.
func (s *Shop) RetireProduct(ctx context.Context, actor account.Actor, id int64) (catalog.Product, error) {
	if !actor.IsAdmin() {
		return catalog.Product{}, errs.E(errs.Forbidden, "only the administrator changes the catalogue")
	}
	p, err := s.Store.Product(ctx, id)
	if err != nil {
		return p, err
	}
	p.Active = false
	return s.UpdateProduct(ctx, actor, p)
}

// menusChanged drops the cached catalogue and tells every pizzeria's open
// menu pages.
func (s *Shop) menusChanged(ctx context.Context) {
	s.Forget()
	s.levels.drop(0) // a new ingredient's levels, perhaps
	shops, err := s.Store.Pizzerias(ctx)
	if err != nil {
		s.Log.Error("list pizzerias", "err", err)
		return
	}
	for _, p := range shops {
		s.publish(ctx, event.MenuChanged, struct{}{}, p.ID, 0)
	}
}

// Availability is a product as one pizzeria can offer it now.
type Availability struct {
	Product catalog.Product
	// Makeable is how many its stock makes now.
	Makeable int64
	// OffMenu is set when the pizzeria took it off its menu.
	OffMenu *catalog.OffMenu
}

// Availability lists the chain's active products as a pizzeria can offer
// them: how many its stock makes, and which it took off its menu. For
// its staff.
func (s *Shop) Availability(ctx context.Context, actor account.Actor, pizzeriaID int64) ([]Availability, error) {
	if !actor.IsStaffOf(pizzeriaID) {
		return nil, errs.E(errs.Forbidden, "only the staff of pizzeria %d see its menu", pizzeriaID)
	}
	if _, err := s.Pizzeria(ctx, actor, pizzeriaID); err != nil {
		return nil, err
	}
	snap, err := s.snapshot(ctx)
	if err != nil {
		return nil, err
	}
	levels, err := s.stockLevels(ctx, pizzeriaID)
	if err != nil {
		return nil, err
	}
	var out []Availability
	for _, p := range snap.products {
		if !p.Active {
			continue
		}
		a := Availability{Product: p, Makeable: stock.Makeable(p.Recipe, levels)}
		if o, ok := snap.offMenu[pizzeriaID][p.ID]; ok {
			a.OffMenu = &o
		}
		out = append(out, a)
	}
	return out, nil
}

// SetOnMenu takes a product off a pizzeria's menu, saying why, or puts it
// back (on true, reason ignored). Its manager (and the admin) only.
func (s *Shop) SetOnMenu(ctx context.Context, actor account.Actor, pizzeriaID, productID int64, on bool, reason string) error {
	if !actor.Has(account.Manager, pizzeriaID) {
		return errs.E(errs.Forbidden, "only the manager of pizzeria %d changes its menu", pizzeriaID)
	}
	if on {
		if _, err := s.Store.ClearOffMenu(ctx, pizzeriaID, productID); err != nil {
			return err
		}
	} else {
		reason, err := catalog.NormalizeReason(reason)
		if err != nil {
			return err
		}
		if err := s.Store.SetOffMenu(ctx, pizzeriaID, catalog.OffMenu{ProductID: productID, Reason: reason, ByUserID: actor.UserID}); err != nil {
			return err
		}
	}
	s.Forget()
	s.publish(ctx, event.MenuChanged, struct{}{}, pizzeriaID, 0)
	return nil
}
