package web

import (
	"bytes"
	"encoding/csv"
	"html/template"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/oc-pizza/ocpizza/internal/catalog"
	"github.com/oc-pizza/ocpizza/internal/errs"
	"github.com/oc-pizza/ocpizza/internal/pizzeria"
	"github.com/oc-pizza/ocpizza/internal/report"
)

// cell is one figure of a report's table: as the page shows it, and as
// its CSV gives it to a spreadsheet (a number with a decimal comma).
type cell struct {
	Text, CSV string
	Num       bool
}

// reportTable is one table of the reports page, its chart and its CSV.
type reportTable struct {
	Key, Title string
	Head       []string
	Rows       [][]cell
	Chart      template.HTML
	Download   string
	DownloadAs string
}

type reportsData struct {
	Office
	From, To   string
	PizzeriaID int64
	Pizzerias  []pizzeria.Pizzeria
	Tables     []reportTable
	Total      report.PizzeriaRow
}

// reportQuery reads a report's period and pizzeria from the address:
// the last 30 days of the chain by default.
func reportQuery(r *http.Request) (from, to string, pizzeriaID int64) {
	q := r.URL.Query()
	today := time.Now().In(pizzeria.Paris)
	from, to = q.Get("from"), q.Get("to")
	if from == "" {
		from = today.AddDate(0, 0, -29).Format(report.DateLayout)
	}
	if to == "" {
		to = today.Format(report.DateLayout)
	}
	pizzeriaID, _ = strconv.ParseInt(q.Get("pizzeria"), 10, 64)
	return from, to, pizzeriaID
}

// adminReports shows a period's reports: each a chart beside its table,
// and its CSV.
func (p *Pages) adminReports(w http.ResponseWriter, r *http.Request) {
	actor := actorOf(r)
	d := reportsData{Office: p.adminPage(r, "/reports", "admin.reports.title")}
	d.From, d.To, d.PizzeriaID = reportQuery(r)
	var err error
	if d.Pizzerias, err = p.shop.Pizzerias(r.Context(), actor); err != nil {
		p.fail(w, r, err)
		return
	}
	rep, err := p.shop.Report(r.Context(), actor, d.From, d.To, d.PizzeriaID)
	if err != nil {
		status := p.officeRefused(w, r, &d.Office, err)
		if status != 0 {
			p.render(w, r, status, "admin/reports", d)
		}
		return
	}
	d.Total = rep.Total
	query := url.Values{"from": {d.From}, "to": {d.To}}
	if d.PizzeriaID != 0 {
		query.Set("pizzeria", strconv.FormatInt(d.PizzeriaID, 10))
	}
	d.Tables = reportTables(d.Page, rep)
	for i := range d.Tables {
		t := &d.Tables[i]
		t.Download = "/admin/reports/" + t.Key + ".csv?" + query.Encode()
		t.DownloadAs = d.T("admin.reports.csv", t.Title)
	}
	p.render(w, r, http.StatusOK, "admin/reports", d)
}

// adminReportCSV sends one table of a report as a CSV file the way French
// spreadsheets open it: UTF-8 with a byte-order mark, ";" between fields,
// decimal commas.
func (p *Pages) adminReportCSV(w http.ResponseWriter, r *http.Request) {
	key, ok := strings.CutSuffix(r.PathValue("table"), ".csv")
	if !ok {
		p.errorPage(w, r, errs.E(errs.NotFound, "no page %s", r.URL.Path))
		return
	}
	from, to, pizzeriaID := reportQuery(r)
	rep, err := p.shop.Report(r.Context(), actorOf(r), from, to, pizzeriaID)
	if err != nil {
		p.errorPage(w, r, err)
		return
	}
	pg := p.page(r, "admin.reports.title")
	for _, t := range reportTables(pg, rep) {
		if t.Key != key {
			continue
		}
		var buf bytes.Buffer
		buf.WriteString("\ufeff")
		c := csv.NewWriter(&buf)
		c.Comma, c.UseCRLF = ';', true
		c.Write(t.Head)
		for _, row := range t.Rows {
			rec := make([]string, len(row))
			for i, cl := range row {
				rec[i] = cl.CSV
			}
			c.Write(rec)
		}
		c.Flush()
		if err := c.Error(); err != nil {
			p.fail(w, r, err)
			return
		}
		h := w.Header()
		h.Set("Content-Type", "text/csv; charset=utf-8")
		h.Set("Content-Disposition", `attachment; filename="`+pg.T("admin.reports.file")+"-"+key+"-"+from+"-"+to+`.csv"`)
		h.Set("Cache-Control", "no-store")
		w.Write(buf.Bytes())
		return
	}
	p.errorPage(w, r, errs.E(errs.NotFound, "no page %s", r.URL.Path))
}

// decimal writes a number with one decimal, a comma for spreadsheets.
func decimal(v float64) string {
	return strings.Replace(strconv.FormatFloat(v, 'f', 1, 64), ".", ",", 1)
}

// shown writes a number with one decimal as the page's readers do.
func (pg Page) shown(v float64) string {
	s := strconv.FormatFloat(v, 'f', 1, 64)
	if pg.Lang != "en" {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

// eurosCSV writes cents as euros with a decimal comma: 1234,50.
func eurosCSV(cents int64) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	return sign + strconv.FormatInt(cents/100, 10) + "," + strconv.FormatInt(cents%100/10, 10) + strconv.FormatInt(cents%10, 10)
}

func (pg Page) moneyCell(cents int64) cell {
	return cell{Text: pg.Money(cents), CSV: eurosCSV(cents), Num: true}
}

func intCell(n int64) cell {
	s := strconv.FormatInt(n, 10)
	return cell{Text: s, CSV: s, Num: true}
}

func (pg Page) decimalCell(v float64) cell {
	return cell{Text: pg.shown(v), CSV: decimal(v), Num: true}
}

func textCell(s string) cell { return cell{Text: s, CSV: s} }

// reportTables lays a report out as the page's tables, each with its
// chart.
func reportTables(pg Page, rep report.Report) []reportTable {
	money := func(v float64) string { return pg.Money(int64(v)) }
	count := func(v float64) string { return strconv.FormatInt(int64(math.Round(v)), 10) }
	minutes := func(v float64) string { return pg.shown(v) }
	var out []reportTable

	names := make([]string, len(rep.Pizzerias))
	sales := series{Values: make([]float64, len(rep.Pizzerias))}
	t := reportTable{Key: "pizzerias", Title: pg.T("admin.reports.pizzerias"),
		Head: []string{pg.T("admin.team.pizzeria"), pg.T("admin.reports.orders"), pg.T("admin.reports.sales"), pg.T("admin.reports.average")}}
	for i, row := range rep.Pizzerias {
		names[i], sales.Values[i] = row.Name, float64(row.Cents)
		t.Rows = append(t.Rows, []cell{textCell(row.Name), intCell(row.Orders), pg.moneyCell(row.Cents), pg.moneyCell(row.AverageCents)})
	}
	t.Chart = hbars("chart-pizzerias", t.Title, pg.T("admin.reports.pizzerias.desc"), names, []series{sales}, money)
	out = append(out, t)

	t = reportTable{Key: "products", Title: pg.T("admin.reports.products"),
		Head: []string{pg.T("admin.product.name"), pg.T("manage.stock.quantity"), pg.T("admin.reports.sales")}}
	var pnames []string
	psales := series{}
	for _, row := range rep.Products {
		pnames, psales.Values = append(pnames, row.Name), append(psales.Values, float64(row.Cents))
		t.Rows = append(t.Rows, []cell{textCell(row.Name), intCell(row.Quantity.Quantity), pg.moneyCell(row.Cents)})
	}
	t.Chart = hbars("chart-products", t.Title, pg.T("admin.reports.products.desc"), pnames, []series{psales}, money)
	out = append(out, t)

	t = reportTable{Key: "days", Title: pg.T("admin.reports.days"),
		Head: []string{pg.T("manage.hours.date"), pg.T("admin.reports.orders"), pg.T("admin.reports.sales")}}
	var dlabels []string
	dsales := series{}
	for _, row := range rep.Days {
		day, _ := time.ParseInLocation(report.DateLayout, row.Date, pizzeria.Paris)
		dlabels, dsales.Values = append(dlabels, day.Format("02/01")), append(dsales.Values, float64(row.Cents))
		t.Rows = append(t.Rows, []cell{{Text: day.Format("02/01/2006"), CSV: day.Format("02/01/2006")}, intCell(row.Orders), pg.moneyCell(row.Cents)})
	}
	t.Chart = line("chart-days", t.Title, pg.T("admin.reports.days.desc"), dlabels, dsales, money)
	out = append(out, t)

	t = reportTable{Key: "hours", Title: pg.T("admin.reports.hours"),
		Head: []string{pg.T("admin.reports.hour"), pg.T("admin.reports.orders"), pg.T("admin.reports.sales")}}
	var hlabels []string
	horders := series{}
	for _, row := range rep.Hours {
		label := minutesClock(pg.Lang, row.Hour*60)
		hlabels, horders.Values = append(hlabels, strconv.Itoa(row.Hour)), append(horders.Values, float64(row.Orders))
		// The file says "18 h" with a plain space: a spreadsheet's search
		// or filter types one.
		hour := cell{Text: label, CSV: strings.ReplaceAll(label, "\u00a0", " ")}
		t.Rows = append(t.Rows, []cell{hour, intCell(row.Orders), pg.moneyCell(row.Cents)})
	}
	t.Chart = vbars("chart-hours", t.Title, pg.T("admin.reports.hours.desc"), hlabels, horders, 2, count)
	out = append(out, t)

	t = reportTable{Key: "times", Title: pg.T("admin.reports.times"),
		Head: []string{pg.T("admin.team.pizzeria"), pg.T("admin.reports.prep"), pg.T("admin.reports.done"), pg.T("admin.reports.promised"),
			pg.T("admin.reports.finished"), pg.T("admin.reports.late"), pg.T("admin.reports.late_share")}}
	done, promised := series{Name: pg.T("admin.reports.done")}, series{Name: pg.T("admin.reports.promised"), Alt: true}
	for _, row := range rep.Pizzerias {
		done.Values, promised.Values = append(done.Values, row.DoneMinutes), append(promised.Values, row.PromisedMinutes)
		t.Rows = append(t.Rows, []cell{textCell(row.Name), pg.decimalCell(row.PrepMinutes), pg.decimalCell(row.DoneMinutes), pg.decimalCell(row.PromisedMinutes),
			intCell(row.Done), intCell(row.Late), pg.decimalCell(100 * row.LateShare())})
	}
	t.Chart = hbars("chart-times", t.Title, pg.T("admin.reports.times.desc"), names, []series{done, promised}, minutes)
	out = append(out, t)

	t = reportTable{Key: "cancellations", Title: pg.T("admin.reports.cancellations"),
		Head: []string{pg.T("admin.team.pizzeria"), pg.T("admin.reports.cancelled"), pg.T("admin.reports.cancelled_cents"), pg.T("admin.reports.refunded"), pg.T("admin.reports.refunded_cents")}}
	cancelled := series{}
	for _, row := range rep.Pizzerias {
		cancelled.Values = append(cancelled.Values, float64(row.Cancelled))
		t.Rows = append(t.Rows, []cell{textCell(row.Name), intCell(row.Cancelled), pg.moneyCell(row.CancelledCents), intCell(row.Refunded), pg.moneyCell(row.RefundedCents)})
	}
	t.Chart = hbars("chart-cancellations", t.Title, pg.T("admin.reports.cancellations.desc"), names, []series{cancelled}, count)
	out = append(out, t)

	// Waste mixes grams and pieces: a table, no chart.
	t = reportTable{Key: "waste", Title: pg.T("admin.reports.waste"),
		Head: []string{pg.T("admin.team.pizzeria"), pg.T("manage.stock.ingredient"), pg.T("manage.stock.quantity"), pg.T("admin.catalogue.ingredient.unit"), pg.T("admin.reports.times_wasted")}}
	for _, row := range rep.Waste {
		t.Rows = append(t.Rows, []cell{textCell(row.Pizzeria), textCell(row.Ingredient), intCell(row.Quantity), textCell(pg.Unit(catalog.Unit(row.Unit))), intCell(row.Times)})
	}
	out = append(out, t)
	return out
}
