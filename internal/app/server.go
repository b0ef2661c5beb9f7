package app

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/oc-pizza/ocpizza/internal/api"
	"github.com/oc-pizza/ocpizza/internal/errs"
	"github.com/oc-pizza/ocpizza/internal/event"
	"github.com/oc-pizza/ocpizza/internal/metrics"
	"github.com/oc-pizza/ocpizza/internal/notify"
	"github.com/oc-pizza/ocpizza/internal/ops"
	"github.com/oc-pizza/ocpizza/internal/order"
	"github.com/oc-pizza/ocpizza/internal/shop"
	"github.com/oc-pizza/ocpizza/internal/stock"
	"github.com/oc-pizza/ocpizza/internal/store"
	"github.com/oc-pizza/ocpizza/internal/web"
)

// Server is the HTTP face of the chain.
type Server struct {
	Store       *store.Store
	Shop        *shop.Shop
	Events      *event.Broker
	API         *api.API
	Pages       *web.Pages
	Maintenance *ops.MaintenanceWatch
	Metrics     *metrics.Metrics
	Alerts      *notify.Alerter
	Log         *slog.Logger
	// SquareWebhook enables POST /webhooks/square when its key is set.
	SquareWebhook api.SquareWebhook

	errorsMu     sync.Mutex
	errorsWindow time.Time
	errorsCount  int
}

// NewServer wires a server over an open, migrated store.
func NewServer(st *store.Store, log *slog.Logger) *Server {
	events := event.NewBroker()
	sh := shop.New(st, events, log)
	s := &Server{Store: st, Shop: sh, Events: events, API: api.New(sh, events), Pages: web.New(sh, log),
		Maintenance: &ops.MaintenanceWatch{}, Alerts: notify.NewAlerter(nil, "", log), Log: log}
	s.Metrics = metrics.New(metricsSource{s}, log)
	return s
}

// maxBody bounds every request body before any handler reads it.
const maxBody = 1 << 20

// Handler returns the whole site: API, health checks, pages.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeStatus(w, http.StatusOK, "ok")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		if s.Maintenance.Current().On {
			writeStatus(w, http.StatusServiceUnavailable, "maintenance")
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := s.Store.Ping(ctx); err != nil {
			s.Log.Warn("readiness: database does not answer", "err", err)
			writeStatus(w, http.StatusServiceUnavailable, "database unavailable")
			return
		}
		writeStatus(w, http.StatusOK, "ready")
	})
	mux.Handle("GET /metrics", s.Metrics.Handler())
	if s.SquareWebhook.SignatureKey != "" {
		s.API.RegisterSquareWebhook(mux, s.SquareWebhook)
	}
	s.API.Register(mux)
	s.Pages.Register(mux)
	return s.recoverPanics(s.logRequests(mux, securityHeaders(limitBody(s.maintenanceGate(mux)))))
}

func writeStatus(w http.ResponseWriter, code int, status string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(map[string]string{"status": status})
}

func limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, maxBody)
		next.ServeHTTP(w, r)
	})
}

func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		h.Set("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'")
		next.ServeHTTP(w, r)
	})
}

// statusRecorder remembers the status for the access log. It forwards
// Flush and Unwrap so event streams still work through it.
type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	n, err := s.ResponseWriter.Write(b)
	s.bytes += int64(n)
	return n, err
}

func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

type loggerKey = api.LoggerKey

// logRequests gives each request an id (kept from X-Request-Id when sane),
// writes one log line and one metric sample when it ends, labelled with the
// route pattern (never the raw path), and watches for bursts of 5xx.
func (s *Server) logRequests(mux *http.ServeMux, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-Id")
		if len(id) == 0 || len(id) > 64 {
			b := make([]byte, 8)
			rand.Read(b)
			id = hex.EncodeToString(b)
		}
		w.Header().Set("X-Request-Id", id)
		log := s.Log.With("request_id", id)
		rec := &statusRecorder{ResponseWriter: w}
		start := time.Now()
		next.ServeHTTP(rec, r.WithContext(context.WithValue(r.Context(), loggerKey{}, log)))
		elapsed := time.Since(start)
		if rec.status == 0 {
			rec.status = http.StatusOK
		}
		_, route := mux.Handler(r)
		s.Metrics.Observe(route, r.Method, rec.status, elapsed)
		log.Info("request", "method", r.Method, "path", r.URL.Path, "route", route, "status", rec.status,
			"bytes", rec.bytes, "duration_ms", float64(elapsed.Microseconds())/1000)
		if rec.status >= 500 && rec.status != http.StatusServiceUnavailable {
			s.countServerError(r.Context())
		}
	})
}

// recoverPanics turns a panic into a logged 500 instead of a dropped
// connection.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.Log.Error("panic", "value", fmt.Sprint(v), "path", r.URL.Path, "stack", string(debug.Stack()))
				go s.Alerts.Alert(context.Background(), "panic", "panic in a request", fmt.Sprintf("%s %s panicked: %v", r.Method, r.URL.Path, v))
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusInternalServerError)
				w.Write([]byte(`{"error":{"code":"internal","message":"something went wrong on our side; it has been logged"}}` + "\n"))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// HTTPServer returns an http.Server with timeouts suited to the site.
func (s *Server) HTTPServer(addr string) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           s.Handler(),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.Log.Handler(), slog.LevelWarn),
	}
}

// maintenanceRetry is what Retry-After tells clients during maintenance.
const maintenanceRetry = 5 * time.Minute

// maintenanceGate answers 503 to everything but the health checks while
// the site is in maintenance: JSON for the API, a page for browsers.
func (s *Server) maintenanceGate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m := s.Maintenance.Current()
		if !m.On || r.URL.Path == "/healthz" || r.URL.Path == "/readyz" {
			next.ServeHTTP(w, r)
			return
		}
		if strings.HasPrefix(r.URL.Path, "/api/") {
			w.Header().Set("Retry-After", strconv.Itoa(int(maintenanceRetry.Seconds())))
			msg := "OC Pizza is down for maintenance; try again in a few minutes"
			if m.Message != "" {
				msg = m.Message
			}
			api.WriteError(w, r, errs.E(errs.Maintenance, "%s", msg))
			return
		}
		s.Pages.Maintenance(w, r, m.Message, maintenanceRetry)
	})
}

// errorBurst is how many 5xx answers within a minute make an incident.
const errorBurst = 10

func (s *Server) countServerError(ctx context.Context) {
	s.errorsMu.Lock()
	now := time.Now()
	if now.Sub(s.errorsWindow) > time.Minute {
		s.errorsWindow, s.errorsCount = now, 0
	}
	s.errorsCount++
	burst := s.errorsCount == errorBurst
	s.errorsMu.Unlock()
	if burst {
		go s.Alerts.Alert(context.WithoutCancel(ctx), "5xx", "burst of server errors",
			fmt.Sprintf("%d requests failed with a server error within a minute; see the logs (level=ERROR).", errorBurst))
	}
}

// metricsSource adapts the server to what the metrics read at scrape time.
type metricsSource struct{ s *Server }

func (m metricsSource) OrderCounts(ctx context.Context) (map[int64]map[order.Status]int64, error) {
	return m.s.Store.OrderCounts(ctx)
}

func (m metricsSource) LowStock(ctx context.Context) (map[int64][]stock.Level, error) {
	shops, err := m.s.Store.Pizzerias(ctx)
	if err != nil {
		return nil, err
	}
	out := map[int64][]stock.Level{}
	for _, p := range shops {
		levels, err := m.s.Store.StockLevels(ctx, p.ID)
		if err != nil {
			return nil, err
		}
		out[p.ID] = []stock.Level{}
		for _, l := range levels {
			if l.Low() {
				out[p.ID] = append(out[p.ID], l)
			}
		}
	}
	return out, nil
}

func (m metricsSource) OpenStreams() int64 { return m.s.Events.Open() }

func (m metricsSource) DB() *sql.DB { return m.s.Store.DB() }
