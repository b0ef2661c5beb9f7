package account

import (
	"testing"

	"github.com/oc-pizza/ocpizza/internal/errs"
)

func TestStaffRules(t *testing.T) {
	admin := Actor{UserID: 1, Grants: []Grant{{Role: Admin}}}
	manager := Actor{UserID: 2, Grants: []Grant{{Role: Manager, PizzeriaID: 10}}}
	counter := Actor{UserID: 3, Grants: []Grant{{Role: Counter, PizzeriaID: 10}}}
	driver := User{ID: 4, Name: "Driver", Grants: []Grant{{Role: Driver, PizzeriaID: 10}}}
	twoShops := User{ID: 5, Name: "Both", Grants: []Grant{{Role: Driver, PizzeriaID: 10}, {Role: Driver, PizzeriaID: 20}}}
	otherAdmin := User{ID: 6, Name: "Admin", Grants: []Grant{{Role: Admin}}}
	customer := User{ID: 7, Name: "Alice", Grants: []Grant{{Role: Customer}}}
	self := User{ID: 2, Name: "Me", Grants: manager.Grants}
	// A customer's own account, which a manager put on the team by its
	// e-mail: they cannot lock the customer out of it.
	hired := User{ID: 8, Name: "Chloé", Grants: []Grant{{Role: Customer}, {Role: Driver, PizzeriaID: 10}}}

	cases := []struct {
		name string
		err  error
		want errs.Code
	}{
		{"manager invites a driver", CheckGrant(manager, Grant{Role: Driver, PizzeriaID: 10}), ""},
		{"manager invites a manager", CheckGrant(manager, Grant{Role: Manager, PizzeriaID: 10}), ""},
		{"manager invites elsewhere", CheckGrant(manager, Grant{Role: Driver, PizzeriaID: 20}), errs.Forbidden},
		{"manager names an admin", CheckGrant(manager, Grant{Role: Admin}), errs.Forbidden},
		{"counter invites", CheckGrant(counter, Grant{Role: Driver, PizzeriaID: 10}), errs.Forbidden},
		{"admin names an admin", CheckGrant(admin, Grant{Role: Admin}), ""},
		{"invite a customer", CheckGrant(admin, Grant{Role: Customer}), errs.Invalid},
		{"role without pizzeria", CheckGrant(admin, Grant{Role: Driver}), errs.Invalid},
		{"manager makes a driver counter", CheckRoleChange(manager, driver, Grant{Role: Counter, PizzeriaID: 10}), ""},
		{"manager changes own role", CheckRoleChange(manager, self, Grant{Role: Driver, PizzeriaID: 10}), errs.Conflict},
		{"role where they do not work", CheckRoleChange(admin, driver, Grant{Role: Counter, PizzeriaID: 20}), errs.NotFound},
		{"role change to admin", CheckRoleChange(admin, driver, Grant{Role: Admin}), errs.Invalid},
		{"manager disables a driver", CheckDisable(manager, driver), ""},
		{"manager disables a driver of two shops", CheckDisable(manager, twoShops), errs.Forbidden},
		{"admin disables a driver of two shops", CheckDisable(admin, twoShops), ""},
		{"manager disables an admin", CheckDisable(manager, otherAdmin), errs.Forbidden},
		{"manager disables a customer", CheckDisable(manager, customer), errs.NotFound},
		{"manager disables a customer put on the team", CheckDisable(manager, hired), errs.Forbidden},
		{"admin disables a customer put on the team", CheckDisable(admin, hired), ""},
		{"manager takes them off the team", CheckRemove(manager, hired, 10), ""},
		{"manager takes off a driver of elsewhere", CheckRemove(manager, twoShops, 20), errs.Forbidden},
		{"manager takes off a customer", CheckRemove(manager, customer, 10), errs.NotFound},
		{"manager takes self off", CheckRemove(manager, self, 10), errs.Conflict},
		{"counter takes a driver off", CheckRemove(counter, driver, 10), errs.Forbidden},
		{"counter disables a driver", CheckDisable(counter, driver), errs.Forbidden},
		{"manager disables self", CheckDisable(manager, self), errs.Conflict},
	}
	for _, c := range cases {
		if got := errs.CodeOf(c.err); got != c.want || (c.want == "" && c.err != nil) {
			t.Errorf("%s: %v, want %q", c.name, c.err, c.want)
		}
	}
}
