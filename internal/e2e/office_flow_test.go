package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/oc-pizza/ocpizza/internal/store"
)

// TestDeliveryBringsASoldOutPizzaBack: the ham ran out, the Reine shows
// sold out on an open menu page; the manager records the supplier's
// delivery note on the stock screen, and the customer's page offers the
// Reine again without a reload.
func TestDeliveryBringsASoldOutPizzaBack(t *testing.T) {
	t.Parallel()
	for _, e := range enginesFor(store.SQLite) {
		t.Run(string(e), func(t *testing.T) {
			s := newSite(t, e)
			s.setLevel("Jambon", 10)
			customer := newTab(t, s.URL, 390)
			customer.open("/pizzerias/" + itoa(s.shop))
			if customer.attr("button", "Ajouter au panier", "disabled", customer.in("article", "Reine")) != "true" {
				t.Fatal("the Reine is offered without ham")
			}
			eval[bool](customer, "window.__notReloaded = true")

			manager := newTab(t, s.URL, 1280)
			manager.signIn("manager@ocpizza.test", "fr")
			manager.open("/manage")
			manager.waitFor("heading", "Tableau de bord")
			manager.follow("link", "Stock")
			manager.fill("Note", "BL 4411")
			manager.fillNumber("Quantité de Jambon", "2000")
			manager.fillNumber("Quantité de Canette", "24")
			manager.follow("button", "Enregistrer")
			manager.seeText("Livraison enregistrée.")
			manager.audit()

			customer.waitForAttr("button", "Ajouter au panier", "disabled", "", customer.in("article", "Reine"))
			if !eval[bool](customer, "window.__notReloaded === true") {
				t.Fatal("the menu reloaded instead of updating in place")
			}
			manager.follow("link", "Historique des mouvements")
			manager.seeText("BL 4411")
			manager.seeText("Staff manager")
		})
	}
}

// TestAdminOpensAPizzeriaAndAddsAPizza: the administrator opens a
// pizzeria from the screen, adds a pizza with its recipe to the
// catalogue, records the new pizzeria's first delivery, and a customer
// orders the new pizza there.
func TestAdminOpensAPizzeriaAndAddsAPizza(t *testing.T) {
	t.Parallel()
	for _, e := range enginesFor(store.Postgres) {
		t.Run(string(e), func(t *testing.T) {
			s := newSite(t, e)
			admin := newTab(t, s.URL, 1280)
			admin.signIn("admin@ocpizza.test", "fr")
			admin.open("/admin")
			admin.follow("link", "Ouvrir une pizzeria")
			admin.fill("Nom", "OC Pizza Guillotière")
			admin.fill("Code", "gui")
			admin.fill("Adresse", "12 cours Gambetta")
			admin.fill("Code postal", "69007")
			admin.fill("Ville", "Lyon")
			admin.fill("Téléphone", "04 78 00 00 09")
			for _, day := range []string{"lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"} {
				// Opening and closing at the same time is open around the
				// clock (12:00 AM or noon, by the browser's clock format),
				// so the test may order now.
				admin.typeInto("InputTime", day+", service 1, Ouverture", "1200A")
				admin.typeInto("InputTime", day+", service 1, Fermeture", "1200A")
			}
			admin.fill("Codes postaux livrés", "69007 69003")
			admin.fill("Nom du gérant", "Gérant Guillotière")
			admin.fill("E-mail du gérant", "gerant.gui@ocpizza.test")
			admin.follow("button", "Ouvrir la pizzeria")
			admin.seeText("Pizzeria ouverte")
			admin.waitFor("heading", "OC Pizza Guillotière")
			admin.audit()

			admin.follow("link", "Catalogue")
			admin.follow("link", "Ajouter un produit")
			admin.fill("Nom", "Calzone")
			admin.fill("Description", "Chausson jambon, mozzarella.")
			admin.fill("Prix TTC (€)", "12,50")
			admin.fillNumber("Quantité de Pâte", "250")
			admin.fillNumber("Quantité de Mozzarella", "100")
			admin.fillNumber("Quantité de Jambon", "60")
			admin.fill("Étapes", "Étaler la pâte\nGarnir une moitié\nReplier et souder")
			admin.fillNumber("Cuisson (secondes)", "120")
			admin.fillNumber("Four (°C)", "430")
			admin.follow("button", "Ajouter le produit")
			admin.seeText("Produit ajouté")
			admin.seeText("Calzone")

			// A name corrected shows in the recipes.
			admin.typeInto("combobox", "Ingrédient", "Jambon")
			admin.fill("Nouveau nom", "Jambon blanc")
			admin.follow("button", "Renommer")
			admin.seeText("Ingrédient renommé.")
			admin.seeText("Jambon blanc 60 g")

			gui := s.pizzeriaID("GUI")
			admin.open("/manage/" + itoa(gui) + "/stock")
			admin.fill("Note", "Première livraison")
			for _, in := range []string{"Pâte", "Mozzarella", "Jambon blanc", "Canette"} {
				admin.fillNumber("Quantité de "+in, "5000")
			}
			admin.follow("button", "Enregistrer")
			admin.seeText("Livraison enregistrée.")

			customer := newTab(t, s.URL, 390)
			customer.signIn("alice@example.test", "fr")
			customer.open("/pizzerias/" + itoa(gui))
			customer.waitFor("heading", "OC Pizza Guillotière")
			customer.follow("button", "Ajouter au panier", customer.in("article", "Calzone"))
			customer.open("/checkout")
			customer.choose("À emporter")
			customer.choose("Paiement au retrait")
			customer.follow("button", "Valider la commande")
			customer.seeText("Commande GUI-0001")
			customer.seeText("1 × Calzone")
		})
	}
}

// TestDisabledDriverIsSignedOut: a driver follows an order's page; the
// manager disables the driver's account on the team screen, and the
// driver's open page falls to the sign-in page by itself.
func TestDisabledDriverIsSignedOut(t *testing.T) {
	t.Parallel()
	for _, e := range enginesFor(store.SQLite) {
		t.Run(string(e), func(t *testing.T) {
			s := newSite(t, e)
			o := s.api("alice@example.test", "POST", "/api/v1/orders", map[string]any{"pizzeria_id": s.shop,
				"items": []map[string]any{{"product_id": s.product["Margherita"], "quantity": 1}}, "fulfilment": "pickup", "payment_method": "on_delivery"})
			driver := newTab(t, s.URL, 390)
			driver.signIn("driver@ocpizza.test", "fr")
			driver.open("/orders/" + id(o["id"]))
			driver.waitForStep("Reçue")

			manager := newTab(t, s.URL, 1280)
			manager.signIn("manager@ocpizza.test", "fr")
			manager.open("/manage/" + itoa(s.shop) + "/staff")
			manager.follow("button", "Désactiver Staff driver")
			manager.seeText("Compte désactivé")
			manager.audit()

			// The stream closes at once; the page notices, finds it is
			// signed out and shows the sign-in page.
			driver.wait = 20 * time.Second
			driver.waitFor("heading", "Connexion")
			if loc := driver.location(); !strings.Contains(loc, "/login") {
				t.Fatalf("the driver's page is at %s", loc)
			}
			if _, _, err := s.server.Shop.SignIn(context.Background(), "driver@ocpizza.test", password, ""); err == nil {
				t.Fatal("a disabled driver signs in")
			}
		})
	}
}

// pizzeriaID finds a pizzeria by its code.
func (s *site) pizzeriaID(code string) int64 {
	s.t.Helper()
	ps, err := s.store.Pizzerias(context.Background())
	check(s.t, err)
	for _, p := range ps {
		if p.Code == code {
			return p.ID
		}
	}
	s.t.Fatalf("no pizzeria %s", code)
	return 0
}
