package app_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestMetrics(t *testing.T) {
	t.Parallel()
	c := newChain(t, "sqlite")
	c.order("alice", nil)
	c.call("GET", "/api/v1/orders/999999", "alice", nil)
	// Not on the site's address: that is public.
	res, err := http.Get(c.srv.URL + "/metrics")
	check(t, err)
	res.Body.Close()
	if res.StatusCode != http.StatusNotFound {
		t.Fatalf("the site serves /metrics to anyone: %d", res.StatusCode)
	}
	// With a token configured, the site's /metrics answers the scraper
	// that sends it, and nobody else.
	c.server.MetricsToken = "a scraper's long token"
	withToken := httptest.NewServer(c.server.Handler())
	defer withToken.Close()
	for token, want := range map[string]int{"": 401, "wrong token, long enough": 401, "a scraper's long token": 200} {
		req, _ := http.NewRequest("GET", withToken.URL+"/metrics", nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		res, err := http.DefaultClient.Do(req)
		check(t, err)
		res.Body.Close()
		if res.StatusCode != want {
			t.Errorf("token %q: %d, want %d", token, res.StatusCode, want)
		}
	}
	// The internal address (OCPIZZA_METRICS_ADDR) serves them as they are.
	internal := httptest.NewServer(c.server.MetricsHandler())
	defer internal.Close()
	res, err = http.Get(internal.URL + "/metrics")
	check(t, err)
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	text := string(body)
	for _, want := range []string{
		`ocpizza_http_requests_total{method="POST",route="POST /api/v1/orders",status="201"} 1`,
		`ocpizza_http_requests_total{method="GET",route="GET /api/v1/orders/{id}",status="404"} 1`,
		`ocpizza_orders{pizzeria="1",status="pending"} 1`,
		`ocpizza_low_stock_ingredients{pizzeria="1"}`,
		`ocpizza_event_streams_open 0`,
		`ocpizza_http_request_duration_seconds_bucket`,
		`go_sql_max_open_connections{db_name="ocpizza"}`,
		`go_goroutines`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if strings.Contains(text, "/api/v1/orders/999999") {
		t.Error("a raw path leaked into a label")
	}
	// Go's profiles: on the internal address only.
	for base, want := range map[string]int{internal.URL: 200, c.srv.URL: 404} {
		res, err := http.Get(base + "/debug/pprof/goroutine?debug=1")
		check(t, err)
		res.Body.Close()
		if res.StatusCode != want {
			t.Errorf("profiles on %s: %d, want %d", base, res.StatusCode, want)
		}
	}
}
