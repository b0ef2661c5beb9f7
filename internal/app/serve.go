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
	"github.com/oc-pizza/ocpizza/internal/notify"
	"github.com/oc-pizza/ocpizza/internal/ops"
	"github.com/oc-pizza/ocpizza/internal/store"
)

func serve(ctx context.Context, args []string, env Env) error {
	cfg, err := env.config()
	if err != nil {
		return err
	}
	fs := newFlags("serve", env)
	addr := fs.String("addr", cfg.Addr, "listen address (also OCPIZZA_ADDR)")
	withDemo := fs.Bool("demo", false, "load the demo chain if the database is empty")
	if err := parse(fs, args); err != nil {
		return err
	}
	log := newLogger(cfg, env.Stderr)
	st, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer st.Close()
	applied, err := st.Migrate(ctx)
	if err != nil {
		return err
	}
	for _, m := range applied {
		log.Info("migration applied", "name", m)
	}
	alerts, err := alerterFor(cfg, log)
	if err != nil {
		return err
	}
	srv := NewServer(st, log)
	srv.Alerts = alerts
	srv.SquareWebhook = api.SquareWebhook{SignatureKey: cfg.SquareWebhookKey, NotificationURL: cfg.SquareWebhookURL}
	if m := cfg.Maps(); m != nil {
		srv.Shop.Maps = m
	}
	srv.Shop.Alert = func(ctx context.Context, kind, subject, body string) {
		go alerts.Alert(context.WithoutCancel(ctx), kind, subject, body)
	}
	if sq := cfg.Square(); sq != nil {
		srv.Shop.Payments = sq
		log.Info("online payment enabled", "square", cfg.SquareBaseURL)
	}

	var demoSum *demo.Summary
	if *withDemo {
		empty, err := st.Empty(ctx)
		if err != nil {
			return err
		}
		if empty {
			sum, err := demo.Load(ctx, srv.Shop)
			if err != nil {
				return fmt.Errorf("load demo: %w", err)
			}
			demoSum = &sum
		}
	}

	// Background work lives until the servers have drained.
	bg, stopBackground := context.WithCancel(context.Background())
	var jobs sync.WaitGroup
	defer func() {
		stopBackground()
		jobs.Wait()
	}()
	start := func(fn func()) {
		jobs.Add(1)
		go func() { defer jobs.Done(); fn() }()
	}
	if relayEvents := srv.ShareEvents(); relayEvents != nil {
		start(func() { relayEvents(bg) })
	}
	srv.Maintenance.Refresh(ctx, st, log)
	start(func() { srv.Maintenance.Run(bg, st, time.Second, log) })
	start(func() { watchDatabase(bg, st, alerts, log) })
	if cfg.SMTPURL != "" {
		mailer, err := notify.NewMailer(cfg.SMTPURL, cfg.MailFrom)
		if err != nil {
			return err
		}
		start(func() { runOutbox(bg, st, mailer, alerts, log, 2*time.Second) })
	} else {
		log.Warn("no SMTP server (OCPIZZA_SMTP_URL): customer notifications wait in the outbox")
	}
	start(func() {
		ops.Daily(bg, cfg.BackupAt, func(ctx context.Context) { scheduledBackup(ctx, cfg, st, alerts, log) })
	})
	start(func() {
		ops.Daily(bg, cfg.DiskCheckAt, func(ctx context.Context) {
			if _, err := diskReport(ctx, cfg, cfg.DiskMaxUsed, logWriter{log}, alerts); err != nil {
				log.Error("disk check", "err", err)
			}
		})
	})

	var servers []*http.Server
	handler := srv.Handler()
	plain, err := listen(ctx, *addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", *addr, err)
	}
	url := "http://" + plain.Addr().String()
	if cfg.TLS() {
		certs, err := ops.NewCertReloader(cfg.TLSCert, cfg.TLSKey)
		if err != nil {
			return err
		}
		srv.Metrics.CertExpiry.Set(float64(certs.NotAfter().Unix()))
		start(func() {
			ops.Daily(bg, "06:00", func(ctx context.Context) { checkCertificate(ctx, certs, srv, alerts) })
		})
		secureLn, err := listen(ctx, cfg.TLSAddr)
		if err != nil {
			return fmt.Errorf("listen on %s: %w", cfg.TLSAddr, err)
		}
		secure := srv.HTTPServer(cfg.TLSAddr)
		secure.Handler = hsts(handler)
		secure.TLSConfig = certs.TLSConfig()
		servers = append(servers, secure)
		_, tlsPort, _ := net.SplitHostPort(secureLn.Addr().String())
		redirect := srv.HTTPServer(*addr)
		redirect.Handler = redirectToHTTPS(tlsPort, handler)
		servers = append(servers, redirect)
		serveOn := []net.Listener{tls.NewListener(secureLn, secure.TLSConfig), plain}
		url = "https://" + secureLn.Addr().String()
		note := "plain HTTP on " + plain.Addr().String() + " redirects to HTTPS"
		return run(ctx, env, cfg, srv, log, servers, serveOn, url, note, demoSum)
	}
	main := srv.HTTPServer(*addr)
	main.Handler = handler
	return run(ctx, env, cfg, srv, log, []*http.Server{main}, []net.Listener{plain}, url, "", demoSum)
}

// run serves until ctx ends, then drains: listeners close at once (a new
// process bound to the same port with SO_REUSEPORT takes the new
// connections), event streams are told to reconnect, and requests in
// flight get up to the shutdown timeout to finish.
func run(ctx context.Context, env Env, cfg Config, srv *Server, log *slog.Logger, servers []*http.Server, lns []net.Listener, url, note string, demoSum *demo.Summary) error {
	if demoSum != nil {
		printDemo(env.Stdout, *demoSum, url)
	} else {
		fmt.Fprintf(env.Stdout, "OC Pizza serving on %s (database: %s)\n", url, srv.Store.Engine())
	}
	if note != "" {
		fmt.Fprintln(env.Stdout, note)
	}
	errc := make(chan error, len(servers))
	fresh := &freshConns{}
	for i, hs := range servers {
		hs.RegisterOnShutdown(srv.Events.CloseAll)
		hs.ConnState = fresh.track
		go func() { errc <- hs.Serve(lns[i]) }()
	}
	log.Info("serving", "url", url, "engine", srv.Store.Engine(), "version", Version())
	if env.Ready != nil {
		env.Ready(lns[len(lns)-1].Addr().String())
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: draining requests", "timeout", cfg.ShutdownTimeout)
	shutCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
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
	fresh.wait(shutCtx, 2*time.Second)
	shutdownAll := func() error {
		var wg sync.WaitGroup
		var mu sync.Mutex
		var shutErr error
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
		return shutErr
	}
	shutErr := shutdownAll()
	// A connection accepted just as the listener closed is tracked only
	// once Serve hands it over, possibly after Shutdown looked: wait for
	// every Serve to return, then drain once more, so no accepted request
	// dies with the process.
	for range servers {
		if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) && !errors.Is(err, net.ErrClosed) {
			shutErr = errors.Join(shutErr, err)
		}
	}
	shutErr = errors.Join(shutErr, shutdownAll())
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
	info, err := ops.Backup(ctx, st, path)
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
	if left := time.Until(notAfter); left < certWarning {
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
// been read yet.
type freshConns struct {
	mu sync.Mutex
	n  map[net.Conn]struct{}
}

func (f *freshConns) track(c net.Conn, state http.ConnState) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.n == nil {
		f.n = map[net.Conn]struct{}{}
	}
	if state == http.StateNew {
		f.n[c] = struct{}{}
	} else {
		delete(f.n, c)
	}
}

// wait returns once no connection is fresh, or after max.
func (f *freshConns) wait(ctx context.Context, max time.Duration) {
	deadline := time.Now().Add(max)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		f.mu.Lock()
		n := len(f.n)
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
		go relay(ctx, s.Store, s.Events, origin, s.Log)
		writeJournal(ctx, s.Store, queue, s.Log)
	}
}

// journalLinger is how long the journal writer waits for more events
// before writing what it has: on a busy evening a write (with its commit and
// the NOTIFY that wakes every instance's relay) then carries the events of
// many orders instead of one or two. Other instances show an event that
// much later, which a screen does not notice.
const journalLinger = 10 * time.Millisecond

// writeJournal writes queued events in batches: one statement and one
// commit for all the events that arrived meanwhile, instead of a commit
// each. An event is a notification for screens, which reload what they show
// when they reconnect: losing the last few in a crash is acceptable.
func writeJournal(ctx context.Context, st *store.Store, queue <-chan store.JournalEvent, log *slog.Logger) {
	batch := make([]store.JournalEvent, 0, 256)
	linger := time.NewTimer(journalLinger)
	defer linger.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case e := <-queue:
			batch = append(batch[:0], e)
		}
		linger.Reset(journalLinger)
	collect:
		for len(batch) < cap(batch) {
			select {
			case e := <-queue:
				batch = append(batch, e)
			case <-linger.C:
				break collect
			case <-ctx.Done():
				break collect
			}
		}
		wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		if err := st.AppendEvents(wctx, batch); err != nil {
			log.Error("event journal", "events", len(batch), "err", err)
		}
		cancel()
	}
}

func randomID() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}
