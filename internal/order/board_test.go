package order

import (
	"slices"
	"testing"
	"time"
)

func TestLateOrdersFirst(t *testing.T) {
	now := time.Date(2026, 11, 27, 19, 0, 0, 0, time.UTC)
	at := func(id int64, minutesAgo, eta int64, s Status) Order {
		return Order{ID: id, Status: s, CreatedAt: now.Add(-time.Duration(minutesAgo) * time.Minute), ETAMinutes: eta}
	}
	orders := []Order{
		at(1, 10, 40, Pending),   // due in 30 min
		at(2, 50, 40, Preparing), // 10 min late
		at(3, 5, 20, Pending),    // due in 15 min
		at(4, 60, 40, Ready),     // 20 min late
	}
	slices.SortFunc(orders, Urgency(now))
	var ids []int64
	for _, o := range orders {
		ids = append(ids, o.ID)
	}
	if !slices.Equal(ids, []int64{4, 2, 3, 1}) {
		t.Fatalf("board order %v", ids)
	}
	if !orders[0].LateAt(now) || orders[2].LateAt(now) {
		t.Fatal("LateAt")
	}
	if done := at(5, 60, 40, Delivered); done.LateAt(now) {
		t.Fatal("a delivered order is late")
	}
	// A take-away ready in time waits for its customer: not late; one
	// made ready after its promise was.
	waiting := at(6, 60, 40, Ready)
	waiting.Fulfilment = Pickup
	waiting.History = []Change{{Status: Pending, At: waiting.CreatedAt}, {Status: Ready, At: waiting.CreatedAt.Add(35 * time.Minute)}}
	if waiting.LateAt(now) {
		t.Error("a take-away ready in time, waiting for its customer, is late")
	}
	waiting.History[1].At = waiting.CreatedAt.Add(45 * time.Minute)
	if !waiting.LateAt(now) {
		t.Error("a take-away made ready after its promise is not late")
	}
}
