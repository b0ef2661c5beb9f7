package web

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/oc-pizza/ocpizza/internal/account"
	"github.com/oc-pizza/ocpizza/internal/catalog"
	"github.com/oc-pizza/ocpizza/internal/errs"
	"github.com/oc-pizza/ocpizza/internal/order"
)

// dynamicKeys are the keys the code builds from a value.
func dynamicKeys() []string {
	var keys []string
	for _, c := range []catalog.Category{catalog.Pizza, catalog.Drink, catalog.Dessert} {
		keys = append(keys, "category."+string(c))
	}
	for d := time.Sunday; d <= time.Saturday; d++ {
		keys = append(keys, "day."+d.String())
	}
	for _, s := range order.Statuses {
		keys = append(keys, "step."+string(s))
	}
	keys = append(keys, "step.ready_pickup")
	for _, p := range []order.PaymentStatus{order.Unpaid, order.Paid, order.Refunded} {
		keys = append(keys, "payment."+string(p))
	}
	for _, u := range []catalog.Unit{catalog.Gram, catalog.Millilitre, catalog.Piece} {
		keys = append(keys, "unit."+string(u))
	}
	for _, s := range []string{"counter", "kitchen", "driver"} {
		keys = append(keys, "staff.screen."+s)
	}
	for _, s := range []string{"401", "403", "404", "other"} {
		keys = append(keys, "error.title."+s)
	}
	return keys
}

// errorCodes lists every code of the errs package, read from its source,
// so a new code cannot miss its sentence.
func errorCodes(t *testing.T) []errs.Code {
	f, err := parser.ParseFile(token.NewFileSet(), "../errs/errs.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var codes []errs.Code
	ast.Inspect(f, func(n ast.Node) bool {
		if vs, ok := n.(*ast.ValueSpec); ok {
			if id, ok := vs.Type.(*ast.Ident); ok && id.Name == "Code" {
				for _, v := range vs.Values {
					if lit, ok := v.(*ast.BasicLit); ok {
						s, _ := strconv.Unquote(lit.Value)
						codes = append(codes, errs.Code(s))
					}
				}
			}
		}
		return true
	})
	if len(codes) < 10 {
		t.Fatalf("found only %d error codes in errs.go", len(codes))
	}
	return codes
}

var usedKey = regexp.MustCompile(`(?:\.T|T\(|text\([a-zA-Z.()]+, ) ?"([a-z0-9_.]+)"`)

// TestCatalogueIsComplete fails when a text is missing in either
// language: every key the templates and the code use, and every key
// built from a value.
func TestCatalogueIsComplete(t *testing.T) {
	c, err := loadCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	fr, en := c.texts["fr"], c.texts["en"]
	for lang, texts := range c.texts {
		for k, v := range texts {
			// An empty text would be an unlabelled button or field; the
			// browser audit checks the English pages for scripts only.
			if strings.TrimSpace(v) == "" {
				t.Errorf("%q is empty in %s", k, lang)
			}
		}
	}
	for k := range fr {
		if _, ok := en[k]; !ok {
			t.Errorf("%q is in French only", k)
		}
	}
	for k := range en {
		if _, ok := fr[k]; !ok {
			t.Errorf("%q is in English only", k)
		}
	}
	used := dynamicKeys()
	for _, code := range errorCodes(t) {
		used = append(used, "error."+string(code))
	}
	err = filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(path, "_test.go") || !(strings.HasSuffix(path, ".go") || strings.HasSuffix(path, ".html")) {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range usedKey.FindAllStringSubmatch(string(data), -1) {
			if !strings.HasSuffix(m[1], ".") { // a prefix the code completes
				used = append(used, m[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(used) < 150 {
		t.Fatalf("found only %d keys in use: the pattern no longer matches how texts are asked for", len(used))
	}
	for _, k := range used {
		if _, ok := fr[k]; !ok {
			t.Errorf("%q is used but not in the catalogue", k)
		}
	}
}

// TestDomainErrorsHaveFrenchWording: every message the rules, the use
// cases and the pages give has a French wording, so a French customer
// never reads English.
func TestDomainErrorsHaveFrenchWording(t *testing.T) {
	c, err := loadCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, dir := range []string{"../account", "../catalog", "../order", "../pizzeria", "../stock", "../shop", "../text", "."} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		for _, path := range files {
			if strings.HasSuffix(path, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			ast.Inspect(f, func(node ast.Node) bool {
				call, ok := node.(*ast.CallExpr)
				if !ok || len(call.Args) < 2 {
					return true
				}
				sel, ok := call.Fun.(*ast.SelectorExpr)
				if !ok || sel.Sel.Name != "E" || (dir != "../errs" && !isIdent(sel.X, "errs")) {
					return true
				}
				lit, ok := call.Args[1].(*ast.BasicLit)
				if !ok {
					return true
				}
				format, _ := strconv.Unquote(lit.Value)
				n++
				if _, ok := c.errors["fr"][format]; !ok {
					t.Errorf("%s: no French wording for %q (locales/fr/errors.json)", path, format)
				}
				return true
			})
		}
	}
	if n < 50 {
		t.Fatalf("found only %d messages", n)
	}
}

func isIdent(e ast.Expr, name string) bool {
	id, ok := e.(*ast.Ident)
	return ok && id.Name == name
}

func TestAcceptLanguage(t *testing.T) {
	for header, want := range map[string]string{
		"":                          "fr",
		"en-GB,en;q=0.9":            "en",
		"de-DE,de;q=0.9,en;q=0.8":   "en",
		"fr-FR,fr;q=0.9,en;q=0.8":   "fr",
		"en;q=0.5,fr;q=0.7":         "fr",
		"es":                        "fr",
		"EN-us":                     "en",
		"en;q=0.2, fr-CA;q=0.1, *;": "en",
	} {
		if got := acceptLanguage(header); got != want {
			t.Errorf("Accept-Language %q: %s, want %s", header, got, want)
		}
	}
}

func TestCartCookie(t *testing.T) {
	c := cart{PizzeriaID: 3}.add(12, 2).add(14, 1).add(12, 1)
	if got := c.encode(); got != "3:12x3.14x1" {
		t.Fatalf("encoded %q", got)
	}
	if back := decodeCart(c.encode()); back.encode() != c.encode() || back.count() != 4 {
		t.Fatalf("decoded %+v", back)
	}
	for _, bad := range []string{"", "x:1x1", "3:1x", "3:1x-2", "0:1x1", "3:ax1", strings.Repeat("3:1x1.", 300)} {
		if got := decodeCart(bad); len(got.Items) != 0 {
			t.Errorf("%q decoded as %+v", bad, got)
		}
	}
	if c.set(12, 0).count() != 1 || c.add(12, 500).Items[0].Quantity != order.MaxLineQuantity {
		t.Fatal("set or the quantity limit")
	}
	// Quantities near the int64 limit, from the form or a repeated line of
	// the cookie, are capped, not wrapped to a negative (an empty cart).
	if got := c.add(12, math.MaxInt64).Items[0].Quantity; got != order.MaxLineQuantity {
		t.Errorf("adding MaxInt64: quantity %d", got)
	}
	huge := fmt.Sprintf("3:12x%d.12x%d", int64(math.MaxInt64), int64(math.MaxInt64))
	if got := decodeCart(huge); len(got.Items) != 1 || got.Items[0].Quantity != order.MaxLineQuantity {
		t.Errorf("%q decoded as %+v", huge, got)
	}
}

func TestSafeNext(t *testing.T) {
	for in, want := range map[string]string{
		"/checkout":            "/checkout",
		"/orders/3?x=1":        "/orders/3?x=1",
		"//evil.example/":      "",
		"https://evil.example": "",
		"/\\evil.example":      "",
		"":                     "",
		"checkout":             "",
	} {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPolicy(t *testing.T) {
	p := policy("abc", nil)
	for _, want := range []string{"script-src 'self' 'nonce-abc'", "style-src 'self'", "frame-ancestors 'none'", "object-src 'none'", "frame-src 'none'"} {
		if !strings.Contains(p, want) {
			t.Errorf("policy lacks %q: %s", want, p)
		}
	}
	if strings.Contains(p, "unsafe") {
		t.Errorf("unsafe source in %s", p)
	}
	sq := policy("abc", squareSources("https://sandbox.web.squarecdn.com/v1/square.js"))
	for _, want := range []string{"script-src 'self' 'nonce-abc' https://sandbox.web.squarecdn.com", "frame-src https://sandbox.web.squarecdn.com", "connect-src 'self' https://sandbox.web.squarecdn.com https://pci-connect.squareupsandbox.com"} {
		if !strings.Contains(sq, want) {
			t.Errorf("checkout policy lacks %q: %s", want, sq)
		}
	}
}

// TestRefusalsNameStatusesInTheVisitorsWords: "déjà en cours (preparing)"
// was a French sentence around an English word, and "déjà en cours" was
// untrue of a delivered order.
func TestRefusalsNameStatusesInTheVisitorsWords(t *testing.T) {
	c, err := loadCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	late := order.Order{Number: "REP-0013", Status: order.Preparing, CustomerID: 7}
	err = order.CheckTransition(account.Actor{UserID: 7, Grants: []account.Grant{{Role: account.Customer}}}, late, order.Cancelled)
	for lang, want := range map[string]string{
		"fr": "La commande REP-0013 est en préparation : elle ne peut plus être annulée",
		"en": "Order REP-0013 is being prepared: it can no longer be cancelled",
	} {
		if got := c.message(lang, err); got != want {
			t.Errorf("%s: %q, want %q", lang, got, want)
		}
	}
	late.Status = order.Delivered
	if got := c.message("fr", order.CheckModify(account.Actor{UserID: 7}, late)); got != "La commande REP-0013 est livrée : elle ne peut plus être modifiée" {
		t.Errorf("fr: %q", got)
	}
	counter := account.Actor{UserID: 3, Grants: []account.Grant{{Role: account.Counter, PizzeriaID: 1}}}
	paid := order.Order{Number: "REP-0013", PizzeriaID: 1, Status: order.Ready, PaymentStatus: order.Paid, PaymentMethod: order.OnDelivery}
	if got := c.message("fr", order.CheckPayment(counter, paid, "cash")); got != "La commande REP-0013 est déjà payée" {
		t.Errorf("fr: %q", got)
	}
}

func TestAlphaKey(t *testing.T) {
	names := []string{"Œuf", "Crème fraîche", "oignon", "Câpres", "Ail", "Épinards"}
	slices.SortFunc(names, func(a, b string) int { return strings.Compare(alphaKey(a), alphaKey(b)) })
	if got := strings.Join(names, ", "); got != "Ail, Câpres, Crème fraîche, Épinards, Œuf, oignon" {
		t.Errorf("sorted: %s", got)
	}
}

func TestFrenchElides(t *testing.T) {
	c, err := loadCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"Ail": "Quantité d'Ail", "Œuf": "Quantité d'Œuf", "Jambon": "Quantité de Jambon", "Emmental": "Quantité d'Emmental"} {
		if got := c.text("fr", "manage.stock.quantity.of", name); got != want {
			t.Errorf("%s: %q, want %q", name, got, want)
		}
	}
	if got := c.text("en", "cart.quantity.of", "Anchovies"); got != "Quantity of Anchovies" {
		t.Errorf("en: %q", got)
	}
}
