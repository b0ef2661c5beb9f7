package app_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// screenRoles says who opens each staff screen, by the first part of its
// path: its role in the pizzeria, a manager of the pizzeria, the admin.
// A screen with a {pizzeria} that is not here fails the test: a new screen
// cannot be forgotten.
var screenRoles = map[string][]string{
	"counter": {"counter", "manager", "admin"},
	"kitchen": {"pizzaiolo", "manager", "admin"},
	"driver":  {"driver", "manager", "admin"},
	"manage":  {"manager", "admin"},
}

// TestEveryScreenRefusesWhoMustNotSeeIt walks the page route table: every
// screen tied to a pizzeria, as every role, in its own pizzeria and in
// another. The refused get the site's own 403 page; the anonymous are sent
// to sign in.
func TestEveryScreenRefusesWhoMustNotSeeIt(t *testing.T) {
	t.Parallel()
	c := newChain(t, "sqlite")
	own := c.order("alice", nil)
	other := c.order("bob", map[string]any{"pizzeria_id": c.other, "delivery_address": map[string]any{"street": "1 rue X", "postcode": "69004", "city": "Lyon"}})
	users := []string{"alice", "counter", "pizzaiolo", "driver", "manager", "manager2", "driver2", "admin"}
	// The shop each user works in, for "own" (the admin and customers: the first).
	home := map[string]int64{"manager2": c.other, "driver2": c.other}
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	checked := 0
	for _, rt := range c.server.Pages.Routes() {
		method, path, _ := strings.Cut(rt.Pattern, " ")
		if !strings.Contains(path, "{pizzeria}") {
			continue
		}
		screen := strings.Split(strings.TrimPrefix(path, "/"), "/")[0]
		allowed, ok := screenRoles[screen]
		if !ok {
			t.Errorf("%s: no rule in screenRoles says who opens it", rt.Pattern)
			continue
		}
		for _, who := range append(users, "") {
			for _, where := range []string{"own", "other"} {
				shop := c.shop
				if h, ok := home[who]; ok {
					shop = h
				}
				if where == "other" {
					shop = map[int64]int64{c.shop: c.other, c.other: c.shop}[shop]
				}
				orderID := map[int64]string{c.shop: id(own), c.other: id(other)}[shop]
				url := strings.NewReplacer("{pizzeria}", fmt.Sprint(shop), "{id}", orderID, "{action}", "payment").Replace(path)
				want := contains(allowed, strings.TrimSuffix(who, "2")) && (who == "admin" || where == "own")
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				req, _ := http.NewRequestWithContext(ctx, method, c.srv.URL+url, strings.NewReader("method=cash"))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				if tok := c.tokens[who]; tok != "" {
					req.AddCookie(&http.Cookie{Name: "ocpizza", Value: tok})
				}
				res, err := noFollow.Do(req)
				check(t, err)
				var body []byte
				if res.Header.Get("Content-Type") != "text/event-stream" {
					body, _ = io.ReadAll(res.Body)
				}
				res.Body.Close()
				cancel()
				checked++
				name := fmt.Sprintf("%s as %q in the %s pizzeria", rt.Pattern, who, where)
				switch {
				case who == "" && method == "GET":
					if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login?next=") {
						t.Errorf("%s: %d, want sent to sign in", name, res.StatusCode)
					}
				case who == "":
					if res.StatusCode != http.StatusUnauthorized {
						t.Errorf("%s: %d, want 401", name, res.StatusCode)
					}
				case !want:
					if res.StatusCode != http.StatusForbidden || !strings.Contains(string(body), "Accès refusé") {
						t.Errorf("%s: %d, want the site's 403 page", name, res.StatusCode)
					}
				case res.StatusCode == http.StatusForbidden || res.StatusCode == http.StatusUnauthorized || res.StatusCode >= 500:
					t.Errorf("%s: %d, want it allowed\n%s", name, res.StatusCode, mainOf(body))
				}
			}
		}
	}
	if checked < 100 {
		t.Fatalf("only %d requests: the route table was not walked", checked)
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// mainOf is the main part of a page, for a readable failure.
func mainOf(page []byte) string {
	s := string(page)
	if i := strings.Index(s, "<main"); i >= 0 {
		s = s[i:]
	}
	if len(s) > 600 {
		s = s[:600]
	}
	return s
}
