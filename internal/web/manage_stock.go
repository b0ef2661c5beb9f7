package web

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/oc-pizza/ocpizza/internal/errs"
	"github.com/oc-pizza/ocpizza/internal/stock"
)

// stockRow is a level as the stock screen shows it, with what was typed
// for it in a refused form.
type stockRow struct {
	stock.Level
	State     string // empty, low or ok
	Typed     string
	Threshold string
}

type stockData struct {
	Office
	Levels []stockRow // most urgent first
	Form   []stockRow // by name, the delivery note's order
	Reason stock.Reason
	Note   string
}

var stockNotices = map[string]string{"delivery": "manage.stock.done.delivery", "count": "manage.stock.done.count",
	"waste": "manage.stock.done.waste", "thresholds": "manage.stock.done.thresholds"}

func (p *Pages) manageStock(w http.ResponseWriter, r *http.Request) {
	p.stockPage(w, r, http.StatusOK, nil, nil)
}

// stockPage renders the stock screen; after a refused form, with its
// error and what was typed.
func (p *Pages) stockPage(w http.ResponseWriter, r *http.Request, status int, failure error, typed *stockData) {
	o, ps, ok := p.managePage(w, r, "/stock", "manage.stock.title")
	if !ok {
		return
	}
	levels, err := p.shop.StockByUrgency(r.Context(), actorOf(r), ps.ID)
	if err != nil {
		p.errorPage(w, r, err)
		return
	}
	d := stockData{Office: o, Reason: stock.Delivery}
	d.Live = "/manage/" + strconv.FormatInt(ps.ID, 10) + "/live"
	done(&d.Page, r, stockNotices)
	for _, l := range levels {
		row := stockRow{Level: l, State: "ok", Threshold: strconv.FormatInt(l.LowThreshold, 10)}
		switch {
		case l.Quantity == 0:
			row.State = "empty"
		case l.Low():
			row.State = "low"
		}
		d.Levels = append(d.Levels, row)
	}
	d.Form = slices.Clone(d.Levels)
	slices.SortFunc(d.Form, func(a, b stockRow) int { return strings.Compare(alphaKey(a.Name), alphaKey(b.Name)) })
	if typed != nil {
		d.Reason, d.Note = typed.Reason, typed.Note
		for i := range d.Form {
			d.Form[i].Typed = r.PostFormValue("q-" + strconv.FormatInt(d.Form[i].IngredientID, 10))
			if t, ok := r.PostForm["t-"+strconv.FormatInt(d.Form[i].IngredientID, 10)]; ok {
				d.Form[i].Threshold = t[0]
			}
		}
	}
	if failure != nil {
		if status = p.officeRefused(w, r, &d.Office, failure); status == 0 {
			return
		}
		// A batch of forty lines: say which one was refused.
		var e *errs.Error
		if errors.As(failure, &e) {
			if id, ok := e.Fields["ingredient_id"].(int64); ok {
				if i := slices.IndexFunc(d.Levels, func(l stockRow) bool { return l.IngredientID == id }); i >= 0 {
					d.Error = d.Levels[i].Name + " (" + d.Unit(d.Levels[i].Unit) + ") — " + d.Error
				}
			}
		}
	}
	p.render(w, r, status, "manage/stock", d)
}

// alphaKey orders names as a French reader does: "Câpres" before "Crème",
// "Œuf" among the O, whatever the accents and case.
func alphaKey(s string) string {
	return accentFold.Replace(strings.ToLower(s))
}

var accentFold = strings.NewReplacer("à", "a", "â", "a", "ä", "a", "ç", "c", "é", "e", "è", "e", "ê", "e", "ë", "e",
	"î", "i", "ï", "i", "ô", "o", "ö", "o", "ù", "u", "û", "u", "ü", "u", "ÿ", "y", "œ", "oe", "æ", "ae")

// manageStockRecord records the movement form: a delivery note, a count
// or waste, every line typed, in one transaction.
func (p *Pages) manageStockRecord(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "pizzeria")
	if err != nil {
		p.errorPage(w, r, err)
		return
	}
	b := stock.Batch{Reason: stock.Reason(r.PostFormValue("reason")), Note: r.PostFormValue("note")}
	for key := range r.PostForm {
		ing, ok := strings.CutPrefix(key, "q-")
		if !ok {
			continue
		}
		ingredient, err := strconv.ParseInt(ing, 10, 64)
		if err != nil {
			continue
		}
		q, typed, err := formInt(r, key)
		if err != nil {
			p.stockPage(w, r, http.StatusUnprocessableEntity, err, &stockData{Reason: b.Reason, Note: b.Note})
			return
		}
		if typed {
			b.Lines = append(b.Lines, stock.BatchLine{IngredientID: ingredient, Quantity: q})
		}
	}
	slices.SortFunc(b.Lines, func(a, c stock.BatchLine) int { return int(a.IngredientID - c.IngredientID) })
	if _, err := p.shop.RecordBatch(r.Context(), actorOf(r), id, b); err != nil {
		p.stockPage(w, r, 0, err, &stockData{Reason: b.Reason, Note: b.Note})
		return
	}
	redirect(w, r, "/manage/"+strconv.FormatInt(id, 10)+"/stock?done="+string(b.Reason))
}

// manageThresholds saves the thresholds that changed.
func (p *Pages) manageThresholds(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "pizzeria")
	if err != nil {
		p.errorPage(w, r, err)
		return
	}
	actor := actorOf(r)
	levels, err := p.shop.Stock(r.Context(), actor, id)
	if err != nil {
		p.errorPage(w, r, err)
		return
	}
	for _, l := range levels {
		t, typed, err := formInt(r, "t-"+strconv.FormatInt(l.IngredientID, 10))
		if err == nil && (!typed || t == l.LowThreshold) {
			continue
		}
		if err == nil {
			err = p.shop.SetThreshold(r.Context(), actor, id, l.IngredientID, t)
		}
		if err != nil {
			p.stockPage(w, r, 0, err, &stockData{Reason: stock.Delivery})
			return
		}
	}
	redirect(w, r, "/manage/"+strconv.FormatInt(id, 10)+"/stock?done=thresholds")
}

// movementRow is a ledger row as the history shows it.
type movementRow struct {
	stock.Movement
	When, Kind, Quantity, By string
}

type historyData struct {
	Office
	Movements []movementRow
	// Older pages back, from the last movement shown.
	Older string
	// Ingredients to keep one of (Ingredient, 0 for all).
	Ingredients []stock.Level
	Ingredient  int64
}

const historyPage = 50

func (p *Pages) manageStockHistory(w http.ResponseWriter, r *http.Request) {
	o, ps, ok := p.managePage(w, r, "/stock", "manage.history.title")
	if !ok {
		return
	}
	q := r.URL.Query()
	before, _ := strconv.ParseInt(q.Get("before"), 10, 64)
	ingredient, _ := strconv.ParseInt(q.Get("ingredient"), 10, 64)
	ms, err := p.shop.Movements(r.Context(), actorOf(r), ps.ID, ingredient, before, historyPage)
	if err != nil {
		p.errorPage(w, r, err)
		return
	}
	d := historyData{Office: o, Ingredient: ingredient}
	if d.Ingredients, err = p.shop.Stock(r.Context(), actorOf(r), ps.ID); err != nil {
		p.errorPage(w, r, err)
		return
	}
	slices.SortFunc(d.Ingredients, func(a, b stock.Level) int { return strings.Compare(alphaKey(a.Name), alphaKey(b.Name)) })
	for _, m := range ms {
		row := movementRow{Movement: m, When: dateTime(d.Page, m.At), Kind: d.moveKind(m.Reason), By: m.ByName}
		row.Quantity = d.Amount(m.Delta, m.Unit)
		if m.Delta > 0 {
			row.Quantity = "+" + row.Quantity
		}
		if m.ByUserID == 0 {
			row.By = d.T("manage.history.system")
		}
		d.Movements = append(d.Movements, row)
	}
	if len(ms) == historyPage {
		older := url.Values{"before": {strconv.FormatInt(ms[len(ms)-1].ID, 10)}}
		if ingredient != 0 {
			older.Set("ingredient", strconv.FormatInt(ingredient, 10))
		}
		d.Older = "?" + older.Encode()
	}
	p.render(w, r, http.StatusOK, "manage/stock-history", d)
}

// moveKind words why a level moved.
func (pg Page) moveKind(r stock.Reason) string {
	switch r {
	case stock.Delivery:
		return pg.T("manage.move.delivery")
	case stock.Count:
		return pg.T("manage.move.count")
	case stock.Waste:
		return pg.T("manage.move.waste")
	case stock.Reservation:
		return pg.T("manage.move.reservation")
	case stock.Release:
		return pg.T("manage.move.release")
	}
	return string(r)
}
