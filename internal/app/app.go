// Package app wires the chain together: the configuration, the HTTP
// server with its middleware, and App, one serving process with its
// background work. The subcommands that use it are in package cli.
package app

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/debug"

	"github.com/oc-pizza/ocpizza/internal/account"
	"github.com/oc-pizza/ocpizza/internal/demo"
	"github.com/oc-pizza/ocpizza/internal/shop"
	"github.com/oc-pizza/ocpizza/internal/store"
)

// Env is the outside world a command sees.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	// Ready, if set, receives the listening address once serve accepts
	// connections (tests use port 0).
	Ready func(addr string)
	// Passwords, when set, replaces the production password hasher: test
	// fixtures give cheap parameters (hashes record theirs, so they verify
	// anywhere).
	Passwords *account.Hasher

	configFile string // the configuration file read, if any
}

// Config loads and checks the configuration of a command.
func (e Env) Config() (Config, error) {
	c, err := LoadConfig(e.Getenv)
	c.ConfigFile = e.configFile
	return c, err
}

// NewShop returns the use cases over a store, with the environment's
// password hasher when it gives one.
func (e Env) NewShop(st *store.Store, log *slog.Logger) *shop.Shop {
	sh := shop.New(st, nil, log)
	if e.Passwords != nil {
		sh.Passwords = e.Passwords
	}
	return sh
}

// WithConfigDir returns the environment reading the KEY=value lines of
// DIR/ocpizza.conf (or of $OCPIZZA_CONFIG_DIR when dir is empty) where
// the environment says nothing.
func (e Env) WithConfigDir(dir string) (Env, error) {
	getenv, file, err := withConfigDir(e.Getenv, dir)
	if err != nil {
		return e, err
	}
	e.Getenv, e.configFile = getenv, file
	return e, nil
}

// OSEnv is the real process environment.
func OSEnv() Env {
	return Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}
}

// NewLogger logs as JSON in production (for the log collector), as text
// elsewhere.
func NewLogger(cfg Config, w io.Writer) *slog.Logger {
	if cfg.Production() {
		return slog.New(slog.NewJSONHandler(w, nil))
	}
	return slog.New(slog.NewTextHandler(w, nil))
}

// ErrDemoInProduction refuses the demo chain in production: its logins
// and their password are printed by every demo and written in the README.
var ErrDemoInProduction = errors.New("the demo chain's logins and password are public: refused with OCPIZZA_ENV=production")

// PrintDemo tells what the demo loaded and its logins, with the site's
// address when it serves.
func PrintDemo(w io.Writer, sum demo.Summary, url string) {
	fmt.Fprintf(w, "Demo chain loaded: %d pizzerias, %d products, %d ingredients, %d orders.\n", sum.Pizzerias, sum.Products, sum.Ingredients, sum.Orders)
	if url != "" {
		fmt.Fprintf(w, "\n  Open %s/  — API at %s/api/v1/ (OpenAPI: %s/api/v1/openapi.json)\n", url, url, url)
	}
	fmt.Fprintf(w, "\nDemo logins (password for all: %s):\n", demo.Password)
	for _, l := range sum.Logins {
		scope := ""
		if l.Shop != "" {
			scope = " (" + l.Shop + ")"
		}
		fmt.Fprintf(w, "  %-30s %s%s\n", l.Email, l.Role, scope)
	}
}

// Version describes the build: module version, commit and Go version.
func Version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "ocpizza (unknown build)"
	}
	v, rev, dirty := info.Main.Version, "", ""
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = "+dirty"
			}
		}
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if rev == "" {
		rev = "no commit"
	}
	return fmt.Sprintf("ocpizza %s (%s%s, %s)", v, rev, dirty, info.GoVersion)
}
