package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/oc-pizza/ocpizza/internal/order"
	"github.com/oc-pizza/ocpizza/internal/store"
)

// firstNewOrder is the id after the last order before the test.
func firstNewOrder(ctx context.Context, e *env) (int64, error) {
	st, err := store.Open(ctx, e.dbURL)
	if err != nil {
		return 0, err
	}
	defer st.Close()
	os, err := st.Orders(ctx, order.Filter{NewestFirst: true, Limit: 1})
	if err != nil || len(os) == 0 {
		return 1, err
	}
	return os[0].ID + 1, nil
}

// verify stops the server and checks the database: acknowledged orders
// present, new orders whole, stock balanced.
func verify(ctx context.Context, e *env, l *ledger, firstNew int64) (int, error) {
	e.stop()
	st, err := store.Open(ctx, e.dbURL)
	if err != nil {
		return 0, err
	}
	defer st.Close()
	n, err := checkOrders(ctx, st, l.acked, firstNew)
	if err != nil {
		return n, err
	}
	return n, checkStock(ctx, st, e.start0)
}

// killTest kills the server with SIGKILL kills times while clients order,
// restarting it each time; then asks again for every order whose answer
// was lost, and checks the database.
func killTest(ctx context.Context, e *env, kills, clients int) error {
	firstNew, err := firstNewOrder(ctx, e)
	if err != nil {
		return err
	}
	if err := e.serve(); err != nil {
		return err
	}
	c, err := newClient(ctx, e)
	if err != nil {
		return err
	}
	l := newLedger()
	run, stop := context.WithCancel(ctx)
	wg := c.orderClients(run, clients, l, 0)
	began := time.Now()
	var downtime time.Duration
	for i := range kills {
		time.Sleep(time.Duration(500+rand.IntN(1000)) * time.Millisecond)
		e.kill()
		down := time.Now()
		if err := e.serve(); err != nil {
			stop()
			return fmt.Errorf("restart %d: %w", i+1, err)
		}
		downtime += time.Since(down)
	}
	time.Sleep(500 * time.Millisecond)
	stop()
	wg.Wait()
	elapsed := time.Since(began)
	unknown := len(l.unknown)
	replayed, placedNew, err := c.settleUnknown(ctx, l)
	if err != nil {
		return err
	}
	n, err := verify(ctx, e, l, firstNew)
	fmt.Printf("kill -9 on %s: %d kills in %s (%s restarting), %d clients: %d orders answered 201, %d answers lost — asked again: %d had been placed (replayed once), %d were not and were placed; %d new orders in the database, all whole; refused: %v\n",
		e.engine, kills, elapsed.Round(time.Second), downtime.Round(100*time.Millisecond), clients, len(l.acked)-unknown, unknown, replayed, placedNew, n, l.refused)
	if err != nil {
		return err
	}
	fmt.Println("every order answered 201 is in the database with its stock reserved; orders whole or absent; stock balances with its ledger")
	return nil
}

// dbRestartTest restarts the database server under load: /readyz must go
// 503 and come back by itself, the server keep running, no acknowledged
// order be lost.
func dbRestartTest(ctx context.Context, e *env, clients int) error {
	if e.engine == store.SQLite {
		return fmt.Errorf("dbrestart is for postgres and mysql")
	}
	firstNew, err := firstNewOrder(ctx, e)
	if err != nil {
		return err
	}
	if err := e.serve(); err != nil {
		return err
	}
	pid := e.srv.Process.Pid
	c, err := newClient(ctx, e)
	if err != nil {
		return err
	}
	l := newLedger()
	run, stop := context.WithCancel(ctx)
	wg := c.orderClients(run, clients, l, 20*time.Millisecond)
	// /readyz every 100 ms: when it went 503, and when it came back.
	var mu sync.Mutex
	var first503, back200 time.Time
	var restartedAt, dbUpAt time.Time
	pollDone := make(chan struct{})
	go func() {
		defer close(pollDone)
		for run.Err() == nil {
			s := ready(e.addr)
			now := time.Now()
			mu.Lock()
			if s != http.StatusOK && first503.IsZero() && !restartedAt.IsZero() {
				first503 = now
			}
			if s == http.StatusOK && !first503.IsZero() && back200.IsZero() {
				back200 = now
			}
			mu.Unlock()
			time.Sleep(100 * time.Millisecond)
		}
	}()
	time.Sleep(5 * time.Second)
	mu.Lock()
	restartedAt = time.Now()
	mu.Unlock()
	if err := restartDatabase(e.engine); err != nil {
		stop()
		return err
	}
	dbUpAt = time.Now()
	time.Sleep(10 * time.Second)
	stop()
	wg.Wait()
	<-pollDone
	if e.srv.ProcessState != nil || e.srv.Process.Pid != pid {
		return fmt.Errorf("the server did not survive the database restart")
	}
	unknown := len(l.unknown)
	replayed, placedNew, err := c.settleUnknown(ctx, l)
	if err != nil {
		return err
	}
	n, verr := verify(ctx, e, l, firstNew)
	fmt.Printf("%s restarted under %d clients: the restart command took %s; /readyz 503 %s after it began, 200 again %s after it began, by itself; the server kept running (pid %d); %d orders answered 201, %d answered 503 or not at all during the outage — asked again with their keys: %d had been placed, %d were placed; %d new orders, all whole; other answers: %v\n",
		e.engine, clients, dbUpAt.Sub(restartedAt).Round(100*time.Millisecond), since(restartedAt, first503), since(restartedAt, back200), pid,
		len(l.acked)-unknown, unknown, replayed, placedNew, n, l.refused)
	switch {
	case verr != nil:
		return verr
	case first503.IsZero() || back200.IsZero():
		return fmt.Errorf("/readyz did not go 503 and back (503 at %v, back at %v)", first503, back200)
	case l.fivexx > 0:
		return fmt.Errorf("%d answers were a 5xx other than 503", l.fivexx)
	}
	return nil
}

func since(from, to time.Time) string {
	if to.IsZero() {
		return "never"
	}
	return to.Sub(from).Round(100 * time.Millisecond).String()
}

// restartDatabase restarts the local server and waits until it answers.
func restartDatabase(e store.Engine) error {
	var steps [][]string
	var ping []string
	switch e {
	case store.Postgres:
		steps = [][]string{{"pg_ctlcluster", "--skip-systemctl-redirect", "15", "main", "restart"}}
		ping = []string{"pg_isready", "-h", "127.0.0.1", "-p", "5432", "-q"}
	case store.MySQL:
		steps = [][]string{{"mysqladmin", "-h", "127.0.0.1", "-uroot", "shutdown"},
			{"start-stop-daemon", "--start", "--oknodo", "--background", "--exec", "/usr/sbin/mariadbd"}}
		ping = []string{"mysqladmin", "-h", "127.0.0.1", "-uroot", "ping"}
	}
	for i, s := range steps {
		if out, err := exec.Command(s[0], s[1:]...).CombinedOutput(); err != nil {
			return fmt.Errorf("%s: %v %s", strings.Join(s, " "), err, out)
		}
		if e == store.MySQL && i == 0 {
			// mysqladmin shutdown returns before the server is gone; a
			// start meanwhile would find it still running and do nothing.
			for range 300 {
				if exec.Command("pgrep", "-x", "mariadbd").Run() != nil {
					break
				}
				time.Sleep(100 * time.Millisecond)
			}
		}
	}
	for range 600 {
		if exec.Command(ping[0], ping[1:]...).Run() == nil {
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("the %s server did not come back within a minute: start it by hand", e)
}

// soakTest runs the chain at half its capacity (or at rate) for a while
// and checks that nothing accumulates: no 5xx, goroutines and open files
// back to their floor; and, in runs of 30 minutes or more, memory growing
// less than 8 MB an hour after the warm-up and the last window's p99
// within 1.2 times the first's, then a control window on a restarted
// server (reported, to tell the data's age from the process's).
func soakTest(ctx context.Context, e *env, duration time.Duration, rate float64, rest time.Duration) error {
	if err := e.serve(); err != nil {
		return err
	}
	c, err := newClient(ctx, e)
	if err != nil {
		return err
	}
	if rate == 0 {
		capacity := c.capacity(ctx, 16, 5*time.Second)
		rate = capacity / 2
		fmt.Printf("capacity (16 clients, closed loop, 5 s): %.0f ops/s; soaking at %.0f ops/s\n", capacity, rate)
	}
	// The same workload in every window: stock counted back up before
	// each, so orders keep being placed rather than refused for want of
	// stock (the first 2-hour run emptied it after one window, and the
	// rest of that run measured refusals).
	st, err := store.Open(ctx, e.dbURL)
	if err != nil {
		return err
	}
	defer st.Close()
	windows := 8
	window := duration / time.Duration(windows)
	// Warm-up: a few minutes at the rate fill the pools and caches, then a
	// rest long enough for the pools to close what they no longer use;
	// the floor of that rest is the start to come back to.
	var warm, refused atomic.Int64
	c.fixedRate(ctx, rate, min(window, 5*time.Minute), &warm, &refused)
	start, startFiles, startStacks := rested(c, e, rest)
	var p99s []time.Duration
	var samples [][2]float64 // seconds since the warm-up, resident bytes
	var fivexx atomic.Int64
	t0 := time.Now()
	for w := range windows {
		if err := restock(ctx, st); err != nil {
			return fmt.Errorf("restock: %w", err)
		}
		refused.Store(0)
		lat := c.fixedRate(ctx, rate, window, &fivexx, &refused)
		p99s = append(p99s, percentile(lat, 0.99))
		m := scrape(e.metrics)
		samples = append(samples, [2]float64{time.Since(t0).Seconds(), m["process_resident_memory_bytes"]})
		fmt.Printf("window %d: %d operations (%d refused 4xx), p99 %s, RSS %.1f MB, goroutines %.0f, open files %.0f%s\n", w+1, len(lat), refused.Load(),
			p99s[w].Round(10*time.Microsecond), m["process_resident_memory_bytes"]/1e6, m["go_goroutines"], m["process_open_fds"], e.dbSize())
	}
	end, endFiles, endStacks := rested(c, e, rest)
	// Memory: the slope after the first window (the warm-up), by least
	// squares, in MB per hour.
	slope := slopeOf(samples) * 3600 / 1e6
	fmt.Printf("soak at %.0f ops/s for %s: RSS slope %.1f MB/h after warm-up; goroutines %.0f → %.0f; open files %.0f → %.0f; p99 first %s, last %s (%.2f×); 5xx: %d\n",
		rate, duration, slope, start["go_goroutines"], end["go_goroutines"], start["process_open_fds"], end["process_open_fds"],
		p99s[0].Round(10*time.Microsecond), p99s[len(p99s)-1].Round(10*time.Microsecond), float64(p99s[len(p99s)-1])/float64(p99s[0]), fivexx.Load())
	// A short run (CI's two minutes) cannot tell caches and pools filling
	// from a leak, nor a neighbour's spike from a slowdown: it reports
	// memory and p99 and judges what it can — no 5xx, nothing left open.
	judged := duration >= shortestJudged
	if judged {
		// The control: the same rate on a fresh process over the grown
		// database. Its p99 near the last window's says a slower last
		// window is the data's age; near the first's, the process's.
		e.stop()
		if err := e.serve(); err != nil {
			return err
		}
		c.http.CloseIdleConnections()
		if err := restock(ctx, st); err != nil {
			return fmt.Errorf("restock: %w", err)
		}
		fivexxBefore := fivexx.Load()
		refused.Store(0)
		c.fixedRate(ctx, rate, 2*time.Minute, &fivexx, &refused) // its warm-up
		lat := c.fixedRate(ctx, rate, window/4, &fivexx, &refused)
		fmt.Printf("control, a fresh process on the grown database: %d operations (%d refused 4xx), p99 %s (%.2f× the first window's, %.2f× the last's); 5xx: %d%s\n",
			len(lat), refused.Load(), percentile(lat, 0.99).Round(10*time.Microsecond), float64(percentile(lat, 0.99))/float64(p99s[0]),
			float64(percentile(lat, 0.99))/float64(p99s[len(p99s)-1]), fivexx.Load()-fivexxBefore, e.dbSize())
	}
	var problems []string
	if !judged {
		fmt.Printf("under %s: memory slope and p99 reported, not judged\n", shortestJudged)
	}
	if judged && slope >= 8 {
		problems = append(problems, fmt.Sprintf("memory grows %.1f MB/h", slope))
	}
	// SQLite keeps the file of a connection it closes open while other
	// connections of the process hold locks on it (always, in WAL mode),
	// and gives it to the next connection it opens: the database file's
	// handles grow to the most connections ever open at once (the read
	// pool and the writer), not with time. They are judged by that bound,
	// the other files by their start. The same goes for its -wal and -shm.
	dbFile := strings.TrimPrefix(e.dbURL, "sqlite:")
	const dbBound = 8 + 1
	isDB := func(f string) bool { return dbFile != e.dbURL && strings.HasPrefix(f, dbFile) } // the file, -wal, -shm
	dbOver := false
	startOther, endOther := start["process_open_fds"], end["process_open_fds"]
	for f, n := range startFiles {
		if isDB(f) {
			startOther -= float64(n)
		}
	}
	for f, n := range endFiles {
		if isDB(f) {
			endOther -= float64(n)
			fmt.Printf("%s: %d → %d handles (bound %d)\n", filepath.Base(f), startFiles[f], n, dbBound)
			dbOver = dbOver || n > dbBound
		}
	}
	fmt.Printf("other files %.0f → %.0f\n", startOther, endOther)
	if end["go_goroutines"] > start["go_goroutines"] || endOther > startOther || dbOver {
		problems = append(problems, "goroutines or open files did not come back to their start")
		for f, n := range endFiles {
			if n > startFiles[f] {
				fmt.Printf("  open at the end, not at the start: %d × %s\n", n-startFiles[f], f)
			}
		}
		for stack, n := range moreGoroutines(startStacks, endStacks) {
			fmt.Printf("  %d more goroutine(s) at the end's quietest moment: %s\n", n, stack)
		}
	}
	if judged && float64(p99s[len(p99s)-1]) > 1.2*float64(p99s[0]) {
		problems = append(problems, "the last p99 is over 1.2 times the first")
	}
	if fivexx.Load() > 0 {
		problems = append(problems, "5xx answers")
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s", strings.Join(problems, "; "))
	}
	return nil
}

// shortestJudged is the shortest soak whose memory slope and p99 trend
// are judged: caches filled for ten minutes in the 30-minute run.
const shortestJudged = 30 * time.Minute

// rested lets the server rest for d and returns its floor over the rest:
// the fewest goroutines and open files seen, sampled every 5 s, with what
// was open and which goroutines ran at the quietest moments. Background
// jobs (reconciliation, the outbox, stock checks) open connections at
// their own times; a leak raises the floor, a job does not.
func rested(c *client, e *env, d time.Duration) (floor map[string]float64, files map[string]int, stacks map[string]int) {
	idle(c, 0)
	for end := time.Now().Add(d); ; {
		// The profile is taken first, five seconds after the last scrape:
		// taken just after one, it can still hold the scrape's goroutines
		// on their way out (seen: one with no stack but its exit).
		g := goroutineStacks(e.metrics)
		// A scrape that failed is no sample (its zeros are no floor).
		if m := scrape(e.metrics); len(m) > 0 {
			if floor == nil || m["process_open_fds"] < floor["process_open_fds"] {
				files = openFiles(e.srv.Process.Pid)
			}
			// Goroutines are counted from the profile, not from /metrics:
			// a scrape runs its collectors in goroutines of their own, and
			// the database's (orders by status) is slower as orders grow,
			// so go_goroutines read 19 to 21 where the profile said 16
			// (seen after the 2-hour run).
			if g != nil {
				m["go_goroutines"] = float64(total(g))
				if floor == nil || m["go_goroutines"] < floor["go_goroutines"] {
					stacks = g
				}
			}
			if floor == nil {
				floor = m
			}
			for _, k := range []string{"go_goroutines", "process_open_fds"} {
				floor[k] = min(floor[k], m[k])
			}
		}
		if time.Now().After(end) {
			if floor == nil {
				floor = map[string]float64{}
			}
			return floor, files, stacks
		}
		time.Sleep(5 * time.Second)
	}
}

// openFiles counts what a process has open, by what each descriptor is
// (a path, or socket/pipe/anon_inode), so that what a run leaves open can
// be named. Empty where /proc is not.
func openFiles(pid int) map[string]int {
	dir := fmt.Sprintf("/proc/%d/fd", pid)
	entries, _ := os.ReadDir(dir)
	out := map[string]int{}
	for _, e := range entries {
		target, err := os.Readlink(filepath.Join(dir, e.Name()))
		if err != nil {
			continue
		}
		if i := strings.Index(target, ":["); i > 0 {
			target = target[:i] // socket:[12345] → socket
		}
		out[target]++
	}
	return out
}

// idle lets requests end and the client's connections close, then waits
// out the rest of d.
func idle(c *client, d time.Duration) {
	time.Sleep(3 * time.Second)
	c.http.CloseIdleConnections()
	time.Sleep(max(d-3*time.Second, 2*time.Second))
}

// capacity measures closed-loop throughput of the mix.
func (c *client) capacity(ctx context.Context, n int, d time.Duration) float64 {
	var ops atomic.Int64
	run, stop := context.WithTimeout(ctx, d)
	defer stop()
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(i), 1))
			for run.Err() == nil {
				if c.op(run, rng) == nil {
					ops.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	return float64(ops.Load()) / d.Seconds()
}

// op is one operation of the mix: 70% menu reads, 30% orders.
func (c *client) op(ctx context.Context, rng *rand.Rand) error {
	if rng.IntN(10) < 7 {
		status, err := c.call(ctx, "GET", "/api/v1/pizzerias/"+strconv.FormatInt(c.shops[rng.IntN(len(c.shops))], 10)+"/menu", "", "", nil, nil)
		if err == nil && status != 200 {
			err = fmt.Errorf("menu: %d", status)
		}
		return statusErr(status, err)
	}
	status, _, err := c.place(ctx, c.newAttempt(rng))
	return statusErr(status, err)
}

type httpStatus int

func (s httpStatus) Error() string { return "HTTP " + strconv.Itoa(int(s)) }

func statusErr(status int, err error) error {
	if err != nil {
		return err
	}
	if status >= 400 {
		return httpStatus(status)
	}
	return nil
}

// fixedRate offers rate operations per second for d, each from its
// scheduled time (so queueing shows in the latency), counts the answers
// 5xx (or none) and 4xx, and returns the latencies.
func (c *client) fixedRate(ctx context.Context, rate float64, d time.Duration, fivexx, refused *atomic.Int64) []time.Duration {
	var mu sync.Mutex
	var lat []time.Duration
	var wg sync.WaitGroup
	interval := time.Duration(float64(time.Second) / rate)
	t0 := time.Now()
	rng := rand.New(rand.NewPCG(uint64(t0.UnixNano()), 2))
	for i := 0; ; i++ {
		at := t0.Add(time.Duration(i) * interval)
		if at.Sub(t0) >= d {
			break
		}
		time.Sleep(time.Until(at))
		seed := rng.Uint64()
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := c.op(ctx, rand.New(rand.NewPCG(seed, 3)))
			if s, ok := err.(httpStatus); ok && s >= 500 || err != nil && !ok {
				fivexx.Add(1)
			} else if ok {
				refused.Add(1)
			}
			mu.Lock()
			lat = append(lat, time.Since(at))
			mu.Unlock()
		}()
	}
	wg.Wait()
	return lat
}

func percentile(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	slices.Sort(d)
	return d[min(len(d)-1, int(float64(len(d))*p))]
}

func slopeOf(pts [][2]float64) float64 {
	var n, sx, sy, sxx, sxy float64
	for _, p := range pts {
		n++
		sx, sy, sxx, sxy = sx+p[0], sy+p[1], sxx+p[0]*p[0], sxy+p[0]*p[1]
	}
	if n < 2 || n*sxx == sx*sx {
		return 0
	}
	return (n*sxy - sx*sy) / (n*sxx - sx*sx)
}

// scrape reads the server's metrics (Prometheus text) into name → value,
// for unlabelled series.
func scrape(addr string) map[string]float64 {
	out := map[string]float64{}
	res, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		fmt.Fprintln(os.Stderr, "metrics:", err)
		return out
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	for _, line := range strings.Split(string(data), "\n") {
		name, value, ok := strings.Cut(line, " ")
		if !ok || strings.HasPrefix(line, "#") || strings.Contains(name, "{") {
			continue
		}
		if v, err := strconv.ParseFloat(value, 64); err == nil {
			out[name] = v
		}
	}
	return out
}

// dbSize names the size of a SQLite database (the file and its WAL), for
// the windows' lines; empty on the other engines.
func (e *env) dbSize() string {
	file, ok := strings.CutPrefix(e.dbURL, "sqlite:")
	if !ok {
		return ""
	}
	var size int64
	for _, f := range []string{file, file + "-wal"} {
		if fi, err := os.Stat(f); err == nil {
			size += fi.Size()
		}
	}
	return fmt.Sprintf(", database %.0f MB", float64(size)/1e6)
}
