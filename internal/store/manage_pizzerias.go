package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/oc-pizza/ocpizza/internal/account"
	"github.com/oc-pizza/ocpizza/internal/errs"
	"github.com/oc-pizza/ocpizza/internal/pizzeria"
)

// NewPizzeria is a pizzeria as the admin opens it: the shop itself, the
// pizzeria whose ingredient list its stock copies (levels at zero, same
// thresholds; 0 for every ingredient of the catalogue without threshold),
// and its manager.
type NewPizzeria struct {
	Pizzeria  pizzeria.Pizzeria
	StockFrom int64
	// Manager is the manager's account: an e-mail that has an account
	// gets the role; otherwise the account is created without a password
	// (the caller sends the invitation that sets it).
	Manager account.User
}

// OpenPizzeria stores a new pizzeria with its order counter, delivery
// postcodes, stock levels and manager, in one transaction. It returns the
// pizzeria, the manager's account and whether that account is new.
func (s *Store) OpenPizzeria(ctx context.Context, n NewPizzeria) (pizzeria.Pizzeria, account.User, bool, error) {
	p, m := n.Pizzeria, n.Manager
	if p.Kitchen == (pizzeria.KitchenSettings{}) {
		p.Kitchen = pizzeria.DefaultKitchen
	}
	if err := p.Validate(); err != nil {
		return p, m, false, err
	}
	hours, err := json.Marshal(p.Hours)
	if err != nil {
		return p, m, false, err
	}
	var created bool
	err = s.write(ctx, func(c conn) error {
		id, err := s.insertPizzeria(ctx, c, p, string(hours))
		if err != nil {
			return err
		}
		p.ID = id
		now := s.Now()
		if n.StockFrom != 0 {
			var one int
			if err := c.queryRow(ctx, "SELECT 1 FROM pizzerias WHERE id = ?", n.StockFrom).Scan(&one); err != nil {
				if errors.Is(err, sql.ErrNoRows) {
					return errs.E(errs.Invalid, "no pizzeria %d to copy the stock from", n.StockFrom).With("field", "stock_from")
				}
				return err
			}
			_, err = c.exec(ctx, `INSERT INTO stock_levels (pizzeria_id, ingredient_id, quantity, low_threshold, updated_at)
				SELECT ?, ingredient_id, 0, low_threshold, ? FROM stock_levels WHERE pizzeria_id = ?`, id, now, n.StockFrom)
		} else {
			_, err = c.exec(ctx, `INSERT INTO stock_levels (pizzeria_id, ingredient_id, quantity, low_threshold, updated_at)
				SELECT ?, id, 0, 0, ? FROM ingredients`, id, now)
		}
		if err != nil {
			return err
		}
		m, created, err = s.grantManager(ctx, c, m, id)
		return err
	})
	return p, m, created, err
}

// grantManager gives the manager role of a pizzeria to the account of
// m.Email, creating the account when there is none.
func (s *Store) grantManager(ctx context.Context, c conn, m account.User, pizzeriaID int64) (account.User, bool, error) {
	g := account.Grant{Role: account.Manager, PizzeriaID: pizzeriaID}
	var disabled sql.NullTime
	err := c.queryRow(ctx, "SELECT id, name, lang, disabled_at FROM users WHERE email = ?", m.Email).Scan(&m.ID, &m.Name, &m.Lang, &disabled)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		if m.Lang == "" {
			m.Lang = "fr"
		}
		m.CreatedAt = s.Now()
		if m.ID, err = c.insertID(ctx, `INSERT INTO users (email, name, phone, lang, password_hash, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			m.Email, m.Name, m.Phone, m.Lang, "", m.CreatedAt); err != nil {
			return m, false, err
		}
		m.Grants = []account.Grant{g}
		_, err = c.exec(ctx, "INSERT INTO user_roles (user_id, role, pizzeria_id) VALUES (?, ?, ?)", m.ID, string(g.Role), g.PizzeriaID)
		return m, true, err
	case err != nil:
		return m, false, err
	case disabled.Valid:
		return m, false, errs.E(errs.Conflict, "the account of %s is disabled: enable it first", m.Email)
	}
	if _, err := c.exec(ctx, s.d.insertIgnore("user_roles", "user_id, role, pizzeria_id", "user_id, role, pizzeria_id", "?, ?, ?"),
		m.ID, string(g.Role), g.PizzeriaID); err != nil {
		return m, false, err
	}
	m.Grants, err = s.grants(ctx, c, m.ID)
	return m, false, err
}

// UpdatePizzeria writes a pizzeria's details, hours, kitchen thresholds
// and delivery postcodes (its code, the prefix of its order numbers,
// never changes).
func (s *Store) UpdatePizzeria(ctx context.Context, p pizzeria.Pizzeria) error {
	if err := p.Validate(); err != nil {
		return err
	}
	hours, err := json.Marshal(p.Hours)
	if err != nil {
		return err
	}
	return s.write(ctx, func(c conn) error {
		res, err := c.exec(ctx, `UPDATE pizzerias SET name = ?, street = ?, postcode = ?, city = ?, phone = ?, hours = ?, active = ?,
			kitchen_warn_minutes = ?, kitchen_late_minutes = ? WHERE id = ?`,
			p.Name, p.Address.Street, p.Address.Postcode, p.Address.City, p.Phone, string(hours), p.Active,
			p.Kitchen.WarnMinutes, p.Kitchen.LateMinutes, p.ID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err == nil && n == 0 {
			// MySQL counts changed rows only: ask whether it exists.
			var one int
			if err := c.queryRow(ctx, "SELECT 1 FROM pizzerias WHERE id = ?", p.ID).Scan(&one); err != nil {
				return notFound(err, "pizzeria")
			}
		}
		if _, err := c.exec(ctx, "DELETE FROM pizzeria_postcodes WHERE pizzeria_id = ?", p.ID); err != nil {
			return err
		}
		for _, pc := range p.DeliveryPostcodes {
			if _, err := c.exec(ctx, "INSERT INTO pizzeria_postcodes (pizzeria_id, postcode) VALUES (?, ?)", p.ID, pc); err != nil {
				return fmt.Errorf("postcode %s: %w", pc, err)
			}
		}
		return nil
	})
}

// SetClosure records (or rewords) a day a pizzeria stays closed.
func (s *Store) SetClosure(ctx context.Context, pizzeriaID int64, cl pizzeria.Closure) error {
	if _, err := cl.Normalize(); err != nil {
		return err
	}
	return s.write(ctx, func(c conn) error {
		var one int
		if err := c.queryRow(ctx, "SELECT 1 FROM pizzerias WHERE id = ?", pizzeriaID).Scan(&one); err != nil {
			return notFound(err, "pizzeria")
		}
		if _, err := c.exec(ctx, "DELETE FROM pizzeria_closures WHERE pizzeria_id = ? AND day = ?", pizzeriaID, cl.Date); err != nil {
			return err
		}
		_, err := c.exec(ctx, "INSERT INTO pizzeria_closures (pizzeria_id, day, reason) VALUES (?, ?, ?)", pizzeriaID, cl.Date, cl.Reason)
		return err
	})
}

// DeleteClosure opens a closed day again.
func (s *Store) DeleteClosure(ctx context.Context, pizzeriaID int64, date string) error {
	return s.write(ctx, func(c conn) error {
		res, err := c.exec(ctx, "DELETE FROM pizzeria_closures WHERE pizzeria_id = ? AND day = ?", pizzeriaID, date)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err == nil && n == 0 {
			return errs.E(errs.NotFound, "no closure on %s", date)
		}
		return err
	})
}

// readClosures adds the closures from yesterday on (yesterday's may hold
// a service that runs past midnight) to pizzerias read by pizzerias().
func (s *Store) readClosures(ctx context.Context, c conn, id int64, out []pizzeria.Pizzeria, index map[int64]int) error {
	since := s.Now().In(pizzeria.Paris).AddDate(0, 0, -1).Format(pizzeria.DateLayout)
	rows, err := c.query(ctx, "SELECT pizzeria_id, day, reason FROM pizzeria_closures WHERE (pizzeria_id = ? OR ? = 0) AND day >= ? ORDER BY pizzeria_id, day", id, id, since)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var pid int64
		var cl pizzeria.Closure
		if err := rows.Scan(&pid, &cl.Date, &cl.Reason); err != nil {
			return err
		}
		if i, ok := index[pid]; ok {
			out[i].Closures = append(out[i].Closures, cl)
		}
	}
	return rows.Err()
}

// nullString turns "" into NULL for optional texts.
func nullString(v string) sql.NullString { return sql.NullString{String: v, Valid: v != ""} }
