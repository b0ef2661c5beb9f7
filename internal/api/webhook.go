package api

import (
	"encoding/json"
	"io"
	"net/http"

	"github.com/oc-pizza/ocpizza/internal/errs"
	"github.com/oc-pizza/ocpizza/internal/shop"
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
		n, err := decodeSquareNotice(body)
		if err != nil {
			writeError(w, r, err)
			return
		}
		// The event is recorded with its effect, in one transaction: a
		// failure answers 5xx and Square delivers it again.
		repeat, err := a.shop.PaymentEvent(r.Context(), n)
		if err != nil {
			writeError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"received": true, "repeat": repeat})
	})
}

// decodeSquareNotice reads the parts of a Square notification the shop
// uses.
func decodeSquareNotice(body []byte) (shop.PaymentNotice, error) {
	var n struct {
		EventID string `json:"event_id"`
		Type    string `json:"type"`
		Data    struct {
			Object struct {
				Payment *struct {
					ID          string `json:"id"`
					Status      string `json:"status"`
					ReferenceID string `json:"reference_id"`
					AmountMoney struct {
						Amount int64 `json:"amount"`
					} `json:"amount_money"`
				} `json:"payment"`
				Refund *struct {
					ID        string `json:"id"`
					Status    string `json:"status"`
					PaymentID string `json:"payment_id"`
				} `json:"refund"`
			} `json:"object"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &n); err != nil || n.EventID == "" || len(n.EventID) > 100 || len(n.Type) > 64 {
		return shop.PaymentNotice{}, errs.E(errs.Malformed, "not a Square notification")
	}
	out := shop.PaymentNotice{EventID: n.EventID, Type: n.Type}
	if p := n.Data.Object.Payment; p != nil {
		out.PaymentID, out.PaymentStatus, out.Reference, out.AmountCents = p.ID, p.Status, p.ReferenceID, p.AmountMoney.Amount
	}
	if r := n.Data.Object.Refund; r != nil {
		out.RefundID, out.RefundStatus, out.RefundPaymentID = r.ID, r.Status, r.PaymentID
	}
	return out, nil
}
