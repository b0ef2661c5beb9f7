package cli_test

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oc-pizza/ocpizza/internal/app"
	"github.com/oc-pizza/ocpizza/internal/cli"
)

// TestStopRightAfterStart: a SIGTERM that arrives as soon as the server
// listens is a clean stop (exit 0). Shutdown used to close the listeners
// a second time when it ran before Serve had returned, and report that.
func TestStopRightAfterStart(t *testing.T) {
	t.Parallel()
	env := map[string]string{
		"OCPIZZA_DATABASE_URL":     "sqlite:" + filepath.Join(t.TempDir(), "stop.db"),
		"OCPIZZA_SHUTDOWN_TIMEOUT": "5s",
	}
	if code, _, errOut := run(t, env, "", "migrate"); code != 0 {
		t.Fatal(errOut)
	}
	for i := 0; i < 10; i++ {
		ctx, cancel := context.WithCancel(context.Background())
		var out, errOut bytes.Buffer
		code := cli.Main(ctx, []string{"serve", "--addr", "127.0.0.1:0"}, app.Env{
			Stdout: &out, Stderr: &errOut,
			Getenv: func(k string) string { return env[k] },
			Ready:  func(string) { cancel() },
		})
		cancel()
		if code != 0 {
			t.Fatalf("stop %d: exit %d\n%s", i, code, lastLines(errOut.String(), 5))
		}
	}
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
