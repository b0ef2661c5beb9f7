package loadtest

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"time"
)

// recorder keeps every latency of one operation; a run of a minute at a few
// thousand requests a second is a few hundred thousand durations, small
// enough to sort exactly instead of estimating.
type recorder struct {
	mu        sync.Mutex
	latencies []time.Duration
	errors    int
	codes     map[string]int
}

func (r *recorder) add(d time.Duration, errCode string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if errCode != "" {
		r.errors++
		if r.codes == nil {
			r.codes = map[string]int{}
		}
		r.codes[errCode]++
		return
	}
	r.latencies = append(r.latencies, d)
}

// Result summarises one operation of a run.
type Result struct {
	Name     string
	Count    int
	Errors   int
	Codes    map[string]int
	Rate     float64 // successful operations per second
	P50      time.Duration
	P95      time.Duration
	P99      time.Duration
	Duration time.Duration
}

func (r *recorder) result(name string, elapsed time.Duration) Result {
	r.mu.Lock()
	defer r.mu.Unlock()
	l := append([]time.Duration(nil), r.latencies...)
	sort.Slice(l, func(i, j int) bool { return l[i] < l[j] })
	res := Result{Name: name, Count: len(l), Errors: r.errors, Codes: r.codes, Duration: elapsed}
	if elapsed > 0 {
		res.Rate = float64(len(l)) / elapsed.Seconds()
	}
	res.P50, res.P95, res.P99 = quantile(l, 0.50), quantile(l, 0.95), quantile(l, 0.99)
	return res
}

func quantile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q*float64(len(sorted))+0.5) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f", float64(d.Microseconds())/1000) }

// printTable writes results as a Markdown table, ready for
// docs/performance.md.
func printTable(w io.Writer, title string, p phase) {
	fmt.Fprintf(w, "\n%s\n\n", title)
	fmt.Fprintln(w, "| operation | ok | errors | ops/s | p50 ms | p95 ms | p99 ms |")
	fmt.Fprintln(w, "| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
	for _, r := range p.results {
		errs := fmt.Sprint(r.Errors)
		if len(r.Codes) > 0 {
			var parts []string
			for c, n := range r.Codes {
				parts = append(parts, fmt.Sprintf("%s×%d", c, n))
			}
			sort.Strings(parts)
			errs += " (" + strings.Join(parts, ", ") + ")"
		}
		fmt.Fprintf(w, "| %s | %d | %s | %.0f | %s | %s | %s |\n", r.Name, r.Count, errs, r.Rate, ms(r.P50), ms(r.P95), ms(r.P99))
	}
	if line := p.cpu.String(); line != "" {
		fmt.Fprintf(w, "\n%s\n", line)
	}
}
