package shop

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"time"

	"github.com/oc-pizza/ocpizza/internal/account"
	"github.com/oc-pizza/ocpizza/internal/errs"
)

// SessionTTL is how long a sign-in lasts.
const SessionTTL = 7 * 24 * time.Hour

// SignUp opens a customer account.
func (s *Shop) SignUp(ctx context.Context, n account.NewCustomer) (account.User, error) {
	n, err := n.Normalize()
	if err != nil {
		return account.User{}, err
	}
	hash, err := account.HashPassword(n.Password)
	if err != nil {
		return account.User{}, err
	}
	return s.Store.CreateUser(ctx, account.User{Email: n.Email, Name: n.Name, Phone: n.Phone, Lang: n.Lang, PasswordHash: hash,
		Grants: []account.Grant{{Role: account.Customer}}})
}

// AddUser creates any account (the `ocpizza user add` command).
func (s *Shop) AddUser(ctx context.Context, email, name, password string, grants []account.Grant) (account.User, error) {
	email, err := account.NormalizeEmail(email)
	if err != nil {
		return account.User{}, err
	}
	if err := account.CheckPassword(password); err != nil {
		return account.User{}, err
	}
	if name == "" {
		return account.User{}, errs.E(errs.Invalid, "give a name")
	}
	hash, err := account.HashPassword(password)
	if err != nil {
		return account.User{}, err
	}
	return s.Store.CreateUser(ctx, account.User{Email: email, Name: name, PasswordHash: hash, Grants: grants})
}

// SignIn checks credentials and opens a session. It returns the bearer
// token (shown once; only its hash is stored) and the user.
func (s *Shop) SignIn(ctx context.Context, email, password string) (string, account.User, error) {
	bad := errs.E(errs.Unauthorized, "wrong e-mail or password")
	email, err := account.NormalizeEmail(email)
	if err != nil || password == "" || len(password) > 256 {
		account.SpendVerifyTime(password)
		return "", account.User{}, bad
	}
	u, err := s.Store.UserByEmail(ctx, email)
	if errs.Is(err, errs.NotFound) {
		account.SpendVerifyTime(password)
		return "", account.User{}, bad
	}
	if err != nil {
		return "", account.User{}, err
	}
	if !account.VerifyPassword(u.PasswordHash, password) {
		return "", account.User{}, bad
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", u, err
	}
	token := base64.RawURLEncoding.EncodeToString(raw)
	if err := s.Store.CreateSession(ctx, hashToken(token), u.ID, SessionTTL); err != nil {
		return "", u, err
	}
	return token, u, nil
}

// Authenticate returns the actor behind a bearer token.
func (s *Shop) Authenticate(ctx context.Context, token string) (account.Actor, error) {
	if len(token) < 20 || len(token) > 100 {
		return account.Actor{}, errs.E(errs.Unauthorized, "invalid token")
	}
	hash, now := hashToken(token), time.Now()
	if a, ok := s.sessions.get(hash, now); ok {
		return a, nil
	}
	a, err := s.Store.SessionActor(ctx, hash)
	if err == nil {
		s.sessions.put(hash, a, now)
	}
	return a, err
}

// SignOut ends the session of a token.
func (s *Shop) SignOut(ctx context.Context, token string) error {
	hash := hashToken(token)
	s.sessions.forget(hash)
	return s.Store.DeleteSession(ctx, hash)
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
