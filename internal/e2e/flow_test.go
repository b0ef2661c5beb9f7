package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/oc-pizza/ocpizza/internal/account"
	"github.com/oc-pizza/ocpizza/internal/order"
	"github.com/oc-pizza/ocpizza/internal/store"
	"github.com/oc-pizza/ocpizza/internal/store/storetest"
)

// engines the browser flows run on: the embedded database and the one a
// chain grows into.
var engines = []store.Engine{store.SQLite, store.Postgres}

// enginesFor gives the engine a browser flow runs on: each flow names one,
// half the flows each engine, since the API and store suites already run
// every rule on all three engines and a flow tests its pages (the flows
// are CPU-bound: a browser and the race detector on two cores).
// OCPIZZA_E2E_ENGINES=all runs every flow on both. Outside CI, a flow
// of a server that does not answer runs on SQLite rather than not at all.
func enginesFor(e store.Engine) []store.Engine {
	if os.Getenv("OCPIZZA_E2E_ENGINES") == "all" {
		return engines
	}
	if os.Getenv("CI") != "true" && !storetest.Available(e) {
		return []store.Engine{store.SQLite}
	}
	return []store.Engine{e}
}

// TestOrderOnTheWebsite is a customer's evening: browse, fill the cart,
// sign in, order for delivery, and watch the order advance without
// reloading as the pizzeria moves it.
func TestOrderOnTheWebsite(t *testing.T) {
	t.Parallel()
	for _, e := range enginesFor(store.Postgres) {
		t.Run(string(e), func(t *testing.T) {
			s := newSite(t, e)
			b := newTab(t, s.URL, 390)
			b.open("/")
			b.waitFor("heading", "OC Pizza République")
			b.follow("link", "Voir la carte — OC Pizza République")
			b.waitFor("heading", "Pizzas")
			b.follow("button", "Ajouter au panier", b.in("article", "Margherita"))
			b.seeText("Margherita ajoutée au panier")
			b.follow("button", "Ajouter au panier", b.in("article", "Reine"))
			b.seeText("Reine ajoutée au panier")
			b.follow("link", "Panier 2 articles")
			b.waitFor("heading", "Panier")
			b.seeText("21,00 €")
			b.follow("button", "Commander")

			// Not signed in yet: the sign-in page, then back to the checkout.
			b.waitFor("heading", "Connexion")
			b.fill("E-mail", "alice@example.test")
			b.fill("Mot de passe", password)
			b.follow("button", "Se connecter")
			b.waitFor("heading", "Valider la commande")
			b.choose("Livraison")
			b.fill("Adresse", "8 rue Mercière")
			b.fill("Code postal", "69002")
			b.fill("Ville", "Lyon")
			b.choose("Paiement à la livraison")
			b.follow("button", "Valider la commande")

			b.seeText("Commande REP-0001")
			b.waitForStep("Reçue")
			orderID := strings.TrimPrefix(b.location(), s.URL+"/orders/")
			if s.orders() != 1 {
				t.Fatalf("%d orders stored", s.orders())
			}

			// The kitchen and the driver move the order through the API;
			// the page follows without a reload.
			eval[bool](b, "window.__notReloaded = true")
			s.api("pizzaiolo@ocpizza.test", "POST", "/api/v1/orders/"+orderID+"/status", map[string]any{"status": "preparing"})
			b.waitForStep("En préparation")
			s.api("pizzaiolo@ocpizza.test", "POST", "/api/v1/orders/"+orderID+"/status", map[string]any{"status": "ready"})
			s.api("driver@ocpizza.test", "POST", "/api/v1/orders/"+orderID+"/status", map[string]any{"status": "out_for_delivery"})
			b.waitForStep("En livraison")
			if !eval[bool](b, "window.__notReloaded === true") {
				t.Fatal("the tracking page reloaded instead of updating in place")
			}
			b.seeText("Livraison — 8 rue Mercière, 69002 Lyon")
		})
	}
}

// orderOnePizza goes from the menu to a placed order, signed in as alice,
// for pickup, paid as payment picks ("" keeps payment on delivery).
func orderOnePizza(b *tab, s *site, pizza string) {
	b.t.Helper()
	b.open("/pizzerias/" + itoa(s.shop))
	b.follow("button", "Ajouter au panier", b.in("article", pizza))
	b.open("/checkout")
	b.choose("À emporter")
}

// TestCancelWhilePending: the customer cancels before the kitchen starts;
// the stock comes back and the buttons go.
func TestCancelWhilePending(t *testing.T) {
	t.Parallel()
	for _, e := range enginesFor(store.SQLite) {
		t.Run(string(e), func(t *testing.T) {
			s := newSite(t, e)
			b := newTab(t, s.URL, 390)
			b.signIn("alice@example.test", "fr")
			orderOnePizza(b, s, "Reine")
			b.follow("button", "Valider la commande")
			b.waitForStep("Reçue")
			b.follow("button", "Annuler la commande")
			b.seeText("Votre commande est annulée.")
			if n := eval[int](b, `document.querySelectorAll("button").length - document.querySelectorAll("header button").length`); n != 0 {
				t.Fatalf("%d buttons left on a cancelled order", n)
			}
			b.audit()
		})
	}
}

// TestDeclinedCard: Square's sandbox nonce for a declined card shows the
// refusal on the checkout, keeps the cart, and places nothing.
func TestDeclinedCard(t *testing.T) {
	t.Parallel()
	for _, e := range enginesFor(store.Postgres) {
		t.Run(string(e), func(t *testing.T) {
			s := newSite(t, e)
			b := newTab(t, s.URL, 1280)
			b.signIn("alice@example.test", "fr")
			orderOnePizza(b, s, "Margherita")
			b.choose("Carte bancaire")
			b.fill("Carte de test (nonce du bac à sable Square)", "cnon:card-nonce-declined")
			b.follow("button", "Valider la commande")
			b.seeText("La carte a été refusée")
			b.waitFor("heading", "Valider la commande")
			for _, p := range s.square.Payments() {
				if p["status"] == "COMPLETED" {
					t.Fatalf("a declined card was charged: %v", p)
				}
			}
			if s.orders() != 0 {
				t.Fatalf("a declined card placed %d orders", s.orders())
			}
			b.audit()
			// Another card pays: the order is placed, paid.
			b.choose("Carte bancaire")
			b.fill("Carte de test (nonce du bac à sable Square)", "cnon:card-nonce-ok")
			b.follow("button", "Valider la commande")
			b.waitForStep("Reçue")
			b.seeText("Carte bancaire — payée")
			if s.orders() != 1 {
				t.Fatalf("%d orders after paying", s.orders())
			}
		})
	}
}

// TestSoldOutShowsLive: an open menu page turns a pizza "Épuisée", its
// button disabled, when the stock runs out, without a reload.
func TestSoldOutShowsLive(t *testing.T) {
	t.Parallel()
	for _, e := range enginesFor(store.SQLite) {
		t.Run(string(e), func(t *testing.T) {
			s := newSite(t, e)
			b := newTab(t, s.URL, 390)
			b.open("/pizzerias/" + itoa(s.shop))
			if b.attr("button", "Ajouter au panier", "disabled", b.in("article", "Reine")) != "" {
				t.Fatal("the Reine is sold out before its ham runs out")
			}
			eval[bool](b, "window.__notReloaded = true")
			s.setLevel("Jambon", 10) // less than one Reine's 80 g
			changed := time.Now()
			b.waitForAttr("button", "Ajouter au panier", "disabled", "true", b.in("article", "Reine"))
			t.Logf("sold out on the open menu %s after the stock changed", time.Since(changed).Round(time.Millisecond))
			b.seeText("Épuisée")
			if !eval[bool](b, "window.__notReloaded === true") {
				t.Fatal("the menu reloaded instead of updating in place")
			}
			if b.attr("button", "Ajouter au panier", "disabled", b.in("article", "Margherita")) != "" {
				t.Fatal("the Margherita, with no ham, is sold out too")
			}
			b.audit()
		})
	}
}

// TestOrderInEnglish: the same order, in English.
func TestOrderInEnglish(t *testing.T) {
	t.Parallel()
	for _, e := range enginesFor(store.SQLite) {
		t.Run(string(e), func(t *testing.T) { orderInEnglish(t, newSite(t, e)) })
	}
}

func orderInEnglish(t *testing.T, s *site) {
	b := newTab(t, s.URL, 390)
	b.open("/?lang=en")
	b.follow("link", "See the menu — OC Pizza République")
	b.follow("button", "Add to cart", b.in("article", "Margherita"))
	b.seeText("Margherita added to your cart")
	b.follow("link", "Cart 1 item")
	b.seeText("€9.50")
	b.follow("button", "Order")
	b.fill("E-mail", "alice@example.test")
	b.fill("Password", password)
	b.follow("button", "Sign in")
	b.choose("Take away")
	b.choose("Pay when collecting")
	b.follow("button", "Place the order")
	b.waitForStep("Received")
	b.seeText("Ready around")
	b.follow("button", "Cancel the order")
	b.seeText("Your order is cancelled.")
}

// TestOrderWithoutJavaScript: with scripts off, plain forms still take a
// customer from the menu to a placed order.
func TestOrderWithoutJavaScript(t *testing.T) {
	t.Parallel()
	for _, e := range enginesFor(store.Postgres) {
		t.Run(string(e), func(t *testing.T) {
			s := newSite(t, e)
			b := newTab(t, s.URL, 390)
			b.noScripts()
			b.open("/pizzerias/" + itoa(s.shop))
			b.follow("button", "Ajouter au panier", b.in("article", "Margherita"))
			b.follow("button", "Ajouter au panier", b.in("article", "Margherita"))
			b.open("/cart")
			b.fillNumber("Quantité de Margherita", "3")
			b.follow("button", "Mettre à jour les quantités")
			b.seeText("28,50 €")
			b.follow("button", "Commander")
			b.fill("E-mail", "alice@example.test")
			b.fill("Mot de passe", password)
			b.follow("button", "Se connecter")
			b.choose("Livraison")
			b.fill("Adresse", "8 rue Mercière")
			b.fill("Code postal", "69002")
			b.fill("Ville", "Lyon")
			b.choose("Paiement à la livraison")
			b.follow("button", "Valider la commande")
			b.seeText("Commande REP-0001")
			b.seeText("3 × Margherita")
			if s.orders() != 1 {
				t.Fatalf("%d orders", s.orders())
			}
		})
	}
}

// TestWaitingOrdersLimit: a customer with three orders waiting for the
// kitchen is told, on the checkout, to wait or call; the cart is kept and
// nothing is placed. Once the kitchen starts one, the same cart orders.
func TestWaitingOrdersLimit(t *testing.T) {
	t.Parallel()
	for _, e := range enginesFor(store.SQLite) {
		t.Run(string(e), func(t *testing.T) {
			s := newSite(t, e)
			var waiting []order.Order
			for range 3 {
				waiting = append(waiting, s.placeFor("alice@example.test", order.Pickup))
			}
			b := newTab(t, s.URL, 390)
			b.signIn("alice@example.test", "fr")
			orderOnePizza(b, s, "Margherita")
			b.follow("button", "Valider la commande")
			b.seeText("Vous avez déjà 3 commandes en attente de préparation dans cette pizzeria")
			b.waitFor("heading", "Valider la commande")
			b.waitFor("link", "Appeler OC Pizza République : 04 78 00 00 01")
			if shots := os.Getenv("OCPIZZA_SCREENS"); shots != "" {
				b.screenshot(filepath.Join(shots, "checkout-hold-limit-fr-390.png"))
			}
			b.audit()
			if s.orders() != 3 {
				t.Fatalf("%d orders: the fourth was placed", s.orders())
			}
			pizzaiolo, err := s.store.UserByEmail(context.Background(), "pizzaiolo@ocpizza.test")
			check(t, err)
			_, err = s.server.Shop.SetStatus(context.Background(), account.ActorOf(pizzaiolo), waiting[0].ID, order.Preparing)
			check(t, err)
			b.follow("button", "Valider la commande")
			b.waitForStep("Reçue")
			if s.orders() != 4 {
				t.Fatalf("%d orders once the kitchen started one, want 4", s.orders())
			}
		})
	}
}
