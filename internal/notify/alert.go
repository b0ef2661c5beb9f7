package notify

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// Alerter mails the administrator about incidents, at most once per kind
// per interval: an outage sends a few mails, not thousands. Alerts held back
// are counted and mentioned in the next mail of their kind.
type Alerter struct {
	Mailer *Mailer // nil: alerts are only logged
	To     string
	Every  time.Duration
	Log    *slog.Logger
	mu     sync.Mutex
	last   map[string]time.Time
	held   map[string]int
	now    func() time.Time
}

// NewAlerter returns an alerter; mailer may be nil.
func NewAlerter(m *Mailer, to string, log *slog.Logger) *Alerter {
	return &Alerter{Mailer: m, To: to, Every: 15 * time.Minute, Log: log, last: map[string]time.Time{}, held: map[string]int{}, now: time.Now}
}

// Alert logs an incident and, unless one of its kind was mailed within
// Every, mails it. It reports whether a mail was sent. It does not block on
// SMTP for longer than the mailer's timeout.
func (a *Alerter) Alert(ctx context.Context, kind, subject, body string) (bool, error) {
	a.Log.Error("alert", "kind", kind, "subject", subject)
	a.mu.Lock()
	now := a.now()
	if t, ok := a.last[kind]; ok && now.Sub(t) < a.Every {
		a.held[kind]++
		a.mu.Unlock()
		return false, nil
	}
	held := a.held[kind]
	a.last[kind], a.held[kind] = now, 0
	a.mu.Unlock()
	if a.Mailer == nil || a.To == "" {
		return false, nil
	}
	if held > 0 {
		body += fmt.Sprintf("\n\n(%d similar alerts were held back since the previous mail.)", held)
	}
	err := a.Mailer.Send(ctx, Message{To: a.To, Subject: "[OC Pizza] " + subject, Text: body})
	if err != nil {
		a.Log.Error("alert mail not sent", "kind", kind, "err", err)
		return false, err
	}
	return true, nil
}
