package web

import (
	"net/http"
	"strconv"

	"github.com/oc-pizza/ocpizza/internal/shop"
)

type carteRow struct {
	shop.Availability
	Category string
	Since    string
}

type carteData struct {
	Office
	Products []carteRow
	// Failed is the product whose switch was refused, and what was typed.
	Failed int64
	Reason string
}

var carteNotices = map[string]string{"off": "manage.carte.done.off", "on": "manage.carte.done.on"}

func (p *Pages) manageMenu(w http.ResponseWriter, r *http.Request) {
	p.cartePage(w, r, nil, 0)
}

// cartePage renders the pizzeria's menu as its manager sees it: how many
// of each product the stock makes, which are taken off and why.
func (p *Pages) cartePage(w http.ResponseWriter, r *http.Request, failure error, failed int64) {
	o, ps, ok := p.managePage(w, r, "/menu", "manage.carte.title")
	if !ok {
		return
	}
	list, err := p.shop.Availability(r.Context(), actorOf(r), ps.ID)
	if err != nil {
		p.errorPage(w, r, err)
		return
	}
	d := carteData{Office: o, Failed: failed}
	// Not live: a refresh would wipe a reason being typed.
	done(&d.Page, r, carteNotices)
	for _, a := range list {
		row := carteRow{Availability: a, Category: d.T("category." + string(a.Product.Category))}
		if a.OffMenu != nil {
			row.Since = dateTime(d.Page, a.OffMenu.At)
		}
		d.Products = append(d.Products, row)
	}
	status := http.StatusOK
	if failure != nil {
		d.Reason = r.PostFormValue("reason")
		if status = p.officeRefused(w, r, &d.Office, failure); status == 0 {
			return
		}
	}
	p.render(w, r, status, "manage/menu", d)
}

// manageMenuSwitch takes a product off the menu, with a reason, or puts
// it back.
func (p *Pages) manageMenuSwitch(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "pizzeria")
	if err != nil {
		p.errorPage(w, r, err)
		return
	}
	product, err := pathID(r, "product")
	if err != nil {
		p.errorPage(w, r, err)
		return
	}
	on := r.PostFormValue("on") == "1"
	if err := p.shop.SetOnMenu(r.Context(), actorOf(r), id, product, on, r.PostFormValue("reason")); err != nil {
		p.cartePage(w, r, err, product)
		return
	}
	state := "off"
	if on {
		state = "on"
	}
	redirect(w, r, "/manage/"+strconv.FormatInt(id, 10)+"/menu?done="+state)
}
