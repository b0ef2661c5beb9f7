package loadtest

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// On a shared virtual machine the host may run other guests on our cores
// ("steal" time): requests then stall for reasons outside the system under
// test, and tail latencies vary from run to run. Each phase reports how
// busy the machine was and how much the host took, so a reader can tell.

// cpuTimes are the machine's cumulative CPU times, in clock ticks.
type cpuTimes struct {
	idle, steal, total uint64
}

// readCPUTimes reads /proc/stat; ok is false where there is none.
func readCPUTimes() (t cpuTimes, ok bool) {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return t, false
	}
	line, _, _ := strings.Cut(string(data), "\n")
	t, err = parseCPULine(line)
	return t, err == nil
}

// parseCPULine reads the aggregate line of /proc/stat:
// cpu user nice system idle iowait irq softirq steal [guest guest_nice].
// Guest time is already counted in user time, so it is left out.
func parseCPULine(line string) (cpuTimes, error) {
	f := strings.Fields(line)
	if len(f) < 9 || f[0] != "cpu" {
		return cpuTimes{}, fmt.Errorf("not a /proc/stat cpu line: %q", line)
	}
	var v [8]uint64
	for i := range v {
		n, err := strconv.ParseUint(f[i+1], 10, 64)
		if err != nil {
			return cpuTimes{}, fmt.Errorf("/proc/stat: %w", err)
		}
		v[i] = n
	}
	t := cpuTimes{idle: v[3] + v[4], steal: v[7]}
	for _, n := range v {
		t.total += n
	}
	return t, nil
}

// cpuUse is how the machine's CPU time went between two readings.
type cpuUse struct {
	known       bool
	busy, stole float64 // shares of all cores' time
}

func cpuBetween(a, b cpuTimes) cpuUse {
	if b.total <= a.total {
		return cpuUse{}
	}
	d := float64(b.total - a.total)
	return cpuUse{known: true, busy: float64((b.total-a.total)-(b.idle-a.idle)-(b.steal-a.steal)) / d, stole: float64(b.steal-a.steal) / d}
}

func (u cpuUse) String() string {
	if !u.known {
		return ""
	}
	return fmt.Sprintf("CPU over the measured phase, all cores: %.0f%% busy, %.0f%% taken by the host (steal).", 100*u.busy, 100*u.stole)
}
