// Package loadtest measures the chain under a realistic mix — menu reads,
// order placement with stock reservation, kitchen transitions — over HTTP,
// beside a baseline measured in the same run: the same operations as bare
// store transactions, without HTTP, JSON or authentication. The ratio of
// the two is what the web layer costs.
package loadtest

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/oc-pizza/ocpizza/internal/catalog"
	"github.com/oc-pizza/ocpizza/internal/pizzeria"
	"github.com/oc-pizza/ocpizza/internal/stock"
	"github.com/oc-pizza/ocpizza/internal/store"
)

// Starter starts a server on the database and returns its base URL and a
// function that stops it.
type Starter func(ctx context.Context, databaseURL string) (baseURL string, stop func(), err error)

// Options are the knobs of a run.
type Options struct {
	Target      string // base URL of a running server; "" starts one in-process
	DatabaseURL string
	Duration    time.Duration
	Warmup      time.Duration // run before each phase's measure, not counted
	Concurrency int
	Rate        float64 // operations per second; 0 runs closed-loop, as fast as answers come
	MenuPct     int
	OrderPct    int
	Phases      string // "both", "http" or "store"
	// MenuPage reads the menu over HTTP as the customers' web page (HTML)
	// instead of the API's JSON, and reports what its first load weighs.
	MenuPage bool
	// Screens, when set, runs the screens phase instead of the mix;
	// Streams the streams phase.
	Screens *Screens
	Streams *Streams
	// SQLiteSync, when set ("normal,full"), runs the phases once per
	// SQLite synchronous setting, each on a fresh database, and compares
	// them.
	SQLiteSync string
}

// Main parses the command line and runs the load test.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string, start Starter) error {
	if len(args) > 0 && args[0] == "year" {
		return YearMain(ctx, args[1:], stdout, stderr, getenv)
	}
	fs := flag.NewFlagSet("ocpizza loadtest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	o := Options{}
	fs.StringVar(&o.Target, "target", "", "base URL of a running server, started with OCPIZZA_HOLD_LIMIT=off (the load customers keep thousands of orders waiting; default: start one in-process on --database)")
	fs.StringVar(&o.DatabaseURL, "database", getenv("OCPIZZA_DATABASE_URL"), "database the baseline (and the in-process server) uses; default a fresh SQLite file")
	fs.DurationVar(&o.Duration, "duration", 10*time.Second, "how long each phase is measured")
	fs.DurationVar(&o.Warmup, "warmup", 2*time.Second, "how long each phase runs first without being measured (connections opened, statements prepared)")
	fs.IntVar(&o.Concurrency, "concurrency", 16, "concurrent clients")
	fs.Float64Var(&o.Rate, "rate", 0, "fixed arrival rate in operations/s (0: closed loop, as fast as possible)")
	mix := fs.String("mix", "60,25,15", "percentages of menu reads, orders and kitchen transitions")
	fs.StringVar(&o.Phases, "phases", "both", "both, http or store")
	fs.BoolVar(&o.MenuPage, "menu-page", false, "over HTTP, read the menu as the customers' web page instead of the API's JSON")
	screens := fs.String("screens", "", "KITCHENS,TRACKINGS: instead of the mix, keep that many kitchen displays and order tracking pages open while orders flow, and measure how late they learn of changes")
	screensRate := fs.Float64("screens-rate", 10, "with --screens, orders placed (and status changes made) per second")
	streams := fs.Int("streams", 0, "instead of the mix, hold N event streams open on one pizzeria and measure how late changes reach them (10,000 needs the server in another process: --target)")
	streamChanges := fs.Int("stream-changes", 10, "with --streams, how many changes to make, one a second")
	serverPID := fs.Int("server-pid", 0, "with --streams and --target, the server's process id, to read its memory")
	fs.StringVar(&o.SQLiteSync, "sqlite-sync", "", "run once per SQLite synchronous setting (e.g. normal,full), each on a fresh database, and compare them")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of this process (client and in-process server) to FILE")
	if err := fs.Parse(args); err != nil {
		return err
	}
	parts := strings.Split(*mix, ",")
	if len(parts) != 3 {
		return fmt.Errorf("--mix takes three percentages, e.g. 60,25,15")
	}
	var pct [3]int
	for i, p := range parts {
		v, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil || v < 0 {
			return fmt.Errorf("--mix: %q is not a percentage", p)
		}
		pct[i] = v
	}
	if pct[0]+pct[1]+pct[2] != 100 {
		return fmt.Errorf("--mix must add up to 100")
	}
	o.MenuPct, o.OrderPct = pct[0], pct[1]
	if o.Concurrency < 1 || o.Concurrency > 1000 || o.Duration <= 0 || o.Warmup < 0 {
		return fmt.Errorf("--concurrency goes from 1 to 1000, --duration must be positive and --warmup not negative")
	}
	if o.Phases != "both" && o.Phases != "http" && o.Phases != "store" {
		return fmt.Errorf("--phases is both, http or store")
	}
	if o.SQLiteSync != "" && (o.Target != "" || o.DatabaseURL != "" && !strings.HasPrefix(o.DatabaseURL, "sqlite:")) {
		return fmt.Errorf("--sqlite-sync compares fresh SQLite databases: give no --target, and no --database or a sqlite: one")
	}
	if o.Target != "" && o.DatabaseURL == "" && o.Phases != "http" {
		return fmt.Errorf("with --target, give --database (the server's database) for the baseline, or --phases http")
	}
	if *screens != "" {
		k, t, ok := strings.Cut(*screens, ",")
		kitchens, err1 := strconv.Atoi(strings.TrimSpace(k))
		trackings, err2 := strconv.Atoi(strings.TrimSpace(t))
		if !ok || err1 != nil || err2 != nil || kitchens < 0 || trackings < 1 || kitchens+trackings > 20000 || *screensRate <= 0 {
			return fmt.Errorf("--screens takes two counts, e.g. 50,200, and --screens-rate a positive rate")
		}
		o.Screens, o.Phases = &Screens{Kitchens: kitchens, Trackings: trackings, Rate: *screensRate}, "http"
	}
	if *streams > 0 {
		if *streamChanges < 1 || *streamChanges > 600 {
			return fmt.Errorf("--stream-changes goes from 1 to 600")
		}
		o.Streams, o.Phases = &Streams{Count: *streams, Changes: *streamChanges, ServerPID: *serverPID}, "http"
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	return Run(ctx, o, stdout, start)
}

// Run performs the phases and prints their tables.
func Run(ctx context.Context, o Options, w io.Writer, start Starter) error {
	if o.SQLiteSync != "" {
		return compareSync(ctx, o, w, start)
	}
	_, _, err := runOnce(ctx, o, w, start)
	return err
}

// compareSync runs the phases once per SQLite synchronous setting, on a
// fresh database each (in the directory of --database, else a temporary
// one: on the disk, not in memory, or syncing costs nothing), then prints
// each setting's throughput and p99 as ratios to the first's.
func compareSync(ctx context.Context, o Options, w io.Writer, start Starter) error {
	dir := ""
	if path, _, _ := strings.Cut(strings.TrimPrefix(o.DatabaseURL, "sqlite:"), "?"); path != "" {
		dir = filepath.Dir(path)
	}
	dir, err := os.MkdirTemp(dir, "ocpizza-sync-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	type run struct {
		mode            string
		baseline, httpR []Result
	}
	var runs []run
	for _, mode := range strings.Split(o.SQLiteSync, ",") {
		mode = strings.ToLower(strings.TrimSpace(mode))
		one := o
		one.DatabaseURL = "sqlite:" + filepath.Join(dir, mode+".db") + "?synchronous=" + mode
		fmt.Fprintf(w, "\n## SQLite synchronous=%s\n\n", strings.ToUpper(mode))
		b, h, err := runOnce(ctx, one, w, start)
		if err != nil {
			return err
		}
		runs = append(runs, run{mode, b, h})
	}
	fmt.Fprintf(w, "\n## Compared with synchronous=%s, same run\n\n", strings.ToUpper(runs[0].mode))
	fmt.Fprintln(w, "| setting | phase | operation | ops/s ratio | p99 ratio |")
	fmt.Fprintln(w, "| --- | --- | --- | ---: | ---: |")
	for _, r := range runs[1:] {
		for _, ph := range []struct {
			name      string
			got, base []Result
		}{{"store", r.baseline, runs[0].baseline}, {"http", r.httpR, runs[0].httpR}} {
			for i := range ph.got {
				if i < len(ph.base) && ph.base[i].Rate > 0 && ph.base[i].P99 > 0 {
					fmt.Fprintf(w, "| %s | %s | %s | %.2f | %.2f |\n", strings.ToUpper(r.mode), ph.name, ph.got[i].Name,
						ph.got[i].Rate/ph.base[i].Rate, float64(ph.got[i].P99)/float64(ph.base[i].P99))
				}
			}
		}
	}
	return nil
}

// runOnce performs the phases on one database and prints their tables.
func runOnce(ctx context.Context, o Options, w io.Writer, start Starter) (baseline, overHTTP []Result, err error) {
	if o.DatabaseURL == "" {
		dir, err := os.MkdirTemp("", "ocpizza-load-")
		if err != nil {
			return nil, nil, err
		}
		defer os.RemoveAll(dir)
		o.DatabaseURL = "sqlite:" + filepath.Join(dir, "load.db")
	}
	st, err := store.Open(ctx, o.DatabaseURL)
	if err != nil {
		return nil, nil, err
	}
	defer st.Close()
	w2, err := prepare(ctx, st, o.Target == "")
	if err != nil {
		return nil, nil, err
	}
	fmt.Fprintf(w, "# Load test: %s, %d clients, %s measured per phase after %s of warm-up", st.Engine(), o.Concurrency, o.Duration, o.Warmup)
	if o.Rate > 0 {
		fmt.Fprintf(w, ", %.0f ops/s offered", o.Rate)
	}
	fmt.Fprintf(w, ", mix menu %d%% / order %d%% / kitchen %d%%\n", o.MenuPct, o.OrderPct, 100-o.MenuPct-o.OrderPct)

	var bare []Result
	if o.Phases != "http" {
		sd := &storeDriver{st: st, w: w2}
		if err := sd.init(ctx); err != nil {
			return nil, nil, err
		}
		bd, err := newBareDriver(ctx, st, w2, sd, o.Concurrency)
		if err != nil {
			return nil, nil, err
		}
		p, err := runPhase(ctx, o, bd)
		bd.close()
		if err != nil {
			return nil, nil, err
		}
		bare = p.results
		printTable(w, "Floor — a bare net/http handler encoding a menu of the same size; a hand-written transaction of an order's shape; one UPDATE per kitchen step:", p)
		if p, err = runPhase(ctx, o, sd); err != nil {
			return nil, nil, err
		}
		baseline = p.results
		printTable(w, "Baseline — the same operations as bare store transactions, no HTTP:", p)
	}
	if o.Phases != "store" {
		target := o.Target
		if target == "" {
			url, stop, err := start(ctx, o.DatabaseURL)
			if err != nil {
				return nil, nil, err
			}
			defer stop()
			target = url
		}
		if _, _, err := loadUsers(ctx, st); err != nil {
			return nil, nil, err
		}
		d, err := newHTTPDriver(ctx, target, w2, o.Concurrency)
		if err != nil {
			return nil, nil, err
		}
		if o.Screens != nil {
			return nil, nil, runScreens(ctx, o, w, d, *o.Screens)
		}
		if o.Streams != nil {
			return nil, nil, runStreams(ctx, w, d, *o.Streams)
		}
		if d.pages = o.MenuPage; o.MenuPage {
			size, err := d.firstLoad(ctx)
			if err != nil {
				return nil, nil, err
			}
			fmt.Fprintf(w, "First load of a menu page (page, stylesheet, scripts, icon): %.1f KB\n", float64(size)/1000)
		}
		p, err := runPhase(ctx, o, d)
		if err != nil {
			return nil, nil, err
		}
		overHTTP = p.results
		printTable(w, "Over HTTP — "+target+":", p)
	}
	if bare != nil {
		fmt.Fprintln(w, "\nThroughput as a share of the floor's, same run:")
		for i, b := range bare {
			if b.Rate <= 0 {
				continue
			}
			if i < len(baseline) {
				fmt.Fprintf(w, "- %s, store: %.0f%% (%.0f vs %.0f ops/s)\n", b.Name, 100*baseline[i].Rate/b.Rate, baseline[i].Rate, b.Rate)
			}
			if i < len(overHTTP) {
				fmt.Fprintf(w, "- %s, over HTTP: %.0f%% (%.0f vs %.0f ops/s); p99 %s ms vs %s ms\n", b.Name, 100*overHTTP[i].Rate/b.Rate,
					overHTTP[i].Rate, b.Rate, ms(overHTTP[i].P99), ms(b.P99))
			}
		}
	}
	if baseline != nil && overHTTP != nil {
		fmt.Fprintln(w, "\nHTTP throughput as a share of the bare store's, same run:")
		for i := range overHTTP {
			if baseline[i].Rate > 0 {
				fmt.Fprintf(w, "- %s: %.0f%% (%.0f vs %.0f ops/s); p99 %s ms vs %s ms\n", overHTTP[i].Name,
					100*overHTTP[i].Rate/baseline[i].Rate, overHTTP[i].Rate, baseline[i].Rate, ms(overHTTP[i].P99), ms(baseline[i].P99))
			}
		}
	}
	return baseline, overHTTP, nil
}

// world is what the drivers choose from: pizzerias and their products.
type world struct {
	shops    []int64
	products []catalog.Product // active pizzas, drinks and desserts
	byID     map[int64]catalog.Product
	recipes  map[int64][]catalog.RecipeLine
}

// prepare makes sure the database holds a chain to order from and, when
// it is ours, tops every stock level up so no order runs out: the test
// measures throughput, not scarcity.
func prepare(ctx context.Context, st *store.Store, ours bool) (*world, error) {
	if _, err := st.Migrate(ctx); err != nil {
		return nil, err
	}
	empty, err := st.Empty(ctx)
	if err != nil {
		return nil, err
	}
	if empty {
		if err := loadDemo(ctx, st); err != nil {
			return nil, err
		}
	}
	shops, err := st.Pizzerias(ctx)
	if err != nil {
		return nil, err
	}
	// A closed pizzeria refuses orders, and a load test runs at any hour:
	// its database's shops open around the clock.
	for _, p := range shops {
		if err := st.SetHours(ctx, p.ID, pizzeria.AroundTheClock()); err != nil {
			return nil, err
		}
	}
	products, err := st.Products(ctx, true)
	if err != nil {
		return nil, err
	}
	w := &world{products: products, byID: map[int64]catalog.Product{}, recipes: map[int64][]catalog.RecipeLine{}}
	for _, p := range products {
		w.recipes[p.ID] = p.Recipe
		w.byID[p.ID] = p
	}
	for _, p := range shops {
		if !p.Active {
			continue
		}
		w.shops = append(w.shops, p.ID)
		if !ours {
			continue
		}
		levels, err := st.StockLevels(ctx, p.ID)
		if err != nil {
			return nil, err
		}
		for _, l := range levels {
			m := stock.ManualMovement{IngredientID: l.IngredientID, Reason: stock.Count, Quantity: stock.MaxQuantity}
			if _, err := st.RecordMovement(ctx, p.ID, m, 0); err != nil {
				return nil, err
			}
		}
	}
	if len(w.shops) == 0 || len(w.products) == 0 {
		return nil, errors.New("the database holds no active pizzeria or product to order")
	}
	return w, nil
}

// items picks one to three products for an order.
func (w *world) items(rng *rand.Rand) []stock.Line {
	n := 1 + rng.IntN(3)
	out := make([]stock.Line, 0, n)
	for i := 0; i < n; i++ {
		out = append(out, stock.Line{ProductID: w.products[rng.IntN(len(w.products))].ID, Quantity: 1})
	}
	return out
}

// driver performs the three operations, over HTTP or on the store.
type driver interface {
	menu(ctx context.Context, rng *rand.Rand, shop int64) error
	order(ctx context.Context, rng *rand.Rand, shop int64) (orderID int64, err error)
	advance(ctx context.Context, orderID int64, to string) error
}

// kitchenQueue holds placed orders waiting for their next kitchen step.
type kitchenTask struct {
	id   int64
	next string
}

func runPhase(ctx context.Context, o Options, d driver) (phase, error) {
	var menuRec, orderRec, kitchenRec recorder
	queue := make(chan kitchenTask, 1<<16)
	ctx, cancel := context.WithTimeout(ctx, o.Warmup+o.Duration)
	defer cancel()
	// Operations begun during the warm-up run but are not counted: a
	// fresh server opens its database connections and prepares its
	// statements then, a cost paid once, not at every request.
	measureFrom := time.Now().Add(o.Warmup)
	cpuAtStart := make(chan cpuTimes, 1)
	cpuTimer := time.AfterFunc(o.Warmup, func() {
		if t, ok := readCPUTimes(); ok {
			cpuAtStart <- t
		}
		close(cpuAtStart)
	})

	// With a rate, arrivals are scheduled in advance and latency counts
	// from the scheduled time, so a slow server cannot hide its queueing
	// (no coordinated omission).
	var arrivals chan time.Time
	var missed atomic.Int64
	if o.Rate > 0 {
		arrivals = make(chan time.Time, o.Concurrency*4)
		go func() {
			defer close(arrivals)
			t0 := time.Now()
			interval := time.Duration(float64(time.Second) / o.Rate)
			for i := int64(0); ; i++ {
				at := t0.Add(time.Duration(i) * interval)
				if wait := time.Until(at); wait > 0 {
					select {
					case <-ctx.Done():
						return
					case <-time.After(wait):
					}
				}
				select {
				case arrivals <- at:
				case <-ctx.Done():
					return
				default:
					if !at.Before(measureFrom) {
						missed.Add(1) // every client busy and the queue full
					}
				}
			}
		}()
	}

	var wg sync.WaitGroup
	for c := 0; c < o.Concurrency; c++ {
		wg.Add(1)
		go func(seed uint64) {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(seed, 7))
			for ctx.Err() == nil {
				began := time.Now()
				if arrivals != nil {
					at, ok := <-arrivals
					if !ok {
						return
					}
					began = at
				}
				shop := rng.IntN(1 << 30)
				roll := rng.IntN(100)
				switch {
				case roll < o.MenuPct:
					err := d.menu(ctx, rng, int64(shop))
					record(ctx, &menuRec, measureFrom, began, err)
				case roll < o.MenuPct+o.OrderPct:
					id, err := d.order(ctx, rng, int64(shop))
					record(ctx, &orderRec, measureFrom, began, err)
					if err == nil {
						select {
						case queue <- kitchenTask{id, "preparing"}:
						default:
						}
					}
				default:
					select {
					case task := <-queue:
						err := d.advance(ctx, task.id, task.next)
						record(ctx, &kitchenRec, measureFrom, began, err)
						if err == nil && task.next == "preparing" {
							select {
							case queue <- kitchenTask{task.id, "ready"}:
							default:
							}
						}
					default:
						err := d.menu(ctx, rng, int64(shop))
						record(ctx, &menuRec, measureFrom, began, err)
					}
				}
			}
		}(uint64(c + 1))
	}
	wg.Wait()
	elapsed := time.Since(measureFrom)
	res := []Result{menuRec.result("menu read", elapsed), orderRec.result("place order", elapsed), kitchenRec.result("kitchen transition", elapsed)}
	if n := missed.Load(); n > 0 {
		res[0].Codes = mergeCodes(res[0].Codes, "not_sent", int(n))
	}
	var cpu cpuUse
	if cpuTimer.Stop() { // the phase ended before its warm-up did
		close(cpuAtStart)
	}
	if start, ok := <-cpuAtStart; ok {
		if end, ok := readCPUTimes(); ok {
			cpu = cpuBetween(start, end)
		}
	}
	return phase{res, cpu}, nil
}

// phase is what one phase measured.
type phase struct {
	results []Result
	cpu     cpuUse
}

func mergeCodes(m map[string]int, code string, n int) map[string]int {
	if m == nil {
		m = map[string]int{}
	}
	m[code] += n
	return m
}

// record notes one operation; those begun during the warm-up or cut short
// by the end of the phase are not counted either way.
func record(ctx context.Context, r *recorder, measureFrom, began time.Time, err error) {
	if began.Before(measureFrom) || ctx.Err() != nil && err != nil {
		return
	}
	code := ""
	if err != nil {
		code = errorCode(err)
	}
	r.add(time.Since(began), code)
}
