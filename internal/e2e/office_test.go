package e2e

import (
	"context"
	"io"
	"testing"
	"time"

	"github.com/oc-pizza/ocpizza/internal/account"
	"github.com/oc-pizza/ocpizza/internal/loadtest"
	"github.com/oc-pizza/ocpizza/internal/order"
	"github.com/oc-pizza/ocpizza/internal/pizzeria"
	"github.com/oc-pizza/ocpizza/internal/shop"
	"github.com/oc-pizza/ocpizza/internal/store"
)

// officePages lists a visit for every page of the back office: the
// manager's screens of their pizzeria and the administrator's. The test
// fails on a GET page under /manage or /admin that it does not list.
func officePages(s *site, productID string) map[string][]visit {
	shop := "/manage/" + itoa(s.shop)
	const manager, admin = "manager@ocpizza.test", "admin@ocpizza.test"
	return map[string][]visit{
		"GET /manage":                          {{"manage-home", "/manage", manager}},
		"GET /manage/{pizzeria}":               {{"manage-board", shop, manager}},
		"GET /manage/{pizzeria}/stock":         {{"manage-stock", shop + "/stock", manager}},
		"GET /manage/{pizzeria}/stock/history": {{"manage-stock-history", shop + "/stock/history", manager}},
		"GET /manage/{pizzeria}/menu":          {{"manage-menu", shop + "/menu", manager}},
		"GET /manage/{pizzeria}/hours":         {{"manage-hours", shop + "/hours", manager}},
		"GET /manage/{pizzeria}/staff":         {{"manage-staff", shop + "/staff", manager}},
		"GET /admin":                           {{"admin-pizzerias", "/admin", admin}},
		"GET /admin/pizzerias/new":             {{"admin-pizzeria-new", "/admin/pizzerias/new", admin}},
		"GET /admin/pizzerias/{id}":            {{"admin-pizzeria", "/admin/pizzerias/" + itoa(s.shop), admin}},
		"GET /admin/catalogue":                 {{"admin-catalogue", "/admin/catalogue", admin}},
		"GET /admin/catalogue/new":             {{"admin-product-new", "/admin/catalogue/new", admin}},
		"GET /admin/catalogue/{id}":            {{"admin-product", "/admin/catalogue/" + productID, admin}},
		"GET /admin/staff":                     {{"admin-staff", "/admin/staff", admin}},
		"GET /admin/reports":                   {{"admin-reports", "/admin/reports", admin}, {"admin-reports-pizzeria", "/admin/reports?pizzeria=" + itoa(s.shop), admin}},
		"GET /manage/{pizzeria}/live":          nil, // event streams, not pages
		"GET /admin/live":                      nil,
		"GET /admin/reports/{table}":           nil, // CSV files
	}
}

// officeDay gives the back office something to show: orders in every
// state of progress, one of them late, one cancelled, a low level, a
// product off the menu, a closure and waste in the stock's history.
func officeDay(t *testing.T, s *site) {
	ctx := context.Background()
	alice, err := s.store.UserByEmail(ctx, "alice@example.test")
	check(t, err)
	manager, err := s.store.UserByEmail(ctx, "manager@ocpizza.test")
	check(t, err)
	customer, boss := account.ActorOf(alice), account.ActorOf(manager)
	place := func(items ...order.Item) order.Order {
		o, _, err := s.server.Shop.PlaceOrder(ctx, customer, shop.PlaceRequest{Draft: order.Draft{PizzeriaID: s.shop, Fulfilment: order.Pickup,
			PaymentMethod: order.OnDelivery, Items: items}})
		check(t, err)
		return o
	}
	now := s.store.Clock()
	s.store.SetClock(func() time.Time { return now().Add(-50 * time.Minute) })
	late := place(order.Item{ProductID: s.product["Reine"], Quantity: 2})
	s.store.SetClock(now)
	_, err = s.server.Shop.SetStatus(ctx, account.System, late.ID, order.Preparing)
	check(t, err)
	place(order.Item{ProductID: s.product["Margherita"], Quantity: 1}, order.Item{ProductID: s.product["Coca-Cola"], Quantity: 2})
	gone := place(order.Item{ProductID: s.product["Margherita"], Quantity: 1})
	_, err = s.server.Shop.SetStatus(ctx, customer, gone.ID, order.Cancelled)
	check(t, err)
	s.setLevel("Canette", 3)
	check(t, s.server.Shop.SetThreshold(ctx, boss, s.shop, s.ingredient["Canette"], 12))
	check(t, s.server.Shop.SetOnMenu(ctx, boss, s.shop, s.product["Coca-Cola"], false, "Livraison de canettes en retard"))
	_, err = s.server.Shop.SetClosure(ctx, boss, s.shop, closureIn(30))
	check(t, err)
	// Six weeks of the past for the reports, as the load tool makes them.
	_, err = loadtest.GenerateYear(ctx, s.store, loadtest.YearOptions{Orders: 3000, Days: 42, Seed: 1}, io.Discard)
	check(t, err)
	s.server.Shop.Forget()
}

// TestEveryOfficePageIsAccessible opens every back-office page in French
// and English, on a phone and a desktop, signed in as who may open it,
// and audits each as TestEveryPageIsAccessible does; with
// OCPIZZA_SCREENS=dir it saves each as a PNG there.
func TestEveryOfficePageIsAccessible(t *testing.T) {
	t.Parallel()
	s := newSite(t, store.SQLite)
	officeDay(t, s)
	auditPages(t, s, "", officePages(s, itoa(s.product["Reine"])), []int64{390, 1280}, func(b *tab, who, lang string) {
		b.open("/?lang=" + lang)
		b.signIn(who, lang)
	})
}

// closureIn is a closure a number of days from today.
func closureIn(days int) pizzeria.Closure {
	return pizzeria.Closure{Date: time.Now().In(pizzeria.Paris).AddDate(0, 0, days).Format(pizzeria.DateLayout), Reason: "Inventaire annuel"}
}
