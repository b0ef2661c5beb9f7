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

// TestOpenAPIListsEveryErrorCode: a client switches on the error code; the
// document lists every code the API answers with ("closed" and
// "method_not_allowed" were missing).
func TestOpenAPIListsEveryErrorCode(t *testing.T) {
	var doc struct {
		Components struct {
			Schemas struct {
				Error struct {
					Properties struct {
						Error struct {
							Properties struct {
								Code struct {
									Enum []string `json:"enum"`
								} `json:"code"`
							} `json:"properties"`
						} `json:"error"`
					} `json:"properties"`
				} `json:"Error"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(openapiDoc, &doc); err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	for _, c := range doc.Components.Schemas.Error.Properties.Error.Properties.Code.Enum {
		listed[c] = true
	}
	if !listed["internal"] {
		t.Fatalf("the Error schema's code enum is not where this test reads it: %v", listed)
	}
	for code := range statusOf {
		if !listed[string(code)] {
			t.Errorf("error code %q is not in openapi.json's Error schema", code)
		}
	}
}
