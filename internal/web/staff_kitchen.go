package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/oc-pizza/ocpizza/internal/catalog"
	"github.com/oc-pizza/ocpizza/internal/errs"
	"github.com/oc-pizza/ocpizza/internal/order"
	"github.com/oc-pizza/ocpizza/internal/shop"
)

// ticket is an order as the kitchen display shows it: only what it
// shows, in a flat struct (the template engine finds a field of an
// embedded struct by a search through it, on every ticket of every
// refresh).
type ticket struct {
	ID         int64
	Number     string
	Fulfilment order.Fulfilment
	Status     order.Status
	Lines      []order.Line
	Minutes    int
	// Age is "ok", "warn" or "late", by the pizzeria's thresholds.
	Age string
}

type kitchenData struct {
	staffPage
	Kitchen shop.Kitchen
	Tickets []ticket
	// Recipes are the memos worth opening, and Memo says which products
	// have one: a drink's "recipe" is the can itself, nothing to read.
	Recipes []catalog.Product
	Memo    map[int64]bool
	// Recall opens the list of tickets made ready; Recipe opens one
	// recipe (both for browsers without scripts).
	Recall bool
	Recipe int64
}

func (p *Pages) kitchen(w http.ResponseWriter, r *http.Request) {
	p.kitchenPage(w, r, http.StatusOK, nil)
}

func (p *Pages) kitchenPage(w http.ResponseWriter, r *http.Request, status int, failure error) {
	sp, ok := p.staffPage(w, r, "kitchen", "kitchen.title")
	if !ok {
		return
	}
	actor := actorOf(r)
	k, err := p.shop.KitchenView(r.Context(), actor, sp.Shop.ID)
	if err != nil {
		p.errorPage(w, r, err)
		return
	}
	recipes, err := p.shop.Recipes(r.Context(), actor, sp.Shop.ID)
	if err != nil {
		p.errorPage(w, r, err)
		return
	}
	d := kitchenData{staffPage: sp, Kitchen: k, Memo: map[int64]bool{}, Recall: r.URL.Query().Get("recall") != ""}
	for _, rp := range recipes {
		if rp.HasMemo() {
			d.Recipes = append(d.Recipes, rp)
			d.Memo[rp.ID] = true
		}
	}
	d.Refresh = 30 // ages move on by themselves
	d.Recipe, _ = strconv.ParseInt(r.URL.Query().Get("recipe"), 10, 64)
	now := time.Now()
	for _, o := range k.Queue {
		age := now.Sub(o.CreatedAt)
		d.Tickets = append(d.Tickets, ticket{ID: o.ID, Number: o.Number, Fulfilment: o.Fulfilment, Status: o.Status, Lines: o.Lines,
			Minutes: int(age.Minutes()), Age: sp.Shop.Kitchen.Age(age)})
	}
	if failure != nil {
		d.Error = p.text.message(d.Lang, failure)
	}
	p.render(w, r, status, "staff/kitchen", d)
}

// kitchenMove moves a ticket on: "Commencer", "Prête", or taken back.
func (p *Pages) kitchenMove(w http.ResponseWriter, r *http.Request) {
	to := order.Status(r.PostFormValue("to"))
	if to != order.Preparing && to != order.Ready {
		p.kitchenPage(w, r, http.StatusUnprocessableEntity, errs.E(errs.Invalid, "unknown status %q", to))
		return
	}
	o, ok := p.screenOrder(w, r)
	if !ok {
		return
	}
	if _, err := p.shop.SetStatus(r.Context(), actorOf(r), o.ID, to); err != nil {
		p.refused(w, r, err, p.kitchenPage)
		return
	}
	redirect(w, r, "/kitchen/"+r.PathValue("pizzeria"))
}

// screenOrder reads the order of the path ({id}) for a pizzeria's screen,
// answering the error page when there is none: a screen never acts on
// another shop's order, even for a manager of both.
func (p *Pages) screenOrder(w http.ResponseWriter, r *http.Request) (order.Order, bool) {
	id, err := pathID(r, "id")
	if err != nil {
		p.errorPage(w, r, err)
		return order.Order{}, false
	}
	return p.screenOrderOf(w, r, id)
}

func (p *Pages) screenOrderOf(w http.ResponseWriter, r *http.Request, id int64) (order.Order, bool) {
	o, err := p.shop.Order(r.Context(), actorOf(r), id)
	if err == nil && strconv.FormatInt(o.PizzeriaID, 10) != r.PathValue("pizzeria") {
		err = errs.E(errs.NotFound, "no such order")
	}
	if err != nil {
		p.errorPage(w, r, err)
		return o, false
	}
	return o, true
}
