// Package maps is a small client of Google's Geocoding and Routes APIs:
// where a delivery address is, how far and how long from a pizzeria, and
// the driver's navigation link. Without a key the chain still works:
// delivery zones by postcode, a fixed delivery time, links by address text.
package maps

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Default endpoints.
const (
	MapsURL   = "https://maps.googleapis.com"
	RoutesURL = "https://routes.googleapis.com"
)

// LatLng is a point on Earth.
type LatLng struct {
	Lat float64 `json:"lat"`
	Lng float64 `json:"lng"`
}

// Errors a caller acts on.
var (
	ErrNotFound = errors.New("address not found")
	ErrDenied   = errors.New("request denied by Google Maps (key or billing)")
)

// Client calls Google Maps.
type Client struct {
	MapsBaseURL, RoutesBaseURL, Key string
	HTTP                            *http.Client
	Backoff                         []time.Duration

	mu    sync.Mutex
	cache map[string]LatLng
}

// New returns a client; empty base URLs mean Google's.
func New(key, mapsBaseURL, routesBaseURL string) *Client {
	if mapsBaseURL == "" {
		mapsBaseURL = MapsURL
	}
	if routesBaseURL == "" {
		routesBaseURL = RoutesURL
	}
	return &Client{Key: key, MapsBaseURL: strings.TrimRight(mapsBaseURL, "/"), RoutesBaseURL: strings.TrimRight(routesBaseURL, "/"),
		HTTP: &http.Client{Timeout: 10 * time.Second}, Backoff: []time.Duration{200 * time.Millisecond, time.Second},
		cache: map[string]LatLng{}}
}

// maxCache bounds the geocoding cache; addresses repeat (the same
// customers order again), so a few thousand cover a chain of pizzerias.
const maxCache = 10000

// Geocode finds an address. Results are cached; ZERO_RESULTS gives
// ErrNotFound; OVER_QUERY_LIMIT and UNKNOWN_ERROR are retried with backoff;
// REQUEST_DENIED gives ErrDenied.
func (c *Client) Geocode(ctx context.Context, address string) (LatLng, error) {
	key := strings.ToLower(strings.Join(strings.Fields(address), " "))
	c.mu.Lock()
	if p, ok := c.cache[key]; ok {
		c.mu.Unlock()
		return p, nil
	}
	c.mu.Unlock()
	q := url.Values{"address": {address}, "key": {c.Key}, "region": {"fr"}}
	var p LatLng
	var err error
	for attempt := 0; attempt <= len(c.Backoff); attempt++ {
		if attempt > 0 {
			select {
			case <-ctx.Done():
				return p, ctx.Err()
			case <-time.After(c.Backoff[attempt-1]):
			}
		}
		var retry bool
		p, retry, err = c.geocodeOnce(ctx, q)
		if !retry {
			break
		}
	}
	if err == nil {
		c.mu.Lock()
		if len(c.cache) >= maxCache {
			c.cache = map[string]LatLng{}
		}
		c.cache[key] = p
		c.mu.Unlock()
	}
	return p, err
}

func (c *Client) geocodeOnce(ctx context.Context, q url.Values) (LatLng, bool, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", c.MapsBaseURL+"/maps/api/geocode/json?"+q.Encode(), nil)
	if err != nil {
		return LatLng{}, false, err
	}
	res, err := c.HTTP.Do(req)
	if err != nil {
		return LatLng{}, true, err
	}
	defer res.Body.Close()
	var out struct {
		Status  string `json:"status"`
		Message string `json:"error_message"`
		Results []struct {
			Geometry struct {
				Location LatLng `json:"location"`
			} `json:"geometry"`
		} `json:"results"`
	}
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		return LatLng{}, res.StatusCode >= 500, fmt.Errorf("geocode: HTTP %d: %w", res.StatusCode, err)
	}
	// Google answers 200 and puts the outcome in the body's status.
	switch out.Status {
	case "OK":
		if len(out.Results) == 0 {
			return LatLng{}, false, ErrNotFound
		}
		return out.Results[0].Geometry.Location, false, nil
	case "ZERO_RESULTS":
		return LatLng{}, false, ErrNotFound
	case "OVER_QUERY_LIMIT", "UNKNOWN_ERROR":
		return LatLng{}, true, fmt.Errorf("geocode: %s", out.Status)
	case "REQUEST_DENIED":
		return LatLng{}, false, fmt.Errorf("%w: %s", ErrDenied, out.Message)
	}
	return LatLng{}, false, fmt.Errorf("geocode: %s %s", out.Status, out.Message)
}

// Route is a drive between two points.
type Route struct {
	DistanceMeters int
	Duration       time.Duration
}

// Drive computes the driving route with the Routes API.
func (c *Client) Drive(ctx context.Context, from, to LatLng) (Route, error) {
	point := func(p LatLng) map[string]any {
		return map[string]any{"location": map[string]any{"latLng": map[string]float64{"latitude": p.Lat, "longitude": p.Lng}}}
	}
	body, _ := json.Marshal(map[string]any{"origin": point(from), "destination": point(to), "travelMode": "DRIVE"})
	req, err := http.NewRequestWithContext(ctx, "POST", c.RoutesBaseURL+"/directions/v2:computeRoutes", bytes.NewReader(body))
	if err != nil {
		return Route{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Goog-Api-Key", c.Key)
	req.Header.Set("X-Goog-FieldMask", "routes.duration,routes.distanceMeters")
	res, err := c.HTTP.Do(req)
	if err != nil {
		return Route{}, err
	}
	defer res.Body.Close()
	var out struct {
		Routes []struct {
			DistanceMeters int    `json:"distanceMeters"`
			Duration       string `json:"duration"`
		} `json:"routes"`
		Error *struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		return Route{}, fmt.Errorf("routes: HTTP %d: %w", res.StatusCode, err)
	}
	if out.Error != nil {
		return Route{}, fmt.Errorf("routes: %d %s", out.Error.Code, out.Error.Message)
	}
	if len(out.Routes) == 0 {
		return Route{}, ErrNotFound
	}
	d, err := parseSeconds(out.Routes[0].Duration)
	if err != nil {
		return Route{}, err
	}
	return Route{DistanceMeters: out.Routes[0].DistanceMeters, Duration: d}, nil
}

// parseSeconds reads the Routes API's durations, such as "165s".
func parseSeconds(s string) (time.Duration, error) {
	v, err := strconv.ParseFloat(strings.TrimSuffix(s, "s"), 64)
	if err != nil || !strings.HasSuffix(s, "s") || v < 0 {
		return 0, fmt.Errorf("routes: unreadable duration %q", s)
	}
	return time.Duration(v * float64(time.Second)), nil
}

// DriverLink opens Google Maps' navigation to a point; it needs no key.
func DriverLink(p LatLng) string {
	q := url.Values{"api": {"1"}, "destination": {strconv.FormatFloat(p.Lat, 'f', 6, 64) + "," + strconv.FormatFloat(p.Lng, 'f', 6, 64)}, "travelmode": {"driving"}}
	return "https://www.google.com/maps/dir/?" + q.Encode()
}

// DriverLinkToAddress navigates to an address text, when no coordinates
// are known.
func DriverLinkToAddress(address string) string {
	q := url.Values{"api": {"1"}, "destination": {address}, "travelmode": {"driving"}}
	return "https://www.google.com/maps/dir/?" + q.Encode()
}
