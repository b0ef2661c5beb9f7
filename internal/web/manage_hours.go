package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/oc-pizza/ocpizza/internal/errs"
	"github.com/oc-pizza/ocpizza/internal/pizzeria"
	"github.com/oc-pizza/ocpizza/internal/shop"
)

// spanInput is one opening span as the hours form shows it.
type spanInput struct {
	N           int
	Open, Close string
}

// weekHours is one day of the hours form.
type weekHours struct {
	Key, Name string
	Spans     []spanInput
}

// weekOrder is the days as French shops list them, with the form's key
// of each.
var weekOrder = []struct {
	day time.Weekday
	key string
}{{time.Monday, "mon"}, {time.Tuesday, "tue"}, {time.Wednesday, "wed"}, {time.Thursday, "thu"}, {time.Friday, "fri"}, {time.Saturday, "sat"}, {time.Sunday, "sun"}}

// spansPerDay is how many spans the form offers a day (more when a day
// has more already): lunch and dinner.
const spansPerDay = 2

// weekOf lays weekly hours out for the form.
func weekOf(pg Page, hours []pizzeria.Hours) []weekHours {
	var out []weekHours
	for _, wd := range weekOrder {
		d := weekHours{Key: wd.key, Name: pg.T("day." + wd.day.String())}
		for _, h := range hours {
			if h.Weekday == wd.day {
				d.Spans = append(d.Spans, spanInput{N: len(d.Spans) + 1, Open: pizzeria.FormatClock(h.Open), Close: pizzeria.FormatClock(h.Close)})
			}
		}
		for len(d.Spans) < spansPerDay {
			d.Spans = append(d.Spans, spanInput{N: len(d.Spans) + 1})
		}
		out = append(out, d)
	}
	return out
}

// typedWeek lays the hours form out as it was sent, when it was refused:
// what the manager typed stays to be corrected.
func typedWeek(pg Page, r *http.Request) []weekHours {
	var out []weekHours
	for _, wd := range weekOrder {
		d := weekHours{Key: wd.key, Name: pg.T("day." + wd.day.String())}
		opens, closes := r.PostForm[wd.key+"-open"], r.PostForm[wd.key+"-close"]
		for i := range max(len(opens), len(closes), spansPerDay) {
			sp := spanInput{N: i + 1}
			if i < len(opens) {
				sp.Open = opens[i]
			}
			if i < len(closes) {
				sp.Close = closes[i]
			}
			d.Spans = append(d.Spans, sp)
		}
		out = append(out, d)
	}
	return out
}

// parseWeek reads the hours form: each day's pairs of opening and closing
// times, blank pairs skipped.
func parseWeek(r *http.Request) ([]pizzeria.Hours, error) {
	var out []pizzeria.Hours
	for _, wd := range weekOrder {
		opens, closes := r.PostForm[wd.key+"-open"], r.PostForm[wd.key+"-close"]
		for i := range max(len(opens), len(closes)) {
			var o, c string
			if i < len(opens) {
				o = strings.TrimSpace(opens[i])
			}
			if i < len(closes) {
				c = strings.TrimSpace(closes[i])
			}
			if o == "" && c == "" {
				continue
			}
			if o == "" || c == "" {
				return nil, errs.E(errs.Invalid, "on %s, each opening needs its closing time, and each closing its opening", wd.day)
			}
			h, err := pizzeria.SpanOf(wd.day, o, c)
			if err != nil {
				return nil, err
			}
			out = append(out, h)
		}
	}
	return out, nil
}

// closureRow is a closure with its date as people read it.
type closureRow struct {
	pizzeria.Closure
	Shown string
}

type hoursData struct {
	Office
	Week      []weekHours
	Closures  []closureRow
	Postcodes string
	Kitchen   pizzeria.KitchenSettings
	// Typed closure, on a refused form.
	Date, Reason string
	Today        string
}

var hoursNotices = map[string]string{"hours": "manage.hours.done.hours", "closure": "manage.hours.done.closure", "reopened": "manage.hours.done.reopened",
	"zone": "manage.hours.done.zone", "kitchen": "manage.hours.done.kitchen"}

func (p *Pages) manageHours(w http.ResponseWriter, r *http.Request) {
	p.hoursPage(w, r, nil)
}

// hoursPage renders the hours screen: weekly hours, closures, delivery
// postcodes, kitchen thresholds; after a refused form, with its error
// and what was typed.
func (p *Pages) hoursPage(w http.ResponseWriter, r *http.Request, failure error) {
	o, ps, ok := p.managePage(w, r, "/hours", "manage.hours.title")
	if !ok {
		return
	}
	now := time.Now()
	d := hoursData{Office: o, Week: weekOf(o.Page, ps.Hours), Postcodes: strings.Join(ps.DeliveryPostcodes, " "),
		Kitchen: ps.Kitchen, Today: now.In(pizzeria.Paris).Format(pizzeria.DateLayout)}
	for _, c := range ps.UpcomingClosures(now) {
		day, _ := time.ParseInLocation(pizzeria.DateLayout, c.Date, pizzeria.Paris)
		d.Closures = append(d.Closures, closureRow{Closure: c, Shown: d.T("day."+day.Weekday().String()) + " " + day.Format("02/01/2006")})
	}
	done(&d.Page, r, hoursNotices)
	status := http.StatusOK
	if failure != nil {
		if status = p.officeRefused(w, r, &d.Office, failure); status == 0 {
			return
		}
		d.Date, d.Reason = r.PostFormValue("date"), r.PostFormValue("reason")
		if _, typed := r.PostForm["mon-open"]; typed {
			d.Week = typedWeek(d.Page, r)
		}
		if pcs, ok := r.PostForm["postcodes"]; ok {
			d.Postcodes = pcs[0]
		}
	}
	p.render(w, r, status, "manage/hours", d)
}

// updatePizzeria applies a change from one of the hours screen's forms
// and goes back to the screen with a notice.
func (p *Pages) updatePizzeria(w http.ResponseWriter, r *http.Request, ch shop.PizzeriaChange, notice string) {
	id, err := pathID(r, "pizzeria")
	if err != nil {
		p.errorPage(w, r, err)
		return
	}
	if _, err := p.shop.UpdatePizzeria(r.Context(), actorOf(r), id, ch); err != nil {
		p.hoursPage(w, r, err)
		return
	}
	redirect(w, r, "/manage/"+strconv.FormatInt(id, 10)+"/hours?done="+notice)
}

func (p *Pages) manageHoursSave(w http.ResponseWriter, r *http.Request) {
	hours, err := parseWeek(r)
	if err != nil {
		p.hoursPage(w, r, err)
		return
	}
	p.updatePizzeria(w, r, shop.PizzeriaChange{Hours: &hours}, "hours")
}

func (p *Pages) manageZone(w http.ResponseWriter, r *http.Request) {
	pcs := []string{r.PostFormValue("postcodes")}
	p.updatePizzeria(w, r, shop.PizzeriaChange{DeliveryPostcodes: &pcs}, "zone")
}

func (p *Pages) manageKitchen(w http.ResponseWriter, r *http.Request) {
	warn, _, err := formInt(r, "warn")
	if err == nil {
		var late int64
		if late, _, err = formInt(r, "late"); err == nil {
			k := pizzeria.KitchenSettings{WarnMinutes: int(warn), LateMinutes: int(late)}
			p.updatePizzeria(w, r, shop.PizzeriaChange{Kitchen: &k}, "kitchen")
			return
		}
	}
	p.hoursPage(w, r, err)
}

func (p *Pages) manageClosureAdd(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "pizzeria")
	if err != nil {
		p.errorPage(w, r, err)
		return
	}
	c := pizzeria.Closure{Date: r.PostFormValue("date"), Reason: r.PostFormValue("reason")}
	if _, err := p.shop.SetClosure(r.Context(), actorOf(r), id, c); err != nil {
		p.hoursPage(w, r, err)
		return
	}
	redirect(w, r, "/manage/"+strconv.FormatInt(id, 10)+"/hours?done=closure")
}

func (p *Pages) manageClosureDelete(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "pizzeria")
	if err != nil {
		p.errorPage(w, r, err)
		return
	}
	if err := p.shop.DeleteClosure(r.Context(), actorOf(r), id, r.PathValue("date")); err != nil {
		p.hoursPage(w, r, err)
		return
	}
	redirect(w, r, "/manage/"+strconv.FormatInt(id, 10)+"/hours?done=reopened")
}
