// Package metrics exposes the chain's state in the Prometheus format:
// HTTP traffic, orders by status and pizzeria, low-stock ingredients, open
// event streams, the database pool and the Go runtime.
package metrics

import (
	"context"
	"database/sql"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/oc-pizza/ocpizza/internal/order"
	"github.com/oc-pizza/ocpizza/internal/stock"
)

// Source is what the collectors read at scrape time.
type Source interface {
	OrderCounts(ctx context.Context) (map[int64]map[order.Status]int64, error)
	LowStock(ctx context.Context) (map[int64][]stock.Level, error)
	OpenStreams() int64
	DB() *sql.DB
}

// Metrics holds the registry and the request instruments.
type Metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	// CertExpiry is the TLS certificate's expiry, as a Unix time.
	CertExpiry prometheus.Gauge
}

// New registers every collector.
func New(src Source, log *slog.Logger) *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ocpizza_http_requests_total", Help: "HTTP requests by route, method and status.",
		}, []string{"route", "method", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "ocpizza_http_request_duration_seconds", Help: "HTTP request duration by route.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"route"}),
		CertExpiry: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "ocpizza_tls_certificate_expiry_timestamp_seconds", Help: "When the TLS certificate in service expires (0 without HTTPS).",
		}),
	}
	m.reg.MustRegister(m.requests, m.duration, m.CertExpiry,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		collectors.NewDBStatsCollector(src.DB(), "ocpizza"),
		&stateCollector{src: src, log: log})
	return m
}

// Observe records one finished request.
func (m *Metrics) Observe(route, method string, status int, d time.Duration) {
	if route == "" {
		route = "unmatched" // never a raw path: that would be unbounded
	}
	m.requests.WithLabelValues(route, method, strconv.Itoa(status)).Inc()
	m.duration.WithLabelValues(route).Observe(d.Seconds())
}

// Handler serves /metrics.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// stateCollector reads the chain's state from the database at scrape time
// (every 15 s or so), rather than keeping counters that several instances
// would each hold a part of.
type stateCollector struct {
	src Source
	log *slog.Logger
}

var (
	ordersDesc  = prometheus.NewDesc("ocpizza_orders", "Orders by pizzeria and status.", []string{"pizzeria", "status"}, nil)
	lowDesc     = prometheus.NewDesc("ocpizza_low_stock_ingredients", "Ingredients at or below their alert threshold, by pizzeria.", []string{"pizzeria"}, nil)
	streamsDesc = prometheus.NewDesc("ocpizza_event_streams_open", "Open event streams (kitchen screens, order pages).", nil, nil)
)

func (c *stateCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- ordersDesc
	ch <- lowDesc
	ch <- streamsDesc
}

func (c *stateCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ch <- prometheus.MustNewConstMetric(streamsDesc, prometheus.GaugeValue, float64(c.src.OpenStreams()))
	if counts, err := c.src.OrderCounts(ctx); err != nil {
		c.log.Warn("metrics: order counts", "err", err)
	} else {
		for shop, byStatus := range counts {
			for status, n := range byStatus {
				ch <- prometheus.MustNewConstMetric(ordersDesc, prometheus.GaugeValue, float64(n), strconv.FormatInt(shop, 10), string(status))
			}
		}
	}
	if low, err := c.src.LowStock(ctx); err != nil {
		c.log.Warn("metrics: low stock", "err", err)
	} else {
		for shop, levels := range low {
			ch <- prometheus.MustNewConstMetric(lowDesc, prometheus.GaugeValue, float64(len(levels)), strconv.FormatInt(shop, 10))
		}
	}
}
