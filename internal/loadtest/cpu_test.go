package loadtest

import (
	"math"
	"testing"
)

func TestCPUBetween(t *testing.T) {
	a, err := parseCPULine("cpu  215806 0 61715 486972 7410 0 14455 13029 0 0")
	if err != nil {
		t.Fatal(err)
	}
	// 100 ticks later: 50 user, 10 system, 30 idle, 10 steal.
	b, err := parseCPULine("cpu  215856 0 61725 487002 7410 0 14455 13039 0 0")
	if err != nil {
		t.Fatal(err)
	}
	u := cpuBetween(a, b)
	if !u.known || math.Abs(u.busy-0.60) > 1e-9 || math.Abs(u.stole-0.10) > 1e-9 {
		t.Fatalf("got %+v, want 60%% busy and 10%% stolen", u)
	}
	if u.String() != "CPU over the measured phase, all cores: 60% busy, 10% taken by the host (steal)." {
		t.Fatalf("line %q", u.String())
	}
	if cpuBetween(b, b).known {
		t.Fatal("no time elapsed, yet a share")
	}
	for _, bad := range []string{"", "intr 1 2 3", "cpu 1 2 3", "cpu a b c d e f g h"} {
		if _, err := parseCPULine(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}
