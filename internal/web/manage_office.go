package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/oc-pizza/ocpizza/internal/account"
	"github.com/oc-pizza/ocpizza/internal/catalog"
	"github.com/oc-pizza/ocpizza/internal/errs"
	"github.com/oc-pizza/ocpizza/internal/event"
	"github.com/oc-pizza/ocpizza/internal/pizzeria"
)

// The back office: the manager's screens of one pizzeria under
// /manage/{pizzeria}, the chain administrator's under /admin. Every page
// is a use case of shop, as on the customers' website; this file holds
// what they share — the header with its menu, the pizzeria of the path,
// the live streams.

// officeLink is one entry of the back office's menu.
type officeLink struct {
	Href, Label string
	Current     bool
}

// Office is what every back-office page carries besides Page: where the
// visitor is and the menu of the screens there.
type Office struct {
	Page
	// Where names the pizzeria managed, or the chain.
	Where string
	Home  string
	Links []officeLink
	// Error is a refused form's message, shown at the top of the page.
	Error string
}

// manageSections are the manager's screens: path under /manage/{id}, and
// the key of the menu link.
var manageSections = []struct{ path, key string }{
	{"", "manage.nav.board"}, {"/stock", "manage.nav.stock"}, {"/menu", "manage.nav.menu"},
	{"/hours", "manage.nav.hours"}, {"/staff", "manage.nav.staff"},
}

// adminSections are the administrator's screens.
var adminSections = []struct{ path, key string }{
	{"", "admin.nav.pizzerias"}, {"/catalogue", "admin.nav.catalogue"}, {"/staff", "admin.nav.staff"}, {"/reports", "admin.nav.reports"},
}

// managePage starts a manager's page of the pizzeria in the path, with
// the menu's section current. It answers the error page itself and
// returns false when the pizzeria cannot be shown.
func (p *Pages) managePage(w http.ResponseWriter, r *http.Request, section, titleKey string) (Office, pizzeria.Pizzeria, bool) {
	id, err := pathID(r, "pizzeria")
	if err != nil {
		p.errorPage(w, r, err)
		return Office{}, pizzeria.Pizzeria{}, false
	}
	ps, err := p.shop.Pizzeria(r.Context(), actorOf(r), id)
	if err != nil {
		p.errorPage(w, r, err)
		return Office{}, ps, false
	}
	pg := p.page(r, titleKey, ps.Name)
	base := "/manage/" + strconv.FormatInt(id, 10)
	o := Office{Page: pg, Where: ps.Name, Home: base}
	for _, s := range manageSections {
		o.Links = append(o.Links, officeLink{Href: base + s.path, Label: pg.T(s.key), Current: s.path == section})
	}
	if actorOf(r).IsAdmin() {
		o.Links = append(o.Links, officeLink{Href: "/admin", Label: pg.T("manage.nav.chain")})
	}
	return o, ps, true
}

// adminPage starts an administrator's page, with the menu's section
// current.
func (p *Pages) adminPage(r *http.Request, section, titleKey string, args ...any) Office {
	pg := p.page(r, titleKey, args...)
	o := Office{Page: pg, Where: pg.T("admin.where"), Home: "/admin"}
	for _, s := range adminSections {
		o.Links = append(o.Links, officeLink{Href: "/admin" + s.path, Label: pg.T(s.key), Current: s.path == section})
	}
	return o
}

// refused fills a page's error from a refused action and returns the
// status to answer; an internal error answers the error page itself and
// returns 0.
func (p *Pages) officeRefused(w http.ResponseWriter, r *http.Request, o *Office, err error) int {
	if internal(err) {
		p.fail(w, r, err)
		return 0
	}
	o.Error = p.text.message(o.Lang, err)
	return refusalStatus(w, err)
}

// manageHome sends a signed-in manager to their pizzeria's board, the
// administrator to the chain's.
func (p *Pages) manageHome(w http.ResponseWriter, r *http.Request) {
	actor := actorOf(r)
	if actor.IsAdmin() {
		redirect(w, r, "/admin")
		return
	}
	for _, g := range actor.Grants {
		if g.Role == account.Manager {
			redirect(w, r, "/manage/"+strconv.FormatInt(g.PizzeriaID, 10))
			return
		}
	}
	p.errorPage(w, r, errForbiddenOffice)
}

// manageLive tells a manager's open screens that their pizzeria changed;
// the stream belongs to the session, so signing out or a disabled account
// ends it.
func (p *Pages) manageLive(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "pizzeria")
	if err != nil {
		p.errorPage(w, r, err)
		return
	}
	p.stream(w, r, event.PizzeriaTopic(id), nil)
}

// adminLive tells the administrator's screens that something changed in
// a pizzeria of the chain.
func (p *Pages) adminLive(w http.ResponseWriter, r *http.Request) {
	p.stream(w, r, event.ChainTopic(), nil)
}

// done turns ?done= into the page's notice, from the keys a page knows.
func done(pg *Page, r *http.Request, notices map[string]string) {
	if key, ok := notices[r.URL.Query().Get("done")]; ok {
		pg.Notice = pg.T(key)
	}
}

// formInt reads an integer form field; blank reads as ok=false.
func formInt(r *http.Request, name string) (int64, bool, error) {
	v := strings.TrimSpace(r.PostFormValue(name))
	if v == "" {
		return 0, false, nil
	}
	n, err := strconv.ParseInt(strings.ReplaceAll(v, " ", ""), 10, 64)
	if err != nil {
		return 0, false, errNotANumber(v)
	}
	return n, true, nil
}

var errForbiddenOffice = errs.E(errs.Forbidden, "the back office is for managers and the administrator")

func errNotANumber(v string) error { return errs.E(errs.Invalid, "%q is not a whole number", v) }

// Unit names a unit of stock for a person: "g", "ml", "pièces".
func (pg Page) Unit(u catalog.Unit) string {
	if u == catalog.Piece {
		return pg.T("manage.unit.piece")
	}
	return string(u)
}

// Amount shows a quantity of stock with its unit: "12 160 g", "1 pièce",
// "24 pièces" ("12,160 g" in English).
func (pg Page) Amount(q int64, u catalog.Unit) string {
	sep := catalog.ThousandsSpace
	if pg.Lang == "en" {
		sep = ","
	}
	n := catalog.Group(max(q, -q), sep)
	if q < 0 {
		n = "-" + n
	}
	unit := pg.Unit(u)
	if u == catalog.Piece && (q == 1 || q == -1) {
		unit = pg.T("manage.unit.piece.one")
	}
	return n + catalog.EuroSpace + unit
}

// dateTime shows a moment as a date and a time of day in Paris.
func dateTime(pg Page, t time.Time) string {
	return t.In(pizzeria.Paris).Format("02/01/2006") + " " + pg.Clock(t)
}
