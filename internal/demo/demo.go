// Package demo loads a believable chain into an empty database: five
// pizzerias in Lyon, a full menu with recipes, stock that makes a few
// pizzas scarce, a staff account per role per pizzeria, customers, and a
// day of past orders in every status — all through the same rules as real
// use, so the demo is also a smoke test of them.
package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"regexp"
	"strconv"
	"strings"

	"github.com/oc-pizza/ocpizza/internal/account"
	"github.com/oc-pizza/ocpizza/internal/catalog"
	"github.com/oc-pizza/ocpizza/internal/errs"
	"github.com/oc-pizza/ocpizza/internal/pizzeria"
	"github.com/oc-pizza/ocpizza/internal/shop"
	"github.com/oc-pizza/ocpizza/internal/stock"
)

// Password is the password of every demo account.
const Password = "pizza-demo-2026"

// Login is a demo account to print.
type Login struct {
	Email string
	Role  string
	Shop  string
}

// Summary says what was loaded.
type Summary struct {
	Pizzerias   int
	Products    int
	Ingredients int
	Orders      int
	Logins      []Login
}

type loader struct {
	sh          *shop.Shop
	ingredients map[string]int64
	products    []catalog.Product
	shops       []pizzeria.Pizzeria
	staff       map[string]map[account.Role]account.Actor // shop code → role → actor
	customers   []account.User
	rng         *rand.Rand
	sum         Summary
}

// Load fills an empty database. It refuses one that already holds
// pizzerias or users.
func Load(ctx context.Context, sh *shop.Shop) (Summary, error) {
	empty, err := sh.Store.Empty(ctx)
	if err != nil {
		return Summary{}, err
	}
	if !empty {
		return Summary{}, errs.E(errs.Conflict, "the database already holds data: the demo loads only into an empty one")
	}
	l := &loader{sh: sh, ingredients: map[string]int64{}, staff: map[string]map[account.Role]account.Actor{}, rng: rand.New(rand.NewPCG(2026, 11))}
	steps := []func(context.Context) error{l.loadShops, l.loadCatalog, l.loadStock, l.loadPeople, l.loadOrders}
	for _, step := range steps {
		if err := step(ctx); err != nil {
			return l.sum, err
		}
	}
	// The demo's day of orders queued their customer notifications, as
	// real orders do: they are news to nobody, and would hold the first
	// real confirmations behind them.
	if _, err := sh.Store.SkipOutbox(ctx, "demo data"); err != nil {
		return l.sum, err
	}
	sh.Forget()
	return l.sum, nil
}

func (l *loader) loadShops(ctx context.Context) error {
	for _, p := range shops() {
		p.Hours, p.Active = hours(), true
		created, err := l.sh.Store.CreatePizzeria(ctx, p)
		if err != nil {
			return fmt.Errorf("pizzeria %s: %w", p.Name, err)
		}
		l.shops = append(l.shops, created)
	}
	l.sum.Pizzerias = len(l.shops)
	return nil
}

func (l *loader) loadCatalog(ctx context.Context) error {
	for _, in := range ingredients {
		created, err := l.sh.Store.CreateIngredient(ctx, catalog.Ingredient{Name: in.name, Unit: in.unit}, in.threshold)
		if err != nil {
			return fmt.Errorf("ingredient %s: %w", in.name, err)
		}
		l.ingredients[in.name] = created.ID
	}
	for _, p := range products {
		steps, seconds, celsius := memoSteps(p.memo)
		cp := catalog.Product{Category: p.category, Name: p.name, Description: p.description, DescriptionEN: descriptionsEN[p.name],
			PriceCents: p.priceCents, VATBasis: p.vatBasis, Active: true,
			Steps: steps, BakeSeconds: seconds, BakeCelsius: celsius}
		for _, r := range p.recipe {
			id, ok := l.ingredients[r.ingredient]
			if !ok {
				return fmt.Errorf("recipe of %s: unknown ingredient %s", p.name, r.ingredient)
			}
			cp.Recipe = append(cp.Recipe, catalog.RecipeLine{IngredientID: id, Quantity: r.quantity})
		}
		created, err := l.sh.Store.CreateProduct(ctx, cp)
		if err != nil {
			return fmt.Errorf("product %s: %w", p.name, err)
		}
		l.products = append(l.products, created)
	}
	l.sum.Products, l.sum.Ingredients = len(l.products), len(l.ingredients)
	return nil
}

// loadStock records a supplier delivery of the usual level in every shop,
// through the ledger like a real delivery. The scarce levels come from the
// evening inventory count, after the day's orders (see loadOrders).
func (l *loader) loadStock(ctx context.Context) error {
	for _, p := range l.shops {
		for _, in := range ingredients {
			m := stock.ManualMovement{IngredientID: l.ingredients[in.name], Reason: stock.Delivery, Delta: in.usual}
			if _, err := l.sh.Store.RecordMovement(ctx, p.ID, m, 0); err != nil {
				return fmt.Errorf("stock of %s in %s: %w", in.name, p.Name, err)
			}
		}
	}
	return nil
}

const adminEmail = "admin@ocpizza.fr"

// staffRoles are the roles each demo pizzeria has an account for.
var staffRoles = []account.Role{account.Manager, account.Counter, account.Pizzaiolo, account.Driver}

func staffEmail(r account.Role, shopCode string) string {
	return fmt.Sprintf("%s.%s@ocpizza.fr", r, strings.ToLower(shopCode))
}

// Emails lists every demo account's e-mail, whose password is public
// (Password): a production database must not hold them with it.
func Emails() []string {
	out := []string{adminEmail}
	for _, p := range shops() {
		for _, r := range staffRoles {
			out = append(out, staffEmail(r, p.Code))
		}
	}
	for _, c := range customers {
		out = append(out, c.email)
	}
	return out
}

func (l *loader) loadPeople(ctx context.Context) error {
	add := func(email, name string, g account.Grant, shopCode string) (account.User, error) {
		u, err := l.sh.AddUser(ctx, email, name, Password, []account.Grant{g})
		if err != nil {
			return u, fmt.Errorf("user %s: %w", email, err)
		}
		l.sum.Logins = append(l.sum.Logins, Login{Email: email, Role: string(g.Role), Shop: shopCode})
		return u, nil
	}
	if _, err := add(adminEmail, "Administration OC Pizza", account.Grant{Role: account.Admin}, ""); err != nil {
		return err
	}
	for _, p := range l.shops {
		l.staff[p.Code] = map[account.Role]account.Actor{}
		for _, r := range staffRoles {
			email := staffEmail(r, p.Code)
			name := fmt.Sprintf("%s %s", strings.ToUpper(string(r[:1]))+string(r[1:]), p.Code)
			u, err := add(email, name, account.Grant{Role: r, PizzeriaID: p.ID}, p.Code)
			if err != nil {
				return err
			}
			l.staff[p.Code][r] = account.ActorOf(u)
		}
	}
	for _, c := range customers {
		u, err := l.sh.SignUp(ctx, account.NewCustomer{Email: c.email, Password: Password, Name: c.name, Phone: c.phone}, "")
		if err != nil {
			return fmt.Errorf("customer %s: %w", c.email, err)
		}
		// Their address is kept for later orders, as the website offers.
		home := pizzeria.Address{Street: c.street, Postcode: c.postcode, City: "Lyon"}
		if _, _, err := l.sh.SaveAddress(ctx, account.ActorOf(u), home); err != nil {
			return fmt.Errorf("customer %s: %w", c.email, err)
		}
		l.customers = append(l.customers, u)
		l.sum.Logins = append(l.sum.Logins, Login{Email: c.email, Role: "customer"})
	}
	return nil
}

// bakeRE finds the baking in a demo memo: "Four 450 °C, 90 s".
var bakeRE = regexp.MustCompile(`Four (\d+) °C, (\d+) s`)

// memoSteps turns a demo memo, written as sentences, into the recipe's
// steps and its baking.
func memoSteps(memo string) (steps []string, seconds, celsius int) {
	if m := bakeRE.FindStringSubmatch(memo); m != nil {
		celsius, _ = strconv.Atoi(m[1])
		seconds, _ = strconv.Atoi(m[2])
	}
	for _, s := range strings.SplitAfter(memo, ". ") {
		if s = strings.TrimSpace(s); s != "" {
			steps = append(steps, s)
		}
	}
	return steps, seconds, celsius
}
