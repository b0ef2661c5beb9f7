package api

import (
	"net/http"

	"github.com/oc-pizza/ocpizza/internal/errs"
	"github.com/oc-pizza/ocpizza/internal/order"
	"github.com/oc-pizza/ocpizza/internal/pizzeria"
	"github.com/oc-pizza/ocpizza/internal/shop"
	"github.com/oc-pizza/ocpizza/internal/wire"
)

type itemJSON struct {
	ProductID int64 `json:"product_id"`
	Quantity  int64 `json:"quantity"`
}

func items(in []itemJSON) []order.Item {
	out := make([]order.Item, len(in))
	for i, it := range in {
		out[i] = order.Item{ProductID: it.ProductID, Quantity: it.Quantity}
	}
	return out
}

func (a *API) placeOrder(w http.ResponseWriter, r *http.Request) {
	var in struct {
		PizzeriaID      int64               `json:"pizzeria_id"`
		Items           []itemJSON          `json:"items"`
		Fulfilment      order.Fulfilment    `json:"fulfilment"`
		DeliveryAddress *pizzeria.Address   `json:"delivery_address"`
		AddressID       int64               `json:"delivery_address_id"`
		PaymentMethod   order.PaymentMethod `json:"payment_method"`
		PaymentSource   string              `json:"payment_source"`
		Channel         order.Channel       `json:"channel"`
		Customer        *wire.Contact       `json:"customer"`
	}
	if err := decode(w, r, &in); err != nil {
		writeError(w, r, err)
		return
	}
	d := order.Draft{PizzeriaID: in.PizzeriaID, Items: items(in.Items), Fulfilment: in.Fulfilment,
		DeliveryAddress: in.DeliveryAddress, PaymentMethod: in.PaymentMethod, Channel: in.Channel}
	if in.Customer != nil {
		d.Contact = order.Contact(*in.Customer)
	}
	o, replayed, err := a.shop.PlaceOrder(r.Context(), actorOf(r), shop.PlaceRequest{Draft: d,
		IdempotencyKey: r.Header.Get("Idempotency-Key"), PaymentSource: in.PaymentSource, AddressID: in.AddressID})
	if err != nil {
		writeError(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/orders/"+itoa(o.ID))
	if replayed {
		w.Header().Set("Idempotent-Replayed", "true")
	}
	status := http.StatusCreated
	if o.Status == order.AwaitingPayment {
		// The payment's outcome is not known yet: the order is confirmed
		// or cancelled within minutes (see shop.Reconcile).
		status = http.StatusAccepted
	}
	writeJSON(w, status, wire.OrderOf(o))
}

func (a *API) getOrder(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		writeError(w, r, err)
		return
	}
	o, err := a.shop.Order(r.Context(), actorOf(r), id)
	reply(w, r, http.StatusOK, wire.OrderOf(o), err)
}

func (a *API) myOrders(w http.ResponseWriter, r *http.Request) {
	orders, err := a.shop.MyOrders(r.Context(), actorOf(r))
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, wire.Orders(orders))
}

func (a *API) modifyItems(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		writeError(w, r, err)
		return
	}
	var in struct {
		Items         []itemJSON `json:"items"`
		PaymentSource string     `json:"payment_source"`
	}
	if err := decode(w, r, &in); err != nil {
		writeError(w, r, err)
		return
	}
	o, err := a.shop.ModifyItems(r.Context(), actorOf(r), id, items(in.Items), in.PaymentSource)
	reply(w, r, http.StatusOK, wire.OrderOf(o), err)
}

func (a *API) cancel(w http.ResponseWriter, r *http.Request) {
	a.moveTo(w, r, order.Cancelled)
}

func (a *API) setStatus(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Status order.Status `json:"status"`
	}
	if err := decode(w, r, &in); err != nil {
		writeError(w, r, err)
		return
	}
	if !in.Status.Valid() {
		writeError(w, r, errs.E(errs.Invalid, "unknown status %q", in.Status))
		return
	}
	a.moveTo(w, r, in.Status)
}

func (a *API) moveTo(w http.ResponseWriter, r *http.Request, to order.Status) {
	id, err := pathID(r, "id")
	if err != nil {
		writeError(w, r, err)
		return
	}
	o, err := a.shop.SetStatus(r.Context(), actorOf(r), id, to)
	reply(w, r, http.StatusOK, wire.OrderOf(o), err)
}

func (a *API) recordPayment(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		writeError(w, r, err)
		return
	}
	var in struct {
		Method string `json:"method"`
	}
	if err := decode(w, r, &in); err != nil {
		writeError(w, r, err)
		return
	}
	o, err := a.shop.RecordPayment(r.Context(), actorOf(r), id, in.Method)
	reply(w, r, http.StatusOK, wire.OrderOf(o), err)
}
