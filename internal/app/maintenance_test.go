package app_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/oc-pizza/ocpizza/internal/ops"
)

func TestMaintenanceMode(t *testing.T) {
	t.Parallel()
	forEngines(t, func(t *testing.T, c *chain) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		go c.server.Maintenance.Run(ctx, c.store, time.Second, slog.New(slog.NewTextHandler(io.Discard, nil)))

		c.must(200, "GET", "/api/v1/pizzerias", "", nil)
		// The switch is in the database, as `ocpizza maintenance on` sets
		// it from another process; the server, reading it every second,
		// sees it within 2 seconds (5 allowed: the suites share the cores).
		if _, err := ops.SetMaintenance(ctx, c.store, true, "Mise à jour en cours"); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(5 * time.Second)
		for {
			status, _ := c.call("GET", "/api/v1/pizzerias", "", nil)
			if status == 503 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("maintenance not obeyed within 5 seconds")
			}
			time.Sleep(50 * time.Millisecond)
		}
		if c.errorCode(503, "POST", "/api/v1/orders", "alice", map[string]any{}) != "maintenance" {
			t.Fatal("API not in maintenance")
		}
		res, err := http.Get(c.srv.URL + "/?lang=en")
		check(t, err)
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 503 || res.Header.Get("Retry-After") == "" || !strings.Contains(string(body), "Down for maintenance") ||
			!strings.Contains(string(body), "Site en maintenance") || !strings.Contains(string(body), "Mise à jour en cours") {
			t.Fatalf("page: %d %q", res.StatusCode, body)
		}
		if s, _ := c.call("GET", "/healthz", "", nil); s != 200 {
			t.Fatalf("healthz %d during maintenance", s)
		}
		if s, _ := c.call("GET", "/readyz", "", nil); s != 503 {
			t.Fatalf("readyz %d during maintenance", s)
		}
		if _, err := ops.SetMaintenance(ctx, c.store, false, ""); err != nil {
			t.Fatal(err)
		}
		deadline = time.Now().Add(5 * time.Second)
		for {
			if s, _ := c.call("GET", "/api/v1/pizzerias", "", nil); s == 200 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("maintenance not lifted within 5 seconds")
			}
			time.Sleep(50 * time.Millisecond)
		}
	})
}
