package app_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oc-pizza/ocpizza/internal/maps"
	"github.com/oc-pizza/ocpizza/internal/maps/mapstest"
)

func TestDeliveryWithGoogleMaps(t *testing.T) {
	t.Parallel()
	c := newChain(t, "sqlite")

	// Without a key: fixed time, link by address text.
	o := c.order("alice", nil)
	if o["eta_minutes"].(float64) != 40 || !strings.Contains(o["driver_link"].(string), "destination=8+rue+Merci%C3%A8re") || o["location"] != nil {
		t.Fatalf("without maps: %v %v %v", o["eta_minutes"], o["driver_link"], o["location"])
	}

	fake := mapstest.Start(t, map[string]maps.LatLng{
		"1 rue ONE, 69002 Lyon":      {Lat: 45.7578, Lng: 4.8320},
		"8 rue Mercière, 69002 Lyon": {Lat: 45.7620, Lng: 4.8335},
	})
	m := maps.New(fake.Key, fake.URL, fake.URL)
	m.Backoff = []time.Duration{time.Millisecond}
	c.server.Shop.Maps = m

	o = c.order("alice", nil)
	loc, _ := o["location"].(map[string]any)
	eta := o["eta_minutes"].(float64)
	if loc == nil || loc["lat"].(float64) != 45.762 || o["distance_meters"].(float64) < 400 || eta < 21 || eta > 25 {
		t.Fatalf("with maps: %v", o)
	}
	if o["driver_link"] != "https://www.google.com/maps/dir/?api=1&destination=45.762000%2C4.833500&travelmode=driving" {
		t.Fatalf("driver link %v", o["driver_link"])
	}
	// Stored: read back the same.
	got := c.must(200, "GET", "/api/v1/orders/"+id(o), "driver", nil)
	if got["eta_minutes"] != o["eta_minutes"] || got["driver_link"] != o["driver_link"] {
		t.Fatalf("read back %v / %v", got["eta_minutes"], got["driver_link"])
	}

	before := c.orderCount()
	if code := c.errorCode(422, "POST", "/api/v1/orders", "alice", map[string]any{"pizzeria_id": c.shop,
		"items": []map[string]any{{"product_id": c.pizza, "quantity": 1}}, "fulfilment": "delivery", "payment_method": "on_delivery",
		"delivery_address": map[string]any{"street": "999 rue Imaginaire", "postcode": "69002", "city": "Lyon"}}); code != "address_not_found" {
		t.Fatalf("unknown address: %s", code)
	}
	if c.orderCount() != before {
		t.Fatal("an order with an unknown address was stored")
	}
	pickup := c.order("alice", map[string]any{"fulfilment": "pickup", "delivery_address": nil})
	if pickup["eta_minutes"].(float64) != 20 || pickup["driver_link"] != nil {
		t.Fatalf("pickup: %v %v", pickup["eta_minutes"], pickup["driver_link"])
	}
	best := c.must(200, "GET", "/api/v1/delivery?street=8+rue+Merci%C3%A8re&postcode=69002&city=Lyon", "", nil)
	if int64(best["pizzeria_id"].(float64)) != c.shop || best["eta_minutes"] != o["eta_minutes"] {
		t.Fatalf("nearest: %v", best)
	}
	c.errorCode(404, "GET", "/api/v1/delivery?street=1+rue+X&postcode=75001&city=Paris", "", nil)

	// A refused key alerts the admin and falls back to the fixed time.
	var alerted []string
	c.server.Shop.Alert = func(_ context.Context, kind, subject, body string) { alerted = append(alerted, kind) }
	c.server.Shop.Maps = maps.New("revoked-key", fake.URL, fake.URL)
	o = c.order("bob", map[string]any{"delivery_address": map[string]any{"street": "5 rue Neuve", "postcode": "69002", "city": "Lyon"}})
	if o["eta_minutes"].(float64) != 40 || len(alerted) != 1 || alerted[0] != "maps" {
		t.Fatalf("denied key: eta %v, alerts %v", o["eta_minutes"], alerted)
	}
}

// TestDeliveryLookUpsAreThrottled: anonymous look-ups of addresses never
// seen cost a paid geocoding each; 100 at once from one client address
// make 30 (the free ones), the others answer 429.
func TestDeliveryLookUpsAreThrottled(t *testing.T) {
	t.Parallel()
	c := newChain(t, "sqlite")
	fake := mapstest.Start(t, map[string]maps.LatLng{"1 rue ONE, 69002 Lyon": {Lat: 45.7578, Lng: 4.8320}})
	c.server.Shop.Maps = maps.New(fake.Key, fake.URL, fake.URL)
	statuses := make([]int, 100)
	var wg sync.WaitGroup
	for i := range statuses {
		wg.Go(func() {
			res, err := http.Get(c.srv.URL + "/api/v1/delivery?postcode=69002&city=Lyon&street=" + strconv.Itoa(i+1) + "+rue+Inconnue")
			if err != nil {
				t.Error(err)
				return
			}
			res.Body.Close()
			statuses[i] = res.StatusCode
		})
	}
	wg.Wait()
	limited := 0
	for _, s := range statuses {
		if s == http.StatusTooManyRequests {
			limited++
		}
	}
	if limited != 70 {
		t.Errorf("%d of 100 look-ups answered 429, want 70 (statuses %v)", limited, statuses)
	}
	if n := fake.Geocodes(); n > 31 { // the 30 addresses, and the pizzeria's once
		t.Errorf("100 look-ups made %d geocoding calls, want at most 31", n)
	}
	if code := c.errorCode(429, "GET", "/api/v1/delivery?street=8+rue+Merci%C3%A8re&postcode=69002&city=Lyon", "", nil); code != "rate_limited" {
		t.Errorf("the next look-up: %s", code)
	}
}
