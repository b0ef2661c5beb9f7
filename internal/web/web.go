// Package web serves the HTML pages. Today: the chain's home page with
// every pizzeria and what it can make right now. Pages are rendered into a
// buffer before the status is written, so a template error is a clean 500.
package web

import (
	"bytes"
	"embed"
	"html/template"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/oc-pizza/ocpizza/internal/account"
	"github.com/oc-pizza/ocpizza/internal/catalog"
	"github.com/oc-pizza/ocpizza/internal/pizzeria"
	"github.com/oc-pizza/ocpizza/internal/shop"
)

//go:embed templates/*.html
var templateFS embed.FS

// Pages serves the HTML site.
type Pages struct {
	shop *shop.Shop
	log  *slog.Logger
	tmpl *template.Template
}

// New parses the templates once, at start.
func New(s *shop.Shop, log *slog.Logger) *Pages {
	funcs := template.FuncMap{
		"euros": catalog.FormatEuros,
		"t":     translate,
		"clock": func(minutes int) string { return clock(minutes) },
	}
	return &Pages{shop: s, log: log, tmpl: template.Must(template.New("").Funcs(funcs).ParseFS(templateFS, "templates/*.html"))}
}

// Register adds the pages to mux.
func (p *Pages) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /{$}", p.home)
}

type shopView struct {
	Pizzeria pizzeria.Pizzeria
	OpenNow  bool
	Menu     []shop.MenuItem
}

type homePage struct {
	Lang  string
	Shops []shopView
	Now   string
}

func (p *Pages) home(w http.ResponseWriter, r *http.Request) {
	lang := language(r)
	ps, err := p.shop.Pizzerias(r.Context(), account.Actor{})
	if err != nil {
		p.fail(w, r, err)
		return
	}
	page := homePage{Lang: lang, Now: time.Now().In(pizzeria.Paris).Format("02/01/2006 15:04")}
	for _, ps := range ps {
		menu, err := p.shop.Menu(r.Context(), account.Actor{}, ps.ID)
		if err != nil {
			p.fail(w, r, err)
			return
		}
		page.Shops = append(page.Shops, shopView{Pizzeria: ps, OpenNow: ps.OpenAt(time.Now()), Menu: menu})
	}
	p.render(w, r, "home.html", page)
}

func (p *Pages) render(w http.ResponseWriter, r *http.Request, name string, data any) {
	var buf bytes.Buffer
	if err := p.tmpl.ExecuteTemplate(&buf, name, data); err != nil {
		p.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write(buf.Bytes())
}

func (p *Pages) fail(w http.ResponseWriter, r *http.Request, err error) {
	p.log.Error("page", "path", r.URL.Path, "err", err)
	http.Error(w, "Erreur interne — Internal error", http.StatusInternalServerError)
}

// language picks French unless the visitor asks for English with ?lang=en
// or prefers it in the browser.
func language(r *http.Request) string {
	switch r.URL.Query().Get("lang") {
	case "en":
		return "en"
	case "fr":
		return "fr"
	}
	if strings.HasPrefix(strings.ToLower(r.Header.Get("Accept-Language")), "en") {
		return "en"
	}
	return "fr"
}

func clock(minutes int) string {
	h, m := (minutes/60)%24, minutes%60
	return strconv.Itoa(h) + "h" + strings.Repeat("0", 2-len(strconv.Itoa(m))) + strconv.Itoa(m)
}

type maintenancePage struct {
	Lang, Other string
	Message     string
}

// Maintenance answers a page request while the site is in maintenance:
// 503, with Retry-After so browsers and crawlers come back later.
func (p *Pages) Maintenance(w http.ResponseWriter, r *http.Request, message string, retryAfter time.Duration) {
	lang := language(r)
	other := "en"
	if lang == "en" {
		other = "fr"
	}
	var buf bytes.Buffer
	if err := p.tmpl.ExecuteTemplate(&buf, "maintenance.html", maintenancePage{Lang: lang, Other: other, Message: message}); err != nil {
		p.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Retry-After", strconv.Itoa(int(retryAfter.Seconds())))
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusServiceUnavailable)
	w.Write(buf.Bytes())
}
