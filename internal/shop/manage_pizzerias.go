package shop

import (
	"context"
	"strings"

	"github.com/oc-pizza/ocpizza/internal/account"
	"github.com/oc-pizza/ocpizza/internal/errs"
	"github.com/oc-pizza/ocpizza/internal/event"
	"github.com/oc-pizza/ocpizza/internal/pizzeria"
	"github.com/oc-pizza/ocpizza/internal/store"
)

// NewPizzeria is what the admin gives to open a pizzeria: the shop, the
// pizzeria whose ingredient list its stock copies (levels at zero; 0 for
// the whole catalogue), and its manager, invited by e-mail.
type NewPizzeria struct {
	Pizzeria     pizzeria.Pizzeria
	StockFrom    int64
	ManagerEmail string
	ManagerName  string
}

// OpenPizzeria opens a pizzeria with its stock list and its manager in
// one transaction, then mails the manager a link to set their password
// (an e-mail that already has an account just gets the role). Admin only.
func (s *Shop) OpenPizzeria(ctx context.Context, actor account.Actor, n NewPizzeria) (pizzeria.Pizzeria, account.User, error) {
	p := n.Pizzeria
	if !actor.IsAdmin() {
		return p, account.User{}, errs.E(errs.Forbidden, "only the administrator opens a pizzeria")
	}
	p, err := normalizePizzeria(p)
	if err != nil {
		return p, account.User{}, err
	}
	email, err := account.NormalizeEmail(n.ManagerEmail)
	if err != nil {
		return p, account.User{}, errs.E(errs.Invalid, "the manager's e-mail address is not valid").With("field", "manager_email")
	}
	name, err := account.NormalizeName(n.ManagerName)
	if err != nil {
		return p, account.User{}, err
	}
	if len(p.Hours) == 0 {
		return p, account.User{}, errs.E(errs.Invalid, "give the opening hours").With("field", "hours")
	}
	opened, manager, created, err := s.Store.OpenPizzeria(ctx, store.NewPizzeria{Pizzeria: p, StockFrom: n.StockFrom,
		Manager: account.User{Email: email, Name: name}})
	if err != nil {
		return opened, manager, err
	}
	s.Forget()
	if created {
		// The pizzeria is open either way; a link that could not be sent
		// is sent again from the staff screen.
		if err := s.sendPasswordLink(ctx, manager, "invite", InviteTTL); err != nil {
			s.Log.Error("invite the new manager", "email", manager.Email, "err", err)
		}
	}
	s.publish(ctx, event.MenuChanged, struct{}{}, opened.ID, 0)
	return opened, manager, nil
}

// normalizePizzeria trims and checks what a person types about a
// pizzeria.
func normalizePizzeria(p pizzeria.Pizzeria) (pizzeria.Pizzeria, error) {
	var err error
	if p.Code, err = pizzeria.NormalizeCode(p.Code); err != nil {
		return p, err
	}
	p.Name = strings.TrimSpace(p.Name)
	if p.Address, err = p.Address.Normalize(); err != nil {
		return p, err
	}
	if p.Phone, err = account.NormalizePhone(p.Phone); err != nil {
		return p, err
	}
	if p.DeliveryPostcodes, err = pizzeria.NormalizePostcodes(p.DeliveryPostcodes); err != nil {
		return p, err
	}
	if len(p.Hours) > 28 {
		return p, errs.E(errs.Invalid, "at most four opening spans a day").With("field", "hours")
	}
	return p, p.Validate()
}

// PizzeriaChange is what changes in a pizzeria; nil fields stay as they
// are. Its name, address, phone and whether it takes orders are the
// admin's; its hours, delivery postcodes and kitchen thresholds are its
// manager's too.
type PizzeriaChange struct {
	Name              *string
	Address           *pizzeria.Address
	Phone             *string
	Active            *bool
	Hours             *[]pizzeria.Hours
	DeliveryPostcodes *[]string
	Kitchen           *pizzeria.KitchenSettings
}

// UpdatePizzeria applies a change to a pizzeria and returns it changed.
func (s *Shop) UpdatePizzeria(ctx context.Context, actor account.Actor, id int64, ch PizzeriaChange) (pizzeria.Pizzeria, error) {
	if !actor.Has(account.Manager, id) {
		return pizzeria.Pizzeria{}, errs.E(errs.Forbidden, "only the manager of pizzeria %d changes it", id)
	}
	if (ch.Name != nil || ch.Address != nil || ch.Phone != nil || ch.Active != nil) && !actor.IsAdmin() {
		return pizzeria.Pizzeria{}, errs.E(errs.Forbidden, "only the administrator changes a pizzeria's name, address, phone or opening")
	}
	p, err := s.Store.Pizzeria(ctx, id)
	if err != nil {
		return p, err
	}
	if ch.Name != nil {
		p.Name = *ch.Name
	}
	if ch.Address != nil {
		p.Address = *ch.Address
	}
	if ch.Phone != nil {
		p.Phone = *ch.Phone
	}
	if ch.Active != nil {
		p.Active = *ch.Active
	}
	if ch.Hours != nil {
		p.Hours = *ch.Hours
	}
	if ch.DeliveryPostcodes != nil {
		p.DeliveryPostcodes = *ch.DeliveryPostcodes
	}
	if ch.Kitchen != nil {
		if err := ch.Kitchen.Validate(); err != nil {
			return p, err
		}
		p.Kitchen = *ch.Kitchen
	}
	if p, err = normalizePizzeria(p); err != nil {
		return p, err
	}
	if err := s.Store.UpdatePizzeria(ctx, p); err != nil {
		return p, err
	}
	s.Forget()
	s.publish(ctx, event.MenuChanged, struct{}{}, id, 0)
	return s.Store.Pizzeria(ctx, id)
}

// SetClosure closes a pizzeria for a day besides its weekly hours (or
// rewords the reason): website orders are refused that day. Its manager
// (and the admin) only.
func (s *Shop) SetClosure(ctx context.Context, actor account.Actor, pizzeriaID int64, c pizzeria.Closure) (pizzeria.Closure, error) {
	if !actor.Has(account.Manager, pizzeriaID) {
		return c, errs.E(errs.Forbidden, "only the manager of pizzeria %d changes its hours", pizzeriaID)
	}
	c, err := c.Normalize()
	if err != nil {
		return c, err
	}
	if c.Date < s.Store.Now().In(pizzeria.Paris).Format(pizzeria.DateLayout) {
		return c, errs.E(errs.Invalid, "%s is past", c.Date).With("field", "date")
	}
	if err := s.Store.SetClosure(ctx, pizzeriaID, c); err != nil {
		return c, err
	}
	s.Forget()
	s.publish(ctx, event.MenuChanged, struct{}{}, pizzeriaID, 0)
	return c, nil
}

// DeleteClosure opens a closed day again.
func (s *Shop) DeleteClosure(ctx context.Context, actor account.Actor, pizzeriaID int64, date string) error {
	if !actor.Has(account.Manager, pizzeriaID) {
		return errs.E(errs.Forbidden, "only the manager of pizzeria %d changes its hours", pizzeriaID)
	}
	if err := s.Store.DeleteClosure(ctx, pizzeriaID, date); err != nil {
		return err
	}
	s.Forget()
	s.publish(ctx, event.MenuChanged, struct{}{}, pizzeriaID, 0)
	return nil
}
