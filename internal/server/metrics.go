package server

import (
	"context"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/cognate/cognate/internal/userpool"
)

// Metrics are the server's Prometheus series. Each Server owns its own
// registry, so tests can run several servers in one process.
type Metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	signOuts *prometheus.CounterVec
	checks   *prometheus.CounterVec
}

// NewMetrics registers Cognate's series.
func NewMetrics() *Metrics {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cognate_requests_total", Help: "API requests by operation and error type (\"\" for success).",
		}, []string{"operation", "error_type"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "cognate_request_duration_seconds", Help: "API request latency by operation.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"operation"}),
		signOuts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cognate_signouts_total", Help: "Successful sign-outs and revocations by operation.",
		}, []string{"operation"}),
		checks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cognate_revocation_checks_total", Help: "Token revocation checks by token (access: a token-authorized call; refresh: a refresh) and outcome (\"ok\" or the error type).",
		}, []string{"token", "outcome"}),
	}
	m.registry.MustRegister(m.requests, m.latency, m.signOuts, m.checks,
		prometheus.NewGoCollector(), prometheus.NewProcessCollector(prometheus.ProcessCollectorOpts{}))
	return m
}

// GroupCommitter is a store that batches writes into shared commits.
type GroupCommitter interface {
	GroupCommits() (commits, writes uint64)
}

// WatchGroupCommits publishes the store's group-commit counters; writes per
// commit is how many callers one fsync served.
func (m *Metrics) WatchGroupCommits(g GroupCommitter) {
	m.registry.MustRegister(
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "cognate_store_group_commits_total",
			Help: "SQLite group commits (one fsync each)."}, func() float64 { c, _ := g.GroupCommits(); return float64(c) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "cognate_store_group_commit_writes_total",
			Help: "Writes carried by SQLite group commits."}, func() float64 { _, w := g.GroupCommits(); return float64(w) }))
}

// Handler serves /metrics.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
}

func (m *Metrics) observe(op, errType string, d time.Duration) {
	if m == nil {
		return
	}
	m.requests.WithLabelValues(op, errType).Inc()
	m.latency.WithLabelValues(op).Observe(d.Seconds())
}

// RevocationChecked counts one check the domain made (userpool.Observer).
func (m *Metrics) RevocationChecked(_ context.Context, token string, err error) {
	outcome := "ok"
	if err != nil {
		outcome = userpool.ErrorType(err)
	}
	m.checks.WithLabelValues(token, outcome).Inc()
}

// SignedOut counts one sign-out or revocation (userpool.Observer).
func (m *Metrics) SignedOut(_ context.Context, op string) {
	m.signOuts.WithLabelValues(op).Inc()
}
