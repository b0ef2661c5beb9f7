package main_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/oc-pizza/ocpizza/internal/notify/smtptest"
)

func TestConfigurationAndProductionProfile(t *testing.T) {
	dir := t.TempDir()
	fileDB := "sqlite:" + filepath.Join(dir, "from-file.db")
	conf := "# OC Pizza\nOCPIZZA_DATABASE_URL=" + fileDB + "\nOCPIZZA_ENV=\"development\"\n"
	if err := os.WriteFile(filepath.Join(dir, "ocpizza.conf"), []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	out := mustRun(t, nil, "", "--config", dir, "migrate")
	if !strings.Contains(out, "applied 001_init") {
		t.Fatalf("migrate from the config file: %s", out)
	}
	if _, err := os.Stat(filepath.Join(dir, "from-file.db")); err != nil {
		t.Fatal("the configuration file's database was not used")
	}
	// The environment wins over the file.
	envDB := "sqlite:" + filepath.Join(dir, "from-env.db")
	mustRun(t, map[string]string{"OCPIZZA_CONFIG_DIR": dir, "OCPIZZA_DATABASE_URL": envDB}, "", "migrate")
	if _, err := os.Stat(filepath.Join(dir, "from-env.db")); err != nil {
		t.Fatal("the environment did not win over the file")
	}
	// Production refuses to start without a strong secret and says why.
	prod := map[string]string{"OCPIZZA_ENV": "production", "OCPIZZA_DATABASE_URL": envDB, "OCPIZZA_PUBLIC_URL": "https://www.ocpizza.test"}
	code, _, errOut := ocpizza(t, prod, "", "serve", "--addr", "127.0.0.1:0")
	if code != 1 || !strings.Contains(errOut, "OCPIZZA_SECRET_KEY") {
		t.Fatalf("production without secret: exit %d %q", code, errOut)
	}
	prod["OCPIZZA_SECRET_KEY"] = "too-short"
	if code, out, _ := ocpizza(t, prod, "", "check"); code != 1 || !strings.Contains(out, "FAIL  secret key") {
		t.Fatalf("short secret: exit %d %q", code, out)
	}
	prod["OCPIZZA_SECRET_KEY"] = strings.Repeat("k", 40)
	prod["OCPIZZA_METRICS_ADDR"] = freePort(t)
	s := startServer(t, prod, "--addr", "127.0.0.1:0")
	line := s.waitLine(t, "serving on")
	url := strings.Fields(line)[4]
	res, err := http.Get(url + "/healthz")
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("production server: %v %v", res, err)
	}
	res.Body.Close()
	// Metrics on their own address, not on the site's.
	for u, want := range map[string]int{url + "/metrics": 404, "http://" + prod["OCPIZZA_METRICS_ADDR"] + "/metrics": 200} {
		res, err := http.Get(u)
		if err != nil || res.StatusCode != want {
			t.Fatalf("GET %s: %v %v, want %d", u, res, err, want)
		}
		res.Body.Close()
	}
	time.Sleep(100 * time.Millisecond)
	if !strings.Contains(s.stderr.String(), `"msg":"serving"`) {
		t.Fatalf("production logs are not JSON: %s", s.stderr)
	}
}

func TestCheckCommand(t *testing.T) {
	dir := t.TempDir()
	vars := map[string]string{"OCPIZZA_DATA_DIR": dir}
	code, out, _ := ocpizza(t, vars, "", "check")
	if code != 1 || !strings.Contains(out, "FAIL  migrations") {
		t.Fatalf("check before migrate: exit %d\n%s", code, out)
	}
	mustRun(t, vars, "", "migrate")
	out = mustRun(t, vars, "", "check")
	for _, want := range []string{"ok    database", "ok    migrations", "skip  tls", "disk /", "deployment looks good"} {
		if !strings.Contains(out, want) {
			t.Errorf("check output lacks %q:\n%s", want, out)
		}
	}
	bad := map[string]string{"OCPIZZA_DATABASE_URL": "postgres://nobody@127.0.0.1:1/none?connect_timeout=2", "SQUARE_ACCESS_TOKEN": "x",
		"OCPIZZA_SMTP_URL": "smtp://127.0.0.1:1"}
	code, out, _ = ocpizza(t, bad, "", "check")
	for _, want := range []string{"FAIL  database", "FAIL  square", "SQUARE_LOCATION_ID", "FAIL  smtp"} {
		if code != 1 || !strings.Contains(out, want) {
			t.Errorf("broken deployment: exit %d, output lacks %q:\n%s", code, want, out)
		}
	}
}

func TestMaintenanceAcrossProcesses(t *testing.T) {
	dir := t.TempDir()
	vars := map[string]string{"OCPIZZA_DATA_DIR": dir}
	s := startServer(t, vars, "--addr", "127.0.0.1:0")
	url := strings.Fields(s.waitLine(t, "serving on"))[4]
	out := mustRun(t, vars, "", "maintenance", "on", "--message", "Mise à jour, retour à 15 h")
	if !strings.Contains(out, "maintenance: on") {
		t.Fatal(out)
	}
	if out := mustRun(t, vars, "", "maintenance", "status"); !strings.Contains(out, "Mise à jour") {
		t.Fatal(out)
	}
	wait := func(want int) {
		deadline := time.Now().Add(2 * time.Second)
		for {
			res, err := http.Get(url + "/api/v1/pizzerias")
			if err == nil {
				res.Body.Close()
				if res.StatusCode == want {
					return
				}
			}
			if time.Now().After(deadline) {
				t.Fatalf("the running server did not answer %d within 2 s", want)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	wait(503)
	res, err := http.Get(url + "/healthz")
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("healthz during maintenance: %v %v", res, err)
	}
	res.Body.Close()
	mustRun(t, vars, "", "maintenance", "off")
	wait(200)
	if code, _, errOut := ocpizza(t, vars, "", "maintenance", "sideways"); code != 2 || !strings.Contains(errOut, "on, off or status") {
		t.Fatalf("bad action: %d %s", code, errOut)
	}
}

func TestBackupRestoreCommands(t *testing.T) {
	dir := t.TempDir()
	src := map[string]string{"OCPIZZA_DATA_DIR": filepath.Join(dir, "src")}
	mustRun(t, src, "", "migrate")
	mustRun(t, src, "", "demo")
	out := mustRun(t, src, "", "backup")
	if !strings.Contains(out, filepath.Join(dir, "src", "backups")) {
		t.Fatalf("default backup place: %s", out)
	}
	file := filepath.Join(dir, "manual.backup.gz")
	mustRun(t, src, "", "backup", file)
	if out := mustRun(t, src, "", "backup", "--verify", file); !strings.Contains(out, "valid") {
		t.Fatal(out)
	}
	dst := map[string]string{"OCPIZZA_DATA_DIR": filepath.Join(dir, "dst")}
	if out := mustRun(t, dst, "", "restore", file); !strings.Contains(out, "restored") {
		t.Fatal(out)
	}
	if code, _, errOut := ocpizza(t, dst, "", "restore", file); code != 1 || !strings.Contains(errOut, "--force") {
		t.Fatalf("restore over data: %d %s", code, errOut)
	}
	// Staff can sign in on the restored database: the data is whole.
	if out := mustRun(t, dst, "", "check"); !strings.Contains(out, "ok    migrations") {
		t.Fatal(out)
	}
}

func TestDiskCheckMailsTheAdmin(t *testing.T) {
	smtp := smtptest.Start(t)
	vars := map[string]string{"OCPIZZA_DATA_DIR": t.TempDir(), "OCPIZZA_SMTP_URL": "smtp://" + smtp.Addr, "OCPIZZA_ADMIN_EMAIL": "admin@ocpizza.fr"}
	code, out, _ := ocpizza(t, vars, "", "disk-check", "--max-used", "99")
	if code != 0 || !strings.Contains(out, "ok   /") || len(smtp.Messages()) != 0 {
		t.Fatalf("under the limit: exit %d, %d mails\n%s", code, len(smtp.Messages()), out)
	}
	code, out, errOut := ocpizza(t, vars, "", "disk-check", "--max-used", "1")
	msgs := smtp.Messages()
	if code != 1 || !strings.Contains(out, "OVER") || !strings.Contains(errOut, "over 1% used") || len(msgs) != 1 ||
		msgs[0].To[0] != "admin@ocpizza.fr" || !strings.Contains(msgs[0].Text(), "disk space low") {
		t.Fatalf("over the limit: exit %d, %d mails\n%s%s", code, len(msgs), out, errOut)
	}
	if code, _, _ := ocpizza(t, vars, "", "disk-check", "--max-used", "120"); code != 2 {
		t.Fatalf("bad threshold: exit %d", code)
	}
}

func TestTLSCertificateRequest(t *testing.T) {
	dir := t.TempDir()
	key, csr := filepath.Join(dir, "ocpizza.key"), filepath.Join(dir, "ocpizza.csr")
	out := mustRun(t, nil, "", "tls", "csr", "--key", key, "--out", csr, "--host", "ocpizza.fr", "--host", "www.ocpizza.fr")
	if !strings.Contains(out, "created private key") {
		t.Fatal(out)
	}
	fi, err := os.Stat(key)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", fi, err)
	}
	data, _ := os.ReadFile(csr)
	if !strings.Contains(string(data), "BEGIN CERTIFICATE REQUEST") {
		t.Fatalf("CSR: %s", data)
	}
	// A second request reuses the key.
	if out := mustRun(t, nil, "", "tls", "csr", "--key", key, "--out", csr, "--host", "ocpizza.fr"); strings.Contains(out, "created private key") {
		t.Fatal("the existing key was replaced")
	}
}
