package app_test

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

type sseEvent struct{ id, kind, data string }

// TestEventStreamCatchesUp: a stream that reconnects with Last-Event-ID
// gets the events it missed, in order, none twice, then the live ones; one
// whose missed events are gone (another instance, a restart, too long) is
// told to reload.
func TestEventStreamCatchesUp(t *testing.T) {
	t.Parallel()
	c := newChain(t, "sqlite")
	path := fmt.Sprintf("/api/v1/pizzerias/%d/events", c.shop)
	open := func(lastID string) (func() sseEvent, func()) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		req, _ := http.NewRequestWithContext(ctx, "GET", c.srv.URL+path, nil)
		req.Header.Set("Authorization", "Bearer "+c.tokens["pizzaiolo"])
		if lastID != "" {
			req.Header.Set("Last-Event-ID", lastID)
		}
		res, err := c.srv.Client().Do(req)
		check(t, err)
		r := bufio.NewReader(res.Body)
		next := func() sseEvent {
			t.Helper()
			var ev sseEvent
			for {
				line, err := r.ReadString('\n')
				check(t, err)
				line = strings.TrimRight(line, "\n")
				switch {
				case strings.HasPrefix(line, "id: "):
					ev.id = strings.TrimPrefix(line, "id: ")
				case strings.HasPrefix(line, "event: "):
					ev.kind = strings.TrimPrefix(line, "event: ")
				case strings.HasPrefix(line, "data: "):
					ev.data = strings.TrimPrefix(line, "data: ")
				case line == "" && ev.kind != "":
					return ev
				}
			}
		}
		return next, func() { cancel(); res.Body.Close() }
	}

	next, closeStream := open("")
	first := c.order("alice", nil)
	seen := next()
	if seen.kind != "order.created" || !strings.Contains(seen.data, `"number":"`+first["number"].(string)) {
		t.Fatalf("live: %+v", seen)
	}
	closeStream()

	// Missed while away: the stock change of the first order, then two
	// orders with theirs.
	second := c.order("alice", nil)
	third := c.order("bob", nil)
	next, closeStream = open(seen.id)
	want := []string{"stock.changed", "order.created:" + second["number"].(string), "stock.changed", "order.created:" + third["number"].(string), "stock.changed"}
	prev := seen.id
	for i, w := range want {
		ev := next()
		kind, number, _ := strings.Cut(w, ":")
		if ev.kind != kind || number != "" && !strings.Contains(ev.data, number) || ev.id <= prev && len(ev.id) == len(prev) {
			t.Fatalf("catching up, event %d: %+v, want %s after %s", i, ev, w, prev)
		}
		prev = ev.id
	}
	fourth := c.order("bob", nil)
	if ev := next(); ev.kind != "order.created" || !strings.Contains(ev.data, fourth["number"].(string)) {
		t.Fatalf("live after catching up: %+v", ev)
	}
	closeStream()

	for _, gone := range []string{"0123456789ab-3", strings.SplitN(seen.id, "-", 2)[0] + "-999999", "garbage"} {
		next, closeStream = open(gone)
		if ev := next(); ev.kind != "reload" {
			t.Fatalf("Last-Event-ID %q: %+v, want a reload", gone, ev)
		}
		closeStream()
	}
}
