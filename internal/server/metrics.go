package server

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics are the Prometheus collectors of one server. Every label has a
// bounded set of values: routes are patterns, codes are statuses, reasons
// are error codes.
type Metrics struct {
	registry        *prometheus.Registry
	requests        *prometheus.CounterVec
	latency         *prometheus.HistogramVec
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
	reg.MustRegister(m.requests, m.latency, m.ingested, m.ingestRejected, m.ingestBatchSize,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
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
