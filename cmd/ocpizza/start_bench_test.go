package main_test

import (
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// BenchmarkColdStart measures what an update or a restart costs: from
// starting the binary on a migrated database holding the demo chain to the
// first answer of /healthz (target: under 300 ms), and the resident memory
// of the idle server then (target: under 50 MB), reported as idle-RSS-MB.
//
//	go test -run '^$' -bench ColdStart ./cmd/ocpizza/
func BenchmarkColdStart(b *testing.B) {
	dir := b.TempDir()
	vars := map[string]string{"OCPIZZA_DATA_DIR": dir}
	cmd := exec.Command(binary, "demo")
	cmd.Env = environ(vars)
	mig := exec.Command(binary, "migrate")
	mig.Env = environ(vars)
	if out, err := mig.CombinedOutput(); err != nil {
		b.Fatalf("migrate: %v %s", err, out)
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("demo: %v %s", err, out)
	}
	var rss float64
	for i := 0; i < b.N; i++ {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		srv := exec.Command(binary, "serve", "--addr", addr)
		srv.Env = environ(vars)
		start := time.Now()
		if err := srv.Start(); err != nil {
			b.Fatal(err)
		}
		for {
			res, err := http.Get("http://" + addr + "/healthz")
			if err == nil {
				res.Body.Close()
				if res.StatusCode == http.StatusOK {
					break
				}
			}
			if time.Since(start) > 10*time.Second {
				b.Fatal("no answer within 10 s")
			}
			time.Sleep(2 * time.Millisecond)
		}
		b.StopTimer()
		time.Sleep(300 * time.Millisecond) // settled, idle
		rss = residentMB(srv.Process.Pid)
		srv.Process.Signal(os.Interrupt)
		srv.Wait()
		b.StartTimer()
	}
	b.ReportMetric(rss, "idle-RSS-MB")
}

func residentMB(pid int) float64 {
	data, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "status"))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 64)
			return kb / 1000
		}
	}
	return 0
}
