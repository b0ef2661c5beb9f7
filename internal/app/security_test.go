package app_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oc-pizza/ocpizza/internal/account"
	"github.com/oc-pizza/ocpizza/internal/app"
	"github.com/oc-pizza/ocpizza/internal/web"
)

// rawSignIn posts a sign-in on its own connection and returns the status
// and Retry-After. A raw request keeps the test at one goroutine per
// client, well under the race detector's limit with a thousand of them.
func rawSignIn(addr, email, password, forwardedFor string) (int, string, error) {
	conn, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		return 0, "", err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(60 * time.Second))
	body := fmt.Sprintf(`{"email":%q,"password":%q}`, email, password)
	fmt.Fprintf(conn, "POST /api/v1/auth/token HTTP/1.1\r\nHost: ocpizza\r\nContent-Type: application/json\r\nContent-Length: %d\r\nX-Forwarded-For: %s\r\nConnection: close\r\n\r\n%s",
		len(body), forwardedFor, body)
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return 0, "", err
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode, res.Header.Get("Retry-After"), nil
}

// heapPeak samples the live heap of this process until stop is closed and
// returns the highest figure seen.
func heapPeak(stop <-chan struct{}) <-chan uint64 {
	out := make(chan uint64, 1)
	go func() {
		sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		var peak uint64
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for {
			metrics.Read(sample)
			peak = max(peak, sample[0].Value.Uint64())
			select {
			case <-stop:
				out <- peak
				return
			case <-tick.C:
			}
		}
	}()
	return out
}

// TestSignInFloodKeepsMemoryBounded sends a thousand concurrent sign-ins
// with wrong credentials, from a thousand addresses (through a trusted
// proxy), with the production password parameters: each verification
// takes 19 MiB, and before the hasher bounded them the server grew by
// 1.9 GB for a hundred. Now the heap stays under 300 MB and the excess is
// answered 503 with Retry-After.
func TestSignInFloodKeepsMemoryBounded(t *testing.T) {
	// Alone: it measures the process (other tests would share it).
	if testing.Short() {
		t.Skip("a thousand sign-ins with production password parameters")
	}
	c := newChain(t, "sqlite")
	srv := app.NewServer(c.store, slog.New(slog.NewTextHandler(io.Discard, nil)), web.Options{})
	srv.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
	if _, err := srv.Shop.AddUser(context.Background(), "real@ocpizza.test", "Real", password, []account.Grant{{Role: account.Admin}}); err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	defer hs.Close()
	addr := strings.TrimPrefix(hs.URL, "http://")

	runtime.GC()
	base := heapPeak(closed())
	stop := make(chan struct{})
	peak := heapPeak(stop)
	const n = 1000
	var wrong, busy, other atomic.Int64
	var firstOther atomic.Value
	var wg sync.WaitGroup
	start := time.Now()
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			email := fmt.Sprintf("nobody-%d@example.test", i)
			if i%10 == 0 {
				email = "real@ocpizza.test" // a wrong password for a real account, too
			}
			// Benchmarking addresses (RFC 2544), only ever a header here.
			status, retry, err := rawSignIn(addr, email, "not the password", fmt.Sprintf("198.18.%d.%d", i/250, i%250+1))
			switch {
			case err == nil && status == http.StatusUnauthorized:
				wrong.Add(1)
			case err == nil && status == http.StatusServiceUnavailable && retry != "":
				busy.Add(1)
			case err == nil && status == http.StatusTooManyRequests && strings.Contains(email, "real"):
				wrong.Add(1) // the real account's own limit, past its free tries
			default:
				other.Add(1)
				firstOther.CompareAndSwap(nil, fmt.Sprintf("status %d retry %q err %v", status, retry, err))
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	close(stop)
	peakBytes, baseBytes := <-peak, <-base
	t.Logf("%d sign-ins in %s: %d refused as wrong, %d answered 503; heap %.0f MB before, peak %.0f MB",
		n, elapsed.Round(time.Millisecond), wrong.Load(), busy.Load(), float64(baseBytes)/1e6, float64(peakBytes)/1e6)
	if other.Load() > 0 {
		t.Fatalf("%d answers were neither 401/429 nor 503 with Retry-After; first: %v", other.Load(), firstOther.Load())
	}
	if busy.Load() == 0 || wrong.Load() == 0 {
		t.Fatalf("expected both checked and refused sign-ins: %d wrong, %d busy", wrong.Load(), busy.Load())
	}
	if peakBytes > 300e6 {
		t.Fatalf("heap peaked at %.0f MB, over 300 MB", float64(peakBytes)/1e6)
	}
	// The server is still there for the real user: at once, or, when the
	// flood's wrong passwords for their account made it wait, once the
	// wait it is told is over (nobody is locked out).
	status, retry, err := rawSignIn(addr, "real@ocpizza.test", password, "198.51.100.1")
	if status == http.StatusTooManyRequests {
		wait, _ := strconv.Atoi(retry)
		if wait < 1 || wait > 10 {
			t.Fatalf("real sign-in after the flood: 429, told to wait %q s", retry)
		}
		time.Sleep(time.Duration(wait) * time.Second)
		status, _, err = rawSignIn(addr, "real@ocpizza.test", password, "198.51.100.1")
	}
	if err != nil || status != http.StatusOK {
		t.Fatalf("real sign-in after the flood: %d %v", status, err)
	}
}

func closed() chan struct{} {
	c := make(chan struct{})
	close(c)
	return c
}

// Forty simultaneous guesses at one account over HTTP: at most the free
// allowance is checked, the rest answered 429 with Retry-After; the owner
// gets in after that wait.
func TestSignInThrottleOverHTTP(t *testing.T) {
	t.Parallel()
	c := newChain(t, "sqlite")
	var wrong, limited atomic.Int64
	var wg sync.WaitGroup
	for i := range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := http.Post(c.srv.URL+"/api/v1/auth/token", "application/json",
				strings.NewReader(fmt.Sprintf(`{"email":"alice@example.test","password":"guess %d"}`, i)))
			if err != nil {
				t.Error(err)
				return
			}
			res.Body.Close()
			switch {
			case res.StatusCode == 401:
				wrong.Add(1)
			case res.StatusCode == 429 && res.Header.Get("Retry-After") != "":
				limited.Add(1)
			default:
				t.Errorf("guess: %d %q", res.StatusCode, res.Header.Get("Retry-After"))
			}
		}()
	}
	wg.Wait()
	if wrong.Load() > 5 || wrong.Load()+limited.Load() != 40 {
		t.Fatalf("%d guesses checked, %d limited; at most 5 may be checked", wrong.Load(), limited.Load())
	}
	body := map[string]any{"email": "alice@example.test", "password": password}
	status, out := c.call("POST", "/api/v1/auth/token", "", body)
	if status != 429 {
		t.Fatalf("owner right after: %d %v", status, out)
	}
	res, err := http.Post(c.srv.URL+"/api/v1/auth/token", "application/json", strings.NewReader(`{"email":"alice@example.test","password":"`+password+`"}`))
	check(t, err)
	res.Body.Close()
	wait, err := strconv.Atoi(res.Header.Get("Retry-After"))
	if err != nil || wait < 1 || wait > 10 {
		t.Fatalf("Retry-After %q: a short wait expected", res.Header.Get("Retry-After"))
	}
	time.Sleep(time.Duration(wait) * time.Second)
	c.must(200, "POST", "/api/v1/auth/token", "", body)
}

// Behind a trusted proxy each client has its own sign-in allowance; the
// header from anyone else is ignored.
func TestTrustedProxyGivesTheClientAddress(t *testing.T) {
	t.Parallel()
	c := newChain(t, "sqlite")
	for _, tc := range []struct {
		name    string
		trusted string
		// whether a client's failures hold back another client behind
		// the same proxy
		shared bool
	}{
		{"no trusted proxy", "", true},
		{"trusted proxy", "127.0.0.1/32", false},
		{"another proxy trusted", "192.0.2.0/24", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := app.NewServer(c.store, slog.New(slog.NewTextHandler(io.Discard, nil)), web.Options{})
			srv.Shop.Passwords = cheapPasswords()
			if tc.trusted != "" {
				srv.TrustedProxies = []netip.Prefix{netip.MustParsePrefix(tc.trusted)}
			}
			hs := httptest.NewServer(srv.Handler())
			defer hs.Close()
			addr := strings.TrimPrefix(hs.URL, "http://")
			for i := range 20 { // the address allowance
				status, _, err := rawSignIn(addr, fmt.Sprintf("x%d@example.test", i), "not the password", "203.0.113.66")
				if err != nil || status != 401 {
					t.Fatalf("guess %d: %d %v", i, status, err)
				}
			}
			status, _, err := rawSignIn(addr, "alice@example.test", password, "203.0.113.1, 203.0.113.77")
			check(t, err)
			if got := status == 429; got != tc.shared {
				t.Fatalf("another client behind the proxy: %d", status)
			}
		})
	}
}

// Sign-up answers a new e-mail and one that has an account alike; the
// existing account is untouched.
func TestSignUpDoesNotTellWhoHasAnAccount(t *testing.T) {
	t.Parallel()
	c := newChain(t, "sqlite")
	newStatus, newBody := c.call("POST", "/api/v1/customers", "", map[string]any{"email": "carol@example.test", "password": password, "name": "Carol"})
	takenStatus, takenBody := c.call("POST", "/api/v1/customers", "", map[string]any{"email": "alice@example.test", "password": "another password!", "name": "Mallory"})
	if newStatus != 202 || takenStatus != newStatus || fmt.Sprint(newBody) != fmt.Sprint(takenBody) {
		t.Fatalf("new e-mail: %d %v; taken e-mail: %d %v", newStatus, newBody, takenStatus, takenBody)
	}
	c.must(200, "POST", "/api/v1/auth/token", "", map[string]any{"email": "carol@example.test", "password": password})
	if me := c.must(200, "GET", "/api/v1/me", "alice", nil); me["name"] != "alice" {
		t.Fatalf("alice's account changed: %v", me)
	}
	c.errorCode(401, "POST", "/api/v1/auth/token", "", map[string]any{"email": "alice@example.test", "password": "another password!"})
}

// Sign-ups from one address are limited: the chain made two already.
func TestSignUpRateLimited(t *testing.T) {
	t.Parallel()
	c := newChain(t, "sqlite")
	var last *http.Response
	for i := range 10 {
		res, err := http.Post(c.srv.URL+"/api/v1/customers", "application/json",
			strings.NewReader(fmt.Sprintf(`{"email":"c%d@example.test","password":%q,"name":"C"}`, i, password)))
		check(t, err)
		res.Body.Close()
		last = res
		if res.StatusCode != 202 {
			break
		}
	}
	if last.StatusCode != 429 || last.Header.Get("Retry-After") == "" {
		t.Fatalf("the 11th sign-up from one address: %d, Retry-After %q", last.StatusCode, last.Header.Get("Retry-After"))
	}
}

func TestAPIHeadersAndMethods(t *testing.T) {
	t.Parallel()
	c := newChain(t, "sqlite")
	header := func(method, path, who, auth string, body string) *http.Response {
		req, err := http.NewRequest(method, c.srv.URL+path, strings.NewReader(body))
		check(t, err)
		req.Header.Set("Content-Type", "application/json")
		if auth != "" {
			req.Header.Set("Authorization", auth+" "+c.tokens[who])
		}
		res, err := http.DefaultClient.Do(req)
		check(t, err)
		res.Body.Close()
		return res
	}
	// Personal answers are not kept by caches.
	for _, tc := range []struct{ method, path, who, body string }{
		{"POST", "/api/v1/auth/token", "", `{"email":"alice@example.test","password":"` + password + `"}`},
		{"GET", "/api/v1/me", "alice", ""},
		{"GET", "/api/v1/me/addresses", "alice", ""},
		{"GET", "/api/v1/orders", "alice", ""},
		{"GET", "/api/v1/me", "nobody", ""},
	} {
		auth := ""
		if tc.who != "" {
			auth = "Bearer"
		}
		if res := header(tc.method, tc.path, tc.who, auth, tc.body); res.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("%s %s: Cache-Control %q", tc.method, tc.path, res.Header.Get("Cache-Control"))
		}
	}
	// The scheme is case-insensitive.
	for _, scheme := range []string{"Bearer", "bearer", "BEARER"} {
		if res := header("GET", "/api/v1/me", "alice", scheme, ""); res.StatusCode != 200 {
			t.Errorf("Authorization: %s …: %d", scheme, res.StatusCode)
		}
	}
	if res := header("GET", "/api/v1/me", "alice", "Basic", ""); res.StatusCode != 401 {
		t.Errorf("Basic: %d", res.StatusCode)
	}
	// A wrong method on a route that exists: 405 and what is allowed.
	for _, tc := range []struct{ method, path, allow string }{
		{"DELETE", "/api/v1/orders", "GET, HEAD, POST"},
		{"PATCH", "/api/v1/me", "GET, HEAD"},
		{"GET", "/api/v1/auth/token", "POST, DELETE"},
		{"POST", fmt.Sprintf("/api/v1/pizzerias/%d/menu", c.shop), "GET, HEAD"},
	} {
		res := header(tc.method, tc.path, "alice", "Bearer", "")
		if res.StatusCode != 405 || res.Header.Get("Allow") != tc.allow {
			t.Errorf("%s %s: %d, Allow %q, want 405 with %q", tc.method, tc.path, res.StatusCode, res.Header.Get("Allow"), tc.allow)
		}
	}
	if code := c.errorCode(405, "PUT", "/api/v1/me", "alice", nil); code != "method_not_allowed" {
		t.Errorf("code %s", code)
	}
	c.errorCode(404, "GET", "/api/v1/nothing-here", "", nil)
}

// A NUL or another control character in a name, street, city, phone or
// e-mail is refused by the rules, the same on every engine (PostgreSQL
// refuses NUL in text, so it was a 500 there and stored elsewhere).
func TestControlCharactersRefused(t *testing.T) {
	t.Parallel()
	forEngines(t, func(t *testing.T, c *chain) {
		signUp := func(name, phone, email string) map[string]any {
			return map[string]any{"email": email, "password": password, "name": name, "phone": phone}
		}
		addr := func(street, city string) map[string]any {
			return map[string]any{"street": street, "postcode": "69002", "city": city}
		}
		phoneOrder := func(name, phone string) map[string]any {
			return map[string]any{"pizzeria_id": c.shop, "channel": "phone", "items": []map[string]any{{"product_id": c.pizza, "quantity": 1}},
				"fulfilment": "pickup", "payment_method": "on_delivery", "customer": map[string]any{"name": name, "phone": phone}}
		}
		delivery := map[string]any{"pizzeria_id": c.shop, "items": []map[string]any{{"product_id": c.pizza, "quantity": 1}},
			"fulfilment": "delivery", "delivery_address": addr("8 rue\u0000 Mercière", "Lyon"), "payment_method": "on_delivery"}
		for _, tc := range []struct {
			name, method, path, who string
			body                    any
		}{
			{"NUL in a sign-up name", "POST", "/api/v1/customers", "", signUp("Eve\u0000", "06", "eve@example.test")},
			{"NUL in a sign-up phone", "POST", "/api/v1/customers", "", signUp("Eve", "06\u0000", "eve@example.test")},
			{"NUL in a sign-up e-mail", "POST", "/api/v1/customers", "", signUp("Eve", "06", "eve\u0000@example.test")},
			{"escape in a sign-up name", "POST", "/api/v1/customers", "", signUp("Eve\u001b[2J", "06", "eve@example.test")},
			{"NUL in a saved street", "POST", "/api/v1/me/addresses", "alice", addr("1 rue\u0000", "Lyon")},
			{"newline in a saved city", "POST", "/api/v1/me/addresses", "alice", addr("1 rue X", "Lyon\nParis")},
			{"NUL in a delivery street", "POST", "/api/v1/orders", "alice", delivery},
			{"NUL in a phone order's name", "POST", "/api/v1/orders", "counter", phoneOrder("Jean\u0000", "0478")},
			{"NUL in a phone order's phone", "POST", "/api/v1/orders", "counter", phoneOrder("Jean", "04\u000078")},
		} {
			if code := c.errorCode(422, tc.method, tc.path, tc.who, tc.body); code != "invalid" {
				t.Errorf("%s: %s", tc.name, code)
			}
		}
		if c.orderCount() != 0 {
			t.Fatal("an order was stored")
		}
	})
}
