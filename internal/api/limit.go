package api

import (
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// limiter counts failed sign-ins per e-mail and per client address over a
// window, to slow password guessing. A success clears the e-mail's count.
type limiter struct {
	mu     sync.Mutex
	limit  int
	window time.Duration
	hits   map[string]*window
	now    func() time.Time
}

type window struct {
	start time.Time
	n     int
}

func newLimiter(limit int, per time.Duration) *limiter {
	return &limiter{limit: limit, window: per, hits: map[string]*window{}, now: time.Now}
}

// perAddressFactor lets one address (an office, a shared connection) try
// a few accounts before it is slowed down.
const perAddressFactor = 5

// wait returns how long the caller must wait before trying again, or 0.
func (l *limiter) wait(email, ip string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if len(l.hits) > 100_000 {
		l.sweep(now)
	}
	worst := time.Duration(0)
	check := func(key string, limit int) {
		w, ok := l.hits[key]
		if !ok || now.Sub(w.start) >= l.window {
			return
		}
		if w.n >= limit {
			worst = max(worst, w.start.Add(l.window).Sub(now))
		}
	}
	check("e:"+email, l.limit)
	check("a:"+ip, l.limit*perAddressFactor)
	return worst
}

func (l *limiter) fail(email, ip string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	for _, key := range []string{"e:" + email, "a:" + ip} {
		w, ok := l.hits[key]
		if !ok || now.Sub(w.start) >= l.window {
			w = &window{start: now}
			l.hits[key] = w
		}
		w.n++
	}
}

func (l *limiter) succeed(email string) {
	l.mu.Lock()
	delete(l.hits, "e:"+email)
	l.mu.Unlock()
}

func (l *limiter) sweep(now time.Time) {
	for k, w := range l.hits {
		if now.Sub(w.start) >= l.window {
			delete(l.hits, k)
		}
	}
}

func retryAfter(d time.Duration) string {
	return strconv.Itoa(int(d.Seconds()) + 1)
}

// clientIP is the address the request came from. Behind a reverse proxy
// every request shares the proxy's address; the per-e-mail limit still
// holds there.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
