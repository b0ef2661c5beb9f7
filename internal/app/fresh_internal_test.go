package app

import (
	"context"
	"net"
	"net/http"
	"testing"
	"time"
)

// TestFreshConnsIgnoreOldConnections: a connection that never left
// StateNew long after it was accepted (HTTP/2: net/http skips the hook)
// does not hold a shutdown back; one just accepted does, until its first
// request is read.
func TestFreshConnsIgnoreOldConnections(t *testing.T) {
	var f freshConns
	old, _ := net.Pipe()
	f.track(old, http.StateNew)
	f.n[old] = time.Now().Add(-time.Minute) // an HTTP/2 connection of a minute ago
	start := time.Now()
	f.wait(context.Background(), 2*time.Second)
	if waited := time.Since(start); waited > 500*time.Millisecond {
		t.Fatalf("an old connection held the shutdown for %s", waited)
	}

	fresh, _ := net.Pipe()
	f.track(fresh, http.StateNew)
	go func() {
		time.Sleep(100 * time.Millisecond)
		f.track(fresh, http.StateActive)
	}()
	start = time.Now()
	f.wait(context.Background(), 2*time.Second)
	if waited := time.Since(start); waited < 100*time.Millisecond || waited >= 1900*time.Millisecond {
		t.Fatalf("waited %s for a connection that sent its request after 100 ms", waited)
	}
}
