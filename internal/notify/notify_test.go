package notify

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/oc-pizza/ocpizza/internal/notify/smtptest"
)

func TestMailerSendsTextAndHTML(t *testing.T) {
	srv := smtptest.Start(t)
	m, err := NewMailer("smtp://"+srv.Addr, "OC Pizza <no-reply@ocpizza.fr>")
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Ping(context.Background()); err != nil {
		t.Fatal(err)
	}
	err = m.Send(context.Background(), Message{To: "marie@example.fr", Subject: "Votre commande est prête ✓", Text: "Bonjour Marie,\nà tout de suite.", HTML: "<p>Bonjour Marie</p>"})
	if err != nil {
		t.Fatal(err)
	}
	msgs := srv.Messages()
	if len(msgs) != 1 || msgs[0].From != "no-reply@ocpizza.fr" || msgs[0].To[0] != "marie@example.fr" {
		t.Fatalf("got %+v", msgs)
	}
	d := msgs[0].Data
	for _, want := range []string{"multipart/alternative", "text/plain; charset=utf-8", "text/html", "Subject: =?utf-8?q?Votre_commande_est_pr=C3=AAte", "Bonjour Marie,"} {
		if !strings.Contains(d, want) {
			t.Errorf("message lacks %q:\n%s", want, d)
		}
	}
	if _, err := NewMailer("http://x", "a@b.fr"); err == nil {
		t.Error("a non-SMTP URL was accepted")
	}
}

func TestAlerterRateLimits(t *testing.T) {
	srv := smtptest.Start(t)
	m, _ := NewMailer("smtp://"+srv.Addr, "alerts@ocpizza.fr")
	a := NewAlerter(m, "admin@ocpizza.fr", slog.New(slog.NewTextHandler(io.Discard, nil)))
	now := time.Date(2026, 11, 28, 20, 0, 0, 0, time.UTC)
	a.now = func() time.Time { return now }
	ctx := context.Background()
	sent := 0
	for i := 0; i < 1000; i++ {
		if ok, _ := a.Alert(ctx, "5xx", "Errors", "500s"); ok {
			sent++
		}
	}
	if ok, _ := a.Alert(ctx, "disk", "Disk", "90 %"); ok {
		sent++
	}
	if sent != 2 {
		t.Fatalf("sent %d mails for 1001 alerts of two kinds, want 2", sent)
	}
	now = now.Add(16 * time.Minute)
	if ok, _ := a.Alert(ctx, "5xx", "Errors", "500s"); !ok {
		t.Fatal("no mail after the interval")
	}
	msgs := srv.Messages()
	if len(msgs) != 3 || !strings.Contains(msgs[2].Text(), "999 similar alerts were held back") {
		t.Fatalf("%d messages; last: %s", len(msgs), msgs[len(msgs)-1].Data)
	}
	srv.SetDown(true)
	now = now.Add(time.Hour)
	if ok, err := a.Alert(ctx, "5xx", "Errors", "500s"); ok || err == nil {
		t.Fatal("a refused mail was reported sent")
	}
}
