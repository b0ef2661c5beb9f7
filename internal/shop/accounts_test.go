package shop

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oc-pizza/ocpizza/internal/account"
	"github.com/oc-pizza/ocpizza/internal/errs"
	"github.com/oc-pizza/ocpizza/internal/store"
	"github.com/oc-pizza/ocpizza/internal/store/storetest"
)

const goodPassword = "correct horse battery"

// testShop is a shop on a fresh SQLite database with cheap password
// parameters and a clock the test moves.
func testShop(t *testing.T) (*Shop, *fakeClock) {
	t.Helper()
	s := New(storetest.Open(t, store.SQLite), nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
	s.Passwords = account.NewHasher(account.FixtureParams, account.Limits{Parallel: 2, Queue: 100, Wait: 10 * time.Second})
	clock := &fakeClock{t: time.Date(2026, 12, 4, 19, 0, 0, 0, time.UTC)}
	s.signIns.now, s.signUps.now = clock.now, clock.now
	return s, clock
}

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func TestBackoff(t *testing.T) {
	b := backoff{free: 5, first: 2 * time.Second, max: 5 * time.Minute}
	for n, want := range map[int]time.Duration{0: 0, 4: 0, 5: 2 * time.Second, 6: 4 * time.Second, 7: 8 * time.Second,
		12: 256 * time.Second, 13: 5 * time.Minute, 1000: 5 * time.Minute} {
		if got := b.wait(n); got != want {
			t.Errorf("after %d failures: %v, want %v", n, got, want)
		}
	}
}

// Forty guesses at one account at the same instant: only the free
// allowance is checked, the rest are told to wait; the owner then waits a
// few seconds, not ten minutes, and signing in clears the count.
func TestConcurrentGuessesAreThrottled(t *testing.T) {
	s, clock := testShop(t)
	ctx := context.Background()
	if _, err := s.SignUp(ctx, account.NewCustomer{Email: "marie@example.test", Password: goodPassword, Name: "Marie"}, ""); err != nil {
		t.Fatal(err)
	}
	var wrong, limited atomic.Int64
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			// From forty addresses: only the account's limit holds them.
			_, _, err := s.SignIn(ctx, "marie@example.test", "guess number "+string(rune('a'+i)), "192.0.2."+string(rune('0'+i%10)))
			switch {
			case errs.Is(err, errs.Unauthorized):
				wrong.Add(1)
			case errs.Is(err, errs.RateLimited) && errs.RetryAfter(err) > 0:
				limited.Add(1)
			default:
				t.Errorf("guess: %v", err)
			}
		}()
	}
	close(start)
	wg.Wait()
	if wrong.Load() > int64(accountSignIns.free) || wrong.Load()+limited.Load() != 40 {
		t.Fatalf("%d guesses checked, %d limited: at most %d may be checked", wrong.Load(), limited.Load(), accountSignIns.free)
	}

	// The owner is asked to wait a little, then gets in.
	_, _, err := s.SignIn(ctx, "marie@example.test", goodPassword, "198.51.100.7")
	wait := errs.RetryAfter(err)
	if !errs.Is(err, errs.RateLimited) || wait <= 0 || wait > 10*time.Second {
		t.Fatalf("owner right after the guesses: %v (wait %v), want a short rate limit", err, wait)
	}
	clock.advance(wait)
	if _, u, err := s.SignIn(ctx, "marie@example.test", goodPassword, "198.51.100.7"); err != nil || u.Email != "marie@example.test" {
		t.Fatalf("owner after the wait: %v", err)
	}
	// A success cleared the account's count: the free tries are back.
	for range accountSignIns.free {
		if _, _, err := s.SignIn(ctx, "marie@example.test", "typo in it!", "198.51.100.7"); !errs.Is(err, errs.Unauthorized) {
			t.Fatalf("after a success: %v, want a plain wrong password", err)
		}
	}
}

// Each failure beyond the allowance doubles the wait; one guess is let
// through per wait, no more.
func TestWaitsDoubleAndOneGuessPerWait(t *testing.T) {
	s, clock := testShop(t)
	ctx := context.Background()
	guess := func() error {
		_, _, err := s.SignIn(ctx, "nobody@example.test", "not the password", "")
		return err
	}
	for range accountSignIns.free {
		if err := guess(); !errs.Is(err, errs.Unauthorized) {
			t.Fatal(err)
		}
	}
	for i, want := range []time.Duration{2 * time.Second, 4 * time.Second, 8 * time.Second} {
		err := guess()
		if !errs.Is(err, errs.RateLimited) || errs.RetryAfter(err) != want {
			t.Fatalf("wait %d: %v (%v), want %v", i, err, errs.RetryAfter(err), want)
		}
		clock.advance(want - time.Millisecond)
		if err := guess(); !errs.Is(err, errs.RateLimited) {
			t.Fatalf("just before the end of the wait: %v", err)
		}
		clock.advance(time.Millisecond)
		if err := guess(); !errs.Is(err, errs.Unauthorized) {
			t.Fatalf("at the end of the wait: %v", err)
		}
	}
	// Unknown e-mails are throttled the same way: the limit tells nothing.
	// Long after, the count is forgotten.
	clock.advance(accountSignIns.max + accountSignIns.forget + time.Second)
	if err := guess(); !errs.Is(err, errs.Unauthorized) {
		t.Fatalf("after an hour of quiet: %v", err)
	}
}

// Failures from one address on many accounts slow that address, not the
// accounts from elsewhere; and an address's failures are not cleared by
// one of its sign-ins succeeding.
func TestAddressLimit(t *testing.T) {
	s, clock := testShop(t)
	ctx := context.Background()
	if _, err := s.SignUp(ctx, account.NewCustomer{Email: "marie@example.test", Password: goodPassword, Name: "Marie"}, ""); err != nil {
		t.Fatal(err)
	}
	for i := range addressSignIns.free {
		email := "user" + string(rune('a'+i)) + "@example.test"
		if _, _, err := s.SignIn(ctx, email, "not the password", "203.0.113.9"); !errs.Is(err, errs.Unauthorized) {
			t.Fatal(err)
		}
	}
	if _, _, err := s.SignIn(ctx, "another@example.test", "not the password", "203.0.113.9"); !errs.Is(err, errs.RateLimited) {
		t.Fatalf("address past its allowance: %v", err)
	}
	if _, _, err := s.SignIn(ctx, "marie@example.test", goodPassword, "198.51.100.7"); err != nil {
		t.Fatalf("another address: %v", err)
	}
	clock.advance(addressSignIns.first)
	if _, _, err := s.SignIn(ctx, "marie@example.test", goodPassword, "203.0.113.9"); err != nil {
		t.Fatalf("the address after its wait: %v", err)
	}
	// Its wait is over: one more guess goes through, then the next waits
	// — it would not if the success had cleared the address's count.
	if _, _, err := s.SignIn(ctx, "another@example.test", "not the password", "203.0.113.9"); !errs.Is(err, errs.Unauthorized) {
		t.Fatalf("one guess per wait: %v", err)
	}
	if _, _, err := s.SignIn(ctx, "third@example.test", "not the password", "203.0.113.9"); !errs.Is(err, errs.RateLimited) {
		t.Fatalf("a success from the address cleared its failures: %v", err)
	}
}

// An attempt that could not be checked (a busy hasher, a database that
// does not answer) is not a failure: its reservation is given back.
func TestUncheckedAttemptsAreNotFailures(t *testing.T) {
	s, _ := testShop(t)
	s.Store.Close()
	for range 3 * accountSignIns.free {
		_, _, err := s.SignIn(context.Background(), "marie@example.test", "not the password", "203.0.113.9")
		if err == nil || errs.Is(err, errs.RateLimited) || errs.Is(err, errs.Unauthorized) {
			t.Fatalf("with the database closed: %v", err)
		}
	}
	if len(s.signIns.keys) != 2 {
		t.Fatalf("keys %v", s.signIns.keys)
	}
	for k, a := range s.signIns.keys {
		if a.failures != 0 || a.inflight != 0 {
			t.Errorf("%s: %d failures, %d in flight", k, a.failures, a.inflight)
		}
	}
}

func TestSignUpThrottledPerAddress(t *testing.T) {
	s, clock := testShop(t)
	ctx := context.Background()
	signUp := func(i int) error {
		email := "customer" + string(rune('a'+i)) + "@example.test"
		_, err := s.SignUp(ctx, account.NewCustomer{Email: email, Password: goodPassword, Name: "C"}, "203.0.113.9")
		return err
	}
	for i := range addressSignUps.free {
		if err := signUp(i); err != nil {
			t.Fatal(err)
		}
	}
	err := signUp(addressSignUps.free)
	if !errs.Is(err, errs.RateLimited) || errs.RetryAfter(err) != addressSignUps.first {
		t.Fatalf("sign-up past the allowance: %v", err)
	}
	// Invalid input costs nothing and is not counted.
	if _, err := s.SignUp(ctx, account.NewCustomer{Email: "bad", Password: goodPassword, Name: "C"}, "203.0.113.9"); !errs.Is(err, errs.Invalid) {
		t.Fatalf("invalid sign-up: %v", err)
	}
	clock.advance(addressSignUps.first)
	if err := signUp(addressSignUps.free); err != nil {
		t.Fatalf("after the wait: %v", err)
	}
	// An e-mail that has an account: EmailTaken, for the caller to answer
	// like a success.
	clock.advance(time.Hour)
	if err := signUp(0); !errs.Is(err, errs.EmailTaken) {
		t.Fatalf("existing e-mail: %v", err)
	}
}
