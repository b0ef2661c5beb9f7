package account

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/subtle"
	_ "embed"
	"encoding/base64"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/argon2"

	"github.com/oc-pizza/ocpizza/internal/errs"
)

// Params are the argon2id costs of new hashes. A hash carries the
// parameters it was made with, so hashes made with other parameters (older
// ones, or a test's) still verify.
type Params struct {
	Time      uint32 // passes over the memory
	MemoryKiB uint32
	Threads   uint8
}

// ProductionParams follow RFC 9106's second recommended option with the
// OWASP minimum memory for argon2id (64 MiB is too much for a 2 GB web
// server under a sign-in burst).
var ProductionParams = Params{Time: 2, MemoryKiB: 19 * 1024, Threads: 1}

// FixtureParams cost almost nothing: for test fixtures only, which hash
// hundreds of passwords. Never give them to a server's Hasher.
var FixtureParams = Params{Time: 1, MemoryKiB: 64, Threads: 1}

const (
	keyLen  = 32
	saltLen = 16
	// maxVerifyMemoryKiB refuses stored hashes that would make one
	// verification a denial of service (the bound on concurrent
	// verifications assumes each takes about ProductionParams' memory).
	maxVerifyMemoryKiB = 64 * 1024
)

// HashPassword returns an encoded argon2id hash in the PHC string format.
// It runs at once, unbounded: servers go through a Hasher.
func HashPassword(password string, p Params) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, p.Time, p.MemoryKiB, p.Threads, keyLen)
	return encode(p, salt, key), nil
}

func encode(p Params, salt, key []byte) string {
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.MemoryKiB, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

// VerifyPassword reports whether password matches the encoded hash. It
// reads the parameters from the hash, so they can be raised later without
// locking anyone out.
func VerifyPassword(encoded, password string) bool {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false
	}
	var memory, time uint32
	var threads uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &memory, &time, &threads); err != nil {
		return false
	}
	if memory > maxVerifyMemoryKiB || time > 10 || threads == 0 {
		return false
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil || len(want) == 0 || len(want) > 128 {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, time, memory, threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// Limits bound the cost of password hashing in one process.
type Limits struct {
	Parallel int           // hashes running at once, each taking Params.MemoryKiB
	Queue    int           // callers waiting for a turn beyond those; more are refused at once
	Wait     time.Duration // how long a caller waits in the queue before being refused
}

// DefaultLimits run one hash per CPU (more would only share the CPUs and
// add memory) with a queue that costs no memory while it waits: a turn
// lasts ~50 ms, so the sixteen per CPU waiting at most wait under a
// second; past the 2 s deadline the server is overwhelmed anyway.
func DefaultLimits() Limits {
	n := max(runtime.GOMAXPROCS(0), 1)
	return Limits{Parallel: n, Queue: 16 * n, Wait: 2 * time.Second}
}

// busyRetry is what a refused caller is told to wait.
const busyRetry = time.Second

// Hasher hashes and verifies passwords with a bounded cost. Every argon2id
// run takes Params.MemoryKiB (19 MiB in production) for ~50 ms, and a
// burst of sign-ins, good or bad, would otherwise take the server's
// memory: here a fixed number run at a time, a few more wait their turn,
// and the rest are answered errs.Unavailable (with a retry delay) at once.
type Hasher struct {
	params   Params
	running  chan struct{} // one token per hash running
	admitted chan struct{} // one token per caller running or waiting
	wait     time.Duration
	dummy    string // a hash of nothing, to spend a verification's time
}

// NewHasher returns a hasher making hashes with p, within l.
func NewHasher(p Params, l Limits) *Hasher {
	l.Parallel = max(l.Parallel, 1)
	l.Queue = max(l.Queue, 0)
	salt, key := make([]byte, saltLen), make([]byte, keyLen)
	rand.Read(salt)
	rand.Read(key)
	return &Hasher{params: p, running: make(chan struct{}, l.Parallel), admitted: make(chan struct{}, l.Parallel+l.Queue),
		wait: l.Wait, dummy: encode(p, salt, key)}
}

// turn waits for a turn to run one hash and returns its release.
func (h *Hasher) turn(ctx context.Context) (func(), error) {
	busy := errs.E(errs.Unavailable, "too many sign-ins at once: try again in a moment").Later(busyRetry)
	select {
	case h.admitted <- struct{}{}:
	default:
		return nil, busy
	}
	timer := time.NewTimer(h.wait)
	defer timer.Stop()
	select {
	case h.running <- struct{}{}:
		return func() { <-h.running; <-h.admitted }, nil
	case <-timer.C:
		<-h.admitted
		return nil, busy
	case <-ctx.Done():
		<-h.admitted
		return nil, ctx.Err()
	}
}

// Hash hashes a new password.
func (h *Hasher) Hash(ctx context.Context, password string) (string, error) {
	release, err := h.turn(ctx)
	if err != nil {
		return "", err
	}
	defer release()
	return HashPassword(password, h.params)
}

// Verify reports whether password matches the encoded hash.
func (h *Hasher) Verify(ctx context.Context, encoded, password string) (bool, error) {
	release, err := h.turn(ctx)
	if err != nil {
		return false, err
	}
	defer release()
	return VerifyPassword(encoded, password), nil
}

// VerifyNobody spends the time and memory of one verification, for a
// sign-in whose e-mail matches no account: it then costs the same as a
// wrong password, and tells nothing.
func (h *Hasher) VerifyNobody(ctx context.Context, password string) error {
	_, err := h.Verify(ctx, h.dummy, password)
	return err
}

//go:embed common_passwords.txt
var commonPasswordList string

// commonPasswords is the embedded list as a set, built on first use.
var commonPasswords = sync.OnceValue(func() map[string]struct{} {
	set := map[string]struct{}{}
	sc := bufio.NewScanner(strings.NewReader(commonPasswordList))
	for sc.Scan() {
		if line := sc.Text(); line != "" && !strings.HasPrefix(line, "#") {
			set[line] = struct{}{}
		}
	}
	return set
})

// Common reports whether p is among the most common passwords, those
// tried first by anyone guessing.
func Common(p string) bool {
	_, ok := commonPasswords()[strings.ToLower(p)]
	return ok
}
