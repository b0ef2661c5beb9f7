package shop

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"time"

	"github.com/oc-pizza/ocpizza/internal/account"
	"github.com/oc-pizza/ocpizza/internal/errs"
	"github.com/oc-pizza/ocpizza/internal/event"
)

// SessionTTL is how long a sign-in lasts.
const SessionTTL = 7 * 24 * time.Hour

// SignUp opens a customer account. clientAddr is the address the request
// came from ("" for the application itself): sign-ups from one address are
// throttled, errs.RateLimited carrying the wait.
//
// An e-mail that already has an account returns errs.EmailTaken, after the
// same work (and so the same time) as a new account. Callers that face the
// public answer it exactly like a success, so sign-up does not tell who has
// an account (the JSON API answers 202 to both).
func (s *Shop) SignUp(ctx context.Context, n account.NewCustomer, clientAddr string) (account.User, error) {
	n, err := n.Normalize()
	if err != nil {
		return account.User{}, err
	}
	var limits []limit
	if clientAddr != "" {
		limits = append(limits, limit{"address:" + clientAddr, addressSignUps})
	}
	attempt, wait := s.signUps.reserve(limits...)
	if attempt == nil {
		return account.User{}, errs.E(errs.RateLimited, "too many sign-ups from your address: try again in %s", roundUp(wait)).Later(wait)
	}
	hash, err := s.Passwords.Hash(ctx, n.Password)
	if err != nil {
		attempt.abandon() // nothing was tried: a busy server is not the client's sign-up
		return account.User{}, err
	}
	attempt.failed() // every sign-up tried counts, whether it opens an account or not
	return s.Store.CreateUser(ctx, account.User{Email: n.Email, Name: n.Name, Phone: n.Phone, Lang: n.Lang, PasswordHash: hash,
		Grants: []account.Grant{{Role: account.Customer}}})
}

// AddUser creates any account (the `ocpizza user add` command).
func (s *Shop) AddUser(ctx context.Context, email, name, password string, grants []account.Grant) (account.User, error) {
	email, err := account.NormalizeEmail(email)
	if err != nil {
		return account.User{}, err
	}
	if name, err = account.NormalizeName(name); err != nil {
		return account.User{}, err
	}
	if err := account.CheckPassword(password); err != nil {
		return account.User{}, err
	}
	hash, err := s.Passwords.Hash(ctx, password)
	if err != nil {
		return account.User{}, err
	}
	return s.Store.CreateUser(ctx, account.User{Email: email, Name: name, PasswordHash: hash, Grants: grants})
}

// SignIn checks credentials and opens a session. It returns the bearer
// token (shown once; only its hash is stored) and the user.
//
// clientAddr is the address the request came from ("" when unknown).
// Attempts are throttled per account and per address: a few free
// failures, then waits that double, returned as errs.RateLimited carrying
// the wait (errs.RetryAfter). A success clears the account's count. When
// too many passwords are being checked at once, errs.Unavailable.
func (s *Shop) SignIn(ctx context.Context, email, password, clientAddr string) (string, account.User, error) {
	limits := []limit{{"account:" + strings.ToLower(strings.TrimSpace(email)), accountSignIns}}
	if clientAddr != "" {
		limits = append(limits, limit{"address:" + clientAddr, addressSignIns})
	}
	attempt, wait := s.signIns.reserve(limits...)
	if attempt == nil {
		return "", account.User{}, errs.E(errs.RateLimited, "too many sign-in attempts: try again in %s", roundUp(wait)).Later(wait)
	}
	u, err := s.checkPassword(ctx, email, password)
	switch {
	case err == nil:
		attempt.succeeded()
	case errs.Is(err, errs.Unauthorized):
		attempt.failed()
		return "", account.User{}, err
	default:
		attempt.abandon()
		return "", account.User{}, err
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

// checkPassword returns the user the credentials belong to, or
// errs.Unauthorized after the time a real verification takes.
func (s *Shop) checkPassword(ctx context.Context, email, password string) (account.User, error) {
	bad := errs.E(errs.Unauthorized, "wrong e-mail or password")
	email, err := account.NormalizeEmail(email)
	if err != nil || password == "" || len(password) > 256 {
		if err := s.Passwords.VerifyNobody(ctx, password); err != nil {
			return account.User{}, err
		}
		return account.User{}, bad
	}
	u, err := s.Store.UserByEmail(ctx, email)
	if errs.Is(err, errs.NotFound) {
		if err := s.Passwords.VerifyNobody(ctx, password); err != nil {
			return account.User{}, err
		}
		return account.User{}, bad
	}
	if err != nil {
		return account.User{}, err
	}
	if !account.HasPassword(u.PasswordHash) {
		// Invited, the link not used yet: as long as a wrong password.
		if err := s.Passwords.VerifyNobody(ctx, password); err != nil {
			return account.User{}, err
		}
		return account.User{}, bad
	}
	ok, err := s.Passwords.Verify(ctx, u.PasswordHash, password)
	if err != nil {
		return account.User{}, err
	}
	if !ok {
		return account.User{}, bad
	}
	if u.Disabled {
		// Said only to whoever knows the password: the employee, who
		// should ask their manager rather than retry.
		return account.User{}, errs.E(errs.Unauthorized, "this account is disabled: ask your manager")
	}
	return u, nil
}

// roundUp shows a wait in whole seconds, never "0s".
func roundUp(d time.Duration) time.Duration {
	return max(d.Round(time.Second), time.Second)
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

// SignOut ends the session of a token, and the event streams it opened,
// here at once and on the other instances through the journal.
func (s *Shop) SignOut(ctx context.Context, token string) error {
	hash := hashToken(token)
	s.sessions.forget(hash)
	if err := s.Store.DeleteSession(ctx, hash); err != nil {
		return err
	}
	s.publish(ctx, event.SessionEnded, event.Ended{Session: hash}, 0, 0)
	return nil
}

// SessionKey names a session without revealing its token (the hash the
// database keeps): event streams are tied to it, so signing out ends them.
func SessionKey(token string) string { return hashToken(token) }

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
