package api

import (
	"encoding/json"
	"io"
	"net/http"

	"github.com/oc-pizza/ocpizza/internal/errs"
	"github.com/oc-pizza/ocpizza/internal/square"
)

// SquareWebhook configures POST /webhooks/square: the signature key and
// the public notification URL that Square signs.
type SquareWebhook struct {
	SignatureKey    string
	NotificationURL string
}

// RegisterSquareWebhook adds the notification endpoint.
func (a *API) RegisterSquareWebhook(mux *http.ServeMux, cfg SquareWebhook) {
	mux.HandleFunc("POST /webhooks/square", func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxJSONBody))
		if err != nil {
			writeError(w, r, decodeError(err))
			return
		}
		if !square.ValidSignature(cfg.SignatureKey, cfg.NotificationURL, body, r.Header.Get("x-square-hmacsha256-signature")) {
			writeError(w, r, errs.E(errs.Unauthorized, "invalid or missing signature"))
			return
		}
		var n struct {
			EventID string `json:"event_id"`
			Type    string `json:"type"`
			Data    struct {
				Type   string `json:"type"`
				Object struct {
					Payment *struct {
						ID     string `json:"id"`
						Status string `json:"status"`
					} `json:"payment"`
					Refund *struct {
						ID        string `json:"id"`
						Status    string `json:"status"`
						PaymentID string `json:"payment_id"`
					} `json:"refund"`
				} `json:"object"`
			} `json:"data"`
		}
		if err := json.Unmarshal(body, &n); err != nil || n.EventID == "" {
			writeError(w, r, errs.E(errs.Malformed, "not a Square notification"))
			return
		}
		fresh, err := a.shop.Store.RecordWebhookEvent(r.Context(), n.EventID, n.Type)
		if err != nil {
			writeError(w, r, err)
			return
		}
		if fresh {
			obj := n.Data.Object
			switch {
			case n.Type == "refund.updated" && obj.Refund != nil:
				err = a.shop.PaymentEvent(r.Context(), obj.Refund.PaymentID, "refund", obj.Refund.Status)
			case n.Type == "payment.updated" && obj.Payment != nil:
				err = a.shop.PaymentEvent(r.Context(), obj.Payment.ID, "payment", obj.Payment.Status)
			}
			if err != nil {
				writeError(w, r, err) // Square retries a failed delivery
				return
			}
		}
		writeJSON(w, http.StatusOK, map[string]any{"received": true, "repeat": !fresh})
	})
}
