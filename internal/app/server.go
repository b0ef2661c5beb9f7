package app

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/pprof"
	"net/netip"
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
	// TrustedProxies are the reverse proxies whose X-Forwarded-For is
	// believed: behind them, the client's address is the last one they
	// add, which sign-ins and sign-ups are throttled by.
	TrustedProxies []netip.Prefix
	// DatabaseID is the identity of the database served, which /healthz
	// tells, so that instances of different databases never share an
	// address (see checkShare).
	DatabaseID string
	// MetricsToken, when set, opens the site's /metrics to a scraper that
	// sends it as a bearer token; otherwise the site has no /metrics (see
	// MetricsHandler for an internal address).
	MetricsToken string

	errorsMu     sync.Mutex
	errorsWindow time.Time
	errorsCount  int
}

// NewServer wires a server over an open, migrated store; pages tells the
// web pages how they are served (secure cookies, card payment).
func NewServer(st *store.Store, log *slog.Logger, pages web.Options) *Server {
	events := event.NewBroker()
	// The website's cap on what one customer holds (serve sets the
	// configured one; the load tool none).
	st.SetHoldLimit(order.DefaultHoldLimit)
	sh := shop.New(st, events, log)
	site, err := web.New(sh, events, log, pages)
	if err != nil {
		// The templates and texts are embedded: any page test finds this.
		panic(fmt.Sprintf("web pages: %v", err))
	}
	s := &Server{Store: st, Shop: sh, Events: events, API: api.New(sh, events), Pages: site,
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
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		json.NewEncoder(w).Encode(map[string]string{"status": "ok", "database": s.DatabaseID})
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
	if s.MetricsToken != "" {
		mux.Handle("GET /metrics", requireToken(s.MetricsToken, s.Metrics.Handler()))
	}
	if s.SquareWebhook.SignatureKey != "" {
		s.API.RegisterSquareWebhook(mux, s.SquareWebhook)
	}
	s.API.Register(mux)
	s.Pages.Register(mux)
	return s.recoverPanics(s.clientAddress(s.logRequests(mux, securityHeaders(limitBody(s.maintenanceGate(mux))))))
}

// clientAddress puts the client's address in RemoteAddr when the request
// comes through a trusted proxy: the rightmost X-Forwarded-For entry that
// is not itself a trusted proxy (those to its left are the client's own
// word, which anyone can forge). Without trusted proxies, or from any
// other peer, the header is ignored.
func (s *Server) clientAddress(next http.Handler) http.Handler {
	if len(s.TrustedProxies) == 0 {
		return next
	}
	trusted := func(a netip.Addr) bool {
		for _, p := range s.TrustedProxies {
			if p.Contains(a.Unmap()) {
				return true
			}
		}
		return false
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		peer, err := netip.ParseAddrPort(r.RemoteAddr)
		if err != nil || !trusted(peer.Addr()) {
			next.ServeHTTP(w, r)
			return
		}
		hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
		for i := len(hops) - 1; i >= 0; i-- {
			a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
			if err != nil {
				break // a garbled list: keep the proxy's own address
			}
			if !trusted(a) {
				r = r.WithContext(r.Context()) // a shallow copy: never change the caller's request
				r.RemoteAddr = netip.AddrPortFrom(a.Unmap(), 0).String()
				break
			}
		}
		next.ServeHTTP(w, r)
	})
}

// MetricsHandler serves /metrics, /healthz for the address check, and Go's
// profiles (/debug/pprof/: where a live instance spends its CPU and
// memory) on an internal address (OCPIZZA_METRICS_ADDR) that the public
// never reaches.
func (s *Server) MetricsHandler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", s.Metrics.Handler())
	mux.HandleFunc("GET /debug/pprof/", pprof.Index)
	mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("GET /debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("GET /debug/pprof/trace", pprof.Trace)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]string{"status": "ok", "database": s.DatabaseID})
	})
	return mux
}

// requireToken lets through only requests bearing token.
func requireToken(token string, next http.Handler) http.Handler {
	want := sha256.Sum256([]byte(token))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		scheme, got, _ := strings.Cut(r.Header.Get("Authorization"), " ")
		sum := sha256.Sum256([]byte(strings.TrimSpace(got)))
		if !strings.EqualFold(scheme, "Bearer") || subtle.ConstantTimeCompare(sum[:], want[:]) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="ocpizza metrics"`)
			http.Error(w, "metrics need the configured token", http.StatusUnauthorized)
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
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
		rec := &statusRecorder{ResponseWriter: w}
		start := time.Now()
		inner := r.WithContext(context.WithValue(r.Context(), loggerKey{}, &api.RequestLog{Log: s.Log, ID: id}))
		next.ServeHTTP(rec, inner)
		elapsed := time.Since(start)
		if rec.status == 0 {
			rec.status = http.StatusOK
		}
		// The mux notes the pattern it matched on the request it was
		// given; matching again costs as much as routing did.
		route := inner.Pattern
		if route == "" {
			_, route = mux.Handler(r)
		}
		s.Metrics.Observe(route, r.Method, rec.status, elapsed)
		s.Log.LogAttrs(r.Context(), slog.LevelInfo, "request", slog.String("request_id", id), slog.String("method", r.Method),
			slog.String("path", r.URL.Path), slog.String("route", route), slog.Int("status", rec.status),
			slog.Int64("bytes", rec.bytes), slog.Float64("duration_ms", float64(elapsed.Microseconds())/1000))
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
