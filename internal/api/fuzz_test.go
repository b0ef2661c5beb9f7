package api

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/oc-pizza/ocpizza/internal/account"
	"github.com/oc-pizza/ocpizza/internal/demo"
	"github.com/oc-pizza/ocpizza/internal/event"
	"github.com/oc-pizza/ocpizza/internal/shop"
	"github.com/oc-pizza/ocpizza/internal/store"
	"github.com/oc-pizza/ocpizza/internal/store/storetest"
)

// fuzzedRoutes are the API routes that decode a request body or read the
// query, every one but the event streams (which never end) and signing
// out (which would end the fuzzer's session).
func fuzzedRoutes(a *API) []string {
	var out []string
	for _, p := range a.patterns {
		if strings.HasSuffix(p, "/events") || p == "DELETE /api/v1/auth/token" || p == "GET /api/v1/openapi.json" {
			continue
		}
		out = append(out, p)
	}
	return out
}

// FuzzAPIRequests sends whatever the fuzzer writes as the body (and
// query) of every API route, as a customer, a manager or anonymously, to
// the real handlers over the demo chain on SQLite. Whatever comes, the API
// answers with its error shape and a 4xx (or 503), never a 5xx or a panic:
// every request decoder, and the rules behind it, refuse bad input
// cleanly.
func FuzzAPIRequests(f *testing.F) {
	ctx := context.Background()
	st := storetest.Open(f, store.SQLite)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	sh := shop.New(st, event.NewBroker(), quiet)
	sh.Passwords = account.NewHasher(account.FixtureParams, account.DefaultLimits())
	if _, err := demo.Load(ctx, sh); err != nil {
		f.Fatal(err)
	}
	a := New(sh, event.NewBroker())
	mux := http.NewServeMux()
	a.Register(mux)
	tokens := []string{""}
	for _, email := range []string{"marie.durand@example.fr", "manager.rep@ocpizza.fr"} {
		tok, _, err := sh.SignIn(ctx, email, demo.Password, "192.0.2.1")
		if err != nil {
			f.Fatal(email, err)
		}
		tokens = append(tokens, tok)
	}
	routes := fuzzedRoutes(a)
	for i, body := range []string{
		`{"pizzeria_id":1,"items":[{"product_id":1,"quantity":2}],"fulfilment":"delivery","delivery_address":{"street":"8 rue Mercière","postcode":"69002","city":"Lyon"},"payment_method":"on_delivery"}`,
		`{"items":[{"product_id":2,"quantity":1}],"payment_source":"cnon:x"}`,
		`{"status":"preparing"}`, `{"method":"cash"}`, `{"ingredient_id":1,"reason":"count","quantity":5}`,
		`{"email":"a@b.fr","password":"correct horse battery","name":"A","phone":"06"}`,
		`{"street":"1 rue","postcode":"69001","city":"Lyon"}`, `[]`, `{"x":1}`, `null`, `{"items":[{"quantity":1e400}]}`,
	} {
		f.Add(uint8(i), uint8(1), uint8(i%3), "postcode=69002&status=pending", []byte(body))
	}
	f.Fuzz(func(t *testing.T, route, id, who uint8, query string, body []byte) {
		pattern := routes[int(route)%len(routes)]
		method, path, _ := strings.Cut(pattern, " ")
		path = strings.NewReplacer("{id}", strconv.Itoa(int(id))).Replace(path)
		r := httptest.NewRequest(method, path, bytes.NewReader(body))
		r.URL.RawQuery = query
		r.Header.Set("Content-Type", "application/json")
		if tok := tokens[int(who)%len(tokens)]; tok != "" {
			r.Header.Set("Authorization", "Bearer "+tok)
		}
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, r)
		if w.Code >= 500 && w.Code != http.StatusServiceUnavailable {
			t.Fatalf("%s %s?%s %q: %d %s", method, path, query, body, w.Code, w.Body)
		}
		if w.Code >= 400 {
			var e struct {
				Error struct{ Code, Message string } `json:"error"`
			}
			if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil || e.Error.Code == "" || e.Error.Message == "" {
				t.Fatalf("%s %s: %d without the error shape: %s", method, path, w.Code, w.Body)
			}
		}
	})
}

// FuzzSquareNotice: a notification is decoded or refused as malformed,
// never a panic; what is decoded keeps its event id.
func FuzzSquareNotice(f *testing.F) {
	f.Add([]byte(`{"merchant_id":"M1","type":"refund.updated","event_id":"evt-1","data":{"type":"refund","id":"r1","object":{"refund":{"id":"r1","status":"COMPLETED","payment_id":"p1"}}}}`))
	f.Add([]byte(`{"type":"payment.updated","event_id":"evt-2","data":{"object":{"payment":{"id":"p1","status":"COMPLETED","reference_id":"REP-0001","amount_money":{"amount":950,"currency":"EUR"}}}}}`))
	f.Add([]byte(`{"event_id":""}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		n, err := decodeSquareNotice(body)
		if err == nil && (n.EventID == "" || len(n.EventID) > 100) {
			t.Fatalf("decoded %+v", n)
		}
	})
}
