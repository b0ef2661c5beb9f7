package app_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/oc-pizza/ocpizza/internal/notify"
)

// mailbox keeps the mails the shop sends.
type mailbox struct {
	mu   sync.Mutex
	sent []notify.Message
	got  chan struct{}
}

func (m *mailbox) Send(ctx context.Context, msg notify.Message) error {
	m.mu.Lock()
	m.sent = append(m.sent, msg)
	m.mu.Unlock()
	m.got <- struct{}{}
	return nil
}

// TestPasswordReset: a link by mail, single use, that sets a new password
// and ends the account's sessions; the answer never says whether an
// address has an account.
func TestPasswordReset(t *testing.T) {
	t.Parallel()
	forEngines(t, func(t *testing.T, c *chain) {
		box := &mailbox{got: make(chan struct{}, 10)}
		c.server.Shop.Mail, c.server.Shop.PublicURL = box, "https://www.ocpizza.test"
		post := func(path string, form url.Values) (int, string) {
			res, err := http.PostForm(c.srv.URL+path, form)
			check(t, err)
			defer res.Body.Close()
			body, _ := io.ReadAll(res.Body)
			return res.StatusCode, string(body)
		}
		_, known := post("/password/forgot", url.Values{"email": {"alice@example.test"}})
		_, unknown := post("/password/forgot", url.Values{"email": {"nobody@example.test"}})
		strip := regexp.MustCompile(`nonce-[^'"]+|nonce="[^"]+"|(alice|nobody)@example\.test`)
		if strip.ReplaceAllString(known, "") != strip.ReplaceAllString(unknown, "") {
			t.Fatal("the answer differs for an address with an account and one without")
		}
		<-box.got
		if len(box.sent) != 1 || box.sent[0].To != "alice@example.test" {
			t.Fatalf("mails: %+v", box.sent)
		}
		link := regexp.MustCompile(`https://www\.ocpizza\.test/password/reset\?token=[A-Za-z0-9_-]+`).FindString(box.sent[0].Text)
		if link == "" {
			t.Fatalf("no link in %q", box.sent[0].Text)
		}
		token := strings.TrimPrefix(link, "https://www.ocpizza.test/password/reset?token=")

		if status, page := post("/password/reset", url.Values{"token": {token}, "password": {"a new password 1"}, "confirm": {"another one 22"}}); status != 422 || !strings.Contains(page, "diffèrent") {
			t.Fatalf("mismatched confirmation: %d", status)
		}
		if status, _ := post("/password/reset", url.Values{"token": {token}, "password": {"a new password 1"}, "confirm": {"a new password 1"}}); status != 200 {
			t.Fatalf("reset: %d", status)
		}
		// The old token of alice's API session is ended, the new password works,
		// and the link works once.
		if status, _ := c.call("GET", "/api/v1/me", "alice", nil); status != 401 {
			t.Fatalf("alice's session survived the reset: %d", status)
		}
		c.must(200, "POST", "/api/v1/auth/token", "", map[string]any{"email": "alice@example.test", "password": "a new password 1"})
		if status, page := post("/password/reset", url.Values{"token": {token}, "password": {"a third password"}, "confirm": {"a third password"}}); status != 404 || !strings.Contains(page, "plus valable") {
			t.Fatalf("second use of the link: %d", status)
		}
		// At most three links an hour per account.
		for range 5 {
			post("/password/forgot", url.Values{"email": {"alice@example.test"}})
		}
		if len(box.got) != 2 {
			t.Fatalf("%d more mails for 5 more requests, want 2 (3 an hour)", len(box.got))
		}
	})
}
