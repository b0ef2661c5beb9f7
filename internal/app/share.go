package app

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"syscall"
	"time"
)

// checkShare decides whether this instance, serving database id, may
// listen on addr. The listener sets SO_REUSEPORT so that a new binary can
// take over an address while the old one drains (an update); but the
// kernel would share the port just as well with an ocpizza serving
// another database, and requests would land in either. So when someone
// listens on addr already, ask its /healthz which database it serves and
// share only with the same one. An ocpizza from before this check reports
// no database: it is shared with, as updates from it need.
//
// Two instances starting at the same instant on a free address are not
// told apart; the check is for the operator who starts a second one.
func checkShare(ctx context.Context, addr string, secure bool, id string, log *slog.Logger) error {
	if _, port, err := net.SplitHostPort(addr); err != nil || port == "0" {
		return nil // an error is listen's to report; port 0 is never shared
	}
	// Is anyone listening? A bind without SO_REUSEPORT says.
	ln, err := net.Listen("tcp", addr)
	if err == nil {
		ln.Close()
		return nil
	}
	if !errors.Is(err, syscall.EADDRINUSE) {
		return nil
	}
	theirs, err := probeDatabase(ctx, addr, secure)
	switch {
	case err != nil:
		return fmt.Errorf("%s is in use by a process that does not answer as ocpizza (%v): stop it, or give this instance another address", addr, err)
	case theirs == "":
		log.Warn("sharing the address with an ocpizza that does not say which database it serves (an older version, being updated?)", "addr", addr)
		return nil
	case theirs != id:
		return fmt.Errorf("another ocpizza already serves %s with another database (%s; this one is %s): refusing to share the address, "+
			"requests would land in either database. Stop the other one, or give this one another address (--addr)", addr, theirs, id)
	}
	return nil
}

// probeDatabase asks the server on addr which database it serves.
func probeDatabase(ctx context.Context, addr string, secure bool) (string, error) {
	host, port, _ := net.SplitHostPort(addr)
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
		if ip != nil && ip.To4() == nil {
			host = "::1"
		}
	}
	scheme := "http"
	transport := &http.Transport{DisableKeepAlives: true}
	if secure {
		// Only its identity is read: its certificate need not match a
		// loopback address.
		scheme, transport.TLSClientConfig = "https", &tls.Config{InsecureSkipVerify: true}
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, "GET", scheme+"://"+net.JoinHostPort(host, port)+"/healthz", nil)
	if err != nil {
		return "", err
	}
	res, err := (&http.Client{Transport: transport}).Do(req)
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	var health struct {
		Status   string `json:"status"`
		Database string `json:"database"`
	}
	if err := json.NewDecoder(res.Body).Decode(&health); err != nil || res.StatusCode != http.StatusOK || health.Status != "ok" {
		return "", fmt.Errorf("/healthz answered %s", res.Status)
	}
	return health.Database, nil
}
