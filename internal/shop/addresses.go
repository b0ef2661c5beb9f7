package shop

import (
	"context"

	"github.com/oc-pizza/ocpizza/internal/account"
	"github.com/oc-pizza/ocpizza/internal/pizzeria"
)

// Addresses lists the delivery addresses the signed-in customer keeps.
func (s *Shop) Addresses(ctx context.Context, actor account.Actor) ([]account.SavedAddress, error) {
	if err := actor.KeepsAddresses(); err != nil {
		return nil, err
	}
	return s.Store.Addresses(ctx, actor.UserID)
}

// SaveAddress keeps a delivery address for the signed-in customer;
// created is false when they already kept the same one.
func (s *Shop) SaveAddress(ctx context.Context, actor account.Actor, a pizzeria.Address) (saved account.SavedAddress, created bool, err error) {
	if err := actor.KeepsAddresses(); err != nil {
		return saved, false, err
	}
	if a, err = a.Normalize(); err != nil {
		return saved, false, err
	}
	return s.Store.SaveAddress(ctx, actor.UserID, a, account.MaxAddresses)
}

// DeleteAddress forgets one of the signed-in customer's addresses.
func (s *Shop) DeleteAddress(ctx context.Context, actor account.Actor, id int64) error {
	if err := actor.KeepsAddresses(); err != nil {
		return err
	}
	return s.Store.DeleteAddress(ctx, actor.UserID, id)
}
