// Package api serves the JSON API v1, the public contract used by the
// website's scripts, the staff screens and other clients. Every route is
// listed in routes; every error has the shape {"error":{"code","message"}}.
package api

import (
	"context"
	_ "embed"
	"net/http"
	"strings"
	"time"

	"github.com/oc-pizza/ocpizza/internal/account"
	"github.com/oc-pizza/ocpizza/internal/errs"
	"github.com/oc-pizza/ocpizza/internal/event"
	"github.com/oc-pizza/ocpizza/internal/order"
	"github.com/oc-pizza/ocpizza/internal/pizzeria"
	"github.com/oc-pizza/ocpizza/internal/shop"
	"github.com/oc-pizza/ocpizza/internal/stock"
	"github.com/oc-pizza/ocpizza/internal/wire"
)

// API holds what the handlers need.
type API struct {
	shop   *shop.Shop
	events *event.Broker
	// patterns are the routes Register added.
	patterns []string
	// Heartbeat is how often an idle event stream gets a comment line, so
	// proxies keep it open.
	Heartbeat time.Duration
}

// New returns the API over a shop.
func New(s *shop.Shop, events *event.Broker) *API {
	return &API{shop: s, events: events, Heartbeat: 15 * time.Second}
}

//go:embed openapi.json
var openapiDoc []byte

// Register adds the API's routes to mux.
func (a *API) Register(mux *http.ServeMux) {
	a.route(mux, "GET /api/v1/openapi.json", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(openapiDoc)
	}))
	a.route(mux, "POST /api/v1/auth/token", http.HandlerFunc(a.signIn))
	a.route(mux, "DELETE /api/v1/auth/token", a.auth(a.signOut))
	a.route(mux, "GET /api/v1/me", a.auth(a.me))
	a.route(mux, "GET /api/v1/me/addresses", a.auth(a.addresses))
	a.route(mux, "POST /api/v1/me/addresses", a.auth(a.saveAddress))
	a.route(mux, "DELETE /api/v1/me/addresses/{id}", a.auth(a.deleteAddress))
	a.route(mux, "POST /api/v1/customers", http.HandlerFunc(a.signUp))
	a.route(mux, "GET /api/v1/pizzerias", a.optionalAuth(a.pizzerias))
	a.route(mux, "GET /api/v1/pizzerias/{id}/menu", a.optionalAuth(a.menu))
	a.route(mux, "GET /api/v1/delivery", http.HandlerFunc(a.delivery))
	a.route(mux, "GET /api/v1/products/{id}/recipe", a.auth(a.recipe))
	a.route(mux, "POST /api/v1/orders", a.auth(a.placeOrder))
	a.route(mux, "GET /api/v1/orders", a.auth(a.myOrders))
	a.route(mux, "GET /api/v1/orders/{id}", a.auth(a.getOrder))
	a.route(mux, "PUT /api/v1/orders/{id}/items", a.auth(a.modifyItems))
	a.route(mux, "POST /api/v1/orders/{id}/cancel", a.auth(a.cancel))
	a.route(mux, "POST /api/v1/orders/{id}/status", a.auth(a.setStatus))
	a.route(mux, "POST /api/v1/orders/{id}/payment", a.auth(a.recordPayment))
	a.route(mux, "GET /api/v1/orders/{id}/events", a.auth(a.orderEvents))
	a.route(mux, "GET /api/v1/pizzerias/{id}/orders", a.auth(a.pizzeriaOrders))
	a.route(mux, "GET /api/v1/pizzerias/{id}/stock", a.auth(a.stock))
	a.route(mux, "POST /api/v1/pizzerias/{id}/stock/movements", a.auth(a.stockMovement))
	a.route(mux, "GET /api/v1/pizzerias/{id}/events", a.auth(a.pizzeriaEvents))
	a.registerManage(mux)
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		if allow := allowed(mux, r); len(allow) > 0 {
			w.Header().Set("Allow", strings.Join(allow, ", "))
			writeError(w, r, errs.E(errs.MethodNotAllowed, "%s %s is not allowed: use %s", r.Method, r.URL.Path, strings.Join(allow, ", ")))
			return
		}
		writeError(w, r, errs.E(errs.NotFound, "no API route %s %s", r.Method, r.URL.Path))
	})
}

// allowed lists the methods routed for r's path. The catch-all "/api/"
// matches every method, so the mux never answers 405 by itself: ask it
// method by method instead.
func allowed(mux *http.ServeMux, r *http.Request) []string {
	var out []string
	for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, pattern := mux.Handler(probe); pattern != "" && pattern != "/api/" {
			out = append(out, m)
		}
	}
	return out
}

// Patterns lists the routes Register added, "METHOD /path" as given to
// the mux: the authorization matrix test walks them all.
func (a *API) Patterns() []string { return append([]string(nil), a.patterns...) }

// route registers one API route and remembers its pattern, so a test can
// check the OpenAPI document against the real routes.
func (a *API) route(mux *http.ServeMux, pattern string, h http.Handler) {
	a.patterns = append(a.patterns, pattern)
	mux.Handle(pattern, h)
}

type actorKey struct{}

func actorOf(r *http.Request) account.Actor {
	a, _ := r.Context().Value(actorKey{}).(account.Actor)
	return a
}

// bearer returns the token of an Authorization header. The scheme is
// case-insensitive (RFC 9110, section 11.1).
func bearer(r *http.Request) (string, bool) {
	scheme, token, ok := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	return strings.TrimSpace(token), true
}

// private marks a response as personal: no cache (browser, proxy) keeps
// it.
func private(w http.ResponseWriter) {
	w.Header().Set("Cache-Control", "no-store")
}

// auth requires a valid bearer token and puts its actor in the context.
func (a *API) auth(h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		private(w)
		token, ok := bearer(r)
		if !ok {
			w.Header().Set("WWW-Authenticate", `Bearer realm="ocpizza"`)
			writeError(w, r, errs.E(errs.Unauthorized, "sign in first: send Authorization: Bearer <token>"))
			return
		}
		actor, err := a.shop.Authenticate(r.Context(), token)
		if err != nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="ocpizza", error="invalid_token"`)
			writeError(w, r, err)
			return
		}
		h(w, r.WithContext(context.WithValue(r.Context(), actorKey{}, actor)))
	})
}

// optionalAuth reads a token if one is sent; anonymous otherwise.
func (a *API) optionalAuth(h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := bearer(r); ok {
			a.auth(h).ServeHTTP(w, r)
			return
		}
		h(w, r)
	})
}

// userJSON is a user as the API shows it.
type userJSON struct {
	ID    int64           `json:"id"`
	Email string          `json:"email"`
	Name  string          `json:"name"`
	Phone string          `json:"phone"`
	Lang  string          `json:"lang"`
	Roles []account.Grant `json:"roles"`
}

func userOf(u account.User) userJSON {
	roles := u.Grants
	if roles == nil {
		roles = []account.Grant{}
	}
	return userJSON{ID: u.ID, Email: u.Email, Name: u.Name, Phone: u.Phone, Lang: u.Lang, Roles: roles}
}

func (a *API) signIn(w http.ResponseWriter, r *http.Request) {
	private(w)
	var in struct {
		Email    string `json:"email"`
		Password string `json:"password"`
	}
	if err := decode(w, r, &in); err != nil {
		writeError(w, r, err)
		return
	}
	token, u, err := a.shop.SignIn(r.Context(), in.Email, in.Password, ClientIP(r))
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"token": token, "token_type": "Bearer",
		"expires_in": int(shop.SessionTTL.Seconds()), "user": userOf(u)})
}

func (a *API) signOut(w http.ResponseWriter, r *http.Request) {
	token, _ := bearer(r)
	if err := a.shop.SignOut(r.Context(), token); err != nil {
		writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) me(w http.ResponseWriter, r *http.Request) {
	u, err := a.shop.Store.User(r.Context(), actorOf(r).UserID)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, userOf(u))
}

func (a *API) signUp(w http.ResponseWriter, r *http.Request) {
	private(w)
	var in struct {
		Email    string `json:"email"`
		Password string `json:"password"`
		Name     string `json:"name"`
		Phone    string `json:"phone"`
		Lang     string `json:"lang"`
	}
	if err := decode(w, r, &in); err != nil {
		writeError(w, r, err)
		return
	}
	_, err := a.shop.SignUp(r.Context(), account.NewCustomer{Email: in.Email, Password: in.Password, Name: in.Name, Phone: in.Phone, Lang: in.Lang}, ClientIP(r))
	if err != nil && !errs.Is(err, errs.EmailTaken) {
		writeError(w, r, err)
		return
	}
	// A new account and an e-mail that already has one get the same
	// answer, so sign-up does not tell who is a customer: the client signs
	// in next, with the password it chose.
	writeJSON(w, http.StatusAccepted, map[string]string{"status": "accepted",
		"message": "if this e-mail address had no account, it has one now: sign in with it"})
}

// pizzeriaJSON is a pizzeria as the API shows it.
type pizzeriaJSON struct {
	ID                int64            `json:"id"`
	Code              string           `json:"code"`
	Name              string           `json:"name"`
	Address           pizzeria.Address `json:"address"`
	Phone             string           `json:"phone"`
	DeliveryPostcodes []string         `json:"delivery_postcodes"`
	Hours             []pizzeria.Hours `json:"hours"`
	Active            bool             `json:"active"`
	OpenNow           bool             `json:"open_now"`
}

func (a *API) pizzerias(w http.ResponseWriter, r *http.Request) {
	ps, err := a.shop.Pizzerias(r.Context(), actorOf(r))
	if err != nil {
		writeError(w, r, err)
		return
	}
	now := time.Now()
	out := make([]pizzeriaJSON, len(ps))
	for i, p := range ps {
		out[i] = pizzeriaJSON{ID: p.ID, Code: p.Code, Name: p.Name, Address: p.Address, Phone: p.Phone,
			DeliveryPostcodes: p.DeliveryPostcodes, Hours: p.Hours, Active: p.Active, OpenNow: p.OpenAt(now)}
	}
	writeJSON(w, http.StatusOK, out)
}

func (a *API) menu(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		writeError(w, r, err)
		return
	}
	body, err := a.shop.MenuJSON(r.Context(), actorOf(r), id)
	if err != nil {
		writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Write(body)
}

func (a *API) recipe(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		writeError(w, r, err)
		return
	}
	p, err := a.shop.Recipe(r.Context(), actorOf(r), id)
	if err != nil {
		writeError(w, r, err)
		return
	}
	type line struct {
		IngredientID int64  `json:"ingredient_id"`
		Name         string `json:"name"`
		Quantity     int64  `json:"quantity"`
		Unit         string `json:"unit"`
	}
	lines := make([]line, len(p.Recipe))
	for i, l := range p.Recipe {
		lines[i] = line{l.IngredientID, l.Name, l.Quantity, string(l.Unit)}
	}
	steps := p.Steps
	if steps == nil {
		steps = []string{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"product_id": p.ID, "name": p.Name, "category": p.Category, "ingredients": lines,
		"steps": steps, "bake_seconds": p.BakeSeconds, "bake_celsius": p.BakeCelsius, "memo": p.Memo})
}

func (a *API) stock(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		writeError(w, r, err)
		return
	}
	levels, err := a.shop.Stock(r.Context(), actorOf(r), id)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, wire.Levels(levels))
}

func (a *API) stockMovement(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		writeError(w, r, err)
		return
	}
	var in struct {
		IngredientID int64        `json:"ingredient_id"`
		Reason       stock.Reason `json:"reason"`
		Delta        int64        `json:"delta"`
		Quantity     *int64       `json:"quantity"`
	}
	if err := decode(w, r, &in); err != nil {
		writeError(w, r, err)
		return
	}
	m := stock.ManualMovement{IngredientID: in.IngredientID, Reason: in.Reason, Delta: in.Delta}
	if in.Reason == stock.Count {
		if in.Quantity == nil {
			writeError(w, r, errs.E(errs.Invalid, "a count gives the quantity found"))
			return
		}
		m.Quantity = *in.Quantity
	}
	level, err := a.shop.RecordMovement(r.Context(), actorOf(r), id, m)
	reply(w, r, http.StatusCreated, wire.LevelOf(level), err)
}

func (a *API) pizzeriaOrders(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		writeError(w, r, err)
		return
	}
	var statuses []order.Status
	if q := r.URL.Query().Get("status"); q != "" {
		for _, s := range strings.Split(q, ",") {
			statuses = append(statuses, order.Status(strings.TrimSpace(s)))
		}
	}
	orders, err := a.shop.PizzeriaOrders(r.Context(), actorOf(r), id, statuses)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, wire.Orders(orders))
}

// delivery answers which pizzeria would deliver an address, and when.
func (a *API) delivery(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	opt, err := a.shop.NearestDelivery(r.Context(), pizzeria.Address{Street: q.Get("street"), Postcode: q.Get("postcode"), City: q.Get("city")}, ClientIP(r))
	reply(w, r, http.StatusOK, opt, err)
}
