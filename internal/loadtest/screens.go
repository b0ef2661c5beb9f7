package loadtest

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// The screens phase measures how late the staff's and customers' open
// screens learn of a change: kitchen displays (the pizzeria's stream) and
// order tracking pages (one order's stream) stay open while orders arrive
// and move on at a steady rate. Each event carries the time it was
// published; a screen counts twice — when its stream brings the event, and
// when it has fetched its page again, as static/live.js does (gathering
// the events of 150 ms into one fetch).

// Screens configures the phase.
type Screens struct {
	Kitchens  int     // kitchen displays open, spread over the pizzerias
	Trackings int     // tracking pages open, one order each
	Rate      float64 // orders placed, and status changes made, per second
}

// screenEvent is what a page stream's data says.
type screenEvent struct {
	AtMicros int64 `json:"at_us"`
}

func runScreens(ctx context.Context, o Options, w io.Writer, d *httpDriver, sc Screens) error {
	rng := rand.New(rand.NewPCG(1, 2))
	// The tracked orders, placed first, one per tracking page.
	tracked := make([]trackedOrder, 0, sc.Trackings)
	for i := 0; i < sc.Trackings; i++ {
		shop := int64(i % len(d.w.shops))
		tok := d.customers[i%len(d.customers)]
		id, err := d.orderAs(ctx, rng, shop, tok)
		if err != nil {
			return fmt.Errorf("place a tracked order: %w", err)
		}
		tracked = append(tracked, trackedOrder{id: id, token: tok})
	}
	var events, screens recorder
	var kitchenEvents, trackingEvents recorder
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	measureFrom := time.Now().Add(o.Warmup)
	var wg sync.WaitGroup
	open := func(stream, page, token string, rec *recorder) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d.follow(ctx, stream, page, token, measureFrom, rec, &events, &screens)
		}()
	}
	for i := 0; i < sc.Kitchens; i++ {
		shop := d.w.shops[i%len(d.w.shops)]
		open(fmt.Sprintf("/kitchen/%d/live", shop), fmt.Sprintf("/kitchen/%d", shop), d.admin, &kitchenEvents)
	}
	for _, t := range tracked {
		open(fmt.Sprintf("/orders/%d/live", t.id), fmt.Sprintf("/orders/%d", t.id), t.token, &trackingEvents)
	}
	time.Sleep(500 * time.Millisecond) // let the streams connect

	// The flow: at each tick an order arrives, and three steps are made in
	// the orders under way — preparing, ready, picked up — so orders go
	// through the kitchens as fast as they arrive and the queues stay as
	// they were (the tracked orders first).
	interval := time.Duration(float64(time.Second) / sc.Rate)
	tick := time.NewTicker(interval)
	stop := time.After(o.Warmup + o.Duration)
	var flowErrors, changes atomic.Int64
	var mu sync.Mutex
	active := make([]*trackedOrder, 0, len(tracked)+int(sc.Rate)*60)
	for i := range tracked {
		active = append(active, &tracked[i])
	}
	statuses := []string{"preparing", "ready", "picked_up"}
	next := 0
	advance := func(t *trackedOrder) {
		to := statuses[t.step]
		if err := d.advance(ctx, t.id, to); err != nil && ctx.Err() == nil {
			flowErrors.Add(1)
		}
		changes.Add(1)
		mu.Lock()
		t.step++
		t.busy = false
		mu.Unlock()
	}
loop:
	for {
		select {
		case <-stop:
			break loop
		case <-tick.C:
		}
		go func(shop int64) {
			rng := rand.New(rand.NewPCG(uint64(shop), uint64(time.Now().UnixNano())))
			id, err := d.order(ctx, rng, shop)
			if err != nil {
				if ctx.Err() == nil {
					flowErrors.Add(1)
				}
				return
			}
			mu.Lock()
			active = append(active, &trackedOrder{id: id})
			mu.Unlock()
		}(int64(next % len(d.w.shops)))
		next++
		mu.Lock()
		kept := active[:0]
		moved := 0
		for _, t := range active {
			if t.step >= len(statuses) {
				continue // done: picked up
			}
			if moved < 3 && !t.busy {
				t.busy = true
				moved++
				go advance(t)
			}
			kept = append(kept, t)
		}
		active = kept
		mu.Unlock()
	}
	tick.Stop()
	time.Sleep(time.Second) // the last changes reach the screens
	cancel()
	wg.Wait()

	elapsed := o.Warmup + o.Duration
	fmt.Fprintf(w, "\nScreens — %d kitchen displays and %d tracking pages open, %.0f orders/s placed and %.0f status changes/s, %s measured after %s; %d orders under way at the end:\n\n",
		sc.Kitchens, sc.Trackings, sc.Rate, float64(changes.Load())/elapsed.Seconds(), o.Duration, o.Warmup, len(active))
	fmt.Fprintln(w, "| from publication to | received | p50 ms | p95 ms | p99 ms | max ms |")
	fmt.Fprintln(w, "| --- | ---: | ---: | ---: | ---: | ---: |")
	for _, r := range []struct {
		name string
		rec  *recorder
	}{{"kitchen display's stream", &kitchenEvents}, {"tracking page's stream", &trackingEvents}, {"every stream", &events}, {"screen updated (page fetched again)", &screens}} {
		res := r.rec.result(r.name, o.Duration)
		fmt.Fprintf(w, "| %s | %d | %s | %s | %s | %s |\n", r.name, res.Count, ms(res.P50), ms(res.P95), ms(res.P99), ms(r.rec.max()))
	}
	if n := flowErrors.Load(); n > 0 || screens.errors > 0 {
		fmt.Fprintf(w, "\nErrors: %d in the flow of orders, %d screen fetches.\n", n, screens.errors)
	}
	return nil
}

type trackedOrder struct {
	id    int64
	token string
	step  int  // the next of the flow's statuses
	busy  bool // a change under way
}

// follow reads one screen's stream until ctx ends: each event's delay from
// its publication goes to rec and all, and the page is fetched again after
// a burst, its delay from the burst's first event going to shown.
func (d *httpDriver) follow(ctx context.Context, stream, page, token string, from time.Time, rec, all, shown *recorder) {
	req, err := http.NewRequestWithContext(ctx, "GET", d.base+stream, nil)
	if err != nil {
		return
	}
	req.AddCookie(&http.Cookie{Name: "ocpizza", Value: token})
	res, err := d.client.Do(req)
	if err != nil {
		shown.add(0, "stream")
		return
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		shown.add(0, fmt.Sprintf("stream_%d", res.StatusCode))
		return
	}
	refresh := make(chan time.Time, 1)
	go func() {
		for first := range refresh {
			time.Sleep(150 * time.Millisecond) // live.js gathers a burst
			for len(refresh) > 0 {
				<-refresh
			}
			if err := d.fetchPage(ctx, page, token); err != nil {
				if ctx.Err() == nil {
					shown.add(0, "page")
				}
				continue
			}
			if !first.Before(from) {
				shown.add(time.Since(first), "")
			}
		}
	}()
	defer close(refresh)
	readChanges(res.Body, func(at, now time.Time) {
		if !at.Before(from) {
			lag := now.Sub(at)
			rec.add(lag, "")
			all.add(lag, "")
		}
		select {
		case refresh <- at:
		default:
		}
	})
}

// readChanges reads a page stream until it ends, calling seen with each
// event's publication time and the time it arrived.
func readChanges(body io.Reader, seen func(at, now time.Time)) {
	sc := bufio.NewScanner(body)
	for sc.Scan() {
		data, ok := strings.CutPrefix(sc.Text(), "data: ")
		if !ok {
			continue
		}
		now := time.Now()
		var ev screenEvent
		if json.Unmarshal([]byte(data), &ev) == nil && ev.AtMicros != 0 {
			seen(time.UnixMicro(ev.AtMicros), now)
		}
	}
}

func (d *httpDriver) fetchPage(ctx context.Context, path, token string) error {
	req, err := http.NewRequestWithContext(ctx, "GET", d.base+path, nil)
	if err != nil {
		return err
	}
	req.AddCookie(&http.Cookie{Name: "ocpizza", Value: token})
	req.Header.Set("X-Live", "1") // as live.js asks: the regions only
	res, err := d.client.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if _, err := io.Copy(io.Discard, res.Body); err != nil {
		return err
	}
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %d", path, res.StatusCode)
	}
	return nil
}

// max is the longest latency recorded.
func (r *recorder) max() time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	var m time.Duration
	for _, l := range r.latencies {
		m = max(m, l)
	}
	return m
}
