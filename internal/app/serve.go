package app

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/oc-pizza/ocpizza/internal/api"
	"github.com/oc-pizza/ocpizza/internal/demo"
	"github.com/oc-pizza/ocpizza/internal/event/journal"
	"github.com/oc-pizza/ocpizza/internal/notify"
	"github.com/oc-pizza/ocpizza/internal/notify/outbox"
	"github.com/oc-pizza/ocpizza/internal/ops"
	"github.com/oc-pizza/ocpizza/internal/report"
	"github.com/oc-pizza/ocpizza/internal/store"
)

// App is one serving process, built complete by NewApp — database open
// and migrated, server wired, background work listed, listeners bound —
// and run by Run. Nothing runs before Run, and Run releases everything.
type App struct {
	env    Env
	cfg    Config
	log    *slog.Logger
	store  *store.Store
	server *Server
	alerts *notify.Alerter
	// jobs run beside the servers until they have drained.
	jobs      []func(ctx context.Context)
	servers   []*http.Server
	listeners []net.Listener // listeners[i] is served by servers[i]
	url, note string
	demo      *demo.Summary
}

// NewApp builds the serving process on addr (and the TLS and metrics
// addresses of the configuration), loading the demo chain into an empty
// database when withDemo. On error, what it opened is closed.
func NewApp(ctx context.Context, env Env, cfg Config, addr string, withDemo bool) (a *App, err error) {
	a = &App{env: env, cfg: cfg, log: NewLogger(cfg, env.Stderr)}
	defer func() {
		if err != nil {
			a.close()
		}
	}()
	log := a.log
	if a.store, err = store.Open(ctx, cfg.DatabaseURL); err != nil {
		return nil, err
	}
	st := a.store
	applied, err := st.Migrate(ctx)
	if err != nil {
		return nil, err
	}
	for _, m := range applied {
		log.Info("migration applied", "name", m)
	}
	if a.alerts, err = NewAlerter(cfg, log); err != nil {
		return nil, err
	}
	alerts := a.alerts
	srv := NewServer(st, log, cfg.Web())
	st.SetHoldLimit(cfg.HoldLimit)
	a.server = srv
	if srv.DatabaseID, err = st.DatabaseID(ctx); err != nil {
		return nil, err
	}
	if env.Passwords != nil {
		srv.Shop.Passwords = env.Passwords
	}
	srv.Alerts = alerts
	srv.TrustedProxies = cfg.TrustedProxies
	srv.MetricsToken = cfg.MetricsToken
	srv.SquareWebhook = api.SquareWebhook{SignatureKey: cfg.SquareWebhookKey, NotificationURL: cfg.SquareWebhookURL}
	if m := cfg.Maps(); m != nil {
		srv.Shop.Maps = m
	}
	srv.Shop.Alert = func(ctx context.Context, kind, subject, body string) {
		go alerts.Alert(context.WithoutCancel(ctx), kind, subject, body)
	}
	srv.Shop.PublicURL, srv.Shop.LogLinks = cfg.PublicURL, !cfg.Production()
	if sq := cfg.Square(); sq != nil {
		srv.Shop.Payments = sq
		log.Info("online payment enabled", "square", cfg.SquareBaseURL)
	}

	if withDemo {
		empty, err := st.Empty(ctx)
		if err != nil {
			return nil, err
		}
		if empty {
			sum, err := demo.Load(ctx, srv.Shop)
			if err != nil {
				return nil, fmt.Errorf("load demo: %w", err)
			}
			a.demo = &sum
		}
	}

	if relayEvents := srv.ShareEvents(); relayEvents != nil {
		a.job(relayEvents)
	}
	srv.Maintenance.Refresh(ctx, st, log)
	a.job(func(ctx context.Context) { srv.Maintenance.Run(ctx, st, time.Second, log) })
	a.job(func(ctx context.Context) { watchDatabase(ctx, st, alerts, log) })
	a.job(func(ctx context.Context) { runPrune(ctx, srv.Shop, log, pruneEvery) })
	a.job(func(ctx context.Context) { runCancelAbandoned(ctx, srv.Shop, log, abandonEvery) })
	if srv.Shop.Payments != nil {
		a.job(func(ctx context.Context) { runReconcile(ctx, srv.Shop, log, reconcileEvery) })
	}
	if cfg.SMTPURL != "" {
		mailer, err := notify.NewMailer(cfg.SMTPURL, cfg.MailFrom)
		if err != nil {
			return nil, err
		}
		srv.Shop.Mail = mailer
		a.job(func(ctx context.Context) { outbox.Run(ctx, st, mailer, alerts, log, 2*time.Second) })
	} else {
		log.Warn("no SMTP server (OCPIZZA_SMTP_URL): customer notifications wait in the outbox")
	}
	a.job(func(ctx context.Context) {
		ops.Daily(ctx, cfg.BackupAt, func(ctx context.Context) { scheduledBackup(ctx, cfg, st, alerts, log) })
	})
	// The reports' rollups: the settled days still missing (after an
	// update, a restore), then every night the week again.
	a.job(func(ctx context.Context) {
		rollUp := func(ctx context.Context, again int) {
			if n, err := srv.Shop.RollUp(ctx, report.MaxDays, again); err != nil {
				log.Error("report rollups", "err", err)
			} else if n > 0 {
				log.Info("report rollups built", "days", n)
			}
		}
		rollUp(ctx, 0)
		ops.Daily(ctx, "04:30", func(ctx context.Context) { rollUp(ctx, 7) })
	})
	a.job(func(ctx context.Context) {
		ops.Daily(ctx, cfg.DiskCheckAt, func(ctx context.Context) {
			if _, err := DiskReport(ctx, cfg, cfg.DiskMaxUsed, logWriter{log}, alerts); err != nil {
				log.Error("disk check", "err", err)
			}
		})
	})
	return a, a.bind(ctx, addr)
}

// job adds background work, run from Run until the servers have drained.
func (a *App) job(fn func(ctx context.Context)) { a.jobs = append(a.jobs, fn) }

// bind opens the listeners: metrics (internal address), then HTTPS with
// plain HTTP redirecting to it, or plain HTTP alone. Each address is
// first checked not to be served by an instance of another database.
func (a *App) bind(ctx context.Context, addr string) error {
	cfg, srv, log := a.cfg, a.server, a.log
	add := func(hs *http.Server, ln net.Listener) {
		a.servers, a.listeners = append(a.servers, hs), append(a.listeners, ln)
	}
	if cfg.MetricsAddr != "" {
		if err := checkShare(ctx, cfg.MetricsAddr, false, srv.DatabaseID, log); err != nil {
			return err
		}
		ln, err := listen(ctx, cfg.MetricsAddr)
		if err != nil {
			return fmt.Errorf("listen on %s (metrics): %w", cfg.MetricsAddr, err)
		}
		hs := srv.HTTPServer(cfg.MetricsAddr)
		hs.Handler = srv.MetricsHandler()
		add(hs, ln)
		log.Info("metrics", "url", "http://"+ln.Addr().String()+"/metrics")
	}
	handler := srv.Handler()
	if err := checkShare(ctx, addr, false, srv.DatabaseID, log); err != nil {
		return err
	}
	plain, err := listen(ctx, addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	if !cfg.TLS() {
		main := srv.HTTPServer(addr)
		main.Handler = handler
		add(main, plain)
		a.url = "http://" + plain.Addr().String()
		return nil
	}
	// Listening already: closed with the others if what follows fails.
	a.listeners = append(a.listeners, plain)
	certs, err := ops.NewCertReloader(cfg.TLSCert, cfg.TLSKey)
	if err != nil {
		return err
	}
	srv.Metrics.CertExpiry.Set(float64(certs.NotAfter().Unix()))
	a.job(func(ctx context.Context) {
		ops.Daily(ctx, "06:00", func(ctx context.Context) { checkCertificate(ctx, certs, srv, a.alerts) })
	})
	if err := checkShare(ctx, cfg.TLSAddr, true, srv.DatabaseID, log); err != nil {
		return err
	}
	secureLn, err := listen(ctx, cfg.TLSAddr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.TLSAddr, err)
	}
	a.listeners = a.listeners[:len(a.listeners)-1]
	secure := srv.HTTPServer(cfg.TLSAddr)
	secure.Handler = hsts(handler)
	secure.TLSConfig = certs.TLSConfig()
	add(secure, tls.NewListener(secureLn, secure.TLSConfig))
	_, tlsPort, _ := net.SplitHostPort(secureLn.Addr().String())
	redirect := srv.HTTPServer(addr)
	redirect.Handler = redirectToHTTPS(tlsPort, handler)
	add(redirect, plain) // last: Env.Ready is told the plain address
	a.url = "https://" + secureLn.Addr().String()
	a.note = "plain HTTP on " + plain.Addr().String() + " redirects to HTTPS"
	return nil
}

// close releases what NewApp opened: listeners, the shop's background
// checks, then the store.
func (a *App) close() {
	for _, ln := range a.listeners {
		ln.Close()
	}
	if a.server != nil {
		a.server.Shop.Close()
	}
	if a.store != nil {
		a.store.Close()
	}
}

// Run starts the background work and serves until ctx ends, then
// drains: listeners close at once (a new process bound to the same port
// with SO_REUSEPORT takes the new connections), event streams are told to
// reconnect, and requests in flight get up to the shutdown timeout to
// finish. The background work stops after the drain, then everything
// the app holds is released.
func (a *App) Run(ctx context.Context) error {
	defer a.close()
	bg, stopBackground := context.WithCancel(context.Background())
	var jobs sync.WaitGroup
	defer func() {
		stopBackground()
		jobs.Wait()
	}()
	for _, job := range a.jobs {
		jobs.Add(1)
		go func() { defer jobs.Done(); job(bg) }()
	}
	return a.serve(ctx)
}

func (a *App) serve(ctx context.Context) error {
	env, srv, log, servers, lns := a.env, a.server, a.log, a.servers, a.listeners
	if a.demo != nil {
		PrintDemo(env.Stdout, *a.demo, a.url)
	} else {
		fmt.Fprintf(env.Stdout, "OC Pizza serving on %s (database: %s)\n", a.url, srv.Store.Engine())
	}
	if a.note != "" {
		fmt.Fprintln(env.Stdout, a.note)
	}
	errc := make(chan error, len(servers))
	fresh := &freshConns{}
	for i, hs := range servers {
		hs.RegisterOnShutdown(srv.Events.CloseAll)
		hs.ConnState = fresh.track
		go func() { errc <- hs.Serve(lns[i]) }()
	}
	log.Info("serving", "url", a.url, "engine", srv.Store.Engine(), "version", Version())
	if env.Ready != nil {
		env.Ready(lns[len(lns)-1].Addr().String())
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: draining requests", "timeout", a.cfg.ShutdownTimeout)
	shutCtx, cancel := context.WithTimeout(context.Background(), a.cfg.ShutdownTimeout)
	defer cancel()
	// net/http drops a request it reads after Shutdown has begun, which a
	// client on a fresh connection sees as an error. So first stop taking
	// connections — the kernel hands those queued on our listeners to the
	// process that replaces us (SO_REUSEPORT with net.ipv4.tcp_migrate_req)
	// — and end keep-alive, then let connections already accepted send
	// their first request, and only then shut down.
	for _, hs := range servers {
		hs.SetKeepAlivesEnabled(false)
	}
	for _, ln := range lns {
		ln.Close()
	}
	// Serve registers each connection it accepts before it returns, so once
	// every Serve has returned, Shutdown sees every accepted connection.
	// (Shutdown must not run before: it would close our closed listeners
	// again and report that as a failure.)
	var shutErr error
	for range servers {
		select {
		case err := <-errc:
			if err != nil && !errors.Is(err, http.ErrServerClosed) && !errors.Is(err, net.ErrClosed) {
				shutErr = errors.Join(shutErr, err)
			}
		case <-shutCtx.Done(): // a listener that ignored Close: Shutdown ends it
		}
	}
	fresh.wait(shutCtx, 2*time.Second)
	var wg sync.WaitGroup
	var mu sync.Mutex
	for _, hs := range servers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := hs.Shutdown(shutCtx); err != nil {
				mu.Lock()
				shutErr = errors.Join(shutErr, err)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if shutErr != nil {
		return fmt.Errorf("shutdown: %w", shutErr)
	}
	log.Info("stopped")
	return nil
}

// hsts tells browsers to use HTTPS only, for a year.
func hsts(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
		next.ServeHTTP(w, r)
	})
}

// redirectToHTTPS answers every plain-HTTP request with a permanent
// redirect to the same path on HTTPS (308 keeps the method and body), except
// /healthz, which load balancers probe on the plain port.
func redirectToHTTPS(tlsPort string, site http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/healthz" {
			site.ServeHTTP(w, r)
			return
		}
		host := r.Host
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		}
		if tlsPort != "443" {
			host = net.JoinHostPort(host, tlsPort)
		}
		http.Redirect(w, r, "https://"+host+r.URL.RequestURI(), http.StatusPermanentRedirect)
	})
}

// watchDatabase pings the database every 30 s and alerts the admin when
// it stops answering (the alerter keeps that to a few mails).
func watchDatabase(ctx context.Context, st *store.Store, alerts *notify.Alerter, log *slog.Logger) {
	t := time.NewTicker(30 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		err := st.Ping(pctx)
		cancel()
		if err != nil && ctx.Err() == nil {
			alerts.Alert(ctx, "database", "database unreachable", fmt.Sprintf("The %s database does not answer: %v", st.Engine(), err))
		}
	}
}

func scheduledBackup(ctx context.Context, cfg Config, st *store.Store, alerts *notify.Alerter, log *slog.Logger) {
	path := filepath.Join(cfg.BackupDir, ops.BackupName(st.Now()))
	info, err := ops.Backup(ctx, st, path, cfg.BackupTrust(false))
	if err != nil {
		alerts.Alert(ctx, "backup", "backup failed", fmt.Sprintf("The daily backup to %s failed: %v", path, err))
		return
	}
	removed, err := ops.Prune(cfg.BackupDir, cfg.BackupKeep)
	if err != nil {
		log.Error("prune backups", "err", err)
	}
	log.Info("backup taken", "path", path, "rows", info.Rows, "removed_old", len(removed))
}

func checkCertificate(ctx context.Context, certs *ops.CertReloader, srv *Server, alerts *notify.Alerter) {
	certs.GetCertificate(nil) // pick up a renewed file
	notAfter := certs.NotAfter()
	srv.Metrics.CertExpiry.Set(float64(notAfter.Unix()))
	if left := time.Until(notAfter); left < CertWarning {
		alerts.Alert(ctx, "certificate", "TLS certificate expiring",
			fmt.Sprintf("The TLS certificate expires on %s (in %d days). Renew it: ocpizza tls csr …", notAfter.Format("2006-01-02"), int(left.Hours()/24)))
	}
}

// logWriter turns report lines into log lines.
type logWriter struct{ log *slog.Logger }

func (w logWriter) Write(p []byte) (int, error) {
	w.log.Info(strings.TrimSpace(string(p)))
	return len(p), nil
}

// freshConns counts connections accepted but whose first request has not
// been read yet. An HTTP/2 connection never says it left that state
// (net/http marks it active without calling the hook) until it closes:
// a connection counts as fresh only during its first moments, so an old
// HTTP/2 connection does not hold a shutdown back.
type freshConns struct {
	mu sync.Mutex
	n  map[net.Conn]time.Time // when it was accepted
}

func (f *freshConns) track(c net.Conn, state http.ConnState) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.n == nil {
		f.n = map[net.Conn]time.Time{}
	}
	if state == http.StateNew {
		f.n[c] = time.Now()
	} else {
		delete(f.n, c)
	}
}

// wait returns once no connection accepted within max is fresh, or after
// max.
func (f *freshConns) wait(ctx context.Context, max time.Duration) {
	deadline := time.Now().Add(max)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		f.mu.Lock()
		n := 0
		for _, at := range f.n {
			if time.Since(at) < max {
				n++
			}
		}
		f.mu.Unlock()
		if n == 0 {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// ShareEvents, on an engine several instances can share, journals this
// instance's events and returns what to run until shutdown: the journal
// writer and the relay that brings the others' events to this instance's
// screens. On SQLite it returns nil.
func (s *Server) ShareEvents() func(ctx context.Context) {
	if s.Store.Engine() == store.SQLite {
		return nil
	}
	origin := randomID()
	queue := make(chan store.JournalEvent, 4096)
	s.Shop.Journal = func(ctx context.Context, kind string, pizzeriaID, orderID int64, data []byte) error {
		select {
		case queue <- store.JournalEvent{Origin: origin, PizzeriaID: pizzeriaID, OrderID: orderID, Kind: kind, Payload: data}:
			return nil
		default:
			return errors.New("event journal queue full: other instances miss this event")
		}
	}
	return func(ctx context.Context) {
		go journal.Relay(ctx, s.Store, s.Events, origin, s.Log)
		journal.Write(ctx, s.Store, queue, s.Log)
	}
}

func randomID() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// CertWarning is how long before expiry a certificate is reported.
const CertWarning = 30 * 24 * time.Hour
