package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"path/filepath"
	"strings"

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
	_, st, err := openStore(ctx, env)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.CheckSchema(ctx); err != nil {
		return err
	}
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
	cfg, st, err := openStore(ctx, env)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.CheckSchema(ctx); err != nil {
		return err
	}
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
