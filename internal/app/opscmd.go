package app

import (
	"context"
	"errors"
	"fmt"
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
