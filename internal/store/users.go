package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/oc-pizza/ocpizza/internal/account"
	"github.com/oc-pizza/ocpizza/internal/errs"
)

// CreateUser stores a user with its grants. PasswordHash must already be
// computed. An e-mail already in use gives email_taken.
func (s *Store) CreateUser(ctx context.Context, u account.User) (account.User, error) {
	for _, g := range u.Grants {
		if err := g.Validate(); err != nil {
			return u, err
		}
	}
	if u.Lang == "" {
		u.Lang = "fr"
	}
	u.CreatedAt = s.Now()
	err := s.write(ctx, func(c conn) error {
		id, err := c.insertID(ctx, `INSERT INTO users (email, name, phone, lang, password_hash, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			u.Email, u.Name, u.Phone, u.Lang, u.PasswordHash, u.CreatedAt)
		if err != nil {
			if s.d.isUnique(err) {
				return errs.E(errs.EmailTaken, "an account already uses %s", u.Email)
			}
			return err
		}
		u.ID = id
		for _, g := range u.Grants {
			if g.PizzeriaID != 0 {
				var one int
				if err := c.queryRow(ctx, "SELECT 1 FROM pizzerias WHERE id = ?", g.PizzeriaID).Scan(&one); err != nil {
					return notFound(err, "pizzeria for this role")
				}
			}
			if _, err := c.exec(ctx, "INSERT INTO user_roles (user_id, role, pizzeria_id) VALUES (?, ?, ?)", id, string(g.Role), g.PizzeriaID); err != nil {
				return err
			}
		}
		return nil
	})
	return u, err
}

// UserByEmail finds a user by e-mail, with grants.
func (s *Store) UserByEmail(ctx context.Context, email string) (account.User, error) {
	return s.user(ctx, "email = ?", email)
}

// User finds a user by id, with grants.
func (s *Store) User(ctx context.Context, id int64) (account.User, error) {
	return s.user(ctx, "id = ?", id)
}

func (s *Store) user(ctx context.Context, where string, arg any) (account.User, error) {
	var u account.User
	c := s.read()
	var disabled sql.NullTime
	err := c.queryRow(ctx, "SELECT id, email, name, phone, lang, password_hash, created_at, disabled_at FROM users WHERE "+where, arg).
		Scan(&u.ID, &u.Email, &u.Name, &u.Phone, &u.Lang, &u.PasswordHash, &u.CreatedAt, &disabled)
	if err != nil {
		return u, notFound(err, "user")
	}
	u.Disabled = disabled.Valid
	u.Grants, err = s.grants(ctx, c, u.ID)
	return u, err
}

func (s *Store) grants(ctx context.Context, c conn, userID int64) ([]account.Grant, error) {
	rows, err := c.query(ctx, "SELECT role, pizzeria_id FROM user_roles WHERE user_id = ? ORDER BY role, pizzeria_id", userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []account.Grant
	for rows.Next() {
		var g account.Grant
		if err := rows.Scan(&g.Role, &g.PizzeriaID); err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// CreateSession records a session token (its SHA-256, never the token).
func (s *Store) CreateSession(ctx context.Context, tokenHash string, userID int64, ttl time.Duration) error {
	now := s.Now()
	return s.write(ctx, func(c conn) error {
		_, err := c.exec(ctx, "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)", tokenHash, userID, now, now.Add(ttl))
		return err
	})
}

// SessionActor returns the actor behind a live session token hash, in
// one query: it runs on every authenticated request.
func (s *Store) SessionActor(ctx context.Context, tokenHash string) (account.Actor, error) {
	rows, err := s.read().query(ctx, `SELECT u.id, u.name, u.email, u.phone, r.role, r.pizzeria_id
		FROM sessions s JOIN users u ON u.id = s.user_id LEFT JOIN user_roles r ON r.user_id = u.id
		WHERE s.token_hash = ? AND s.expires_at > ? AND u.disabled_at IS NULL`, tokenHash, s.Now())
	if err != nil {
		return account.Actor{}, err
	}
	defer rows.Close()
	var a account.Actor
	for rows.Next() {
		var role sql.NullString
		var pizzeriaID sql.NullInt64
		if err := rows.Scan(&a.UserID, &a.Name, &a.Email, &a.Phone, &role, &pizzeriaID); err != nil {
			return account.Actor{}, err
		}
		if role.Valid {
			a.Grants = append(a.Grants, account.Grant{Role: account.Role(role.String), PizzeriaID: pizzeriaID.Int64})
		}
	}
	if err := rows.Err(); err != nil {
		return account.Actor{}, err
	}
	if a.UserID == 0 {
		return a, errs.E(errs.Unauthorized, "the session has expired: sign in again")
	}
	return a, nil
}

// DeleteSession ends a session (sign out).
func (s *Store) DeleteSession(ctx context.Context, tokenHash string) error {
	return s.write(ctx, func(c conn) error {
		_, err := c.exec(ctx, "DELETE FROM sessions WHERE token_hash = ?", tokenHash)
		return err
	})
}
