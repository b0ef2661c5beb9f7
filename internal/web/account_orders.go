package web

import (
	"net/http"
	"strconv"

	"github.com/oc-pizza/ocpizza/internal/account"
	"github.com/oc-pizza/ocpizza/internal/errs"
	"github.com/oc-pizza/ocpizza/internal/order"
	"github.com/oc-pizza/ocpizza/internal/pizzeria"
)

type myOrder struct {
	order.Order
	Shop   string
	Status string
	Date   string
}

type myOrdersData struct {
	Page
	Orders []myOrder
}

func (p *Pages) myOrders(w http.ResponseWriter, r *http.Request) {
	actor := actorOf(r)
	orders, err := p.shop.MyOrders(r.Context(), actor)
	if err != nil {
		p.errorPage(w, r, err)
		return
	}
	d := myOrdersData{Page: p.page(r, "myorders.title")}
	names := map[int64]string{}
	for _, o := range orders {
		if _, ok := names[o.PizzeriaID]; !ok {
			ps, err := p.shop.Pizzeria(r.Context(), account.System, o.PizzeriaID)
			if err != nil {
				p.fail(w, r, err)
				return
			}
			names[o.PizzeriaID] = ps.Name
		}
		d.Orders = append(d.Orders, myOrder{Order: o, Shop: names[o.PizzeriaID], Status: d.T(stepKey(o.Fulfilment, o.Status)),
			Date: o.CreatedAt.In(pizzeria.Paris).Format("02/01/2006") + " " + d.Clock(o.CreatedAt)})
	}
	p.render(w, r, http.StatusOK, "account/orders", d)
}

// reorder fills the cart with an earlier order's items, in its pizzeria,
// and shows the cart: prices and availability are today's.
func (p *Pages) reorder(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		p.errorPage(w, r, err)
		return
	}
	o, err := p.shop.Order(r.Context(), actorOf(r), id)
	if err != nil {
		p.errorPage(w, r, err)
		return
	}
	c := cart{PizzeriaID: o.PizzeriaID}
	for _, l := range o.Lines {
		c = c.add(l.ProductID, l.Quantity)
	}
	p.saveCart(w, c)
	redirect(w, r, "/cart")
}

type addressesData struct {
	Page
	Addresses              []account.SavedAddress
	Street, Postcode, City string
	Error                  string
}

func (p *Pages) addresses(w http.ResponseWriter, r *http.Request) {
	p.addressesPage(w, r, http.StatusOK, addressesData{Page: p.page(r, "addresses.title")})
}

func (p *Pages) addressesPage(w http.ResponseWriter, r *http.Request, status int, d addressesData) {
	var err error
	d.Addresses, err = p.shop.Addresses(r.Context(), actorOf(r))
	if err != nil {
		p.errorPage(w, r, err)
		return
	}
	switch r.URL.Query().Get("done") {
	case "added":
		d.Notice = d.T("addresses.added")
	case "deleted":
		d.Notice = d.T("addresses.deleted")
	}
	p.render(w, r, status, "account/addresses", d)
}

func (p *Pages) addressAdd(w http.ResponseWriter, r *http.Request) {
	d := addressesData{Page: p.page(r, "addresses.title"), Street: r.PostFormValue("street"), Postcode: r.PostFormValue("postcode"), City: r.PostFormValue("city")}
	_, _, err := p.shop.SaveAddress(r.Context(), actorOf(r), pizzeria.Address{Street: d.Street, Postcode: d.Postcode, City: d.City})
	if err != nil {
		if internal(err) {
			p.fail(w, r, err)
			return
		}
		d.Error = p.text.message(d.Lang, err)
		p.addressesPage(w, r, refusalStatus(w, err), d)
		return
	}
	redirect(w, r, "/account/addresses?done=added")
}

func (p *Pages) addressDelete(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		p.errorPage(w, r, errs.E(errs.NotFound, "no address %s", r.PathValue("id")))
		return
	}
	if err := p.shop.DeleteAddress(r.Context(), actorOf(r), id); err != nil {
		p.errorPage(w, r, err)
		return
	}
	redirect(w, r, "/account/addresses?done=deleted")
}
