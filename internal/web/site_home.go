package web

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/oc-pizza/ocpizza/internal/api"
	"github.com/oc-pizza/ocpizza/internal/errs"
	"github.com/oc-pizza/ocpizza/internal/pizzeria"
	"github.com/oc-pizza/ocpizza/internal/shop"
)

// shopCard is a pizzeria as the home page lists it.
type shopCard struct {
	pizzeria.Pizzeria
	Open bool
	// Opening says when a closed pizzeria opens ("ouvre à 18 h").
	Opening string
	Week    []weekday
	// Delivers is set when the visitor asked about their postcode and this
	// pizzeria delivers it.
	Delivers bool
}

type weekday struct {
	Name  string
	Spans []string
}

type homeData struct {
	Page
	Shops []shopCard
	// The delivery look-up: what was asked and what we found.
	Street, Postcode, City string
	Asked                  bool
	Found                  *shop.DeliveryOption
	FoundName              string
	LookupError            string
}

func (p *Pages) home(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	ps, err := p.shop.Pizzerias(ctx, actorOf(r))
	if err != nil {
		p.fail(w, r, err)
		return
	}
	d := homeData{Page: p.page(r, "home.title")}
	q := r.URL.Query()
	d.Street, d.Postcode, d.City = strings.TrimSpace(q.Get("street")), strings.TrimSpace(q.Get("postcode")), strings.TrimSpace(q.Get("city"))
	now := time.Now()
	for _, ps := range ps {
		if !ps.Active {
			continue
		}
		d.Shops = append(d.Shops, shopCard{Pizzeria: ps, Open: ps.OpenAt(now), Opening: opening(d.Lang, p.text, ps, now),
			Week: week(d.Lang, p.text, ps.Hours), Delivers: d.Postcode != "" && ps.Delivers(d.Postcode)})
	}
	switch {
	case d.Postcode == "":
	case d.Street == "" && d.City == "":
		// A postcode alone: the pizzerias that deliver it are marked.
		d.Asked = true
		found := false
		for _, s := range d.Shops {
			found = found || s.Delivers
		}
		if !found {
			d.LookupError = p.text.message(d.Lang, errs.E(errs.NotFound, "no pizzeria delivers to %s yet", d.Postcode))
		}
		// Those that deliver come first, in their usual order: a phone
		// need not scroll past the others.
		slices.SortStableFunc(d.Shops, func(a, b shopCard) int {
			switch {
			case a.Delivers == b.Delivers:
				return 0
			case a.Delivers:
				return -1
			}
			return 1
		})
	default:
		d.Asked = true
		opt, err := p.shop.NearestDelivery(ctx, pizzeria.Address{Street: d.Street, Postcode: d.Postcode, City: d.City}, api.ClientIP(r))
		if err != nil {
			if internal(err) {
				p.fail(w, r, err)
				return
			}
			d.LookupError = p.text.message(d.Lang, err)
		} else {
			d.Found, d.FoundName = &opt, opt.Name
		}
	}
	p.render(w, r, http.StatusOK, "site/home", d)
}

// opening says when a closed pizzeria opens next: today, tomorrow or on
// a named day; "" when it is open.
func opening(lang string, text *catalogue, ps pizzeria.Pizzeria, now time.Time) string {
	if ps.OpenAt(now) {
		return ""
	}
	next, ok := ps.NextOpening(now)
	if !ok {
		return text.text(lang, "shop.closed.unknown")
	}
	at := clock(lang, next)
	today := now.In(pizzeria.Paris)
	n := next.In(pizzeria.Paris)
	switch days := dayNumber(n) - dayNumber(today); days {
	case 0:
		return text.text(lang, "shop.opens.today", at)
	case 1:
		return text.text(lang, "shop.opens.tomorrow", at)
	default:
		return text.text(lang, "shop.opens.day", text.text(lang, "day."+n.Weekday().String()), at)
	}
}

func dayNumber(t time.Time) int {
	y, m, d := t.Date()
	return int(time.Date(y, m, d, 12, 0, 0, 0, time.UTC).Unix() / 86400)
}

// week lists the opening hours from Monday to Sunday, as French shops
// write them.
func week(lang string, text *catalogue, hours []pizzeria.Hours) []weekday {
	days := []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday}
	out := make([]weekday, 0, 7)
	for _, day := range days {
		wd := weekday{Name: text.text(lang, "day."+day.String())}
		for _, h := range hours {
			if h.Weekday == day {
				wd.Spans = append(wd.Spans, minutesClock(lang, h.Open)+" – "+minutesClock(lang, h.Close))
			}
		}
		out = append(out, wd)
	}
	return out
}
