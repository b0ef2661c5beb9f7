package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/oc-pizza/ocpizza/internal/account"
	"github.com/oc-pizza/ocpizza/internal/order"
	"github.com/oc-pizza/ocpizza/internal/shop"
	"github.com/oc-pizza/ocpizza/internal/store"
)

// visit is a page to look at: its address and who looks (an e-mail, or
// "" for a visitor).
type visit struct {
	name, path, who string
}

// sitePages lists a visit for every page of the customers' website. The
// test fails on a GET page of the route table that it does not list, so a
// new page cannot escape the audit.
func sitePages(s *site, orderID, editableID string) map[string][]visit {
	return map[string][]visit{
		"GET /{$}":                 {{"home", "/", ""}, {"home-lookup", "/?postcode=69002", ""}},
		"GET /pizzerias/{id}":      {{"menu", "/pizzerias/" + itoa(s.shop), ""}},
		"GET /cart":                {{"cart-empty", "/cart", ""}, {"cart", "/cart", "fill-cart"}},
		"GET /checkout":            {{"checkout", "/checkout", "alice@example.test"}},
		"GET /orders/{id}":         {{"order", "/orders/" + orderID, "alice@example.test"}},
		"GET /orders/{id}/edit":    {{"order-edit", "/orders/" + editableID + "/edit", "alice@example.test"}},
		"GET /login":               {{"login", "/login", ""}},
		"GET /signup":              {{"signup", "/signup", ""}},
		"GET /password/forgot":     {{"forgot", "/password/forgot", ""}},
		"GET /password/reset":      {{"reset-expired", "/password/reset?token=no-such-token", ""}},
		"GET /account/orders":      {{"my-orders", "/account/orders", "alice@example.test"}},
		"GET /account/addresses":   {{"my-addresses", "/account/addresses", "alice@example.test"}},
		"GET /pizzerias/{id}/live": nil, // event streams, not pages
		"GET /orders/{id}/live":    nil,
	}
}

// TestEveryPageIsAccessible opens every page of the site in French and
// English, on a phone and a desktop, and audits each: no serious or
// critical axe-core violation, no CSP violation, no script error. With
// OCPIZZA_SCREENS=dir it also saves each as a PNG there (make screens).
func TestEveryPageIsAccessible(t *testing.T) {
	t.Parallel()
	s := newSite(t, store.SQLite)
	ctx := context.Background()
	alice, err := s.store.UserByEmail(ctx, "alice@example.test")
	check(t, err)
	actor := account.ActorOf(alice)
	place := func() order.Order {
		o, _, err := s.server.Shop.PlaceOrder(ctx, actor, shop.PlaceRequest{Draft: order.Draft{PizzeriaID: s.shop, Fulfilment: order.Pickup,
			PaymentMethod: order.OnDelivery, Items: []order.Item{{ProductID: s.product["Margherita"], Quantity: 2}, {ProductID: s.product["Coca-Cola"], Quantity: 1}}}})
		check(t, err)
		return o
	}
	moving, editable := place(), place()
	if _, err := s.server.Shop.SetStatus(ctx, account.System, moving.ID, order.Preparing); err != nil {
		t.Fatal(err)
	}
	auditPages(t, s, "site", sitePages(s, itoa(moving.ID), itoa(editable.ID)), []int64{390, 1280}, func(b *tab, who, lang string) {
		b.open("/?lang=" + lang)
		switch {
		case who == "fill-cart":
			b.open("/pizzerias/" + itoa(s.shop))
			b.follow("button", map[string]string{"fr": "Ajouter au panier", "en": "Add to cart"}[lang], b.in("article", "Reine"))
		case who != "":
			b.signIn(who, lang)
			b.open("/pizzerias/" + itoa(s.shop))
			b.follow("button", map[string]string{"fr": "Ajouter au panier", "en": "Add to cart"}[lang], b.in("article", "Margherita"))
		}
	})
}

// audited gathers the pages each audience's test audits, so that one test
// can check that every page of the route table is audited somewhere.
var audited = map[string]bool{}

// TestEveryPageIsAudited fails on a GET page of the route table that no
// audit lists: a new page cannot escape the accessibility audit.
func TestEveryPageIsAudited(t *testing.T) {
	t.Parallel()
	s := newSite(t, store.SQLite)
	lists := []map[string][]visit{sitePages(s, "1", "2"), staffPages(s, "1"), officePages(s, "1")}
	for _, l := range lists {
		for pattern := range l {
			audited[pattern] = true
		}
	}
	for _, rt := range s.server.Pages.Routes() {
		if strings.HasPrefix(rt.Pattern, "GET ") && !audited[rt.Pattern] {
			t.Errorf("page %s is not audited: add it to the list of its audience (sitePages, staffPages, officePages)", rt.Pattern)
		}
	}
}

// auditPages opens each visit in French and English, at each width when
// saving screenshots (else at the first, the phone's), as
// its visitor (a tab per visitor, prepared by start), audits it and, with
// OCPIZZA_SCREENS set, saves it as [audience-]name-lang-width.png.
func auditPages(t *testing.T, s *site, audience string, pages map[string][]visit, widths []int64, start func(b *tab, who, lang string)) {
	t.Helper()
	shots := os.Getenv("OCPIZZA_SCREENS")
	if shots == "" {
		// Every page in both languages, at the phone's width the layout
		// starts from; the screenshots (make screens) take every width.
		widths = widths[:1]
	}
	for _, lang := range []string{"fr", "en"} {
		for _, width := range widths {
			tabs := map[string]*tab{}
			for _, visits := range pages {
				for _, v := range visits {
					b := tabs[v.who]
					if b == nil {
						b = newTab(t, s.URL, width)
						start(b, v.who, lang)
						tabs[v.who] = b
					}
					b.open(v.path)
					b.fitsWidth()
					if lang == "fr" || shots != "" {
						b.audit()
					} else {
						// The same markup in another language: axe's
						// findings would be the French page's (the
						// catalogue test fails on a missing text), so only
						// what a language can break is checked again.
						b.auditScripts()
						b.seeLang(lang)
					}
					if shots != "" {
						name := v.name
						if audience != "" {
							name = audience + "-" + name
						}
						b.screenshot(filepath.Join(shots, name+"-"+lang+"-"+itoa(width)+".png"))
					}
				}
			}
		}
	}
}

// signIn signs in through the sign-in page.
func (b *tab) signIn(email, lang string) {
	b.t.Helper()
	b.open("/login")
	labels := map[string][3]string{"fr": {"E-mail", "Mot de passe", "Se connecter"}, "en": {"E-mail", "Password", "Sign in"}}[lang]
	b.fill(labels[0], email)
	b.fill(labels[1], password)
	b.follow("button", labels[2])
}

// screenshot saves the whole page as a PNG.
func (b *tab) screenshot(path string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, b.wait)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", path, err)
	}
	check(b.t, os.MkdirAll(filepath.Dir(path), 0o755))
	check(b.t, os.WriteFile(path, png, 0o644))
}
