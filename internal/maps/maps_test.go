package maps_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/oc-pizza/ocpizza/internal/maps"
	"github.com/oc-pizza/ocpizza/internal/maps/mapstest"
)

var (
	bellecour = maps.LatLng{Lat: 45.7578, Lng: 4.8320}
	mercière  = maps.LatLng{Lat: 45.7620, Lng: 4.8335}
)

func TestGeocodeAndRoute(t *testing.T) {
	fake := mapstest.Start(t, map[string]maps.LatLng{"8 rue Mercière, 69002 Lyon": mercière})
	c := maps.New(fake.Key, fake.URL, fake.URL)
	c.Backoff = []time.Duration{time.Millisecond, time.Millisecond}
	ctx := context.Background()
	p, err := c.Geocode(ctx, "8 rue Mercière, 69002 Lyon")
	if err != nil || p != mercière {
		t.Fatalf("geocode: %v %v", p, err)
	}
	if _, err := c.Geocode(ctx, "8  RUE MERCIÈRE,  69002 LYON"); err != nil || fake.Geocodes() != 1 {
		t.Fatalf("the cache was not used: %v, %d requests", err, fake.Geocodes())
	}
	if _, err := c.Geocode(ctx, "1 rue Inconnue, 69002 Lyon"); !errors.Is(err, maps.ErrNotFound) {
		t.Fatalf("unknown address: %v", err)
	}
	fake.StatusNext("OVER_QUERY_LIMIT", "UNKNOWN_ERROR")
	if _, err := c.Geocode(ctx, "8 rue Mercière, 69002 lyon (porte B)"); !errors.Is(err, maps.ErrNotFound) {
		t.Fatalf("after retries: %v", err) // retried twice, then the real answer: unknown
	}
	bad := maps.New("wrong", fake.URL, fake.URL)
	if _, err := bad.Geocode(ctx, "8 rue Mercière, 69002 Lyon"); !errors.Is(err, maps.ErrDenied) {
		t.Fatalf("bad key: %v", err)
	}
	r, err := c.Drive(ctx, bellecour, mercière)
	if err != nil || r.DistanceMeters < 400 || r.DistanceMeters > 800 || r.Duration < 30*time.Second || r.Duration > 3*time.Minute {
		t.Fatalf("route: %+v %v", r, err)
	}
	if _, err := bad.Drive(ctx, bellecour, mercière); err == nil {
		t.Fatal("a bad key drove")
	}
}

func TestDriverLinks(t *testing.T) {
	got := maps.DriverLink(mercière)
	if got != "https://www.google.com/maps/dir/?api=1&destination=45.762000%2C4.833500&travelmode=driving" {
		t.Errorf("link %s", got)
	}
	if l := maps.DriverLinkToAddress("8 rue Mercière, 69002 Lyon"); !strings.Contains(l, "destination=8+rue+Merci%C3%A8re%2C+69002+Lyon") {
		t.Errorf("address link %s", l)
	}
}
