package account

import (
	"slices"
	"strings"

	"github.com/oc-pizza/ocpizza/internal/errs"
)

// PizzeriaRoles are the roles held within one pizzeria, in the order the
// staff screens list them.
var PizzeriaRoles = []Role{Manager, Counter, Pizzaiolo, Driver}

// CheckGrant says whether actor may give grant g, inviting someone with it
// or changing someone's role to it: the manager within their pizzeria, the
// admin anywhere; only an admin names another admin.
func CheckGrant(actor Actor, g Grant) error {
	if err := g.Validate(); err != nil {
		return err
	}
	switch {
	case g.Role == Customer:
		return errs.E(errs.Invalid, "staff hold a staff role: manager, counter, pizzaiolo or driver").With("field", "role")
	case g.Role == Admin && !actor.IsAdmin():
		return errs.E(errs.Forbidden, "only an administrator names another administrator")
	case g.Role.Scoped() && !actor.Has(Manager, g.PizzeriaID):
		return errs.E(errs.Forbidden, "only the manager of pizzeria %d manages its staff", g.PizzeriaID)
	}
	return nil
}

// WorksIn reports whether u holds a role within pizzeria p.
func (u User) WorksIn(pizzeriaID int64) bool {
	return slices.ContainsFunc(u.Grants, func(g Grant) bool { return g.Role.Scoped() && g.PizzeriaID == pizzeriaID })
}

// CheckRoleChange says whether actor may give target the role g in
// g's pizzeria, replacing the role target holds there.
func CheckRoleChange(actor Actor, target User, g Grant) error {
	if err := CheckGrant(actor, g); err != nil {
		return err
	}
	switch {
	case !g.Role.Scoped():
		return errs.E(errs.Invalid, "a role change is within one pizzeria: manager, counter, pizzaiolo or driver").With("field", "role")
	case !target.WorksIn(g.PizzeriaID):
		return errs.E(errs.NotFound, "%s does not work in pizzeria %d", target.Name, g.PizzeriaID)
	case target.ID == actor.UserID:
		return errs.E(errs.Conflict, "you cannot change your own role: ask the administrator")
	}
	return nil
}

// CheckRemove says whether actor may take away the roles target holds in
// one pizzeria: its manager (or the admin), for anyone who works there but
// themselves.
func CheckRemove(actor Actor, target User, pizzeriaID int64) error {
	switch {
	case !actor.Has(Manager, pizzeriaID):
		return errs.E(errs.Forbidden, "only the manager of pizzeria %d manages its staff", pizzeriaID)
	case !target.WorksIn(pizzeriaID):
		return errs.E(errs.NotFound, "%s does not work in pizzeria %d", target.Name, pizzeriaID)
	case target.ID == actor.UserID:
		return errs.E(errs.Conflict, "you cannot remove yourself from the team: ask the administrator")
	}
	return nil
}

// CheckDisable says whether actor may disable (or enable again) target's
// account: the admin anyone's but their own; a manager only the staff who
// work in their pizzerias and nowhere else, never an admin. An account
// that is also a customer's is theirs beyond the job (a manager can put
// any known e-mail on the team): disabling it is the administrator's; the
// manager takes them off the team instead (CheckRemove).
func CheckDisable(actor Actor, target User) error {
	if target.ID == actor.UserID {
		return errs.E(errs.Conflict, "you cannot disable your own account")
	}
	if actor.IsAdmin() {
		return nil
	}
	mine, elsewhere, customer := 0, 0, false
	for _, g := range target.Grants {
		switch {
		case g.Role == Admin:
			return errs.E(errs.Forbidden, "only an administrator disables an administrator")
		case g.Role == Customer:
			customer = true
		case g.Role.Scoped() && actor.Has(Manager, g.PizzeriaID):
			mine++
		case g.Role.Scoped():
			elsewhere++
		}
	}
	switch {
	case mine == 0 && elsewhere == 0:
		return errs.E(errs.NotFound, "no such member of staff")
	case mine == 0:
		return errs.E(errs.Forbidden, "only the manager of their pizzeria disables an account")
	case elsewhere > 0:
		return errs.E(errs.Forbidden, "%s also works in another pizzeria: ask the administrator", target.Name)
	case customer:
		return errs.E(errs.Forbidden, "%s also orders with this account as a customer: take them off the team, or ask the administrator", target.Name)
	}
	return nil
}

// HasPassword reports whether a stored hash can ever match a password: an
// invited account has none until its invitation link is used.
func HasPassword(hash string) bool { return strings.HasPrefix(hash, "$") }
