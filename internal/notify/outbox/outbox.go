// Package outbox sends what waits in the database's outbox: customers'
// notifications and managers' low-stock mails, claimed so that two
// instances never send one twice, retried with backoff, and the admin
// alerted of one that waits a day.
package outbox

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/oc-pizza/ocpizza/internal/notify"
	"github.com/oc-pizza/ocpizza/internal/store"
)

// backoff is the wait after the nth failed attempt (capped at the
// last value).
var backoff = []time.Duration{10 * time.Second, 30 * time.Second, time.Minute, 5 * time.Minute, 15 * time.Minute, time.Hour}

// alertAfter is how long a notification may wait before the admin
// hears of it.
const alertAfter = 24 * time.Hour

// batchSize is how many notifications one round sends, on one SMTP
// connection.
const batchSize = 20

// Send delivers the due customer notifications once, a batch on one
// connection; run it on a ticker. Each is claimed first, so two instances
// never send the same one. It returns how many it claimed: a full batch
// means more are due.
func Send(ctx context.Context, st *store.Store, mailer *notify.Mailer, alerts *notify.Alerter, log *slog.Logger) int {
	items, err := st.ClaimOutbox(ctx, batchSize, time.Minute)
	if err != nil {
		log.Warn("outbox: claim", "err", err)
		return 0
	}
	var sess *notify.Session
	var refused error // the server refused the connection: the batch waits
	defer func() {
		if sess != nil {
			sess.Close()
		}
	}()
	send := func(msg notify.Message) error {
		if mailer == nil {
			return notify.ErrNoMailer
		}
		if refused != nil {
			return refused
		}
		if sess != nil && !sess.Usable() {
			sess.Close()
			sess = nil
		}
		if sess == nil {
			if sess, refused = mailer.Open(ctx); refused != nil {
				sess = nil
				return refused
			}
		}
		return sess.Send(msg)
	}
	for _, it := range items {
		msg, err := render(ctx, st, it)
		if err == nil {
			err = send(msg)
		}
		if err == nil {
			if err := st.OutboxSent(ctx, it.ID); err != nil {
				log.Error("outbox: mark sent", "id", it.ID, "err", err)
			}
			continue
		}
		wait := backoff[min(it.Attempts, len(backoff)-1)]
		alert, ferr := st.OutboxFailed(ctx, it.ID, err.Error(), wait, alertAfter)
		if ferr != nil {
			log.Error("outbox: record failure", "id", it.ID, "err", ferr)
		}
		log.Warn("outbox: not sent, will retry", "id", it.ID, "kind", it.Kind, "in", wait, "err", err)
		if alert {
			alerts.Alert(ctx, "outbox", "customer notifications undelivered for 24 h",
				fmt.Sprintf("Notification %d (%s, order %d, to %s) has not been delivered for 24 hours: %v", it.ID, it.Kind, it.OrderID, it.Recipient, err))
		}
	}
	return len(items)
}

// render writes a notification's message.
func render(ctx context.Context, st *store.Store, it store.OutboxItem) (notify.Message, error) {
	if it.Kind == "low_stock" {
		return renderLowStock(ctx, st, it)
	}
	o, err := st.Order(ctx, it.OrderID)
	if err != nil {
		return notify.Message{}, err
	}
	shop, err := st.Pizzeria(ctx, o.PizzeriaID)
	if err != nil {
		return notify.Message{}, err
	}
	lang := it.Lang
	if lang == "" && o.CustomerID != 0 {
		if u, err := st.User(ctx, o.CustomerID); err == nil {
			lang = u.Lang
		}
	}
	msg, err := notify.CustomerMessage(it.Kind, lang, o, shop)
	msg.To = it.Recipient
	return msg, err
}

// renderLowStock tells a manager a level ran low, with the level as it
// is when the mail leaves.
func renderLowStock(ctx context.Context, st *store.Store, it store.OutboxItem) (notify.Message, error) {
	shop, err := st.Pizzeria(ctx, it.PizzeriaID)
	if err != nil {
		return notify.Message{}, err
	}
	levels, err := st.LevelsOf(ctx, it.PizzeriaID, []int64{it.IngredientID})
	if err != nil {
		return notify.Message{}, err
	}
	if len(levels) == 0 {
		return notify.Message{}, fmt.Errorf("no stock level of ingredient %d in pizzeria %d", it.IngredientID, it.PizzeriaID)
	}
	return notify.LowStockMessage(it.Lang, it.Recipient, shop, levels[0]), nil
}

// Run sends notifications every interval until ctx ends.
func Run(ctx context.Context, st *store.Store, mailer *notify.Mailer, alerts *notify.Alerter, log *slog.Logger, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		for Send(ctx, st, mailer, alerts, log) == batchSize && ctx.Err() == nil {
			// More are due: send them now rather than a batch a tick.
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
