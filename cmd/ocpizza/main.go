// Command ocpizza runs the OC Pizza chain: website, API and operations.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // Europe/Paris even on hosts without a zoneinfo database

	"github.com/oc-pizza/ocpizza/internal/app"
	"github.com/oc-pizza/ocpizza/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], app.OSEnv())
	stop()
	os.Exit(code)
}
