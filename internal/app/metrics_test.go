package app_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestMetrics(t *testing.T) {
	c := newChain(t, "sqlite")
	c.order("alice", nil)
	c.call("GET", "/api/v1/orders/999999", "alice", nil)
	res, err := http.Get(c.srv.URL + "/metrics")
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
}
