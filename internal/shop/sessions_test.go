package shop

import (
	"fmt"
	"testing"
	"time"

	"github.com/oc-pizza/ocpizza/internal/account"
)

func TestSessionCache(t *testing.T) {
	var c sessionCache
	t0 := time.Date(2026, 11, 29, 19, 0, 0, 0, time.UTC)
	marie := account.Actor{UserID: 7, Name: "Marie"}
	if _, ok := c.get("h", t0); ok {
		t.Fatal("an empty cache answered")
	}
	c.put("h", marie, t0)
	if a, ok := c.get("h", t0.Add(sessionCacheTTL-time.Millisecond)); !ok || a.UserID != 7 {
		t.Fatalf("fresh entry: %v %v", a, ok)
	}
	if _, ok := c.get("h", t0.Add(sessionCacheTTL)); ok {
		t.Fatal("an entry outlived its time")
	}
	c.put("h", marie, t0)
	c.forget("h")
	if _, ok := c.get("h", t0); ok {
		t.Fatal("a signed-out token is still known")
	}

	// A flood of tokens never holds more than the bound; live entries
	// survive when expired ones make room.
	for i := range sessionCacheMax {
		c.put(fmt.Sprint("old", i), marie, t0)
	}
	c.put("live", marie, t0.Add(sessionCacheTTL))
	if len(c.entries) != 1 {
		t.Fatalf("%d entries after the expired ones were due, want 1", len(c.entries))
	}
	for i := range 2 * sessionCacheMax {
		c.put(fmt.Sprint("new", i), marie, t0.Add(sessionCacheTTL))
	}
	if len(c.entries) > sessionCacheMax {
		t.Fatalf("%d entries, bound %d", len(c.entries), sessionCacheMax)
	}
}
