// Package cli is the ocpizza command: one function per subcommand, over
// the wiring of package app. cmd/ocpizza only calls Main, so tests run any
// command in-process with their own environment and streams.
package cli

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"

	"github.com/oc-pizza/ocpizza/internal/account"
	"github.com/oc-pizza/ocpizza/internal/app"
	"github.com/oc-pizza/ocpizza/internal/demo"
	"github.com/oc-pizza/ocpizza/internal/errs"
	"github.com/oc-pizza/ocpizza/internal/loadtest"
	"github.com/oc-pizza/ocpizza/internal/order"
	"github.com/oc-pizza/ocpizza/internal/store"
	"github.com/oc-pizza/ocpizza/internal/web"
)

const usage = `ocpizza — the OC Pizza chain system

Usage: ocpizza [--config DIR] COMMAND …

Commands:
  ocpizza serve [--addr HOST:PORT] [--demo]   run the website and API (migrates first)
  ocpizza migrate                            apply pending database migrations
  ocpizza demo                               load the demo chain into an empty database
  ocpizza user add --email E --name N --role ROLE [--pizzeria ID]
                                             create an account; password on standard input
  ocpizza maintenance on [--message TEXT] | off | status
                                             close or open the site on every instance
  ocpizza backup [FILE] | --verify [--accept-unsigned] FILE
                                             take (or check) a consistent, signed backup
  ocpizza restore [--force] [--accept-unsigned] FILE
                                             load a backup into an empty database, any engine
  ocpizza check                              verify the deployment, one line per check
  ocpizza disk-check [--max-used 80]         report disk usage, alert the admin above the limit
  ocpizza tls csr --key FILE --out FILE --host NAME…
                                             create a key (if missing) and a certificate request
  ocpizza probe [URL]                        exit 0 if URL (default the local /healthz) answers 200
  ocpizza loadtest [flags]                   measure throughput and latency (see --help)
  ocpizza version                            print the version

Environment:
  OCPIZZA_DATABASE_URL   sqlite:PATH (default sqlite:$OCPIZZA_DATA_DIR/ocpizza.db),
                         postgres://user:pass@host:5432/db, mysql://user:pass@host:3306/db
  OCPIZZA_DATA_DIR       data directory (default ./data)
  OCPIZZA_ADDR           listen address (default 127.0.0.1:8080)
  OCPIZZA_ENV            development (default) or production
`

// Main runs one command and returns the process exit code.
func Main(ctx context.Context, args []string, env app.Env) int {
	if len(args) >= 2 && (args[0] == "--config" || args[0] == "-config") || env.Getenv("OCPIZZA_CONFIG_DIR") != "" {
		dir := ""
		if len(args) >= 2 && (args[0] == "--config" || args[0] == "-config") {
			dir, args = args[1], args[2:]
		}
		var err error
		if env, err = env.WithConfigDir(dir); err != nil {
			fmt.Fprintf(env.Stderr, "ocpizza: %v\n", err)
			return 1
		}
	}
	if len(args) == 0 {
		fmt.Fprint(env.Stderr, usage)
		return 2
	}
	cmds := map[string]func(context.Context, []string, app.Env) error{
		"serve":       serve,
		"migrate":     migrate,
		"demo":        loadDemo,
		"user":        user,
		"version":     version,
		"loadtest":    loadtestCmd,
		"maintenance": maintenance,
		"backup":      backup,
		"restore":     restore,
		"check":       check,
		"disk-check":  diskCheck,
		"tls":         tlsCmd,
		"probe":       probe,
	}
	cmd, ok := cmds[args[0]]
	if !ok {
		if args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
			fmt.Fprint(env.Stdout, usage)
			return 0
		}
		fmt.Fprintf(env.Stderr, "ocpizza: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	if err := cmd(ctx, args[1:], env); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		var usageErr usageError
		if errors.As(err, &usageErr) {
			fmt.Fprintf(env.Stderr, "ocpizza %s: %v\n", args[0], err)
			return 2
		}
		fmt.Fprintf(env.Stderr, "ocpizza %s: %s\n", args[0], message(err))
		return 1
	}
	return 0
}

// usageError marks a wrong command line (exit code 2).
type usageError struct{ error }

// message shows an expected error's message alone, anything else whole.
func message(err error) string {
	var e *errs.Error
	if errors.As(err, &e) {
		return e.Message
	}
	return err.Error()
}

func newFlags(name string, env app.Env) *flag.FlagSet {
	fs := flag.NewFlagSet("ocpizza "+name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	return fs
}

func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Errorf("unexpected argument %q", fs.Arg(0))}
	}
	return nil
}

// openStore loads the configuration and opens the database.
func openStore(ctx context.Context, env app.Env) (app.Config, *store.Store, error) {
	cfg, err := env.Config()
	if err != nil {
		return cfg, nil, err
	}
	st, err := store.Open(ctx, cfg.DatabaseURL)
	return cfg, st, err
}

// openCurrent opens the database and refuses a schema this binary does
// not match, saying which command to run.
func openCurrent(ctx context.Context, env app.Env) (app.Config, *store.Store, error) {
	cfg, st, err := openStore(ctx, env)
	if err != nil {
		return cfg, nil, err
	}
	if err := st.CheckSchema(ctx); err != nil {
		st.Close()
		return cfg, nil, err
	}
	return cfg, st, nil
}

func migrate(ctx context.Context, args []string, env app.Env) error {
	if err := parse(newFlags("migrate", env), args); err != nil {
		return err
	}
	_, st, err := openStore(ctx, env)
	if err != nil {
		return err
	}
	defer st.Close()
	applied, err := st.Migrate(ctx)
	if err != nil {
		return err
	}
	v, _, err := st.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	if len(applied) == 0 {
		fmt.Fprintf(env.Stdout, "schema up to date (version %d, %s)\n", v, st.Engine())
		return nil
	}
	for _, name := range applied {
		fmt.Fprintf(env.Stdout, "applied %s\n", name)
	}
	fmt.Fprintf(env.Stdout, "schema at version %d (%s)\n", v, st.Engine())
	return nil
}

func loadDemo(ctx context.Context, args []string, env app.Env) error {
	if err := parse(newFlags("demo", env), args); err != nil {
		return err
	}
	cfg, st, err := openCurrent(ctx, env)
	if err != nil {
		return err
	}
	if cfg.Production() {
		st.Close()
		return app.ErrDemoInProduction
	}
	defer st.Close()
	sh := env.NewShop(st, app.NewLogger(cfg, env.Stderr))
	sum, err := demo.Load(ctx, sh)
	sh.Close() // its stock checks, before the store closes
	if err != nil {
		return err
	}
	app.PrintDemo(env.Stdout, sum, "")
	return nil
}

func user(ctx context.Context, args []string, env app.Env) error {
	if len(args) == 0 || args[0] != "add" {
		return usageError{errors.New("usage: ocpizza user add --email E --name N --role ROLE [--pizzeria ID]")}
	}
	fs := newFlags("user add", env)
	email := fs.String("email", "", "e-mail address (the login)")
	name := fs.String("name", "", "full name")
	role := fs.String("role", "", "customer, counter, pizzaiolo, driver, manager or admin")
	pizzeriaID := fs.Int64("pizzeria", 0, "pizzeria id, for counter, pizzaiolo, driver and manager")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if *email == "" || *name == "" || *role == "" {
		return usageError{errors.New("--email, --name and --role are required")}
	}
	g := account.Grant{Role: account.Role(*role), PizzeriaID: *pizzeriaID}
	if err := g.Validate(); err != nil {
		return usageError{errors.New(message(err))}
	}
	password, err := readPassword(env.Stdin)
	if err != nil {
		return err
	}
	cfg, st, err := openCurrent(ctx, env)
	if err != nil {
		return err
	}
	defer st.Close()
	sh := env.NewShop(st, app.NewLogger(cfg, env.Stderr))
	defer sh.Close()
	u, err := sh.AddUser(ctx, *email, *name, password, []account.Grant{g})
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "created user %d <%s> with role %s\n", u.ID, u.Email, g.Role)
	return nil
}

// readPassword reads one line from standard input, so a password never
// appears in the process list or the shell history.
func readPassword(r io.Reader) (string, error) {
	line, err := bufio.NewReader(io.LimitReader(r, 1024)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", errors.New("give the password on standard input, e.g. `read -s P; echo \"$P\" | ocpizza user add …`")
	}
	return line, nil
}

func version(ctx context.Context, args []string, env app.Env) error {
	if err := parse(newFlags("version", env), args); err != nil {
		return err
	}
	fmt.Fprintln(env.Stdout, app.Version())
	return nil
}

func loadtestCmd(ctx context.Context, args []string, env app.Env) error {
	return loadtest.Main(ctx, args, env.Stdout, env.Stderr, env.Getenv, startForLoad)
}

// startForLoad serves the chain in-process on a loopback port for the
// load tool, with the production middleware and request logging (written
// nowhere, but formatted as in production).
func startForLoad(ctx context.Context, databaseURL string) (string, func(), error) {
	st, err := store.Open(ctx, databaseURL)
	if err != nil {
		return "", nil, err
	}
	srv := app.NewServer(st, slog.New(slog.NewJSONHandler(io.Discard, nil)), web.Options{})
	// The load tool's few customers keep thousands of orders waiting:
	// it measures throughput, not what one customer may hold.
	st.SetHoldLimit(order.HoldLimit{})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		st.Close()
		return "", nil, err
	}
	hs := srv.HTTPServer(ln.Addr().String())
	go hs.Serve(ln)
	relayCtx, stopRelay := context.WithCancel(context.Background())
	if relayEvents := srv.ShareEvents(); relayEvents != nil {
		go relayEvents(relayCtx)
	}
	stop := func() {
		stopRelay()
		hs.Close()
		srv.Shop.Close()
		st.Close()
	}
	return "http://" + ln.Addr().String(), stop, nil
}

func serve(ctx context.Context, args []string, env app.Env) error {
	cfg, err := env.Config()
	if err != nil {
		return err
	}
	fs := newFlags("serve", env)
	addr := fs.String("addr", cfg.Addr, "listen address (also OCPIZZA_ADDR)")
	withDemo := fs.Bool("demo", false, "load the demo chain if the database is empty")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *withDemo && cfg.Production() {
		return app.ErrDemoInProduction
	}
	cfg.ListenOn(*addr)
	a, err := app.NewApp(ctx, env, cfg, *addr, *withDemo)
	if err != nil {
		return err
	}
	return a.Run(ctx)
}
