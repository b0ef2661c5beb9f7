package app_test

import (
	"context"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/oc-pizza/ocpizza/internal/account"
)

// pageAs requests a page as who ("" for a visitor), with a form body for a
// POST, without following the answer's redirect.
func (c *chain) pageAs(method, who, path, body string) (*http.Response, string) {
	c.t.Helper()
	req, _ := http.NewRequest(method, c.srv.URL+path, strings.NewReader(body))
	if method == "POST" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if tok := c.tokens[who]; tok != "" {
		req.AddCookie(&http.Cookie{Name: "ocpizza", Value: tok})
	}
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := noFollow.Do(req)
	check(c.t, err)
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	return res, string(out)
}

func (c *chain) pagePost(who, path, body string) (*http.Response, string) {
	c.t.Helper()
	return c.pageAs("POST", who, path, body)
}

// pageOK reads a page as who; it must answer 200.
func (c *chain) pageOK(who, path string) string {
	c.t.Helper()
	res, body := c.pageAs("GET", who, path, "")
	if res.StatusCode != http.StatusOK {
		c.t.Fatalf("%s as %q: %d", path, who, res.StatusCode)
	}
	return body
}

// TestSignUpPageDoesNotTellWhoHasAnAccount: the page goes on to the
// sign-in with an e-mail that has an account, as the API does, instead of
// saying "an account already uses alice@example.test".
func TestSignUpPageDoesNotTellWhoHasAnAccount(t *testing.T) {
	t.Parallel()
	c := newChain(t, "sqlite")
	form := func(email, pass string) string {
		return url.Values{"name": {"Mallory"}, "email": {email}, "password": {pass}, "next": {"/checkout"}}.Encode()
	}
	res, body := c.pagePost("", "/signup", form("alice@example.test", "another password!"))
	if res.StatusCode != http.StatusUnauthorized || strings.Contains(body, "utilise déjà") || !strings.Contains(body, "Impossible d&#39;ouvrir une session avec ce mot de passe") {
		t.Fatalf("sign-up with a customer's e-mail: %d\n%s", res.StatusCode, body)
	}
	// The account's holder, typing their own password, is simply signed in.
	if res, _ := c.pagePost("", "/signup", form("alice@example.test", password)); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/checkout" {
		t.Fatalf("sign-up with one's own e-mail and password: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	if res, _ := c.pagePost("", "/signup", form("carol@example.test", password)); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/checkout" {
		t.Fatalf("a new account: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	if me := c.must(200, "GET", "/api/v1/me", "alice", nil); me["name"] != "alice" {
		t.Fatalf("alice's account changed: %v", me)
	}
}

// TestLanguageLinkStaysOnTheSite: an encoded "//" reaches the 404 page
// with a path that, repeated in the language link, made it a link to
// another site. The link keeps the page's other parameters; after a form,
// it leads back to the page the form was on.
func TestLanguageLinkStaysOnTheSite(t *testing.T) {
	t.Parallel()
	c := newChain(t, "sqlite")
	site, _ := url.Parse(c.srv.URL)
	link := regexp.MustCompile(`<a href="([^"]*)" lang="en" hreflang="en">`)
	switchOf := func(page string) *url.URL {
		t.Helper()
		m := link.FindStringSubmatch(page)
		if m == nil {
			t.Fatalf("no language link in:\n%s", page)
		}
		to, err := site.Parse(html.UnescapeString(m[1]))
		check(t, err)
		return to
	}
	for _, path := range []string{"/%2F%2Fevil.example/x", "/%2F%5Cevil.example", "/%5C%5Cevil.example", "/"} {
		_, body := get(t, http.DefaultClient, c.srv.URL+path, nil)
		if to := switchOf(body); to.Host != site.Host || to.Query().Get("lang") != "en" {
			t.Errorf("%s: the language link leads to %s", path, to)
		}
	}
	_, body := get(t, http.DefaultClient, c.srv.URL+"/password/reset?token=abc", nil)
	if to := switchOf(body); to.Path != "/password/reset" || to.Query().Get("token") != "abc" {
		t.Errorf("the password page's language link loses its token: %s", to)
	}
	// A refused cancel answers with the order page: the link leads to it,
	// not to the form's address (a 404 for a GET).
	o := c.order("alice", nil)
	c.must(200, "POST", fmt.Sprintf("/api/v1/orders/%v/cancel", o["id"]), "alice", nil)
	req, _ := http.NewRequest("POST", fmt.Sprintf("%s/orders/%v/cancel", c.srv.URL, o["id"]), nil)
	req.Header.Set("Referer", fmt.Sprintf("%s/orders/%v", c.srv.URL, o["id"]))
	req.AddCookie(&http.Cookie{Name: "ocpizza", Value: c.tokens["alice"]})
	res, err := http.DefaultClient.Do(req)
	check(t, err)
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if to := switchOf(string(page)); to.Path != fmt.Sprintf("/orders/%v", o["id"]) {
		t.Errorf("after a refused form (%d), the language link leads to %s", res.StatusCode, to)
	}
}

// TestUnreadableFormChangesNothing: a body over the limit (or cut off)
// used to read as an empty form, and an empty hours form closed the
// pizzeria all week, with a success notice.
func TestUnreadableFormChangesNothing(t *testing.T) {
	t.Parallel()
	c := newChain(t, "sqlite")
	ctx := context.Background()
	before, err := c.store.Pizzeria(ctx, c.shop)
	check(t, err)
	if len(before.Hours) == 0 {
		t.Fatal("the fixture's pizzeria has no hours")
	}
	body := "d0-open-0=11:00&d0-close-0=14:00&pad=" + strings.Repeat("x", 1<<20+1)
	res, page := c.pagePost("manager", fmt.Sprintf("/manage/%d/hours", c.shop), body)
	if res.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(page, "Le formulaire est trop gros") {
		t.Errorf("a form over the limit: %d", res.StatusCode)
	}
	many := strings.Repeat("a=1&", 10001)
	if res, _ := c.pagePost("manager", fmt.Sprintf("/manage/%d/hours", c.shop), many); res.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("a form of 10,001 fields: %d", res.StatusCode)
	}
	// Not a form as a browser sends one: ParseForm reads nothing from
	// these, without an error.
	for _, ct := range []string{"multipart/form-data; boundary=x", "text/plain", ""} {
		req, _ := http.NewRequest("POST", c.srv.URL+fmt.Sprintf("/manage/%d/hours", c.shop), strings.NewReader("--x\r\nContent-Disposition: form-data; name=\"d0-open-0\"\r\n\r\n11:00\r\n--x--\r\n"))
		if ct != "" {
			req.Header.Set("Content-Type", ct)
		}
		req.AddCookie(&http.Cookie{Name: "ocpizza", Value: c.tokens["manager"]})
		res, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
		check(t, err)
		res.Body.Close()
		if res.StatusCode != http.StatusBadRequest {
			t.Errorf("a body of type %q: %d", ct, res.StatusCode)
		}
	}
	after, err := c.store.Pizzeria(ctx, c.shop)
	check(t, err)
	if fmt.Sprint(after.Hours) != fmt.Sprint(before.Hours) {
		t.Fatalf("hours changed by forms that could not be read: %v, were %v", after.Hours, before.Hours)
	}
}

// TestDriverRunIsBounded: one "Je pars" form with thousands of order ids
// read an order for each before anything refused it.
func TestDriverRunIsBounded(t *testing.T) {
	t.Parallel()
	c := newChain(t, "sqlite")
	var body strings.Builder
	for id := range 5000 {
		fmt.Fprintf(&body, "order=%d&", id+1)
	}
	res, page := c.pagePost("driver", fmt.Sprintf("/driver/%d/leave", c.shop), body.String())
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "au plus 12 livraisons") {
		t.Fatalf("a run of 5,000 deliveries: %d", res.StatusCode)
	}
}

// TestSignInPageSaysWhenToComeBack: the page's 429 carries Retry-After,
// as the API's does.
func TestSignInPageSaysWhenToComeBack(t *testing.T) {
	t.Parallel()
	c := newChain(t, "sqlite")
	form := url.Values{"email": {"alice@example.test"}, "password": {"not the password"}}.Encode()
	for range 30 {
		res, _ := c.pagePost("", "/login", form)
		if res.StatusCode == http.StatusTooManyRequests {
			if res.Header.Get("Retry-After") == "" {
				t.Fatal("429 without Retry-After")
			}
			return
		}
	}
	t.Fatal("30 wrong passwords and no 429")
}

// TestCancelledOrderOwesNothing: a cancelled order paid on delivery still
// said "à régler" at the counter and on the customer's page, and its
// ticket "À encaisser".
func TestCancelledOrderOwesNothing(t *testing.T) {
	t.Parallel()
	c := newChain(t, "sqlite")
	o := c.order("alice", nil)
	id := fmt.Sprint(o["id"])
	c.must(200, "POST", "/api/v1/orders/"+id+"/cancel", "alice", nil)
	ticket := c.pageOK("counter", fmt.Sprintf("/counter/%d/orders/%s/ticket", c.shop, id))
	if strings.Contains(ticket, "À encaisser") || !strings.Contains(ticket, "ANNULÉE") || !strings.Contains(ticket, "rien à régler") {
		t.Errorf("the ticket of a cancelled order:\n%s", ticket)
	}
	if counter := c.pageOK("counter", fmt.Sprintf("/counter/%d", c.shop)); !strings.Contains(counter, "rien à régler") {
		t.Errorf("the counter's line of a cancelled order:\n%s", counter)
	}
	mine := c.pageOK("alice", "/orders/"+id)
	if !strings.Contains(mine, "— rien à régler</dd>") {
		t.Errorf("the customer's page of a cancelled order does not say there is nothing to pay:\n%s", mine)
	}
	if strings.Contains(mine, "La pizzeria l&#39;a annulée") {
		t.Errorf("the customer who cancelled is told the pizzeria did")
	}

	// Cancelled by the counter: it says so there, and the customer is
	// told who cancelled and whom to call.
	o2 := c.order("alice", nil)
	res, _ := c.pagePost("counter", fmt.Sprintf("/counter/%d/orders/%v/cancel", c.shop, o2["id"]), "")
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("the counter cancels: %d", res.StatusCode)
	}
	if counter := c.pageOK("counter", res.Header.Get("Location")); !strings.Contains(counter, fmt.Sprintf("Commande %v annulée.", o2["number"])) {
		t.Errorf("the counter is not told the order was cancelled (%s)", res.Header.Get("Location"))
	}
	if mine := c.pageOK("alice", fmt.Sprintf("/orders/%v", o2["id"])); !strings.Contains(mine, "La pizzeria l&#39;a annulée") {
		t.Errorf("the customer is not told the pizzeria cancelled:\n%s", mine)
	}
}

// TestCounterTakesWhatItShows: the counter's address choice is the
// address shown, not its place in a list read again on sending (a web
// order placed meanwhile sent the delivery to an address never on
// screen); "Commander à nouveau" takes the earlier order's address, and
// says what it cannot take again rather than dropping it silently; a
// walk-in take-away needs a name, not a phone.
func TestCounterTakesWhatItShows(t *testing.T) {
	t.Parallel()
	c := newChain(t, "sqlite")
	phone := "0612345678"
	first := c.order("counter", map[string]any{"channel": "phone", "customer": map[string]any{"name": "Jean Dupont", "phone": phone},
		"delivery_address": map[string]any{"street": "1 rue Neuve", "postcode": "69002", "city": "Lyon"}})
	c.order("counter", map[string]any{"channel": "phone", "customer": map[string]any{"name": "Jean Dupont", "phone": phone},
		"delivery_address": map[string]any{"street": "2 rue Neuve", "postcode": "69002", "city": "Lyon"}})
	counter := fmt.Sprintf("/counter/%d", c.shop)
	radio := regexp.MustCompile(`name="address" value="([^"]+)" checked> ([^<]*)</label>`)

	// "Again" on the first order ticks its own address, not the latest.
	page := c.pageOK("counter", fmt.Sprintf("%s?phone=%s&from=%v", counter, phone, first["id"]))
	m := radio.FindStringSubmatch(page)
	if m == nil || !strings.Contains(m[2], "1 rue Neuve") {
		t.Fatalf("'again' ticks %v", m)
	}
	// Meanwhile a third address comes first in the caller's list.
	c.order("counter", map[string]any{"channel": "phone", "customer": map[string]any{"name": "Jean Dupont", "phone": phone},
		"delivery_address": map[string]any{"street": "3 rue Neuve", "postcode": "69002", "city": "Lyon"}})
	form := url.Values{"key": {strings.Repeat("a", 32)}, "phone": {phone}, "name": {"Jean Dupont"}, "channel": {"phone"}, "fulfilment": {"delivery"},
		"address": {html.UnescapeString(m[1])}, fmt.Sprintf("qty-%d", c.pizza): {"1"}}
	res, _ := c.pagePost("counter", counter+"/orders", form.Encode())
	placed, err := strconv.ParseInt(strings.TrimPrefix(res.Header.Get("Location"), counter+"?placed="), 10, 64)
	if res.StatusCode != http.StatusSeeOther || err != nil {
		t.Fatalf("placed: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	o, err := c.store.Order(context.Background(), placed)
	check(t, err)
	if o.DeliveryAddress == nil || o.DeliveryAddress.Street != "1 rue Neuve" {
		t.Fatalf("delivered to %+v, the screen showed 1 rue Neuve", o.DeliveryAddress)
	}

	// What can no longer be made is named, and not in the form.
	check(t, c.server.Shop.SetOnMenu(context.Background(), account.Actor{Grants: []account.Grant{{Role: account.Admin}}}, c.shop, c.pizza, false, "four en panne"))
	page = c.pageOK("counter", fmt.Sprintf("%s?phone=%s&from=%v", counter, phone, first["id"]))
	if !strings.Contains(page, "Pas repris de la commande précédente") {
		t.Error("'again' drops a pizza off the menu without a word")
	}
	check(t, c.server.Shop.SetOnMenu(context.Background(), account.Actor{Grants: []account.Grant{{Role: account.Admin}}}, c.shop, c.pizza, true, ""))

	// Someone at the counter, taking away: a name is enough.
	walkIn := url.Values{"key": {strings.Repeat("b", 32)}, "phone": {""}, "name": {"Paul"}, "channel": {"counter"}, "fulfilment": {"pickup"},
		fmt.Sprintf("qty-%d", c.pizza): {"1"}}
	if res, body := c.pagePost("counter", counter+"/orders", walkIn.Encode()); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("a walk-in take-away without a phone: %d\n%s", res.StatusCode, body)
	}
}

// TestManagerClosesADeliveryLeftOut: a delivery out with a driver who can
// no longer mark it delivered (their phone died, their role changed) was
// stuck out for delivery; the manager's driver screen lists it and closes
// it, taking the payment.
func TestManagerClosesADeliveryLeftOut(t *testing.T) {
	t.Parallel()
	c := newChain(t, "sqlite")
	o := c.order("alice", nil)
	path := "/api/v1/orders/" + id(o)
	for _, step := range []struct{ who, status string }{{"pizzaiolo", "preparing"}, {"pizzaiolo", "ready"}, {"driver", "out_for_delivery"}} {
		c.must(200, "POST", path+"/status", step.who, map[string]any{"status": step.status})
	}
	screen := fmt.Sprintf("/driver/%d", c.shop)
	if page := c.pageOK("manager", screen); !strings.Contains(page, "En livraison avec d&#39;autres livreurs") || !strings.Contains(page, fmt.Sprintf(`action="%s/orders/%s/delivered"`, screen, id(o))) {
		t.Fatalf("the manager's driver screen does not offer the delivery left out:\n%s", page)
	}
	if page := c.pageOK("driver2", fmt.Sprintf("/driver/%d", c.other)); strings.Contains(page, "autres livreurs") {
		t.Error("a driver is offered the other drivers' deliveries")
	}
	res, body := c.pagePost("manager", fmt.Sprintf("%s/orders/%s/delivered", screen, id(o)), "method=cash")
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("delivered by the manager: %d\n%s", res.StatusCode, body)
	}
	if got := c.must(200, "GET", path, "alice", nil); got["status"] != "delivered" || got["payment_status"] != "paid" {
		t.Fatalf("after the manager closed it: %v %v", got["status"], got["payment_status"])
	}
	if page := c.pageOK("manager", res.Header.Get("Location")); !strings.Contains(page, fmt.Sprintf("%s livrée — ", o["number"])) || !strings.Contains(page, "encaissés.") {
		t.Errorf("no confirmation of the delivery and the money taken (%s)", res.Header.Get("Location"))
	}
}

// TestRefusedWasteNamesItsIngredient: a batch has forty lines; "cannot
// waste 600: only 500 in stock" did not say which.
func TestRefusedWasteNamesItsIngredient(t *testing.T) {
	t.Parallel()
	c := newChain(t, "sqlite")
	have := c.level(c.shop, c.dough)
	form := url.Values{"reason": {"waste"}, "note": {"tombée"}, fmt.Sprintf("q-%d", c.dough): {fmt.Sprint(have + 1)}}
	res, page := c.pagePost("manager", fmt.Sprintf("/manage/%d/stock", c.shop), form.Encode())
	if res.StatusCode != http.StatusConflict || !strings.Contains(page, "Pâte (g) — ") {
		t.Fatalf("a waste larger than the stock: %d\n%s", res.StatusCode, page)
	}
	if c.level(c.shop, c.dough) != have {
		t.Fatal("the refused waste changed the stock")
	}
}

// TestHoursFormKeepsWhatWasTyped: overlapping services are refused, with
// the day named, and the form comes back as typed (it came back with the
// stored hours, what was typed lost).
func TestHoursFormKeepsWhatWasTyped(t *testing.T) {
	t.Parallel()
	c := newChain(t, "sqlite")
	before, err := c.store.Pizzeria(context.Background(), c.shop)
	check(t, err)
	form := url.Values{"fri-open": {"18:00", "17:00"}, "fri-close": {"23:00", "19:00"}, "sat-open": {"11:30", ""}, "sat-close": {"14:00", ""}}
	for _, day := range []string{"mon", "tue", "wed", "thu", "sun"} {
		form[day+"-open"], form[day+"-close"] = []string{"", ""}, []string{"", ""}
	}
	res, page := c.pagePost("manager", fmt.Sprintf("/manage/%d/hours", c.shop), form.Encode())
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "Le vendredi, 17:00–19:00 et 18:00–23:00 se chevauchent") {
		t.Fatalf("overlapping services: %d\n%s", res.StatusCode, page)
	}
	if !strings.Contains(page, `name="sat-open" type="time" value="11:30"`) || !strings.Contains(page, `name="fri-open" type="time" value="17:00"`) {
		t.Error("the form lost what was typed")
	}
	after, err := c.store.Pizzeria(context.Background(), c.shop)
	check(t, err)
	if fmt.Sprint(after.Hours) != fmt.Sprint(before.Hours) {
		t.Error("refused hours were stored")
	}
}
