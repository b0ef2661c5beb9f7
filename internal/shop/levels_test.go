package shop

import (
	"testing"
	"time"

	"github.com/oc-pizza/ocpizza/internal/event"
)

// A read that began before a change must not store what it read once the
// change has dropped the entry: it may predate the change.
func TestLevelsCacheRefusesReadsOlderThanADrop(t *testing.T) {
	var c levelsCache
	now := time.Now()
	later := now.Add(time.Minute)

	_, _, gen, ok := c.get(1, now)
	if ok {
		t.Fatal("an empty cache answered")
	}
	c.observe(event.StockChanged, 1) // the change lands while the read runs
	c.put(1, gen, map[int64]int64{7: 100}, later)
	if _, _, _, ok := c.get(1, now); ok {
		t.Fatal("a read older than the change was kept")
	}

	_, _, gen, _ = c.get(1, now)
	c.put(1, gen, map[int64]int64{7: 90}, later)
	if levels, _, _, ok := c.get(1, now); !ok || levels[7] != 90 {
		t.Fatalf("a read after the change was not kept: %v %v", levels, ok)
	}

	_, _, gen2, _ := c.get(2, now)
	c.observe(event.MenuChanged, 0) // every pizzeria's, ingredients added
	c.put(2, gen2, map[int64]int64{7: 5}, later)
	if _, _, _, ok := c.get(2, now); ok {
		t.Fatal("a read older than a chain-wide drop was kept")
	}
	if _, _, _, ok := c.get(1, now); ok {
		t.Fatal("a chain-wide drop left a pizzeria's levels")
	}

	c.observe(event.OrderCreated, 1)
	_, _, gen, _ = c.get(1, now)
	c.put(1, gen, map[int64]int64{7: 80}, later)
	c.observe(event.OrderUpdated, 1)
	if _, _, _, ok := c.get(1, now); !ok {
		t.Fatal("an event that moves no stock dropped the levels")
	}
	if _, _, _, ok := c.get(1, later); ok {
		t.Fatal("levels kept past their time")
	}
}
