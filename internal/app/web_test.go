package app_test

import (
	"context"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/oc-pizza/ocpizza/internal/app"
	"github.com/oc-pizza/ocpizza/internal/web"
)

func get(t *testing.T, c *http.Client, u string, header map[string]string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", u, nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := c.Do(req)
	check(t, err)
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res, string(body)
}

func TestPagesSpeakTheVisitorsLanguage(t *testing.T) {
	t.Parallel()
	c := newChain(t, "sqlite")
	res, fr := get(t, http.DefaultClient, c.srv.URL+"/", nil)
	if res.StatusCode != 200 || !strings.Contains(fr, `<html lang="fr">`) || !strings.Contains(fr, "OC Pizza ONE") || !strings.Contains(fr, "Livre les codes postaux") {
		t.Fatalf("French home page: %d\n%s", res.StatusCode, fr)
	}
	if _, en := get(t, http.DefaultClient, c.srv.URL+"/", map[string]string{"Accept-Language": "en-GB,en;q=0.9"}); !strings.Contains(en, `<html lang="en">`) || !strings.Contains(en, "Delivers to postcodes") {
		t.Fatalf("English by Accept-Language:\n%s", en)
	}
	// ?lang= wins over the browser, and is remembered.
	jar := newJar(t)
	client := &http.Client{Jar: jar}
	if _, en := get(t, client, c.srv.URL+"/?lang=en", nil); !strings.Contains(en, "Delivers to postcodes") {
		t.Fatal("English by ?lang=en")
	}
	if _, en := get(t, client, c.srv.URL+"/pizzerias/1", map[string]string{"Accept-Language": "fr"}); !strings.Contains(en, "Add to cart") {
		t.Fatal("the chosen language was not remembered")
	}
	if res, page := get(t, http.DefaultClient, c.srv.URL+"/no-such-page", nil); res.StatusCode != 404 || !strings.Contains(page, "Page introuvable") {
		t.Fatalf("unknown page: %d %s", res.StatusCode, page)
	}
}

func newJar(t *testing.T) http.CookieJar {
	jar, err := cookiejar.New(nil)
	check(t, err)
	return jar
}

// TestPageSecurityHeaders: a CSP with a fresh nonce on every page and no
// inline style or script without it; static files under their hash,
// cached for good.
func TestPageSecurityHeaders(t *testing.T) {
	t.Parallel()
	c := newChain(t, "sqlite")
	nonceRE := regexp.MustCompile(`'nonce-([A-Za-z0-9_-]+)'`)
	var nonces []string
	for range 2 {
		res, page := get(t, http.DefaultClient, c.srv.URL+"/", nil)
		csp := res.Header.Get("Content-Security-Policy")
		m := nonceRE.FindStringSubmatch(csp)
		if m == nil || strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "frame-ancestors 'none'") || !strings.Contains(csp, "style-src 'self'") {
			t.Fatalf("CSP %q", csp)
		}
		nonces = append(nonces, m[1])
		if strings.Contains(page, "<style") || strings.Contains(page, " style=") {
			t.Fatal("inline style on the page")
		}
		for _, script := range regexp.MustCompile(`<script[^>]*>`).FindAllString(page, -1) {
			if !strings.Contains(script, `nonce="`+m[1]+`"`) {
				t.Errorf("script without this response's nonce: %s", script)
			}
		}
		if res.Header.Get("Cache-Control") != "no-store" || res.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("headers %v", res.Header)
		}
		css := regexp.MustCompile(`/static/app\.[0-9a-f]{10}\.css`).FindString(page)
		if css == "" {
			t.Fatal("no hashed stylesheet")
		}
		sres, _ := get(t, http.DefaultClient, c.srv.URL+css, nil)
		if sres.StatusCode != 200 || !strings.Contains(sres.Header.Get("Cache-Control"), "immutable") || !strings.HasPrefix(sres.Header.Get("Content-Type"), "text/css") {
			t.Fatalf("stylesheet: %d %v", sres.StatusCode, sres.Header)
		}
	}
	if nonces[0] == nonces[1] {
		t.Fatal("the nonce is the same on two responses")
	}
}

// TestCrossOriginPostsAreRefused: another site's form cannot act for a
// signed-in visitor (CSRF): the browser's Sec-Fetch-Site or Origin gives
// it away, and the answer is the site's 403 page.
func TestCrossOriginPostsAreRefused(t *testing.T) {
	t.Parallel()
	c := newChain(t, "sqlite")
	for name, header := range map[string]map[string]string{
		"Sec-Fetch-Site": {"Sec-Fetch-Site": "cross-site"},
		"Origin":         {"Origin": "https://evil.example"},
	} {
		t.Run(name, func(t *testing.T) {
			form := url.Values{"email": {"alice@example.test"}, "password": {password}}
			req, _ := http.NewRequest("POST", c.srv.URL+"/login", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			for k, v := range header {
				req.Header.Set(k, v)
			}
			res, err := http.DefaultClient.Do(req)
			check(t, err)
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != 403 || !strings.Contains(string(body), "Accès refusé") || len(res.Cookies()) > 0 && res.Cookies()[0].Name == "ocpizza" {
				t.Fatalf("cross-origin sign-in: %d %v\n%s", res.StatusCode, res.Cookies(), body)
			}
		})
	}
	// The same form from our own pages signs in.
	form := url.Values{"email": {"alice@example.test"}, "password": {password}}
	req, _ := http.NewRequest("POST", c.srv.URL+"/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := noFollow.Do(req)
	check(t, err)
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther || len(res.Cookies()) == 0 {
		t.Fatalf("same-origin sign-in: %d", res.StatusCode)
	}
}

// TestSessionCookie: HttpOnly and SameSite=Lax always; in production
// Secure and __Host- prefixed; signing out ends the session.
func TestSessionCookie(t *testing.T) {
	t.Parallel()
	c := newChain(t, "sqlite")
	for _, secure := range []bool{false, true} {
		srv := app.NewServer(c.store, slog.New(slog.NewTextHandler(io.Discard, nil)), web.Options{Secure: secure})
		ts := httptest.NewServer(srv.Handler())
		form := url.Values{"email": {"alice@example.test"}, "password": {password}}
		noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		res, err := noFollow.PostForm(ts.URL+"/login", form)
		check(t, err)
		res.Body.Close()
		var session *http.Cookie
		for _, ck := range res.Cookies() {
			if strings.Contains(ck.Name, "ocpizza") {
				session = ck
			}
		}
		want := map[bool]string{false: "ocpizza", true: "__Host-ocpizza"}[secure]
		if session == nil || session.Name != want || !session.HttpOnly || session.SameSite != http.SameSiteLaxMode || session.Secure != secure || session.Path != "/" {
			t.Fatalf("secure=%v: session cookie %+v", secure, session)
		}
		if !secure {
			// Signed in: my orders; signed out: sent to the sign-in page.
			req, _ := http.NewRequest("GET", ts.URL+"/account/orders", nil)
			req.AddCookie(session)
			res, err := noFollow.Do(req)
			check(t, err)
			res.Body.Close()
			if res.StatusCode != 200 {
				t.Fatalf("my orders while signed in: %d", res.StatusCode)
			}
			req, _ = http.NewRequest("POST", ts.URL+"/logout", nil)
			req.AddCookie(session)
			res, err = noFollow.Do(req)
			check(t, err)
			res.Body.Close()
			req, _ = http.NewRequest("GET", ts.URL+"/account/orders", nil)
			req.AddCookie(session)
			res, err = noFollow.Do(req)
			check(t, err)
			res.Body.Close()
			if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login?next=") {
				t.Fatalf("my orders after signing out: %d %s", res.StatusCode, res.Header.Get("Location"))
			}
		}
		ts.Close()
	}
}

// TestSigningOutEndsThePagesStreams: a tracking page's live stream belongs
// to its session; signing out from another tab ends it at once.
func TestSigningOutEndsThePagesStreams(t *testing.T) {
	t.Parallel()
	c := newChain(t, "sqlite")
	o := c.order("alice", nil)
	cookie := &http.Cookie{Name: "ocpizza", Value: c.tokens["alice"]}
	req, _ := http.NewRequest("GET", c.srv.URL+"/orders/"+id(o)+"/live", nil)
	req.AddCookie(cookie)
	res, err := http.DefaultClient.Do(req)
	check(t, err)
	defer res.Body.Close()
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("stream: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	ended := make(chan struct{})
	go func() {
		io.Copy(io.Discard, res.Body)
		close(ended)
	}()
	out, _ := http.NewRequest("POST", c.srv.URL+"/logout", nil)
	out.AddCookie(cookie)
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	r2, err := noFollow.Do(out)
	check(t, err)
	r2.Body.Close()
	select {
	case <-ended:
	case <-time.After(2 * time.Second):
		t.Fatal("the tracking page's stream still runs 2 s after signing out")
	}
}

// TestSignInAndSignUpKeepWhereTheVisitorWasGoing: the link between the two
// pages carries the page to come back to, encoded once (it was encoded
// twice, and a customer who made an account at checkout landed on the
// home page, without their cart).
func TestSignInAndSignUpKeepWhereTheVisitorWasGoing(t *testing.T) {
	t.Parallel()
	c := newChain(t, "sqlite")
	for _, p := range []struct{ from, link, to string }{{"/login", "/signup", "/signup"}, {"/signup", "/login", "/login"}} {
		_, body := get(t, http.DefaultClient, c.srv.URL+p.from+"?next=%2Fcheckout%3Fx%3D1", nil)
		m := regexp.MustCompile(`href="(` + p.link + `\?next=[^"]*)"`).FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("%s: no link to %s with next", p.from, p.link)
		}
		_, next := get(t, http.DefaultClient, c.srv.URL+html.UnescapeString(m[1]), nil)
		if !strings.Contains(next, `name="next" value="/checkout?x=1"`) {
			t.Errorf("%s → %s: the page to come back to is lost:\n%s", p.from, m[1], next)
		}
	}
}

// TestManagersFindTheirBackOffice: signed in, a manager and the admin land
// on their screens, which link to the pizzeria's back office and to the
// chain's administration (nothing did: the URL had to be typed).
func TestManagersFindTheirBackOffice(t *testing.T) {
	t.Parallel()
	c := newChain(t, "sqlite")
	manage := fmt.Sprintf(`href="/manage/%d"`, c.shop)
	if home := c.pageOK("manager", "/staff"); !strings.Contains(home, manage) || strings.Contains(home, `href="/admin"`) {
		t.Errorf("the manager's screens do not lead to the back office (or lead to the admin's):\n%s", home)
	}
	if kitchen := c.pageOK("manager", fmt.Sprintf("/kitchen/%d", c.shop)); !strings.Contains(kitchen, manage) {
		t.Errorf("the kitchen screen's header, for its manager, has no back office link")
	}
	if kitchen := c.pageOK("pizzaiolo", fmt.Sprintf("/kitchen/%d", c.shop)); strings.Contains(kitchen, "/manage/") {
		t.Errorf("the pizzaiolo is offered the back office")
	}
	if home := c.pageOK("admin", "/staff"); !strings.Contains(home, `href="/admin"`) || !strings.Contains(home, manage) {
		t.Errorf("the admin's screens do not lead to the administration")
	}
}

// TestManagerTakesSomeoneOffTheTeam: from the team page, the roles held in
// the pizzeria go; the account stays.
func TestManagerTakesSomeoneOffTheTeam(t *testing.T) {
	t.Parallel()
	c := newChain(t, "sqlite")
	leaver := c.throwawayDriver()
	team := fmt.Sprintf("/manage/%d/staff", c.shop)
	if page := c.pageOK("manager", team); !strings.Contains(page, fmt.Sprintf(`action="%s/%d/remove"`, team, leaver)) {
		t.Fatal("no way to take the driver off the team")
	}
	res, _ := c.pagePost("manager", fmt.Sprintf("%s/%d/remove", team, leaver), "")
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != team+"?done=removed" {
		t.Fatalf("taken off: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	u, err := c.store.User(context.Background(), leaver)
	check(t, err)
	if u.WorksIn(c.shop) || u.Disabled {
		t.Fatalf("after leaving: %+v", u)
	}
	if page := c.pageOK("manager", team+"?done=removed"); !strings.Contains(page, "Retiré(e) de l&#39;équipe.") {
		t.Error("the page does not say it was done")
	}
}

// TestInvitationWithoutAMailServerSaysSo: "Invitation envoyée" was said
// when no mail could go.
func TestInvitationWithoutAMailServerSaysSo(t *testing.T) {
	t.Parallel()
	c := newChain(t, "sqlite")
	team := fmt.Sprintf("/manage/%d/staff", c.shop)
	form := url.Values{"name": {"Nouveau"}, "email": {"nouveau@ocpizza.test"}, "role": {"driver"}, "lang": {"fr"}}
	res, _ := c.pagePost("manager", team, form.Encode())
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != team+"?done=invited-nomail" {
		t.Fatalf("invited without a mail server: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	if page := c.pageOK("manager", res.Header.Get("Location")); !strings.Contains(page, "l&#39;invitation n&#39;a pas été envoyée par mail") {
		t.Error("the page does not say the mail did not go")
	}
}

// TestAdminListsOnePizzeriasTeam: the chain's staff list, kept to one
// pizzeria on request (it grows with every shop).
func TestAdminListsOnePizzeriasTeam(t *testing.T) {
	t.Parallel()
	c := newChain(t, "sqlite")
	all := c.pageOK("admin", "/admin/staff")
	one := c.pageOK("admin", fmt.Sprintf("/admin/staff?pizzeria=%d", c.other))
	if !strings.Contains(all, "manager@ocpizza.test") || !strings.Contains(all, "manager2@ocpizza.test") {
		t.Fatal("the whole chain's list lacks a manager")
	}
	if strings.Contains(one, "manager@ocpizza.test") || !strings.Contains(one, "manager2@ocpizza.test") {
		t.Error("the list of the second pizzeria's team is not kept to it")
	}
}
