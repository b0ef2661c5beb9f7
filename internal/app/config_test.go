package app_test

import (
	"testing"

	"github.com/oc-pizza/ocpizza/internal/app"
)

// TestLinksFollowTheAddressServed: without OCPIZZA_PUBLIC_URL, the links
// in mails name the address the site listens on, --addr included (an
// invitation from a demo on another port pointed at port 8080).
func TestLinksFollowTheAddressServed(t *testing.T) {
	env := func(vars map[string]string) func(string) string { return func(k string) string { return vars[k] } }
	cfg, err := app.LoadConfig(env(nil))
	check(t, err)
	cfg.ListenOn("127.0.0.1:18084")
	if cfg.PublicURL != "http://127.0.0.1:18084" {
		t.Errorf("defaulted: %s", cfg.PublicURL)
	}
	cfg, err = app.LoadConfig(env(map[string]string{"OCPIZZA_PUBLIC_URL": "https://www.ocpizza.fr/"}))
	check(t, err)
	cfg.ListenOn("127.0.0.1:18084")
	if cfg.PublicURL != "https://www.ocpizza.fr" {
		t.Errorf("given: %s", cfg.PublicURL)
	}
}
