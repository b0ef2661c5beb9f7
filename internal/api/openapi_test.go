package api

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"
)

// TestOpenAPIMatchesRoutes keeps the published document and the mux in
// step: every documented operation is routed, every API route documented.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	var doc struct {
		Paths map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(openapiDoc, &doc); err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	a := &API{}
	a.Register(mux)
	documented := map[string]bool{}
	for path, ops := range doc.Paths {
		if !strings.HasPrefix(path, "/api/") {
			continue
		}
		for method := range ops {
			m := strings.ToUpper(method)
			documented[m+" "+path] = true
			r := httptest.NewRequest(m, strings.ReplaceAll(path, "{id}", "1"), nil)
			if _, pattern := mux.Handler(r); pattern != m+" "+path {
				t.Errorf("documented %s %s is routed to %q", m, path, pattern)
			}
		}
	}
	var missing []string
	for _, route := range a.patterns {
		if !documented[route] && route != "GET /api/v1/openapi.json" {
			missing = append(missing, route)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("routes missing from openapi.json: %v", missing)
	}
}
