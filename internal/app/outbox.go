package app

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/oc-pizza/ocpizza/internal/notify"
	"github.com/oc-pizza/ocpizza/internal/store"
)

// outboxBackoff is the wait after the nth failed attempt (capped at the
// last value).
var outboxBackoff = []time.Duration{10 * time.Second, 30 * time.Second, time.Minute, 5 * time.Minute, 15 * time.Minute, time.Hour}

// outboxAlertAfter is how long a notification may wait before the admin
// hears of it.
const outboxAlertAfter = 24 * time.Hour

// SendOutbox delivers the due customer notifications once; run it on a
// ticker. Each is claimed first, so two instances never send the same one.
func SendOutbox(ctx context.Context, st *store.Store, mailer *notify.Mailer, alerts *notify.Alerter, log *slog.Logger) {
	items, err := st.ClaimOutbox(ctx, 20, time.Minute)
	if err != nil {
		log.Warn("outbox: claim", "err", err)
		return
	}
	for _, it := range items {
		err := deliver(ctx, st, mailer, it)
		if err == nil {
			if err := st.OutboxSent(ctx, it.ID); err != nil {
				log.Error("outbox: mark sent", "id", it.ID, "err", err)
			}
			continue
		}
		wait := outboxBackoff[min(it.Attempts, len(outboxBackoff)-1)]
		alert, ferr := st.OutboxFailed(ctx, it.ID, err.Error(), wait, outboxAlertAfter)
		if ferr != nil {
			log.Error("outbox: record failure", "id", it.ID, "err", ferr)
		}
		log.Warn("outbox: not sent, will retry", "id", it.ID, "kind", it.Kind, "in", wait, "err", err)
		if alert {
			alerts.Alert(ctx, "outbox", "customer notifications undelivered for 24 h",
				fmt.Sprintf("Notification %d (%s, order %d, to %s) has not been delivered for 24 hours: %v", it.ID, it.Kind, it.OrderID, it.Recipient, err))
		}
	}
}

func deliver(ctx context.Context, st *store.Store, mailer *notify.Mailer, it store.OutboxItem) error {
	if mailer == nil {
		return notify.ErrNoMailer
	}
	o, err := st.Order(ctx, it.OrderID)
	if err != nil {
		return err
	}
	shop, err := st.Pizzeria(ctx, o.PizzeriaID)
	if err != nil {
		return err
	}
	lang := it.Lang
	if lang == "" && o.CustomerID != 0 {
		if u, err := st.User(ctx, o.CustomerID); err == nil {
			lang = u.Lang
		}
	}
	msg, err := notify.CustomerMessage(it.Kind, lang, o, shop)
	if err != nil {
		return err
	}
	msg.To = it.Recipient
	return mailer.Send(ctx, msg)
}

// runOutbox sends notifications every interval until ctx ends.
func runOutbox(ctx context.Context, st *store.Store, mailer *notify.Mailer, alerts *notify.Alerter, log *slog.Logger, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		SendOutbox(ctx, st, mailer, alerts, log)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
