// Package clitest runs ocpizza commands in-process for tests.
package clitest

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/oc-pizza/ocpizza/internal/account"
	"github.com/oc-pizza/ocpizza/internal/app"
	"github.com/oc-pizza/ocpizza/internal/cli"
)

// Run executes one ocpizza command with its own environment (nothing
// else of the process's), stdin, and cheap password parameters.
func Run(t testing.TB, env map[string]string, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = cli.Main(context.Background(), args, app.Env{
		Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errOut,
		Getenv:    func(k string) string { return env[k] },
		Passwords: account.NewHasher(account.FixtureParams, account.DefaultLimits()),
	})
	return code, out.String(), errOut.String()
}
