package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/oc-pizza/ocpizza/internal/errs"
)

// CreatePasswordToken records a single-use link that sets a user's
// password (its SHA-256 only), for purpose "reset" or "invite".
func (s *Store) CreatePasswordToken(ctx context.Context, tokenHash string, userID int64, purpose string, ttl time.Duration) error {
	now := s.Now()
	return s.write(ctx, func(c conn) error {
		_, err := c.exec(ctx, `INSERT INTO password_tokens (token_hash, user_id, purpose, created_at, expires_at, used_at)
			VALUES (?, ?, ?, ?, ?, NULL)`, tokenHash, userID, purpose, now, now.Add(ttl))
		return err
	})
}

// PasswordTokensSince counts the links made for a user since a time, to
// bound how many mails one address can be sent.
func (s *Store) PasswordTokensSince(ctx context.Context, userID int64, since time.Time) (int, error) {
	var n int
	err := s.read().queryRow(ctx, "SELECT COUNT(*) FROM password_tokens WHERE user_id = ? AND created_at >= ?", userID, since).Scan(&n)
	return n, err
}

// PasswordTokenUser returns the user of a live, unused link.
func (s *Store) PasswordTokenUser(ctx context.Context, tokenHash string) (int64, error) {
	var id int64
	err := s.read().queryRow(ctx, "SELECT user_id FROM password_tokens WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?",
		tokenHash, s.Now()).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, errs.E(errs.NotFound, "this link is no longer valid: ask for a new one")
	}
	return id, err
}

// UsePasswordToken spends a link: in one transaction it is marked used,
// the user's password replaced, the user's other links voided and every
// session of the user ended. It returns the user's id.
func (s *Store) UsePasswordToken(ctx context.Context, tokenHash, passwordHash string) (int64, error) {
	now := s.Now()
	var userID int64
	err := s.write(ctx, func(c conn) error {
		err := c.queryRow(ctx, "SELECT user_id FROM password_tokens WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?",
			tokenHash, now).Scan(&userID)
		if errors.Is(err, sql.ErrNoRows) {
			return errs.E(errs.NotFound, "this link is no longer valid: ask for a new one")
		}
		if err != nil {
			return err
		}
		// Guarded on used_at, so two submissions of one link cannot both
		// set a password.
		res, err := c.exec(ctx, "UPDATE password_tokens SET used_at = ? WHERE token_hash = ? AND used_at IS NULL", now, tokenHash)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return errs.E(errs.NotFound, "this link is no longer valid: ask for a new one")
		}
		if _, err := c.exec(ctx, "UPDATE password_tokens SET used_at = ? WHERE user_id = ? AND used_at IS NULL", now, userID); err != nil {
			return err
		}
		if _, err := c.exec(ctx, "UPDATE users SET password_hash = ? WHERE id = ?", passwordHash, userID); err != nil {
			return err
		}
		_, err = c.exec(ctx, "DELETE FROM sessions WHERE user_id = ?", userID)
		return err
	})
	return userID, err
}
