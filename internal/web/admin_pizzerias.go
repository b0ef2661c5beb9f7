package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/oc-pizza/ocpizza/internal/pizzeria"
	"github.com/oc-pizza/ocpizza/internal/shop"
)

// chainCard is one pizzeria on the administrator's board.
type chainCard struct {
	shop.Board
	Active int
	Open   bool
}

type chainData struct {
	Office
	Cards []chainCard
}

var chainNotices = map[string]string{"opened": "admin.pizzerias.done.opened", "saved": "admin.pizzerias.done.saved"}

// adminHome is the chain's board: every pizzeria side by side, live.
func (p *Pages) adminHome(w http.ResponseWriter, r *http.Request) {
	boards, err := p.shop.ChainBoard(r.Context(), actorOf(r))
	if err != nil {
		p.errorPage(w, r, err)
		return
	}
	d := chainData{Office: p.adminPage(r, "", "admin.pizzerias.title")}
	d.Live = "/admin/live"
	done(&d.Page, r, chainNotices)
	now := time.Now()
	for _, b := range boards {
		c := chainCard{Board: b, Open: b.Pizzeria.OpenAt(now)}
		for _, n := range b.Counts {
			c.Active += n
		}
		d.Cards = append(d.Cards, c)
	}
	p.render(w, r, http.StatusOK, "admin/pizzerias", d)
}

// newPizzeriaForm is the opening form, as typed.
type newPizzeriaForm struct {
	Name, Code, Street, Postcode, City, Phone, Postcodes string
	StockFrom                                            int64
	ManagerName, ManagerEmail                            string
	Active                                               bool
}

type newPizzeriaData struct {
	Office
	Form      newPizzeriaForm
	Week      []weekHours
	Pizzerias []pizzeria.Pizzeria
}

func (p *Pages) adminPizzeriaNew(w http.ResponseWriter, r *http.Request) {
	p.newPizzeriaPage(w, r, newPizzeriaForm{Active: true}, nil, nil)
}

// newPizzeriaPage renders the opening form; after a refusal, with the
// error and everything typed.
func (p *Pages) newPizzeriaPage(w http.ResponseWriter, r *http.Request, f newPizzeriaForm, hours []weekHours, failure error) {
	d := newPizzeriaData{Office: p.adminPage(r, "", "admin.open.title"), Form: f, Week: hours}
	var err error
	if d.Pizzerias, err = p.shop.Pizzerias(r.Context(), actorOf(r)); err != nil {
		p.fail(w, r, err)
		return
	}
	if d.Week == nil {
		d.Week = weekOf(d.Page, nil)
	}
	if f.StockFrom == 0 && len(d.Pizzerias) > 0 && failure == nil {
		d.Form.StockFrom = d.Pizzerias[0].ID
	}
	status := http.StatusOK
	if failure != nil {
		if status = p.officeRefused(w, r, &d.Office, failure); status == 0 {
			return
		}
	}
	p.render(w, r, status, "admin/pizzeria-new", d)
}

// adminPizzeriaOpen opens the pizzeria of the form, with its stock list
// and its manager, who is mailed an invitation.
func (p *Pages) adminPizzeriaOpen(w http.ResponseWriter, r *http.Request) {
	f := newPizzeriaForm{Name: r.PostFormValue("name"), Code: r.PostFormValue("code"), Street: r.PostFormValue("street"),
		Postcode: r.PostFormValue("postcode"), City: r.PostFormValue("city"), Phone: r.PostFormValue("phone"), Postcodes: r.PostFormValue("postcodes"),
		ManagerName: r.PostFormValue("manager_name"), ManagerEmail: r.PostFormValue("manager_email"), Active: r.PostFormValue("active") == "1"}
	f.StockFrom, _ = strconv.ParseInt(r.PostFormValue("stock_from"), 10, 64)
	hours, err := parseWeek(r)
	if err != nil {
		p.newPizzeriaPage(w, r, f, weekTyped(p.page(r, "admin.open.title"), r), err)
		return
	}
	ps := pizzeria.Pizzeria{Code: f.Code, Name: f.Name, Phone: f.Phone, Active: f.Active, Hours: hours, DeliveryPostcodes: []string{f.Postcodes},
		Address: pizzeria.Address{Street: f.Street, Postcode: f.Postcode, City: f.City}}
	if _, _, err := p.shop.OpenPizzeria(r.Context(), actorOf(r), shop.NewPizzeria{Pizzeria: ps, StockFrom: f.StockFrom,
		ManagerEmail: f.ManagerEmail, ManagerName: f.ManagerName}); err != nil {
		p.newPizzeriaPage(w, r, f, weekTyped(p.page(r, "admin.open.title"), r), err)
		return
	}
	redirect(w, r, "/admin?done=opened")
}

// weekTyped lays the hours form out again as it was typed.
func weekTyped(pg Page, r *http.Request) []weekHours {
	week := weekOf(pg, nil)
	for i, d := range week {
		opens, closes := r.PostForm[d.Key+"-open"], r.PostForm[d.Key+"-close"]
		for j := range week[i].Spans {
			if j < len(opens) {
				week[i].Spans[j].Open = strings.TrimSpace(opens[j])
			}
			if j < len(closes) {
				week[i].Spans[j].Close = strings.TrimSpace(closes[j])
			}
		}
	}
	return week
}

type pizzeriaEditData struct {
	Office
	Pizzeria pizzeria.Pizzeria
}

// adminPizzeriaEdit shows a pizzeria's details for the administrator:
// name, address, phone, and whether it takes orders. Its hours, zone and
// kitchen are on its manager's screens.
func (p *Pages) adminPizzeriaEdit(w http.ResponseWriter, r *http.Request) {
	p.pizzeriaEditPage(w, r, nil, nil)
}

func (p *Pages) pizzeriaEditPage(w http.ResponseWriter, r *http.Request, typed *pizzeria.Pizzeria, failure error) {
	id, err := pathID(r, "id")
	if err != nil {
		p.errorPage(w, r, err)
		return
	}
	ps, err := p.shop.Pizzeria(r.Context(), actorOf(r), id)
	if err != nil {
		p.errorPage(w, r, err)
		return
	}
	d := pizzeriaEditData{Office: p.adminPage(r, "", "admin.edit.title", ps.Name), Pizzeria: ps}
	status := http.StatusOK
	if typed != nil {
		d.Pizzeria.Name, d.Pizzeria.Address, d.Pizzeria.Phone, d.Pizzeria.Active = typed.Name, typed.Address, typed.Phone, typed.Active
	}
	if failure != nil {
		if status = p.officeRefused(w, r, &d.Office, failure); status == 0 {
			return
		}
	}
	p.render(w, r, status, "admin/pizzeria", d)
}

func (p *Pages) adminPizzeriaSave(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		p.errorPage(w, r, err)
		return
	}
	typed := pizzeria.Pizzeria{Name: r.PostFormValue("name"), Phone: r.PostFormValue("phone"), Active: r.PostFormValue("active") == "1",
		Address: pizzeria.Address{Street: r.PostFormValue("street"), Postcode: r.PostFormValue("postcode"), City: r.PostFormValue("city")}}
	ch := shop.PizzeriaChange{Name: &typed.Name, Address: &typed.Address, Phone: &typed.Phone, Active: &typed.Active}
	if _, err := p.shop.UpdatePizzeria(r.Context(), actorOf(r), id, ch); err != nil {
		p.pizzeriaEditPage(w, r, &typed, err)
		return
	}
	redirect(w, r, "/admin?done=saved")
}
