package shop

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"net/url"
	"time"

	"github.com/oc-pizza/ocpizza/internal/account"
	"github.com/oc-pizza/ocpizza/internal/errs"
	"github.com/oc-pizza/ocpizza/internal/event"
	"github.com/oc-pizza/ocpizza/internal/notify"
)

// How long password links last, and how many one account is sent an hour
// (so nobody can flood someone's mailbox through our form).
const (
	ResetTTL         = time.Hour
	InviteTTL        = 72 * time.Hour
	resetsPerHour    = 3
	resetMailTimeout = 30 * time.Second
)

// Mailer sends one e-mail.
type Mailer interface {
	Send(ctx context.Context, msg notify.Message) error
}

// RequestPasswordReset mails a single-use link to set a new password to
// the account of email, if there is one. It answers the same, at the same
// speed, whether there is an account or not: the mail goes out in the
// background.
func (s *Shop) RequestPasswordReset(ctx context.Context, email string) error {
	email, err := account.NormalizeEmail(email)
	if err != nil {
		return err
	}
	u, err := s.Store.UserByEmail(ctx, email)
	if errs.Is(err, errs.NotFound) {
		return nil
	}
	if err != nil || u.Disabled {
		return err
	}
	recent, err := s.Store.PasswordTokensSince(ctx, u.ID, s.Store.Now().Add(-time.Hour))
	if err != nil || recent >= resetsPerHour {
		return err
	}
	return s.sendPasswordLink(ctx, u, "reset", ResetTTL)
}

// sendPasswordLink records a link for u and mails it in the background.
func (s *Shop) sendPasswordLink(ctx context.Context, u account.User, purpose string, ttl time.Duration) error {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return err
	}
	token := base64.RawURLEncoding.EncodeToString(raw)
	if err := s.Store.CreatePasswordToken(ctx, hashToken(token), u.ID, purpose, ttl); err != nil {
		return err
	}
	link := s.PublicURL + "/password/reset?" + url.Values{"token": {token}}.Encode()
	msg, err := notify.PasswordMessage(purpose, u.Lang, u.Email, u.Name, link)
	if err != nil {
		return err
	}
	if s.Mail == nil {
		if s.LogLinks {
			s.Log.Info("no mail server: the password link is logged instead (development only)", "to", u.Email, "link", link)
		} else {
			s.Log.Warn("no mail server (OCPIZZA_SMTP_URL): a password link could not be sent", "to", u.Email)
		}
		return nil
	}
	s.mailLater(ctx, msg, "password link")
	return nil
}

// mailLater sends an account mail in the background: the request that
// caused it does not wait for the mail server.
func (s *Shop) mailLater(ctx context.Context, msg notify.Message, what string) {
	if s.Mail == nil {
		s.Log.Warn("no mail server (OCPIZZA_SMTP_URL): a mail could not be sent", "what", what, "to", msg.To)
		return
	}
	go func() {
		mctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), resetMailTimeout)
		defer cancel()
		if err := s.Mail.Send(mctx, msg); err != nil {
			s.Log.Error("send "+what, "to", msg.To, "err", err)
		}
	}()
}

// CheckPasswordToken reports whether a password link can still be used.
func (s *Shop) CheckPasswordToken(ctx context.Context, token string) error {
	if token == "" || len(token) > 100 {
		return errs.E(errs.NotFound, "this link is no longer valid: ask for a new one")
	}
	_, err := s.Store.PasswordTokenUser(ctx, hashToken(token))
	return err
}

// ResetPassword sets a new password through a single-use link. Every
// session of the account ends, with its open streams.
func (s *Shop) ResetPassword(ctx context.Context, token, password string) error {
	if err := s.CheckPasswordToken(ctx, token); err != nil {
		return err
	}
	if err := account.CheckPassword(password); err != nil {
		return err
	}
	hash, err := s.Passwords.Hash(ctx, password)
	if err != nil {
		return err
	}
	userID, err := s.Store.UsePasswordToken(ctx, hashToken(token), hash)
	if err != nil {
		return err
	}
	s.sessions.forgetUser(userID)
	s.publish(ctx, event.SessionEnded, event.Ended{UserID: userID}, 0, 0)
	return nil
}
