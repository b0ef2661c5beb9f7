package store

import (
	"context"
	"database/sql"
	"errors"

	"github.com/oc-pizza/ocpizza/internal/account"
	"github.com/oc-pizza/ocpizza/internal/errs"
	"github.com/oc-pizza/ocpizza/internal/pizzeria"
)

// Addresses lists the delivery addresses a customer keeps, oldest first.
func (s *Store) Addresses(ctx context.Context, userID int64) ([]account.SavedAddress, error) {
	rows, err := s.read().query(ctx, "SELECT id, street, postcode, city FROM customer_addresses WHERE user_id = ? ORDER BY id", userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []account.SavedAddress{}
	for rows.Next() {
		var a account.SavedAddress
		if err := rows.Scan(&a.ID, &a.Street, &a.Postcode, &a.City); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// Address reads one address of a customer; not_found if it is not theirs.
func (s *Store) Address(ctx context.Context, userID, id int64) (account.SavedAddress, error) {
	a := account.SavedAddress{ID: id}
	err := s.read().queryRow(ctx, "SELECT street, postcode, city FROM customer_addresses WHERE id = ? AND user_id = ?", id, userID).
		Scan(&a.Street, &a.Postcode, &a.City)
	return a, notFound(err, "saved address")
}

// SaveAddress keeps an address (already normalized) for a customer. The
// same address kept twice is one; past max a conflict asks to delete one.
func (s *Store) SaveAddress(ctx context.Context, userID int64, addr pizzeria.Address, max int) (saved account.SavedAddress, created bool, err error) {
	saved.Address = addr
	err = s.write(ctx, func(c conn) error {
		// The user's row serializes two saves of one customer, so the
		// count and the insert agree.
		var one int
		if err := c.queryRow(ctx, "SELECT 1 FROM users WHERE id = ?"+s.d.forUpdate(), userID).Scan(&one); err != nil {
			return notFound(err, "user")
		}
		err := c.queryRow(ctx, "SELECT id FROM customer_addresses WHERE user_id = ? AND street = ? AND postcode = ? AND city = ?",
			userID, addr.Street, addr.Postcode, addr.City).Scan(&saved.ID)
		if err == nil {
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		var n int
		if err := c.queryRow(ctx, "SELECT COUNT(*) FROM customer_addresses WHERE user_id = ?", userID).Scan(&n); err != nil {
			return err
		}
		if n >= max {
			return errs.E(errs.Conflict, "you already keep %d addresses: delete one first", n)
		}
		saved.ID, err = c.insertID(ctx, "INSERT INTO customer_addresses (user_id, street, postcode, city) VALUES (?, ?, ?, ?)",
			userID, addr.Street, addr.Postcode, addr.City)
		created = err == nil
		return err
	})
	return saved, created, err
}

// DeleteAddress forgets one address of a customer; not_found if it is not
// theirs.
func (s *Store) DeleteAddress(ctx context.Context, userID, id int64) error {
	return s.write(ctx, func(c conn) error {
		res, err := c.exec(ctx, "DELETE FROM customer_addresses WHERE id = ? AND user_id = ?", id, userID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return errs.E(errs.NotFound, "no such saved address")
		}
		return nil
	})
}
