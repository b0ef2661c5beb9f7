package app_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/oc-pizza/ocpizza/internal/app"
	"github.com/oc-pizza/ocpizza/internal/notify"
	"github.com/oc-pizza/ocpizza/internal/notify/smtptest"
)

// TestNotificationsSurviveAnSMTPOutage: customers are told every step of
// their orders; with the mail server down for a while then back, every
// message arrives exactly once.
func TestNotificationsSurviveAnSMTPOutage(t *testing.T) {
	forEngines(t, func(t *testing.T, c *chain) {
		ctx := context.Background()
		smtp := smtptest.Start(t)
		mailer, err := notify.NewMailer("smtp://"+smtp.Addr, "OC Pizza <no-reply@ocpizza.fr>")
		check(t, err)
		quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
		alerts := notify.NewAlerter(nil, "", quiet)
		send := func() { app.SendOutbox(ctx, c.store, mailer, alerts, quiet) }

		smtp.SetDown(true)
		delivery := c.order("alice", nil)
		for _, step := range []struct{ who, status string }{{"pizzaiolo", "preparing"}, {"pizzaiolo", "ready"}, {"driver", "out_for_delivery"}, {"driver", "delivered"}} {
			c.must(200, "POST", "/api/v1/orders/"+id(delivery)+"/status", step.who, map[string]any{"status": step.status})
		}
		pickup := c.order("alice", map[string]any{"fulfilment": "pickup", "delivery_address": nil})
		c.must(200, "POST", "/api/v1/orders/"+id(pickup)+"/status", "pizzaiolo", map[string]any{"status": "preparing"})
		c.must(200, "POST", "/api/v1/orders/"+id(pickup)+"/status", "pizzaiolo", map[string]any{"status": "ready"})
		cancelled := c.order("bob", nil)
		c.must(200, "POST", "/api/v1/orders/"+id(cancelled)+"/cancel", "bob", nil)
		// Staff-entered orders without an e-mail send nothing.
		c.order("counter", map[string]any{"channel": "phone", "fulfilment": "pickup", "delivery_address": nil,
			"customer": map[string]any{"name": "Jean", "phone": "0478"}})

		for i := 0; i < 3; i++ {
			send()
		}
		if n := len(smtp.Messages()); n != 0 {
			t.Fatalf("%d messages while the server was down", n)
		}
		smtp.SetDown(false)
		send() // still waiting for the retry time
		real := c.store.Now
		c.store.Now = func() time.Time { return real().Add(time.Hour) }
		defer func() { c.store.Now = real }()
		send()
		send()
		msgs := smtp.Messages()
		subjects := map[string]int{}
		for _, m := range msgs {
			for _, line := range strings.Split(m.Data, "\r\n") {
				if s, ok := strings.CutPrefix(line, "Subject: "); ok {
					subjects[s]++
				}
			}
		}
		want := []string{"confirm", "pr=C3=A9paration", "en route", "livr=C3=A9e", "pr=C3=AAte", "annul=C3=A9e"}
		if len(msgs) != 9 {
			t.Fatalf("%d messages, want 9 (4 delivery, 3 pickup, 2 cancelled): %v", len(msgs), subjects)
		}
		for subject, n := range subjects {
			if n != 1 {
				t.Errorf("%q sent %d times", subject, n)
			}
		}
		all := ""
		for s := range subjects {
			all += s + "\n"
		}
		for _, w := range want {
			if !strings.Contains(all, w) {
				t.Errorf("no message about %q among:\n%s", w, all)
			}
		}
	})
}
