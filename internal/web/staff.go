package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/oc-pizza/ocpizza/internal/account"
	"github.com/oc-pizza/ocpizza/internal/errs"
	"github.com/oc-pizza/ocpizza/internal/event"
	"github.com/oc-pizza/ocpizza/internal/pizzeria"
)

// Staff screens share a header: the pizzeria, the screens the member may
// open there, the pizzerias a manager of several (or the admin) may switch
// to, and signing out.
type staffPage struct {
	Page
	Shop    pizzeria.Pizzeria
	Screens []screenLink
	Shops   []shopLink
	// Error is an action refused, shown at the top of the screen.
	Error string
}

type screenLink struct {
	Name, URL string
	Current   bool
}

type shopLink struct {
	Name, URL string
	Current   bool
}

// screens are the staff's screens, and the roles that open each (managers
// and the admin open them all).
var screens = []struct {
	key   string
	roles []account.Role
}{
	{"counter", []account.Role{account.Counter}},
	{"kitchen", []account.Role{account.Pizzaiolo}},
	{"driver", []account.Role{account.Driver}},
}

// staffPage starts a staff screen's data for the pizzeria of the path.
func (p *Pages) staffPage(w http.ResponseWriter, r *http.Request, screen, titleKey string) (staffPage, bool) {
	id, err := strconv.ParseInt(r.PathValue("pizzeria"), 10, 64)
	if err != nil {
		p.errorPage(w, r, errs.E(errs.NotFound, "no page %s", r.URL.Path))
		return staffPage{}, false
	}
	actor := actorOf(r)
	ps, err := p.shop.Pizzeria(r.Context(), actor, id)
	if err != nil {
		p.errorPage(w, r, err)
		return staffPage{}, false
	}
	d := staffPage{Page: p.page(r, titleKey, ps.Name), Shop: ps}
	for _, s := range screens {
		if actor.HasAny(id, s.roles...) {
			d.Screens = append(d.Screens, screenLink{Name: d.T("staff.screen." + s.key), URL: "/" + s.key + "/" + strconv.FormatInt(id, 10), Current: s.key == screen})
		}
	}
	if actor.Has(account.Manager, id) {
		d.Screens = append(d.Screens, manageLink(d.Page, id))
	}
	all, err := p.shop.Pizzerias(r.Context(), actor)
	if err != nil {
		p.fail(w, r, err)
		return staffPage{}, false
	}
	for _, other := range all {
		if other.ID != id && actor.IsStaffOf(other.ID) {
			d.Shops = append(d.Shops, shopLink{Name: other.Name, URL: "/" + screen + "/" + strconv.FormatInt(other.ID, 10)})
		}
	}
	if len(d.Shops) > 0 {
		d.Shops = append([]shopLink{{Name: ps.Name, Current: true}}, d.Shops...)
	}
	d.Live = "/" + screen + "/" + strconv.FormatInt(id, 10) + "/live"
	return d, true
}

type staffHomeData struct {
	Page
	Admin   bool // the chain's administration is offered first
	Choices []staffChoice
}

// manageLink is a pizzeria's back office, for its manager and the admin.
func manageLink(pg Page, pizzeriaID int64) screenLink {
	return screenLink{Name: pg.T("staff.screen.manage"), URL: "/manage/" + strconv.FormatInt(pizzeriaID, 10)}
}

type staffChoice struct {
	Shop    string
	Screens []screenLink
}

// staffHome sends a member of staff to their screen, or lets one who has
// several choose.
func (p *Pages) staffHome(w http.ResponseWriter, r *http.Request) {
	actor := actorOf(r)
	if !actor.IsStaff() {
		redirect(w, r, "/")
		return
	}
	all, err := p.shop.Pizzerias(r.Context(), actor)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	d := staffHomeData{Page: p.page(r, "staff.title"), Admin: actor.IsAdmin()}
	var only []string
	for _, ps := range all {
		c := staffChoice{Shop: ps.Name}
		for _, s := range screens {
			if actor.HasAny(ps.ID, s.roles...) {
				url := "/" + s.key + "/" + strconv.FormatInt(ps.ID, 10)
				c.Screens = append(c.Screens, screenLink{Name: d.T("staff.screen." + s.key), URL: url})
				only = append(only, url)
			}
		}
		if actor.Has(account.Manager, ps.ID) {
			c.Screens = append(c.Screens, manageLink(d.Page, ps.ID))
		}
		if len(c.Screens) > 0 {
			d.Choices = append(d.Choices, c)
		}
	}
	if len(only) == 1 {
		redirect(w, r, only[0])
		return
	}
	p.render(w, r, http.StatusOK, "staff/home", d)
}

// pizzeriaLive tells a staff screen that something happened in its
// pizzeria: the counter hears everything (its menu shows availability),
// the kitchen and the drivers only the orders. The stream belongs to the
// session: signing out, or an account disabled, ends it.
func (p *Pages) pizzeriaLive(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("pizzeria"), 10, 64)
	if err != nil {
		p.errorPage(w, r, errs.E(errs.NotFound, "no page %s", r.URL.Path))
		return
	}
	var keep func(event.Event) bool
	if !strings.HasPrefix(r.URL.Path, "/counter/") {
		keep = func(ev event.Event) bool { return ev.Kind == event.OrderCreated || ev.Kind == event.OrderUpdated }
	}
	p.stream(w, r, event.PizzeriaTopic(id), keep)
}
