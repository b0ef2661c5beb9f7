package app_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/oc-pizza/ocpizza/internal/account"
	"github.com/oc-pizza/ocpizza/internal/app"
	"github.com/oc-pizza/ocpizza/internal/pizzeria"
	"github.com/oc-pizza/ocpizza/internal/store"
	"github.com/oc-pizza/ocpizza/internal/store/storetest"
	"github.com/oc-pizza/ocpizza/internal/web"
)

// TestPagesWaitOutADatabaseOutage: while the database server cannot be
// reached, pages answer 503 with Retry-After and say to try again in a
// moment, as the API does — not a 500 "internal error" — and answer
// again by themselves once it is back.
func TestPagesWaitOutADatabaseOutage(t *testing.T) {
	t.Parallel()
	for _, e := range []store.Engine{store.Postgres, store.MySQL} {
		t.Run(string(e), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			outage, dbURL := storetest.Through(t, storetest.NewDatabase(t, e))
			st, err := store.Open(ctx, dbURL)
			check(t, err)
			t.Cleanup(func() { st.Close() })
			_, err = st.Migrate(ctx)
			check(t, err)
			_, err = st.CreatePizzeria(ctx, pizzeria.Pizzeria{Code: "ONE", Name: "OC Pizza ONE", Active: true, Phone: "04",
				Address: pizzeria.Address{Street: "1 rue Neuve", Postcode: "69002", City: "Lyon"}, DeliveryPostcodes: []string{"69002"},
				Hours: pizzeria.AroundTheClock()})
			check(t, err)
			server := app.NewServer(st, slog.New(slog.NewTextHandler(io.Discard, nil)), web.Options{})
			t.Cleanup(server.Shop.Close)
			srv := httptest.NewServer(server.Handler())
			t.Cleanup(srv.Close)

			// Signing in reads the account: always the database.
			signIn := func() (*http.Response, string) {
				res, err := http.PostForm(srv.URL+"/login", url.Values{"email": {"nobody@example.fr"}, "password": {"not the password"}})
				check(t, err)
				defer res.Body.Close()
				body, _ := io.ReadAll(res.Body)
				return res, string(body)
			}
			if res, body := signIn(); res.StatusCode != http.StatusUnauthorized {
				t.Fatalf("before the outage: %d\n%s", res.StatusCode, body)
			}
			// A customer signed in before the outage (a session no page
			// has checked yet, so none is in memory).
			server.Shop.Passwords = cheapPasswords()
			_, err = server.Shop.AddUser(ctx, "alice@example.test", "Alice", password, []account.Grant{{Role: account.Customer}})
			check(t, err)
			token, _, err := server.Shop.SignIn(ctx, "alice@example.test", password, "127.0.0.1")
			check(t, err)
			myOrders := func() *http.Response {
				req, _ := http.NewRequest("GET", srv.URL+"/account/orders", nil)
				req.AddCookie(&http.Cookie{Name: "ocpizza", Value: token})
				res, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
				check(t, err)
				res.Body.Close()
				return res
			}
			outage.Cut()
			// Her pages wait the outage out; she is not signed out.
			if res := myOrders(); res.StatusCode != http.StatusServiceUnavailable || len(res.Header.Values("Set-Cookie")) > 0 {
				t.Fatalf("a signed-in page during the outage: %d, Set-Cookie %q", res.StatusCode, res.Header.Values("Set-Cookie"))
			}
			res, body := signIn()
			if res.StatusCode != http.StatusServiceUnavailable || res.Header.Get("Retry-After") != "2" ||
				!strings.Contains(body, "Service momentanément indisponible") || !strings.Contains(body, "réessayez dans un instant") {
				t.Fatalf("during the outage: %d, Retry-After %q\n%s", res.StatusCode, res.Header.Get("Retry-After"), body)
			}
			if res, body := get(t, http.DefaultClient, srv.URL+"/api/v1/pizzerias", nil); res.StatusCode != http.StatusServiceUnavailable {
				t.Fatalf("the API during the outage: %d %s", res.StatusCode, body)
			}
			outage.Mend(t)
			if res, body := signIn(); res.StatusCode != http.StatusUnauthorized {
				t.Fatalf("after the outage: %d\n%s", res.StatusCode, body)
			}
			if res := myOrders(); res.StatusCode != http.StatusOK {
				t.Fatalf("her page after the outage: %d", res.StatusCode)
			}
		})
	}
}
