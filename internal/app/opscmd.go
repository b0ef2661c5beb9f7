package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/oc-pizza/ocpizza/internal/notify"
	"github.com/oc-pizza/ocpizza/internal/ops"
	"github.com/oc-pizza/ocpizza/internal/pizzeria"
)

func maintenance(ctx context.Context, args []string, env Env) error {
	if len(args) == 0 {
		return usageError{errors.New("usage: ocpizza maintenance on [--message TEXT] | off | status")}
	}
	verb := args[0]
	fs := newFlags("maintenance "+verb, env)
	message := fs.String("message", "", "text shown to visitors (on)")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if verb != "on" && *message != "" {
		return usageError{errors.New("--message goes with `on`")}
	}
	_, st, err := openCurrent(ctx, env)
	if err != nil {
		return err
	}
	defer st.Close()
	var m ops.Maintenance
	switch verb {
	case "on", "off":
		if m, err = ops.SetMaintenance(ctx, st, verb == "on", strings.TrimSpace(*message)); err != nil {
			return err
		}
	case "status":
		if m, err = ops.GetMaintenance(ctx, st); err != nil {
			return err
		}
	default:
		return usageError{fmt.Errorf("unknown maintenance action %q: on, off or status", verb)}
	}
	if !m.On {
		fmt.Fprintln(env.Stdout, "maintenance: off — the site is open")
		return nil
	}
	fmt.Fprintf(env.Stdout, "maintenance: on since %s", m.Since.In(pizzeria.Paris).Format("02/01/2006 15:04"))
	if m.Message != "" {
		fmt.Fprintf(env.Stdout, " — %q", m.Message)
	}
	fmt.Fprintln(env.Stdout, "\nevery running instance answers 503 within 2 seconds; /healthz stays 200")
	return nil
}

func backup(ctx context.Context, args []string, env Env) error {
	fs := newFlags("backup", env)
	verify := fs.Bool("verify", false, "check a backup file instead of taking one")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err}
	}
	if fs.NArg() > 1 {
		return usageError{errors.New("usage: ocpizza backup [FILE] | ocpizza backup --verify FILE")}
	}
	if *verify {
		if fs.NArg() != 1 {
			return usageError{errors.New("--verify needs the backup file")}
		}
		info, err := ops.VerifyBackup(fs.Arg(0))
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "%s: valid — schema version %d, taken on %s at %s, %d tables, %d rows, sha256 %s\n", fs.Arg(0),
			info.SchemaVersion, info.Engine, info.CreatedAt.In(pizzeria.Paris).Format("02/01/2006 15:04:05"), info.Tables, info.Rows, info.SHA256)
		return nil
	}
	cfg, st, err := openCurrent(ctx, env)
	if err != nil {
		return err
	}
	defer st.Close()
	path := fs.Arg(0)
	if path == "" {
		path = filepath.Join(cfg.BackupDir, ops.BackupName(st.Now()))
	}
	info, err := ops.Backup(ctx, st, path)
	if err != nil {
		return fmt.Errorf("backup failed: %w", err)
	}
	fmt.Fprintf(env.Stdout, "backup written to %s: %d tables, %d rows, schema version %d, sha256 %s\n", path, info.Tables, info.Rows, info.SchemaVersion, info.SHA256)
	return nil
}

func restore(ctx context.Context, args []string, env Env) error {
	fs := newFlags("restore", env)
	force := fs.Bool("force", false, "replace the data of a non-empty database")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err}
	}
	if fs.NArg() != 1 {
		return usageError{errors.New("usage: ocpizza restore [--force] FILE")}
	}
	_, st, err := openStore(ctx, env)
	if err != nil {
		return err
	}
	defer st.Close()
	info, err := ops.Restore(ctx, st, fs.Arg(0), *force)
	if err != nil {
		return fmt.Errorf("restore refused, no data was changed: %s", message(err))
	}
	fmt.Fprintf(env.Stdout, "restored %s into %s: %d tables, %d rows (backup of %s, schema version %d)\n", fs.Arg(0), st.Engine(), info.Tables, info.Rows, info.Engine, info.SchemaVersion)
	return nil
}

// alerterFor builds the admin alerter from the configuration.
func alerterFor(cfg Config, log *slog.Logger) (*notify.Alerter, error) {
	var m *notify.Mailer
	if cfg.SMTPURL != "" {
		var err error
		if m, err = notify.NewMailer(cfg.SMTPURL, cfg.MailFrom); err != nil {
			return nil, err
		}
	}
	return notify.NewAlerter(m, cfg.AdminEmail, log), nil
}

// diskReport checks every filesystem against the limit, prints the
// report and alerts the admin about those over it.
func diskReport(ctx context.Context, cfg Config, maxUsed int, w io.Writer, alerts *notify.Alerter) (over int, err error) {
	mounts, err := os.Open("/proc/self/mounts")
	if err != nil {
		return 0, err
	}
	defer mounts.Close()
	fss, err := ops.DiskUsage(mounts, map[string]string{"data": cfg.DataDir, "backups": cfg.BackupDir})
	if err != nil {
		return 0, err
	}
	var lines []string
	for _, fs := range fss {
		status := "ok"
		if fs.Over(maxUsed) {
			status, over = "OVER", over+1
		}
		holds := ""
		if len(fs.Holds) > 0 {
			holds = " (holds " + strings.Join(fs.Holds, ", ") + ")"
		}
		line := fmt.Sprintf("%-4s %-24s %5.1f%% used  %10s free of %10s  %s%s", status, fs.Mount, fs.UsedPct,
			ops.HumanBytes(fs.FreeBytes), ops.HumanBytes(fs.TotalBytes), fs.Type, holds)
		fmt.Fprintln(w, line)
		if status == "OVER" {
			lines = append(lines, line)
		}
	}
	if over > 0 && alerts != nil {
		body := fmt.Sprintf("%d filesystem(s) are over %d%% used:\n\n%s\n\nFree space before the database or the backups fill the disk.", over, maxUsed, strings.Join(lines, "\n"))
		if _, err := alerts.Alert(ctx, "disk", "disk space low", body); err != nil {
			fmt.Fprintf(w, "the alert mail could not be sent: %v\n", err)
		}
	}
	return over, nil
}

func diskCheck(ctx context.Context, args []string, env Env) error {
	cfg, err := env.config()
	if err != nil {
		return err
	}
	fs := newFlags("disk-check", env)
	maxUsed := fs.Int("max-used", cfg.DiskMaxUsed, "alert above this percentage used")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *maxUsed < 1 || *maxUsed > 99 {
		return usageError{errors.New("--max-used is a percentage from 1 to 99")}
	}
	alerts, err := alerterFor(cfg, newLogger(cfg, env.Stderr))
	if err != nil {
		return err
	}
	over, err := diskReport(ctx, cfg, *maxUsed, env.Stdout, alerts)
	if err != nil {
		return err
	}
	if over > 0 {
		return fmt.Errorf("%d filesystem(s) over %d%% used", over, *maxUsed)
	}
	return nil
}

func tlsCmd(ctx context.Context, args []string, env Env) error {
	if len(args) == 0 || args[0] != "csr" {
		return usageError{errors.New("usage: ocpizza tls csr --key FILE --out FILE --host NAME [--host NAME…]")}
	}
	fs := newFlags("tls csr", env)
	key := fs.String("key", "", "private key file (created, mode 0600, if missing)")
	out := fs.String("out", "", "where to write the certificate signing request")
	var hosts []string
	fs.Func("host", "a host name the certificate covers (repeat for several)", func(v string) error {
		hosts = append(hosts, v)
		return nil
	})
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if *key == "" || *out == "" || len(hosts) == 0 {
		return usageError{errors.New("--key, --out and at least one --host are required")}
	}
	created, err := ops.WriteCSR(*key, *out, hosts)
	if err != nil {
		return err
	}
	if created {
		fmt.Fprintf(env.Stdout, "created private key %s (keep it secret, mode 0600)\n", *key)
	}
	fmt.Fprintf(env.Stdout, "wrote %s for %s: send it to the certificate authority, then point OCPIZZA_TLS_CERT at the certificate it returns (picked up without restart)\n", *out, strings.Join(hosts, ", "))
	return nil
}

// probe is a health check for images without curl (distroless): it asks
// the running server's /healthz and says whether it answered 200.
func probe(ctx context.Context, args []string, env Env) error {
	cfg, err := env.config()
	if err != nil {
		return err
	}
	fs := newFlags("probe", env)
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	url := "http://" + cfg.Addr + "/healthz"
	if fs.NArg() > 0 {
		url = fs.Arg(0)
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, "GET", url, nil)
	if err != nil {
		return usageError{err}
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("%s answered %s", url, res.Status)
	}
	fmt.Fprintf(env.Stdout, "%s: %s\n", url, res.Status)
	return nil
}
