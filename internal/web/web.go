// Package web serves the HTML pages: the customers' website and, on the
// same foundation, the staff's screens. A page is a use case of shop
// rendered with html/template; it never calls the JSON API and never
// decides a rule itself. Forms work without JavaScript; a small module of
// ours (static/live.js) makes pages live over Server-Sent Events.
package web

import (
	"bytes"
	"context"
	"crypto/rand"
	"embed"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/oc-pizza/ocpizza/internal/account"
	"github.com/oc-pizza/ocpizza/internal/api"
	"github.com/oc-pizza/ocpizza/internal/errs"
	"github.com/oc-pizza/ocpizza/internal/event"
	"github.com/oc-pizza/ocpizza/internal/order"
	"github.com/oc-pizza/ocpizza/internal/pizzeria"
	"github.com/oc-pizza/ocpizza/internal/shop"
)

// Options configure the pages.
type Options struct {
	// Secure marks cookies Secure and __Host- prefixed: on in production,
	// which is served over HTTPS.
	Secure bool
	// SquareSDK is the address of Square's Web Payments SDK script, and
	// SquareAppID and SquareLocationID what it needs; card payment is
	// offered when all three are set and the shop has a payment provider.
	SquareSDK, SquareAppID, SquareLocationID string
	// Heartbeat is how often an idle live stream gets a comment line.
	Heartbeat time.Duration
}

// Pages serves the site.
type Pages struct {
	shop   *shop.Shop
	events *event.Broker
	log    *slog.Logger
	opt    Options
	text   *catalogue
	assets *assets
	pages  map[string]*template.Template
	routes []route
	cop    *http.CrossOriginProtection
}

// New parses the templates and loads the catalogue and static files, once.
func New(s *shop.Shop, events *event.Broker, log *slog.Logger, opt Options) (*Pages, error) {
	if opt.Heartbeat <= 0 {
		opt.Heartbeat = 15 * time.Second
	}
	p := &Pages{shop: s, events: events, log: log, opt: opt, cop: http.NewCrossOriginProtection()}
	var err error
	if p.text, err = loadCatalogue(); err != nil {
		return nil, err
	}
	if p.assets, err = loadAssets(); err != nil {
		return nil, err
	}
	if p.pages, err = parseTemplates(); err != nil {
		return nil, err
	}
	p.cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.errorPage(w, r, errs.E(errs.Forbidden, "cross-origin request refused"))
	}))
	p.routes = p.table()
	return p, nil
}

// Access says who may open a page. The zero Access is everyone.
type Access struct {
	// SignIn sends anonymous visitors to the sign-in page first.
	SignIn bool
	// Roles are the staff roles that may open the page in the pizzeria
	// named by the path's {pizzeria}; managers hold every role of their
	// pizzeria and the admin every role everywhere.
	Roles []account.Role
	// Admin pages are for the chain's administrators.
	Admin bool
}

type route struct {
	pattern string
	access  Access
	handler http.HandlerFunc
}

// Route describes a page for tests that walk every page.
type Route struct {
	Pattern string
	Access  Access
}

// Routes lists the pages, with who may open each.
func (p *Pages) Routes() []Route {
	out := make([]Route, len(p.routes))
	for i, rt := range p.routes {
		out[i] = Route{rt.pattern, rt.access}
	}
	return out
}

// Register adds the pages to mux.
func (p *Pages) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /static/{file}", p.assets.serve)
	mux.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, p.assets.url("icon.svg"), http.StatusMovedPermanently)
	})
	for _, rt := range p.routes {
		mux.Handle(rt.pattern, p.wrap(rt))
	}
	mux.Handle("/", p.wrap(route{pattern: "/", handler: func(w http.ResponseWriter, r *http.Request) {
		p.errorPage(w, r, errs.E(errs.NotFound, "no page %s", r.URL.Path))
	}}))
}

// request is what every page knows of its request.
type request struct {
	visitor
	lang  string
	nonce string
}

type requestKey struct{}

func requestOf(r *http.Request) request {
	q, _ := r.Context().Value(requestKey{}).(request)
	return q
}

// wrap gives a page its visitor, language and CSP nonce, refuses
// cross-origin state changes (CSRF) and enforces the route's access.
func (p *Pages) wrap(rt route) http.Handler {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		who, err := p.identify(w, r)
		q := request{visitor: who, lang: language(w, r, p.opt.Secure), nonce: nonce()}
		ctx := context.WithValue(withVisitor(r.Context(), q.visitor), requestKey{}, q)
		r = r.WithContext(ctx)
		w.Header().Set("Content-Security-Policy", policy(q.nonce, nil))
		if err != nil {
			p.fail(w, r, err)
			return
		}
		if !p.allowed(w, r, rt.access) {
			return
		}
		if r.Method == http.MethodPost {
			if err := readForm(r); err != nil {
				p.errorPage(w, r, err)
				return
			}
		}
		rt.handler(w, r)
	})
	return p.cop.Handler(h)
}

// readForm reads a posted form, or says why it cannot. Every form is read
// here, before its handler: a body cut off, over the size limit, with too
// many fields, or not a form at all (multipart, text: ParseForm leaves
// those empty without an error) would otherwise read as an empty form, and
// an empty form is a valid answer to some (the opening hours: closed all
// week). An empty body is an empty form (signing out posts nothing).
func readForm(r *http.Request) error {
	if r.ContentLength != 0 {
		mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if mt != "application/x-www-form-urlencoded" {
			return errs.E(errs.Malformed, "the form could not be read") // not a form as browsers send one
		}
	}
	err := r.ParseForm()
	if err == nil {
		return nil
	}
	var tooLarge *http.MaxBytesError
	if msg := err.Error(); errors.As(err, &tooLarge) || strings.Contains(msg, "exceeded limit") || strings.Contains(msg, "too large") {
		return errs.E(errs.TooLarge, "the form is too large")
	}
	return errs.E(errs.Malformed, "the form could not be read")
}

// allowed checks the route's access for the visitor, answering the page's
// own refusal when it fails.
func (p *Pages) allowed(w http.ResponseWriter, r *http.Request, a Access) bool {
	actor := actorOf(r)
	needsSignIn := a.SignIn || a.Admin || len(a.Roles) > 0
	if needsSignIn && actor.Anonymous() {
		if r.Method == http.MethodGet {
			http.Redirect(w, r, loginURL(r), http.StatusSeeOther)
		} else {
			p.errorPage(w, r, errs.E(errs.Unauthorized, "sign in first"))
		}
		return false
	}
	if a.Admin && !actor.IsAdmin() {
		p.errorPage(w, r, errs.E(errs.Forbidden, "this page is for the chain's administrators"))
		return false
	}
	if len(a.Roles) > 0 {
		id, err := strconv.ParseInt(r.PathValue("pizzeria"), 10, 64)
		if err != nil || !actor.HasAny(id, a.Roles...) {
			refusal := errs.E(errs.Forbidden, "this screen is for the staff of its pizzeria")
			if err == nil && actor.IsStaffOf(id) {
				refusal = errs.E(errs.Forbidden, "this screen is not for your role in this pizzeria")
			}
			p.errorPage(w, r, refusal)
			return false
		}
	}
	return true
}

func nonce() string {
	b := make([]byte, 16)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// sources are the other origins a page may load from, by directive.
type sources map[string][]string

// policy is the page's Content-Security-Policy: our own files, scripts
// carrying this response's nonce, no inline style, never framed.
func policy(nonce string, extra sources) string {
	dirs := []struct{ name, value string }{
		{"default-src", "'self'"},
		{"script-src", "'self' 'nonce-" + nonce + "'"},
		{"style-src", "'self'"},
		{"img-src", "'self' data:"},
		{"font-src", "'self'"},
		{"connect-src", "'self'"},
		{"frame-src", "'none'"},
		{"object-src", "'none'"},
		{"base-uri", "'none'"},
		{"form-action", "'self'"},
		{"frame-ancestors", "'none'"},
	}
	var b strings.Builder
	for i, d := range dirs {
		if i > 0 {
			b.WriteString("; ")
		}
		v := d.value
		if more := extra[d.name]; len(more) > 0 {
			if v == "'none'" {
				v = ""
			}
			v = strings.TrimSpace(v + " " + strings.Join(more, " "))
		}
		b.WriteString(d.name + " " + v)
	}
	return b.String()
}

// Page is what every page's data carries: the layout reads it.
type Page struct {
	Lang  string
	Nonce string
	Actor account.Actor
	// Back is where this page is read again, path and query: the page
	// itself for a GET; for a page answering a form, the page the form was
	// on. The language link and a sign-in come back to it.
	Back  string
	Title string
	// Live is the address of the page's event stream, when it has one;
	// Refresh, in seconds, reloads its live regions on a timer too (ages).
	Live      string
	Refresh   int
	CartCount int64
	// Notice is a message for the visitor at the top of the page.
	Notice string
	// Partial is set for live.js's reloads, which only read the live
	// regions: the page is rendered without its frame (head, header,
	// footer) nor what lies outside the regions and is costly.
	Partial bool
	pages   *Pages
}

// page starts a page's data for r.
func (p *Pages) page(r *http.Request, titleKey string, args ...any) Page {
	q := requestOf(r)
	pg := Page{Lang: q.lang, Nonce: q.nonce, Actor: q.actor, Back: back(r), Partial: r.Header.Get("X-Live") == "1", pages: p}
	pg.CartCount = readCart(r).count()
	pg.Title = p.text.text(q.lang, titleKey, args...)
	return pg
}

// T returns a text of the catalogue in the page's language.
func (pg Page) T(key string, args ...any) string { return pg.pages.text.text(pg.Lang, key, args...) }

// TIn returns a text in another language (the maintenance page speaks both).
func (pg Page) TIn(lang, key string) string { return pg.pages.text.text(lang, key) }

// Money shows cents in euros.
func (pg Page) Money(cents int64) string { return money(pg.Lang, cents) }

// Clock shows a time of day in Paris.
func (pg Page) Clock(t time.Time) string { return clock(pg.Lang, t) }

// Day shows the date of a moment in Paris, day first: "05/12".
func (pg Page) Day(t time.Time) string { return t.In(pizzeria.Paris).Format("02/01") }

// Asset is the address of a static file.
func (pg Page) Asset(name string) string { return pg.pages.assets.url(name) }

// Other is the language the page offers to switch to.
func (pg Page) Other() string {
	if pg.Lang == "en" {
		return "fr"
	}
	return "en"
}

// SwitchURL is this page in the other language, its other parameters
// kept (a password link's token, a caller's phone, where to go after
// signing in). Only a path safeNext accepts is repeated: "//host" (an
// encoded slash gets past ServeMux's cleaning to the 404 page) would be a
// link to another site.
func (pg Page) SwitchURL() string {
	u, err := url.Parse(pg.Back)
	if err != nil {
		return "?lang=" + pg.Other()
	}
	q := u.Query()
	q.Set("lang", pg.Other())
	return u.EscapedPath() + "?" + q.Encode() // escaped: a %2F stays one
}

// back is where the page answering r is read again: r's own address for
// a GET; for a form posted, the page of this site it was posted from (its
// Referer), else the home page.
func back(r *http.Request) string {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return safeNext(r.URL.RequestURI())
	}
	if ref, err := url.Parse(r.Referer()); err == nil && ref.Host == r.Host {
		if b := safeNext(ref.RequestURI()); b != "" {
			return b
		}
	}
	return "/"
}

// SignedIn reports whether someone is signed in.
func (pg Page) SignedIn() bool { return !pg.Actor.Anonymous() }

// Staff reports whether the visitor works in the chain.
func (pg Page) Staff() bool { return pg.Actor.IsStaff() }

//go:embed templates
var templateFS embed.FS

// parseTemplates parses each page with the layout and partials: a page
// file defines the blocks the layout leaves open ("content", …).
func parseTemplates() (map[string]*template.Template, error) {
	base, err := template.New("").Funcs(template.FuncMap{
		"phone":        formatPhone,
		"stepName":     func(o order.Order) string { return stepKey(o.Fulfilment, o.Status) },
		"payState":     paymentKey,
		"addressValue": addressValue,
		"editLines": func(d orderEditData, lines []editLine) editLinesView {
			return editLinesView{Page: d.Page, Lines: lines}
		},
		"deliveryView": func(d driverData, x delivery) deliveryFacts {
			return deliveryFacts{Page: d.Page, Delivery: x}
		},
	}).ParseFS(templateFS, "templates/layout/*.html")
	if err != nil {
		return nil, err
	}
	pages := map[string]*template.Template{}
	err = fs.WalkDir(templateFS, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasPrefix(p, "templates/layout/") {
			return err
		}
		t, err := base.Clone()
		if err != nil {
			return err
		}
		if _, err := t.ParseFS(templateFS, p); err != nil {
			return err
		}
		name := strings.TrimSuffix(strings.TrimPrefix(p, "templates/"), path.Ext(p))
		pages[name] = t
		return nil
	})
	return pages, err
}

// render writes a page: into a buffer first, so a template error is a
// clean error page instead of half a page.
func (p *Pages) render(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	t, ok := p.pages[name]
	if !ok {
		p.fail(w, r, fmt.Errorf("no template %q", name))
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", data); err != nil {
		p.fail(w, r, fmt.Errorf("render %s: %w", name, err))
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	// Pages show a person's orders and addresses, and availability that
	// must not be stale: nothing is kept by shared or browser caches.
	h.Set("Cache-Control", "no-store")
	h.Set("Vary", "Cookie, Accept-Language, X-Live")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// fail answers an internal error with a plain error page; the detail goes
// to the log only.
func (p *Pages) fail(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, context.Canceled) {
		return
	}
	if outage, ok := api.Outage(err); ok {
		p.log.Warn("page: database unreachable", "path", r.URL.Path, "err", err)
		p.errorPage(w, r, outage)
		return
	}
	p.log.Error("page", "path", r.URL.Path, "err", err)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusInternalServerError)
	fmt.Fprint(w, `<!doctype html><meta charset="utf-8"><title>OC Pizza</title><p>Erreur interne — nous sommes prévenus. / Internal error — we have been told.</p>`)
}

type errorData struct {
	Page
	Status  int
	Message string
}

// errorPage answers an expected error with the site's error page, in the
// visitor's language and with the status the API would give.
func (p *Pages) errorPage(w http.ResponseWriter, r *http.Request, err error) {
	status := refusalStatus(w, err)
	if status == http.StatusInternalServerError {
		p.fail(w, r, err)
		return
	}
	r = p.outside(w, r)
	pg := p.page(r, "error.title."+errorTitle(status))
	p.render(w, r, status, "error", errorData{Page: pg, Status: status, Message: p.text.message(pg.Lang, err)})
}

// refusalStatus is the status that answers a refusal, and sets
// Retry-After on w when the refusal says when to come back (a sign-in
// throttled, the service busy), whichever page renders it.
func refusalStatus(w http.ResponseWriter, err error) int {
	var e *errs.Error
	if errors.As(err, &e) && e.RetryAfter > 0 {
		api.SetRetryAfter(w.Header(), e.RetryAfter)
	}
	return api.StatusOf(err)
}

// outside prepares a request that did not come through wrap (refused as
// cross-origin, or answered by the maintenance gate) to render a page.
func (p *Pages) outside(w http.ResponseWriter, r *http.Request) *http.Request {
	if requestOf(r).lang != "" {
		return r
	}
	q := request{lang: language(w, r, p.opt.Secure), nonce: nonce()}
	w.Header().Set("Content-Security-Policy", policy(q.nonce, nil))
	return r.WithContext(context.WithValue(r.Context(), requestKey{}, q))
}

type maintenanceData struct {
	Page
	Message string
}

// Maintenance answers a page request while the site is in maintenance:
// 503, with Retry-After so browsers and crawlers come back later.
func (p *Pages) Maintenance(w http.ResponseWriter, r *http.Request, message string, retryAfter time.Duration) {
	r = p.outside(w, r)
	api.SetRetryAfter(w.Header(), retryAfter)
	p.render(w, r, http.StatusServiceUnavailable, "maintenance", maintenanceData{Page: p.page(r, "maintenance.title"), Message: message})
}

// errorTitle picks the error page's title by status: the common ones have
// their own, the rest share one.
func errorTitle(status int) string {
	switch status {
	case http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusServiceUnavailable:
		return strconv.Itoa(status)
	}
	return "other"
}

// internal reports whether err is a failure of ours rather than something
// the visitor can act on.
func internal(err error) bool { return errs.CodeOf(err) == "" }

// redirect sends the browser to another page after a form (303: the next
// request is a GET, so a reload does not post twice).
func redirect(w http.ResponseWriter, r *http.Request, to string) {
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// paymentKey is the catalogue key of an order's payment as the pages say
// it: a cancelled order that was never paid has nothing to pay, rather
// than "to pay".
func paymentKey(o order.Order) string {
	if o.NothingToPay() {
		return "payment.nothing"
	}
	return "payment." + string(o.PaymentStatus)
}
