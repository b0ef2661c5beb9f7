package shop

import (
	"sync"
	"time"
)

// backoff is a throttling policy: a few free failures, then a wait that
// doubles with each failure, up to a cap. Nobody is locked out: the real
// owner of an account under attack gets in once the current wait is over
// (the attacker gets one guess per wait, no more).
type backoff struct {
	free   int           // failures allowed without waiting
	first  time.Duration // the wait after the first failure beyond them
	max    time.Duration // the longest wait
	forget time.Duration // quiet this long after its wait, a key starts afresh
}

// wait is how long to wait after n failures.
func (b backoff) wait(n int) time.Duration {
	if n < b.free {
		return 0
	}
	d := b.first
	for i := b.free; i < n && d < b.max; i++ {
		d *= 2
	}
	return min(d, b.max)
}

var (
	// Sign-ins to one account: five tries, then 2 s, 4 s… up to 5 min,
	// which lets a guesser try ~12 passwords an hour once the common ones
	// are refused at sign-up.
	accountSignIns = backoff{free: 5, first: 2 * time.Second, max: 5 * time.Minute, forget: time.Hour}
	// Sign-ins from one address: an office or a family shares one, so
	// more tries and a short cap — it slows a guesser going through many
	// accounts without shutting out the others behind the address for
	// long.
	addressSignIns = backoff{free: 20, first: time.Second, max: time.Minute, forget: time.Hour}
	// Sign-ups from one address, counted whether they succeed or not:
	// bounds the accounts one client creates and the e-mails it probes.
	addressSignUps = backoff{free: 10, first: 2 * time.Second, max: 10 * time.Minute, forget: time.Hour}
	// Delivery look-ups from one address, each counted: with a maps key
	// each one that is not cached is a paid geocoding and route call per
	// pizzeria. A customer checks a few addresses; a script gets 30, then
	// one a second, then slower, down to one a minute.
	addressLookups = backoff{free: 30, first: time.Second, max: time.Minute, forget: 10 * time.Minute}
)

// throttleSweepAt is the number of keys above which forgotten ones are
// dropped, so a flood of distinct keys cannot grow memory without bound.
const throttleSweepAt = 10000

// throttle counts failures per key and makes attempts wait per its
// policies. An attempt is reserved before the work it guards runs, so
// concurrent attempts cannot all pass a check made before any failed.
type throttle struct {
	mu      sync.Mutex
	now     func() time.Time
	keys    map[string]*attempts
	sweepAt int
}

type attempts struct {
	policy   backoff
	failures int
	last     time.Time // of the last failure
	inflight int       // reserved and not yet settled
}

func newThrottle() *throttle {
	return &throttle{now: time.Now, keys: map[string]*attempts{}, sweepAt: throttleSweepAt}
}

// limit is one key and its policy.
type limit struct {
	key    string
	policy backoff
}

// reservation is an attempt let through; settle it with exactly one of
// its methods.
type reservation struct {
	t      *throttle
	limits []limit
}

// reserve lets an attempt through every limit, or returns how long to
// wait before the next one is let through.
func (t *throttle) reserve(limits ...limit) (*reservation, time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	if len(t.keys) >= t.sweepAt {
		t.sweep(now)
	}
	var wait time.Duration
	for _, l := range limits {
		a := t.keys[l.key]
		if a == nil {
			continue
		}
		if a.inflight == 0 && now.Sub(a.last) > a.policy.wait(a.failures)+a.policy.forget {
			a.failures = 0
		}
		switch {
		case a.failures+a.inflight < a.policy.free:
		case a.inflight > 0:
			// Only one attempt at a time past the free ones: the next
			// waits at least what this one's failure would impose.
			wait = max(wait, a.policy.wait(a.failures+a.inflight))
		case now.Before(a.last.Add(a.policy.wait(a.failures))):
			wait = max(wait, a.last.Add(a.policy.wait(a.failures)).Sub(now))
		}
	}
	if wait > 0 {
		return nil, wait
	}
	for _, l := range limits {
		a := t.keys[l.key]
		if a == nil {
			a = &attempts{policy: l.policy}
			t.keys[l.key] = a
		}
		a.inflight++
	}
	return &reservation{t: t, limits: limits}, 0
}

// failed counts a failure against every limit.
func (r *reservation) failed() {
	r.settle(func(a *attempts, now time.Time) { a.failures++; a.last = now })
}

// succeeded clears the first limit (the account signed in) and releases
// the others without clearing them: one good password does not wipe an
// address's failures on other accounts.
func (r *reservation) succeeded() {
	first := true
	r.settle(func(a *attempts, now time.Time) {
		if first {
			a.failures = 0
		}
		first = false
	})
}

// abandon releases the attempt without counting it (the work did not
// run: a busy server, a database error).
func (r *reservation) abandon() { r.settle(func(*attempts, time.Time) {}) }

func (r *reservation) settle(fn func(a *attempts, now time.Time)) {
	t := r.t
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	for _, l := range r.limits {
		if a := t.keys[l.key]; a != nil {
			a.inflight--
			fn(a, now)
		}
	}
}

// sweep drops the keys whose failures are forgotten. If too many remain
// (a flood of distinct keys), the next sweep waits until there are twice
// as many, so each costs little per attempt.
func (t *throttle) sweep(now time.Time) {
	for k, a := range t.keys {
		if a.inflight == 0 && now.Sub(a.last) > a.policy.wait(a.failures)+a.policy.forget {
			delete(t.keys, k)
		}
	}
	t.sweepAt = max(throttleSweepAt, 2*len(t.keys))
}
