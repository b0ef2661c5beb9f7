package account

import (
	"github.com/oc-pizza/ocpizza/internal/errs"
	"github.com/oc-pizza/ocpizza/internal/pizzeria"
)

// MaxAddresses bounds the delivery addresses a customer keeps: home, work,
// family, with room to spare, and still a short list to pick from.
const MaxAddresses = 10

// SavedAddress is a delivery address a customer keeps for later orders.
// An order copies the address it is delivered to, so deleting one changes
// no order.
type SavedAddress struct {
	ID int64 `json:"id"`
	pizzeria.Address
}

// KeepsAddresses reports, as an error, whether the actor may keep delivery
// addresses: customers only, each their own. Staff enter an address with
// each phone order instead.
func (a Actor) KeepsAddresses() error {
	switch {
	case a.Anonymous():
		return errs.E(errs.Unauthorized, "sign in to keep delivery addresses")
	case !a.Has(Customer, 0):
		return errs.E(errs.Forbidden, "only customers keep delivery addresses")
	}
	return nil
}
