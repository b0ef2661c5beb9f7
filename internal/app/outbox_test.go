package app_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/oc-pizza/ocpizza/internal/notify"
	"github.com/oc-pizza/ocpizza/internal/notify/outbox"
	"github.com/oc-pizza/ocpizza/internal/notify/smtptest"
	"github.com/oc-pizza/ocpizza/internal/order"
)

// TestNotificationsSurviveAnSMTPOutage: customers are told every step of
// their orders; with the mail server down for a while then back, every
// message arrives exactly once.
func TestNotificationsSurviveAnSMTPOutage(t *testing.T) {
	t.Parallel()
	forEngines(t, func(t *testing.T, c *chain) {
		ctx := context.Background()
		smtp := smtptest.Start(t)
		mailer, err := notify.NewMailer("smtp://"+smtp.Addr, "OC Pizza <no-reply@ocpizza.fr>")
		check(t, err)
		quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
		alerts := notify.NewAlerter(nil, "", quiet)
		send := func() { outbox.Send(ctx, c.store, mailer, alerts, quiet) }

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
		real := c.store.Clock()
		c.store.SetClock(func() time.Time { return real().Add(time.Hour) })
		defer c.store.SetClock(real)
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

// TestOutboxBacklogAfterAnOutage: the mail server was down while orders
// came in; back, it gets the newest confirmations first, every message
// once, a batch per connection — and an order placed while the backlog
// drains has its confirmation in the next batch, not behind the backlog.
func TestOutboxBacklogAfterAnOutage(t *testing.T) {
	t.Parallel()
	c := newChain(t, "sqlite")
	ctx := context.Background()
	smtp := smtptest.Start(t)
	mailer, err := notify.NewMailer("smtp://"+smtp.Addr, "OC Pizza <no-reply@ocpizza.fr>")
	check(t, err)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	alerts := notify.NewAlerter(nil, "", quiet)
	send := func() int { return outbox.Send(ctx, c.store, mailer, alerts, quiet) }

	smtp.SetDown(true)
	c.store.SetHoldLimit(order.HoldLimit{}) // two customers stand for sixty
	const orders = 60
	var numbers []string
	for i := range orders {
		who := []string{"alice", "bob"}[i%2]
		o := c.order(who, map[string]any{"fulfilment": "pickup", "delivery_address": nil, "items": []map[string]any{{"product_id": c.pizza, "quantity": 1}}})
		numbers = append(numbers, o["number"].(string))
		if i%3 == 0 {
			c.must(200, "POST", "/api/v1/orders/"+id(o)+"/status", "pizzaiolo", map[string]any{"status": "preparing"})
		}
	}
	send() // refused: the server is down; every message waits its retry
	if len(smtp.Messages()) != 0 || smtp.Sessions() != 0 {
		t.Fatal("sent while down")
	}
	smtp.SetDown(false)
	real := c.store.Clock()
	c.store.SetClock(func() time.Time { return real().Add(time.Hour) })
	defer c.store.SetClock(real)

	if n := send(); n != 20 {
		t.Fatalf("first batch: %d", n)
	}
	first := smtp.Messages()
	for i, m := range first[:15] {
		want := numbers[orders-1-i] + "_confirm" // the subject is Q-encoded
		if !strings.Contains(m.Text(), want) {
			t.Fatalf("message %d of the first batch is not the confirmation of %s:\n%.300s", i, want, m.Data)
		}
	}
	fresh := c.order("alice", map[string]any{"fulfilment": "pickup", "delivery_address": nil})
	if n := send(); n != 20 {
		t.Fatalf("second batch: %d", n)
	}
	if second := smtp.Messages()[20]; !strings.Contains(second.Text(), fresh["number"].(string)+"_confirm") {
		t.Fatalf("the fresh order's confirmation waited behind the backlog: %.300s", second.Data)
	}
	for send() > 0 {
	}
	msgs := smtp.Messages()
	subjects := map[string]int{}
	for _, m := range msgs {
		for _, line := range strings.Split(m.Data, "\r\n") {
			if s, ok := strings.CutPrefix(line, "Subject: "); ok {
				subjects[s]++
			}
		}
	}
	if want := orders + orders/3 + 1; len(msgs) != want || len(subjects) != want {
		t.Fatalf("%d messages, %d subjects, want %d each", len(msgs), len(subjects), want)
	}
	if batches := (len(msgs) + 19) / 20; smtp.Sessions() != batches {
		t.Fatalf("%d connections for %d messages, want one per batch (%d)", smtp.Sessions(), len(msgs), batches)
	}
}
