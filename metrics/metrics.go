// Package metrics counts what the operators of subsidy watch — requests by
// route and status, evaluations by rule and outcome, payout runs and the
// amounts they record, the database's connection pool — and serves them in
// Prometheus's text format on the operators' listener (serve --ops-addr),
// never on the API's address.
//
// It imports models and the Prometheus client; app and api reach it only
// through the small interfaces they declare, wired in cmd.
package metrics

import (
	"database/sql"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/wenzhou-subsidy/subsidy/models"
)

// Metrics holds the service's counters in a registry of its own.
type Metrics struct {
	reg         *prometheus.Registry
	requests    *prometheus.HistogramVec
	evaluations *prometheus.CounterVec
	runs        *prometheus.CounterVec
	payouts     prometheus.Counter
	amountFen   prometheus.Counter
}

// New returns the service's metrics, with Go's runtime and process metrics.
func New() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "subsidy_http_request_duration_seconds",
			Help:    "Latency of API requests by route template, method and status.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 10, 60},
		}, []string{"route", "method", "status"}),
		evaluations: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "subsidy_evaluations_total",
			Help: "Rule evaluations by rule and outcome (eligible or not_eligible).",
		}, []string{"rule", "outcome"}),
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "subsidy_payout_runs_total",
			Help: "Payout runs ended, by status (completed, failed, interrupted).",
		}, []string{"status"}),
		payouts: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "subsidy_payouts_recorded_total",
			Help: "Payouts recorded by payout runs.",
		}),
		// In fen, a whole number: exact in the counter up to 2^53 fen.
		amountFen: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "subsidy_payout_amount_fen_total",
			Help: "Money recorded by payout runs, in fen (0.01 yuan).",
		}),
	}
	m.reg.MustRegister(m.requests, m.evaluations, m.runs, m.payouts, m.amountFen,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the metrics.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// WatchDB adds the statistics of a database's connection pool.
func (m *Metrics) WatchDB(db *sql.DB, name string) {
	m.reg.MustRegister(collectors.NewDBStatsCollector(db, name))
}

// ObserveRequest counts one API request; route is the route's template
// (/v1/payouts/:id), never the path itself, so that ids do not make series.
func (m *Metrics) ObserveRequest(method, route string, status int, latency time.Duration) {
	m.requests.WithLabelValues(route, method, strconv.Itoa(status)).Observe(latency.Seconds())
}

// Evaluated counts one rule's evaluation.
func (m *Metrics) Evaluated(rule string, eligible bool) {
	outcome := "not_eligible"
	if eligible {
		outcome = "eligible"
	}
	m.evaluations.WithLabelValues(rule, outcome).Inc()
}

// RunEnded counts a payout run that ended, with what it recorded.
func (m *Metrics) RunEnded(status string, created int, amount models.Money) {
	m.runs.WithLabelValues(status).Inc()
	m.payouts.Add(float64(created))
	m.amountFen.Add(float64(amount.Fen()))
}
