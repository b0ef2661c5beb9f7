package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/oc-pizza/ocpizza/internal/account"
	"github.com/oc-pizza/ocpizza/internal/shop"
)

// A browser's session is the same kind of session as an API token: the
// token rides in a cookie instead of an Authorization header. HttpOnly
// keeps it from scripts, SameSite=Lax from other sites' forms, and in
// production the __Host- prefix pins it to our origin over HTTPS.
func (p *Pages) sessionCookieName() string {
	if p.opt.Secure {
		return "__Host-ocpizza"
	}
	return "ocpizza"
}

func (p *Pages) setSession(w http.ResponseWriter, token string) {
	http.SetCookie(w, &http.Cookie{Name: p.sessionCookieName(), Value: token, Path: "/", MaxAge: int(shop.SessionTTL.Seconds()),
		HttpOnly: true, Secure: p.opt.Secure, SameSite: http.SameSiteLaxMode})
}

func (p *Pages) clearSession(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: p.sessionCookieName(), Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: p.opt.Secure, SameSite: http.SameSiteLaxMode})
}

// visitor is who is behind a request: the actor and the session token
// (both zero for an anonymous visitor).
type visitor struct {
	actor account.Actor
	token string
}

type visitorKey struct{}

// identify reads the session cookie. A cookie whose session ended (signed
// out elsewhere, expired, account disabled) is dropped and the visitor is
// anonymous. A session that could not be checked (the database does not
// answer) is an error, and the cookie stays: an outage signs nobody out.
func (p *Pages) identify(w http.ResponseWriter, r *http.Request) (visitor, error) {
	c, err := r.Cookie(p.sessionCookieName())
	if err != nil || c.Value == "" {
		return visitor{}, nil
	}
	actor, err := p.shop.Authenticate(r.Context(), c.Value)
	if err != nil && internal(err) {
		return visitor{}, err
	}
	if err != nil {
		p.clearSession(w)
		return visitor{}, nil
	}
	return visitor{actor: actor, token: c.Value}, nil
}

func withVisitor(ctx context.Context, v visitor) context.Context {
	return context.WithValue(ctx, visitorKey{}, v)
}

func visitorOf(r *http.Request) visitor {
	v, _ := r.Context().Value(visitorKey{}).(visitor)
	return v
}

func actorOf(r *http.Request) account.Actor { return visitorOf(r).actor }

// safeNext keeps a post-sign-in destination only when it is a path of this
// site, so /login?next= cannot send anyone elsewhere.
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return ""
	}
	u, err := url.Parse(next)
	if err != nil || u.Host != "" || u.Scheme != "" {
		return ""
	}
	return u.RequestURI()
}

// loginURL is the sign-in page that comes back to r's page afterwards.
func loginURL(r *http.Request) string {
	return "/login?next=" + url.QueryEscape(r.URL.RequestURI())
}
