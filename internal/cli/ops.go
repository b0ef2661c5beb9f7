package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/oc-pizza/ocpizza/internal/app"
	"github.com/oc-pizza/ocpizza/internal/ops"
	"github.com/oc-pizza/ocpizza/internal/pizzeria"
	"github.com/oc-pizza/ocpizza/internal/store"
)

func maintenance(ctx context.Context, args []string, env app.Env) error {
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

func backup(ctx context.Context, args []string, env app.Env) error {
	fs := newFlags("backup", env)
	verify := fs.Bool("verify", false, "check a backup file instead of taking one")
	acceptUnsigned := fs.Bool("accept-unsigned", false, "with --verify: accept a backup that is not signed although a key is set")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err}
	}
	if fs.NArg() > 1 {
		return usageError{errors.New("usage: ocpizza backup [FILE] | ocpizza backup --verify [--accept-unsigned] FILE")}
	}
	if *verify {
		if fs.NArg() != 1 {
			return usageError{errors.New("--verify needs the backup file")}
		}
		cfg, err := env.Config()
		if err != nil {
			return err
		}
		info, err := ops.VerifyBackup(fs.Arg(0), cfg.BackupTrust(*acceptUnsigned))
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "%s: valid, %s — schema version %d, taken on %s at %s, %d tables, %d rows%s\n", fs.Arg(0), signature(info),
			info.SchemaVersion, info.Engine, info.CreatedAt.In(pizzeria.Paris).Format("02/01/2006 15:04:05"), info.Tables, info.Rows, replacedNote(info))
		return nil
	}
	if *acceptUnsigned {
		return usageError{errors.New("--accept-unsigned goes with --verify")}
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
	info, err := ops.Backup(ctx, st, path, cfg.BackupTrust(false))
	if err != nil {
		return fmt.Errorf("backup failed: %w", err)
	}
	fmt.Fprintf(env.Stdout, "backup written to %s: %d tables, %d rows, schema version %d, %s%s\n", path, info.Tables, info.Rows, info.SchemaVersion, signature(info), replacedNote(info))
	return nil
}

// signature says how a backup is protected.
func signature(info ops.BackupInfo) string {
	if info.Signed {
		return "signed (HMAC-SHA256 " + info.SHA256[:16] + "…)"
	}
	return "not signed, sha256 " + info.SHA256 + " (no OCPIZZA_BACKUP_KEY or OCPIZZA_SECRET_KEY: a checksum does not stop an edit)"
}

func replacedNote(info ops.BackupInfo) string {
	if info.Replaced == 0 {
		return ""
	}
	return fmt.Sprintf("; %d NUL character(s) in text replaced by U+FFFD (PostgreSQL refuses them)", info.Replaced)
}

func restore(ctx context.Context, args []string, env app.Env) error {
	fs := newFlags("restore", env)
	force := fs.Bool("force", false, "replace the data of a non-empty database")
	acceptUnsigned := fs.Bool("accept-unsigned", false, "restore a backup that is not signed although a key is set (you vouch for the file)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err}
	}
	if fs.NArg() != 1 {
		return usageError{errors.New("usage: ocpizza restore [--force] [--accept-unsigned] FILE")}
	}
	cfg, err := env.Config()
	if err != nil {
		return err
	}
	trust := cfg.BackupTrust(*acceptUnsigned)
	// Check the file before opening the database: opening a SQLite
	// database creates its file, which a refused restore must not leave.
	verified, err := ops.VerifyBackup(fs.Arg(0), trust)
	if err != nil {
		return fmt.Errorf("restore refused, no data was changed: %s", message(err))
	}
	file, sqlite := store.SQLiteFile(cfg.DatabaseURL)
	_, statErr := os.Stat(file)
	created := sqlite && errors.Is(statErr, os.ErrNotExist)
	st, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	info, err := ops.RestoreVerified(ctx, st, fs.Arg(0), verified, *force, trust)
	st.Close()
	if err != nil {
		if created {
			removeSQLite(file)
		}
		return fmt.Errorf("restore refused, no data was changed: %s", message(err))
	}
	fmt.Fprintf(env.Stdout, "restored %s into %s: %d tables, %d rows (backup of %s, schema version %d, %s)%s\n", fs.Arg(0), st.Engine(),
		info.Tables, info.Rows, info.Engine, info.SchemaVersion, signature(info), replacedNote(info))
	return nil
}

// removeSQLite removes a database file this command created, with the
// files SQLite keeps beside it.
func removeSQLite(file string) {
	for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
		os.Remove(file + suffix)
	}
}

func diskCheck(ctx context.Context, args []string, env app.Env) error {
	cfg, err := env.Config()
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
	alerts, err := app.NewAlerter(cfg, app.NewLogger(cfg, env.Stderr))
	if err != nil {
		return err
	}
	over, err := app.DiskReport(ctx, cfg, *maxUsed, env.Stdout, alerts)
	if err != nil {
		return err
	}
	if over > 0 {
		return fmt.Errorf("%d filesystem(s) over %d%% used", over, *maxUsed)
	}
	return nil
}

func tlsCmd(ctx context.Context, args []string, env app.Env) error {
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
func probe(ctx context.Context, args []string, env app.Env) error {
	cfg, err := env.Config()
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
