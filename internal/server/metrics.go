package server

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/aeso-dev/aeso/internal/component"
	"github.com/aeso-dev/aeso/internal/reconcile"
	"github.com/aeso-dev/aeso/internal/status"
)

// Metrics are the Prometheus collectors of one server. Every label has a
// bounded set of values: routes are patterns, codes are statuses, reasons
// are error codes.
type Metrics struct {
	registry        *prometheus.Registry
	requests        *prometheus.CounterVec
	latency         *prometheus.HistogramVec
	inFlight        prometheus.Gauge
	ingested        *prometheus.CounterVec
	ingestRejected  *prometheus.CounterVec
	ingestBatchSize prometheus.Histogram
}

// NewMetrics registers aeso's collectors, plus Go and process metrics, on reg.
func NewMetrics(reg *prometheus.Registry) *Metrics {
	m := &Metrics{
		registry: reg,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "aeso_http_requests_total", Help: "HTTP requests by method, route pattern and status code.",
		}, []string{"method", "route", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "aeso_http_request_duration_seconds", Help: "HTTP request latency by method and route pattern.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"method", "route"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "aeso_http_requests_in_flight", Help: "HTTP requests being served, this scrape included; a shutdown waits for them.",
		}),
		ingested: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "aeso_audit_events_ingested_total", Help: "Audit events accepted, by outcome (created or replayed).",
		}, []string{"outcome"}),
		ingestRejected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "aeso_audit_ingest_rejected_total", Help: "Audit ingest requests rejected, by problem code.",
		}, []string{"code"}),
		ingestBatchSize: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "aeso_audit_ingest_batch_size", Help: "Events per accepted ingest request.",
			Buckets: []float64{1, 2, 5, 10, 50, 100, 250, 500, 1000},
		}),
	}
	reg.MustRegister(m.requests, m.latency, m.inFlight, m.ingested, m.ingestRejected, m.ingestBatchSize,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// WatchGroupCommits exports how single events are grouped into
// transactions: events/commits is the mean group size, 1 when senders
// never overlap.
func (m *Metrics) WatchGroupCommits(stats func() (commits, events int64)) {
	m.registry.MustRegister(
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "aeso_audit_group_commits_total", Help: "Transactions that stored single-event ingest requests together.",
		}, func() float64 { c, _ := stats(); return float64(c) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "aeso_audit_group_commit_events_total", Help: "Single events committed in those transactions.",
		}, func() float64 { _, e := stats(); return float64(e) }),
	)
}

// knownMethods bounds the method label: anyone can send "FOO1".
var knownMethods = map[string]bool{
	"GET": true, "HEAD": true, "POST": true, "PUT": true, "PATCH": true, "DELETE": true, "OPTIONS": true,
}

func (m *Metrics) observeRequest(method, route string, status int, d time.Duration) {
	if !knownMethods[method] {
		method = "OTHER"
	}
	m.requests.WithLabelValues(method, route, strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(method, route).Observe(d.Seconds())
}

func (m *Metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
}

// postureCollector reads the posture at scrape time, so alerts follow the
// stored rows and the clock without anything polling the API. Every label
// is bounded: scopes and levels are fixed, components come from the config.
type postureCollector struct {
	current func(context.Context) (*status.Posture, error)
	logger  *slog.Logger

	// Scrapes that arrive while the posture is being computed share that
	// computation, so scrapes (which need no token) cannot pile work onto
	// the database.
	mu     sync.Mutex
	last   *status.Posture
	lastAt time.Time

	up, posture, componentStatus, openRecords, reasons *prometheus.Desc
}

// WatchPosture exports the posture computed by current as gauges.
func (m *Metrics) WatchPosture(current func(context.Context) (*status.Posture, error), logger *slog.Logger) {
	m.registry.MustRegister(&postureCollector{
		current: current, logger: logger,
		up: prometheus.NewDesc("aeso_status_up",
			"1 when the posture could be computed for this scrape, 0 when reading the stored rows failed.", nil, nil),
		posture: prometheus.NewDesc("aeso_status_posture",
			"Posture: 0 healthy, 1 degraded, 2 blocked; scope platform for the whole, component for one component.",
			[]string{"scope", "component"}, nil),
		componentStatus: prometheus.NewDesc("aeso_status_component_status",
			"1 for the status a component is in now (down once no report arrived within dead_after, unknown before any report), 0 for the others.",
			[]string{"component", "status"}, nil),
		openRecords: prometheus.NewDesc("aeso_reconciliation_open_records",
			"Reconciliation records not yet resolved, accepted ones included, by severity.", []string{"severity"}, nil),
		reasons: prometheus.NewDesc("aeso_status_reasons",
			"Reasons contributing to the posture now, by source and level.", []string{"source", "level"}, nil),
	})
}

func (c *postureCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.up, c.posture, c.componentStatus, c.openRecords, c.reasons} {
		ch <- d
	}
}

func (c *postureCollector) read() (*status.Posture, error) {
	asked := time.Now()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.last != nil && c.lastAt.After(asked) {
		return c.last, nil // computed while this scrape waited
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	p, err := c.current(ctx)
	if err != nil {
		c.last = nil
		return nil, err
	}
	c.last, c.lastAt = p, time.Now()
	return p, nil
}

func (c *postureCollector) Collect(ch chan<- prometheus.Metric) {
	p, err := c.read()
	if err != nil {
		c.logger.Error("posture for metrics", "err", err)
		ch <- prometheus.MustNewConstMetric(c.up, prometheus.GaugeValue, 0)
		return
	}
	ch <- prometheus.MustNewConstMetric(c.up, prometheus.GaugeValue, 1)
	ch <- prometheus.MustNewConstMetric(c.posture, prometheus.GaugeValue, float64(status.Rank(p.Posture)), "platform", "")
	for _, comp := range p.Components {
		ch <- prometheus.MustNewConstMetric(c.posture, prometheus.GaugeValue, float64(status.Rank(comp.Posture)), "component", comp.Name)
		for _, st := range component.Statuses {
			v := 0.0
			if st == comp.Status {
				v = 1
			}
			ch <- prometheus.MustNewConstMetric(c.componentStatus, prometheus.GaugeValue, v, comp.Name, st)
		}
	}
	for _, sev := range reconcile.Severities {
		ch <- prometheus.MustNewConstMetric(c.openRecords, prometheus.GaugeValue, float64(p.OpenReconciliations[sev]), sev)
	}
	counts := map[[2]string]int{}
	for _, r := range p.Reasons {
		counts[[2]string{r.Source, r.Level}]++
	}
	for _, src := range []string{status.SourceComponent, status.SourceInvariant, status.SourceEvidence,
		status.SourceGate, status.SourceGuard, status.SourceReconciliation} {
		for _, lvl := range status.Levels {
			ch <- prometheus.MustNewConstMetric(c.reasons, prometheus.GaugeValue, float64(counts[[2]string{src, lvl}]), src, lvl)
		}
	}
}
