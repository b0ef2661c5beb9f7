package loadtest

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// The streams phase holds many event streams open on one pizzeria — the
// kitchen displays of a busy chain and more — and makes a change once a
// second: each change's delay from its publication to its arrival is
// counted on every stream that received it, and how many did.

// Streams configures the phase.
type Streams struct {
	Count   int // streams held open
	Changes int // changes made, one a second
	// ServerPID, when the server runs in another process, is read for its
	// memory.
	ServerPID int
}

func runStreams(ctx context.Context, w io.Writer, d *httpDriver, st Streams) error {
	shop := d.w.shops[0]
	rng := rand.New(rand.NewPCG(3, 4))
	var lags recorder
	received := make([]atomic.Int64, st.Changes+1) // by change, how many streams got it
	var connected, failed atomic.Int64
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	var current atomic.Int64 // the change under way, 1-based
	started := time.Now()
	for i := 0; i < st.Count; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, err := http.NewRequestWithContext(ctx, "GET", fmt.Sprintf("%s/kitchen/%d/live", d.base, shop), nil)
			if err != nil {
				return
			}
			req.AddCookie(&http.Cookie{Name: "ocpizza", Value: d.admin})
			res, err := d.client.Do(req)
			if err != nil || res.StatusCode != http.StatusOK {
				failed.Add(1)
				return
			}
			defer res.Body.Close()
			connected.Add(1)
			readChanges(res.Body, func(at, now time.Time) {
				if c := current.Load(); c > 0 {
					received[c].Add(1)
					lags.add(now.Sub(at), "")
				}
			})
		}()
		if i%500 == 499 {
			time.Sleep(50 * time.Millisecond) // do not flood the accept queue
		}
	}
	for connected.Load()+failed.Load() < int64(st.Count) && time.Since(started) < time.Minute {
		time.Sleep(100 * time.Millisecond)
	}
	opened := time.Since(started)
	// The changes: an order placed and moved along, one step a second, so
	// each step is one event on the pizzeria's stream.
	id, err := d.orderAs(ctx, rng, 0, d.customers[0])
	if err != nil {
		return err
	}
	time.Sleep(time.Second) // the order's own events pass
	// Preparing, ready, taken back to preparing, ready again…
	steps := []string{"preparing", "ready"}
	for c := 1; c <= st.Changes; c++ {
		current.Store(int64(c))
		if err := d.advance(ctx, id, steps[(c-1)%2]); err != nil {
			return fmt.Errorf("change %d: %w", c, err)
		}
		time.Sleep(time.Second)
	}
	current.Store(0)
	rss, where := memory(st.ServerPID)
	cancel()
	wg.Wait()

	res := lags.result("", 0)
	fmt.Fprintf(w, "\nStreams — %d opened on one pizzeria in %s (%d refused), %d changes one a second:\n\n", connected.Load(), opened.Round(time.Millisecond), failed.Load(), st.Changes)
	fmt.Fprintln(w, "| change | streams that received it |")
	fmt.Fprintln(w, "| ---: | ---: |")
	for c := 1; c <= st.Changes; c++ {
		fmt.Fprintf(w, "| %d | %d |\n", c, received[c].Load())
	}
	fmt.Fprintf(w, "\nFrom publication to arrival, over the streams that received it: p50 %s ms, p95 %s ms, p99 %s ms, max %s ms (%d arrivals).\n",
		ms(res.P50), ms(res.P95), ms(res.P99), ms(lags.max()), res.Count)
	fmt.Fprintf(w, "Resident memory with the streams open: %.0f MB (%s).\n", float64(rss)/1e6, where)
	return nil
}

// memory reads the resident memory of the server: its process when given,
// else this one (the server in-process, with the load's clients).
func memory(pid int) (int64, string) {
	where := "this process: the in-process server and the clients"
	path := "/proc/self/status"
	if pid > 0 {
		where, path = "the server's process "+strconv.Itoa(pid), "/proc/"+strconv.Itoa(pid)+"/status"
	}
	data, err := os.ReadFile(path)
	if err != nil {
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return int64(m.Sys), "Go runtime's Sys (no /proc)"
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb * 1000, where
		}
	}
	return 0, where
}
