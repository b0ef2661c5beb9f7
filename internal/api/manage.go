package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/oc-pizza/ocpizza/internal/errs"
	"github.com/oc-pizza/ocpizza/internal/order"
	"github.com/oc-pizza/ocpizza/internal/pizzeria"
	"github.com/oc-pizza/ocpizza/internal/shop"
	"github.com/oc-pizza/ocpizza/internal/stock"
	"github.com/oc-pizza/ocpizza/internal/wire"
)

// registerManage adds the back office's routes: the manager's pizzeria
// (board, stock, menu, hours, staff), the admin's chain (pizzerias,
// catalogue, staff, reports). Each calls the same shop use case as the
// page, so both refuse the same people.
func (a *API) registerManage(mux *http.ServeMux) {
	a.route(mux, "POST /api/v1/pizzerias", a.auth(a.openPizzeria))
	a.route(mux, "GET /api/v1/pizzerias/{id}", a.optionalAuth(a.pizzeria))
	a.route(mux, "PATCH /api/v1/pizzerias/{id}", a.auth(a.updatePizzeria))
	a.route(mux, "POST /api/v1/pizzerias/{id}/closures", a.auth(a.addClosure))
	a.route(mux, "DELETE /api/v1/pizzerias/{id}/closures/{date}", a.auth(a.deleteClosure))
	a.route(mux, "GET /api/v1/pizzerias/{id}/board", a.auth(a.board))
	a.route(mux, "GET /api/v1/board", a.auth(a.chainBoard))
	a.route(mux, "GET /api/v1/pizzerias/{id}/availability", a.auth(a.availability))
	a.route(mux, "PUT /api/v1/pizzerias/{id}/availability/{product}", a.auth(a.setAvailability))
	a.route(mux, "POST /api/v1/pizzerias/{id}/stock/batches", a.auth(a.stockBatch))
	a.route(mux, "GET /api/v1/pizzerias/{id}/stock/movements", a.auth(a.stockHistory))
	a.route(mux, "PUT /api/v1/pizzerias/{id}/stock/{ingredient}/threshold", a.auth(a.setThreshold))
	a.registerCatalog(mux)
	a.registerStaff(mux)
	a.route(mux, "GET /api/v1/reports", a.auth(a.reports))
}

type kitchenJSON struct {
	WarnMinutes int `json:"warn_minutes"`
	LateMinutes int `json:"late_minutes"`
}

// pizzeriaDetailJSON is one pizzeria with its closures and kitchen
// thresholds.
type pizzeriaDetailJSON struct {
	pizzeriaJSON
	Closures []pizzeria.Closure `json:"closures"`
	Kitchen  kitchenJSON        `json:"kitchen"`
}

func pizzeriaDetail(p pizzeria.Pizzeria, now time.Time) pizzeriaDetailJSON {
	closures := p.UpcomingClosures(now)
	if closures == nil {
		closures = []pizzeria.Closure{}
	}
	return pizzeriaDetailJSON{
		pizzeriaJSON: pizzeriaJSON{ID: p.ID, Code: p.Code, Name: p.Name, Address: p.Address, Phone: p.Phone,
			DeliveryPostcodes: p.DeliveryPostcodes, Hours: p.Hours, Active: p.Active, OpenNow: p.OpenAt(now)},
		Closures: closures, Kitchen: kitchenJSON{p.Kitchen.WarnMinutes, p.Kitchen.LateMinutes}}
}

func (a *API) pizzeria(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		writeError(w, r, err)
		return
	}
	p, err := a.shop.Pizzeria(r.Context(), actorOf(r), id)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, pizzeriaDetail(p, time.Now()))
}

func (a *API) openPizzeria(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Code              string           `json:"code"`
		Name              string           `json:"name"`
		Address           pizzeria.Address `json:"address"`
		Phone             string           `json:"phone"`
		Hours             []pizzeria.Hours `json:"hours"`
		DeliveryPostcodes []string         `json:"delivery_postcodes"`
		Kitchen           *kitchenJSON     `json:"kitchen"`
		Active            *bool            `json:"active"`
		StockFrom         int64            `json:"stock_from"`
		Manager           struct {
			Email string `json:"email"`
			Name  string `json:"name"`
		} `json:"manager"`
	}
	if err := decode(w, r, &in); err != nil {
		writeError(w, r, err)
		return
	}
	p := pizzeria.Pizzeria{Code: in.Code, Name: in.Name, Address: in.Address, Phone: in.Phone, Hours: in.Hours,
		DeliveryPostcodes: in.DeliveryPostcodes, Active: in.Active == nil || *in.Active}
	if in.Kitchen != nil {
		p.Kitchen = pizzeria.KitchenSettings{WarnMinutes: in.Kitchen.WarnMinutes, LateMinutes: in.Kitchen.LateMinutes}
	}
	opened, manager, err := a.shop.OpenPizzeria(r.Context(), actorOf(r), shop.NewPizzeria{Pizzeria: p, StockFrom: in.StockFrom,
		ManagerEmail: in.Manager.Email, ManagerName: in.Manager.Name})
	if err != nil {
		writeError(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/pizzerias/"+itoa(opened.ID))
	writeJSON(w, http.StatusCreated, map[string]any{"pizzeria": pizzeriaDetail(opened, time.Now()), "manager": staffOf(manager)})
}

func (a *API) updatePizzeria(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		writeError(w, r, err)
		return
	}
	var in struct {
		Name              *string           `json:"name"`
		Address           *pizzeria.Address `json:"address"`
		Phone             *string           `json:"phone"`
		Active            *bool             `json:"active"`
		Hours             *[]pizzeria.Hours `json:"hours"`
		DeliveryPostcodes *[]string         `json:"delivery_postcodes"`
		Kitchen           *kitchenJSON      `json:"kitchen"`
	}
	if err := decode(w, r, &in); err != nil {
		writeError(w, r, err)
		return
	}
	ch := shop.PizzeriaChange{Name: in.Name, Address: in.Address, Phone: in.Phone, Active: in.Active, Hours: in.Hours, DeliveryPostcodes: in.DeliveryPostcodes}
	if in.Kitchen != nil {
		ch.Kitchen = &pizzeria.KitchenSettings{WarnMinutes: in.Kitchen.WarnMinutes, LateMinutes: in.Kitchen.LateMinutes}
	}
	p, err := a.shop.UpdatePizzeria(r.Context(), actorOf(r), id, ch)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, pizzeriaDetail(p, time.Now()))
}

func (a *API) addClosure(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		writeError(w, r, err)
		return
	}
	var in pizzeria.Closure
	if err := decode(w, r, &in); err != nil {
		writeError(w, r, err)
		return
	}
	c, err := a.shop.SetClosure(r.Context(), actorOf(r), id, in)
	reply(w, r, http.StatusCreated, c, err)
}

func (a *API) deleteClosure(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		writeError(w, r, err)
		return
	}
	if err := a.shop.DeleteClosure(r.Context(), actorOf(r), id, r.PathValue("date")); err != nil {
		writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// boardOrderJSON is an order as a board lists it.
type boardOrderJSON struct {
	ID         int64            `json:"id"`
	Number     string           `json:"number"`
	Status     order.Status     `json:"status"`
	Fulfilment order.Fulfilment `json:"fulfilment"`
	Customer   string           `json:"customer"`
	TotalCents int64            `json:"total_cents"`
	CreatedAt  time.Time        `json:"created_at"`
	PromisedAt time.Time        `json:"promised_at"`
	Late       bool             `json:"late"`
}

type boardJSON struct {
	PizzeriaID  int64                `json:"pizzeria_id"`
	Name        string               `json:"name"`
	At          time.Time            `json:"at"`
	Counts      map[order.Status]int `json:"counts"`
	Late        int                  `json:"late"`
	TodayOrders int64                `json:"today_orders"`
	TodayCents  int64                `json:"today_cents"`
	Orders      []boardOrderJSON     `json:"orders"`
	StockAlerts []wire.Level         `json:"stock_alerts"`
}

func boardOf(b shop.Board) boardJSON {
	out := boardJSON{PizzeriaID: b.Pizzeria.ID, Name: b.Pizzeria.Name, At: b.At, Counts: b.Counts, Late: b.Late,
		TodayOrders: b.Today.Orders, TodayCents: b.Today.Cents, Orders: []boardOrderJSON{}, StockAlerts: wire.Levels(b.Alerts)}
	for _, o := range b.Orders {
		out.Orders = append(out.Orders, boardOrderJSON{ID: o.ID, Number: o.Number, Status: o.Status, Fulfilment: o.Fulfilment,
			Customer: o.Contact.Name, TotalCents: o.TotalCents, CreatedAt: o.CreatedAt, PromisedAt: o.PromisedAt(), Late: o.LateAt(b.At)})
	}
	return out
}

func (a *API) board(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		writeError(w, r, err)
		return
	}
	b, err := a.shop.Board(r.Context(), actorOf(r), id)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, boardOf(b))
}

func (a *API) chainBoard(w http.ResponseWriter, r *http.Request) {
	boards, err := a.shop.ChainBoard(r.Context(), actorOf(r))
	if err != nil {
		writeError(w, r, err)
		return
	}
	out := make([]boardJSON, len(boards))
	for i, b := range boards {
		out[i] = boardOf(b)
	}
	writeJSON(w, http.StatusOK, out)
}

type availabilityJSON struct {
	ProductID  int64      `json:"product_id"`
	Name       string     `json:"name"`
	Category   string     `json:"category"`
	PriceCents int64      `json:"price_cents"`
	Makeable   int64      `json:"makeable"`
	OnMenu     bool       `json:"on_menu"`
	Reason     string     `json:"reason,omitempty"`
	Since      *time.Time `json:"since,omitempty"`
}

func availabilityOf(av shop.Availability) availabilityJSON {
	out := availabilityJSON{ProductID: av.Product.ID, Name: av.Product.Name, Category: string(av.Product.Category),
		PriceCents: av.Product.PriceCents, Makeable: av.Makeable, OnMenu: av.OffMenu == nil}
	if o := av.OffMenu; o != nil {
		out.Reason, out.Since = o.Reason, &o.At
	}
	return out
}

func (a *API) availability(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		writeError(w, r, err)
		return
	}
	list, err := a.shop.Availability(r.Context(), actorOf(r), id)
	if err != nil {
		writeError(w, r, err)
		return
	}
	out := make([]availabilityJSON, len(list))
	for i, av := range list {
		out[i] = availabilityOf(av)
	}
	writeJSON(w, http.StatusOK, out)
}

func (a *API) setAvailability(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		writeError(w, r, err)
		return
	}
	product, err := pathID(r, "product")
	if err != nil {
		writeError(w, r, err)
		return
	}
	var in struct {
		OnMenu *bool  `json:"on_menu"`
		Reason string `json:"reason"`
	}
	if err := decode(w, r, &in); err != nil {
		writeError(w, r, err)
		return
	}
	if in.OnMenu == nil {
		writeError(w, r, errs.E(errs.Invalid, "say on_menu: true or false"))
		return
	}
	actor := actorOf(r)
	if err := a.shop.SetOnMenu(r.Context(), actor, id, product, *in.OnMenu, in.Reason); err != nil {
		writeError(w, r, err)
		return
	}
	list, err := a.shop.Availability(r.Context(), actor, id)
	if err != nil {
		writeError(w, r, err)
		return
	}
	for _, av := range list {
		if av.Product.ID == product {
			writeJSON(w, http.StatusOK, availabilityOf(av))
			return
		}
	}
	writeError(w, r, errs.E(errs.NotFound, "no product %d on the menu", product))
}

func (a *API) stockBatch(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		writeError(w, r, err)
		return
	}
	var in struct {
		Reason stock.Reason      `json:"reason"`
		Note   string            `json:"note"`
		Lines  []stock.BatchLine `json:"lines"`
	}
	if err := decode(w, r, &in); err != nil {
		writeError(w, r, err)
		return
	}
	levels, err := a.shop.RecordBatch(r.Context(), actorOf(r), id, stock.Batch{Reason: in.Reason, Note: in.Note, Lines: in.Lines})
	reply(w, r, http.StatusCreated, wire.Levels(levels), err)
}

type movementJSON struct {
	ID           int64        `json:"id"`
	IngredientID int64        `json:"ingredient_id"`
	Ingredient   string       `json:"ingredient"`
	Unit         string       `json:"unit"`
	Reason       stock.Reason `json:"reason"`
	Delta        int64        `json:"delta"`
	OrderID      int64        `json:"order_id,omitempty"`
	OrderNumber  string       `json:"order_number,omitempty"`
	ByUserID     int64        `json:"by_user_id,omitempty"`
	By           string       `json:"by"`
	Note         string       `json:"note,omitempty"`
	At           time.Time    `json:"at"`
}

func (a *API) stockHistory(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		writeError(w, r, err)
		return
	}
	q := r.URL.Query()
	before, _ := strconv.ParseInt(q.Get("before"), 10, 64)
	limit, _ := strconv.Atoi(q.Get("limit"))
	var ingredient int64
	if v := q.Get("ingredient"); v != "" {
		if ingredient, err = strconv.ParseInt(v, 10, 64); err != nil || ingredient <= 0 {
			writeError(w, r, errs.E(errs.Invalid, "ingredient must be an ingredient's id").With("field", "ingredient"))
			return
		}
	}
	ms, err := a.shop.Movements(r.Context(), actorOf(r), id, ingredient, before, limit)
	if err != nil {
		writeError(w, r, err)
		return
	}
	out := make([]movementJSON, len(ms))
	for i, m := range ms {
		out[i] = movementJSON{ID: m.ID, IngredientID: m.IngredientID, Ingredient: m.Ingredient, Unit: string(m.Unit), Reason: m.Reason,
			Delta: m.Delta, OrderID: m.OrderID, OrderNumber: m.OrderNumber, ByUserID: m.ByUserID, By: m.ByName, Note: m.Note, At: m.At}
	}
	writeJSON(w, http.StatusOK, out)
}

func (a *API) setThreshold(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		writeError(w, r, err)
		return
	}
	ingredient, err := pathID(r, "ingredient")
	if err != nil {
		writeError(w, r, err)
		return
	}
	var in struct {
		LowThreshold *int64 `json:"low_threshold"`
	}
	if err := decode(w, r, &in); err != nil {
		writeError(w, r, err)
		return
	}
	if in.LowThreshold == nil {
		writeError(w, r, errs.E(errs.Invalid, "give low_threshold"))
		return
	}
	if err := a.shop.SetThreshold(r.Context(), actorOf(r), id, ingredient, *in.LowThreshold); err != nil {
		writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
