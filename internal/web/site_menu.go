package web

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/oc-pizza/ocpizza/internal/catalog"
	"github.com/oc-pizza/ocpizza/internal/errs"
	"github.com/oc-pizza/ocpizza/internal/event"
	"github.com/oc-pizza/ocpizza/internal/shop"
	"github.com/oc-pizza/ocpizza/internal/sse"
)

type menuSection struct {
	Category catalog.Category
	Title    string
	Items    []shop.MenuItem
}

type menuData struct {
	Page
	Shop     shopCard
	Sections []menuSection
	// InCart is how many of each product the visitor's cart holds here.
	InCart map[int64]int64
}

// Describe is a menu item's description in the page's language: the
// French one when it has none in English.
func (pg Page) Describe(it shop.MenuItem) string {
	if pg.Lang == "en" && it.DescriptionEN != "" {
		return it.DescriptionEN
	}
	return it.Description
}

// categories is the order of the menu's sections.
var categories = []catalog.Category{catalog.Pizza, catalog.Drink, catalog.Dessert}

func (p *Pages) menu(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		p.errorPage(w, r, err)
		return
	}
	actor := actorOf(r)
	ps, err := p.shop.Pizzeria(r.Context(), actor, id)
	if err != nil {
		p.errorPage(w, r, err)
		return
	}
	items, err := p.shop.Menu(r.Context(), actor, id)
	if err != nil {
		p.errorPage(w, r, err)
		return
	}
	d := menuData{Page: p.page(r, "menu.title", ps.Name), InCart: map[int64]int64{}}
	d.Live = "/pizzerias/" + strconv.FormatInt(id, 10) + "/live"
	now := time.Now()
	d.Shop = shopCard{Pizzeria: ps, Open: ps.OpenAt(now), Opening: opening(d.Lang, p.text, ps, now), Week: week(d.Lang, p.text, ps.Hours)}
	for _, c := range categories {
		sec := menuSection{Category: c, Title: d.T("category." + string(c))}
		for _, it := range items {
			if it.Category == c {
				sec.Items = append(sec.Items, it)
			}
		}
		if len(sec.Items) > 0 {
			d.Sections = append(d.Sections, sec)
		}
	}
	if c := readCart(r); c.PizzeriaID == id {
		for _, it := range c.Items {
			d.InCart[it.ProductID] = it.Quantity
		}
	}
	if added, err := strconv.ParseInt(r.URL.Query().Get("added"), 10, 64); err == nil {
		for _, it := range items {
			if it.ProductID == added {
				d.Notice = d.T("menu.added", it.Name)
			}
		}
	}
	p.render(w, r, http.StatusOK, "site/menu", d)
}

// menuLive tells open menu pages that availability changed. The stream
// carries no data at all — the page reloads its own menu — so it needs no
// sign-in and shows nothing of anyone's orders.
func (p *Pages) menuLive(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		p.errorPage(w, r, err)
		return
	}
	if _, err := p.shop.Pizzeria(r.Context(), actorOf(r), id); err != nil {
		p.errorPage(w, r, err)
		return
	}
	sse.Serve(w, r, p.events.Subscribe(event.MenuTopic(id)), sse.Options{Heartbeat: p.opt.Heartbeat, Write: changed})
}

// changed writes an event that only says "something changed", and when
// it was published (which lets the load tool measure how late screens
// learn of a change; it says nothing about what changed).
func changed(w io.Writer, ev event.Event) {
	fmt.Fprintf(w, "event: change\nid: %d\ndata: {\"at_us\":%d}\n\n", ev.ID, ev.At.UnixMicro())
}

func pathID(r *http.Request, name string) (int64, error) {
	v := r.PathValue(name)
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return 0, errs.E(errs.NotFound, "no page %s", r.URL.Path)
	}
	return id, nil
}
