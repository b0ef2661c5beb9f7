package store

import (
	"context"
	"database/sql"

	"github.com/oc-pizza/ocpizza/internal/account"
	"github.com/oc-pizza/ocpizza/internal/errs"
)

// Staff lists the accounts that hold a staff role, with all their roles,
// by name: those working in one pizzeria, or (pizzeriaID 0) the whole
// chain's, administrators included.
func (s *Store) Staff(ctx context.Context, pizzeriaID int64) ([]account.User, error) {
	c := s.read()
	filter, args := "r.role <> ?", []any{string(account.Customer)}
	if pizzeriaID != 0 {
		filter, args = "r.pizzeria_id = ?", []any{pizzeriaID}
	}
	rows, err := c.query(ctx, `SELECT u.id, u.email, u.name, u.phone, u.lang, u.created_at, u.disabled_at, r.role, r.pizzeria_id
		FROM users u JOIN user_roles r ON r.user_id = u.id
		WHERE u.id IN (SELECT r.user_id FROM user_roles r WHERE `+filter+`)
		ORDER BY u.name, u.id, r.role, r.pizzeria_id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []account.User
	for rows.Next() {
		var u account.User
		var disabled sql.NullTime
		var g account.Grant
		if err := rows.Scan(&u.ID, &u.Email, &u.Name, &u.Phone, &u.Lang, &u.CreatedAt, &disabled, &g.Role, &g.PizzeriaID); err != nil {
			return nil, err
		}
		if n := len(out); n > 0 && out[n-1].ID == u.ID {
			out[n-1].Grants = append(out[n-1].Grants, g)
			continue
		}
		u.Disabled, u.Grants = disabled.Valid, []account.Grant{g}
		out = append(out, u)
	}
	return out, rows.Err()
}

// SetRole gives a user the role g.Role in g.PizzeriaID, replacing the
// role they held there.
func (s *Store) SetRole(ctx context.Context, userID int64, g account.Grant) error {
	if err := g.Validate(); err != nil {
		return err
	}
	return s.write(ctx, func(c conn) error {
		res, err := c.exec(ctx, "DELETE FROM user_roles WHERE user_id = ? AND pizzeria_id = ? AND role <> ? AND role <> ?",
			userID, g.PizzeriaID, string(account.Customer), string(account.Admin))
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return errs.E(errs.NotFound, "no such member of staff")
		}
		_, err = c.exec(ctx, "INSERT INTO user_roles (user_id, role, pizzeria_id) VALUES (?, ?, ?)", userID, string(g.Role), g.PizzeriaID)
		return err
	})
}

// RemoveFromPizzeria takes away the roles a user holds in one pizzeria;
// their account, its customer role and their roles elsewhere stay.
func (s *Store) RemoveFromPizzeria(ctx context.Context, userID, pizzeriaID int64) error {
	return s.write(ctx, func(c conn) error {
		res, err := c.exec(ctx, "DELETE FROM user_roles WHERE user_id = ? AND pizzeria_id = ? AND role <> ? AND role <> ?",
			userID, pizzeriaID, string(account.Customer), string(account.Admin))
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return errs.E(errs.NotFound, "no such member of staff")
		}
		return nil
	})
}

// AddGrant gives an existing account one more role; added is false when
// it held it already (nothing changed).
func (s *Store) AddGrant(ctx context.Context, userID int64, g account.Grant) (added bool, err error) {
	if err := g.Validate(); err != nil {
		return false, err
	}
	err = s.write(ctx, func(c conn) error {
		var disabled sql.NullTime
		if err := c.queryRow(ctx, "SELECT disabled_at FROM users WHERE id = ?", userID).Scan(&disabled); err != nil {
			return notFound(err, "user")
		}
		if disabled.Valid {
			return errs.E(errs.Conflict, "this account is disabled: enable it first")
		}
		if g.PizzeriaID != 0 {
			var one int
			if err := c.queryRow(ctx, "SELECT 1 FROM pizzerias WHERE id = ?", g.PizzeriaID).Scan(&one); err != nil {
				return notFound(err, "pizzeria for this role")
			}
		}
		res, err := c.exec(ctx, s.d.insertIgnore("user_roles", "user_id, role, pizzeria_id", "user_id, role, pizzeria_id", "?, ?, ?"),
			userID, string(g.Role), g.PizzeriaID)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		added = n > 0
		return err
	})
	return added, err
}

// SetDisabled disables an account — in the same transaction its sessions
// end and its unused password links die — or enables it again.
func (s *Store) SetDisabled(ctx context.Context, userID int64, disabled bool) error {
	return s.write(ctx, func(c conn) error {
		var at any
		if disabled {
			at = s.Now()
		}
		if _, err := c.exec(ctx, "UPDATE users SET disabled_at = ? WHERE id = ?", at, userID); err != nil {
			return err
		}
		var one int
		if err := c.queryRow(ctx, "SELECT 1 FROM users WHERE id = ?", userID).Scan(&one); err != nil {
			return notFound(err, "user")
		}
		if !disabled {
			return nil
		}
		if _, err := c.exec(ctx, "DELETE FROM sessions WHERE user_id = ?", userID); err != nil {
			return err
		}
		_, err := c.exec(ctx, "UPDATE password_tokens SET used_at = ? WHERE user_id = ? AND used_at IS NULL", s.Now(), userID)
		return err
	})
}
