// Package mapstest fakes Google's Geocoding and Routes APIs for tests,
// driven by fixtures: known addresses answer their point, others
// ZERO_RESULTS; a status can be scripted for the next requests; routes are
// straight lines stretched by a city factor, driven at 25 km/h.
package mapstest

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/oc-pizza/ocpizza/internal/maps"
)

// Server is a running fake.
type Server struct {
	*httptest.Server
	Key string

	mu       sync.Mutex
	places   map[string]maps.LatLng
	statuses []string
	geocodes int
}

// Start runs a fake with the given addresses (matched without case).
func Start(t testing.TB, places map[string]maps.LatLng) *Server {
	s := &Server{Key: "test-key", places: map[string]maps.LatLng{}}
	for k, v := range places {
		s.places[strings.ToLower(k)] = v
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /maps/api/geocode/json", s.geocode)
	mux.HandleFunc("POST /directions/v2:computeRoutes", s.routes)
	s.Server = httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

// StatusNext makes the next geocoding requests answer these statuses.
func (s *Server) StatusNext(statuses ...string) {
	s.mu.Lock()
	s.statuses = append(s.statuses, statuses...)
	s.mu.Unlock()
}

// Geocodes counts geocoding requests received.
func (s *Server) Geocodes() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.geocodes
}

func (s *Server) geocode(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.geocodes++
	var status string
	if len(s.statuses) > 0 {
		status, s.statuses = s.statuses[0], s.statuses[1:]
	}
	p, ok := s.places[strings.ToLower(r.URL.Query().Get("address"))]
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	switch {
	case r.URL.Query().Get("key") != s.Key:
		json.NewEncoder(w).Encode(map[string]any{"status": "REQUEST_DENIED", "error_message": "The provided API key is invalid.", "results": []any{}})
	case status != "":
		json.NewEncoder(w).Encode(map[string]any{"status": status, "results": []any{}})
	case !ok:
		json.NewEncoder(w).Encode(map[string]any{"status": "ZERO_RESULTS", "results": []any{}})
	default:
		json.NewEncoder(w).Encode(map[string]any{"status": "OK", "results": []any{map[string]any{
			"formatted_address": r.URL.Query().Get("address"), "geometry": map[string]any{"location": p}}}})
	}
}

func (s *Server) routes(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	if r.Header.Get("X-Goog-Api-Key") != s.Key {
		w.WriteHeader(http.StatusForbidden)
		json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"code": 403, "message": "API key not valid."}})
		return
	}
	if r.Header.Get("X-Goog-FieldMask") == "" {
		w.WriteHeader(http.StatusBadRequest)
		json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"code": 400, "message": "FieldMask is a required parameter."}})
		return
	}
	type point struct {
		Location struct {
			LatLng struct{ Latitude, Longitude float64 } `json:"latLng"`
		} `json:"location"`
	}
	var in struct{ Origin, Destination point }
	json.NewDecoder(r.Body).Decode(&in)
	a, b := in.Origin.Location.LatLng, in.Destination.Location.LatLng
	meters := 1.3 * haversine(a.Latitude, a.Longitude, b.Latitude, b.Longitude)
	seconds := meters / (25000.0 / 3600)
	json.NewEncoder(w).Encode(map[string]any{"routes": []any{map[string]any{"distanceMeters": int(meters), "duration": fmt.Sprintf("%ds", int(seconds))}}})
}

func haversine(lat1, lng1, lat2, lng2 float64) float64 {
	const r = 6371000
	rad := math.Pi / 180
	dlat, dlng := (lat2-lat1)*rad, (lng2-lng1)*rad
	h := math.Sin(dlat/2)*math.Sin(dlat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dlng/2)*math.Sin(dlng/2)
	return 2 * r * math.Asin(math.Sqrt(h))
}
