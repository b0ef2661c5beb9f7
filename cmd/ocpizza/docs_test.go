package main_test

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oc-pizza/ocpizza/internal/store"
	"github.com/oc-pizza/ocpizza/internal/store/storetest"
)

// docCommands returns the ocpizza command lines of the shell blocks of a
// Markdown document, in order.
func docCommands(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	inShell := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case strings.HasPrefix(line, "```sh"):
			inShell = true
		case strings.HasPrefix(line, "```"):
			inShell = false
		case inShell && strings.Contains(line, "ocpizza ") && !strings.HasPrefix(line, "#") && !strings.HasPrefix(line, "make "):
			out = append(out, line)
		}
	}
	return out
}

// TestOperationsManualCommands runs every command of docs/operations.md,
// in order, against a sandbox laid out like the production server: the
// manual's paths are mapped into a temporary directory, its PostgreSQL
// restore target is a real test database.
func TestOperationsManualCommands(t *testing.T) {
	cmds := docCommands(t, filepath.Join("..", "..", "docs", "operations.md"))
	if len(cmds) < 10 {
		t.Fatalf("only %d commands found in the manual", len(cmds))
	}
	root := t.TempDir()
	etc, backups := filepath.Join(root, "etc"), filepath.Join(root, "backups")
	for _, d := range []string{filepath.Join(etc, "tls"), backups} {
		if err := os.MkdirAll(d, 0o750); err != nil {
			t.Fatal(err)
		}
	}
	conf := "OCPIZZA_DATA_DIR=" + filepath.Join(root, "lib") + "\nOCPIZZA_BACKUP_DIR=" + backups + "\nOCPIZZA_ADDR=" + freePort(t) + "\n"
	if err := os.WriteFile(filepath.Join(etc, "ocpizza.conf"), []byte(conf), 0o640); err != nil {
		t.Fatal(err)
	}
	replacer := strings.NewReplacer(
		"/etc/ocpizza", etc,
		"/var/backups/ocpizza", backups,
		"postgres://ocpizza:secret@db.internal:5432/ocpizza", storetest.NewDatabase(t, store.Postgres),
	)
	vars := map[string]string{
		"PATH":                 filepath.Dir(binary) + ":" + os.Getenv("PATH"),
		"OCPIZZA_CONFIG_DIR":   etc,
		"OCPIZZA_NEW_PASSWORD": "a long enough password",
	}
	// The site runs while the procedures are carried out, as in production.
	s := startServer(t, map[string]string{"OCPIZZA_CONFIG_DIR": etc})
	s.waitLine(t, "serving on")

	used := map[string]bool{}
	for _, line := range cmds {
		cmdline := replacer.Replace(line)
		c := exec.Command("bash", "-c", cmdline)
		c.Env = environ(vars)
		out, err := c.CombinedOutput()
		code := 0
		if exit, ok := err.(*exec.ExitError); ok {
			code = exit.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		// The disk checks report on the real disks of the machine: a full
		// disk there is a correct failure, not a wrong manual.
		diskFull := strings.Contains(string(out), "OVER") || strings.Contains(string(out), "FAIL  disk")
		if code != 0 && !(code == 1 && diskFull) {
			t.Errorf("manual command failed (exit %d): %s\n%s", code, line, out)
		}
		fields := strings.Fields(line[strings.Index(line, "ocpizza "):])
		used[strings.Join(fields[:2], " ")] = true
	}
	for _, want := range []string{"ocpizza migrate", "ocpizza user", "ocpizza tls", "ocpizza check", "ocpizza maintenance", "ocpizza disk-check", "ocpizza backup", "ocpizza restore"} {
		if !used[want] {
			t.Errorf("the manual never shows %q", want)
		}
	}
}
