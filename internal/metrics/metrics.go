// Package metrics counts what an operator watches, in Prometheus's text
// format: requests by route and status, their latency, the page cache,
// the job queue and mail. Its labels are bounded by construction: a
// route's declared pattern, never a path (which may hold a private link's
// token), a status code, a job kind the code registers. Nothing in it
// names a visitor.
package metrics

import (
	"context"
	"crypto/subtle"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Sources are what the metrics read at each scrape.
type Sources struct {
	// PageCache reports the page cache's hits and misses since start.
	PageCache func() (hits, misses int64)
	// Jobs reports the jobs waiting and failed for good, by kind.
	Jobs func(ctx context.Context) (pending, failed map[string]int, err error)
}

// Metrics is one site's collectors, in a registry of its own.
type Metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	jobRuns  *prometheus.CounterVec
	mail     *prometheus.CounterVec
}

// New registers the collectors over src.
func New(src Sources) *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "peerpress_http_requests_total",
			Help: "HTTP requests answered, by the pattern of the route that answered (unmatched: none) and status code.",
		}, []string{"route", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "peerpress_http_request_duration_seconds",
			Help:    "Time to answer HTTP requests, by route pattern.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route"}),
		jobRuns: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "peerpress_job_runs_total",
			Help: "Runs of background jobs by this instance, by kind and outcome (done, retry, failed: for good).",
		}, []string{"kind", "outcome"}),
		mail: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "peerpress_mail_total",
			Help: "Mail this instance handed to the SMTP server or the outbox (sent), or failed to (retry: tried again later; failed: for good).",
		}, []string{"result"}),
	}
	for _, r := range []string{"sent", "retry", "failed"} {
		m.mail.WithLabelValues(r) // shown at 0 before the first mail
	}
	m.reg.MustRegister(m.requests, m.latency, m.jobRuns, m.mail,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if src.PageCache != nil {
		m.reg.MustRegister(
			prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "peerpress_page_cache_hits_total", Help: "Pages served from the page cache."},
				func() float64 { h, _ := src.PageCache(); return float64(h) }),
			prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "peerpress_page_cache_misses_total", Help: "Cacheable pages rendered because the cache did not hold them."},
				func() float64 { _, mi := src.PageCache(); return float64(mi) }))
	}
	if src.Jobs != nil {
		m.reg.MustRegister(jobsCollector{src.Jobs})
	}
	return m
}

// ObserveRequest counts a request (web.RequestObserver).
func (m *Metrics) ObserveRequest(route string, status int, took time.Duration) {
	if route == "" {
		route = "unmatched"
	}
	m.requests.WithLabelValues(route, strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(route).Observe(took.Seconds())
}

// ObserveJob counts a run of a job (jobs.Queue.Observe); when mailKind is
// its kind, it counts a mail too.
func (m *Metrics) ObserveJob(mailKind string) func(kind, outcome string) {
	return func(kind, outcome string) {
		m.jobRuns.WithLabelValues(kind, outcome).Inc()
		if kind == mailKind {
			if outcome == "done" {
				outcome = "sent"
			}
			m.mail.WithLabelValues(outcome).Inc()
		}
	}
}

// Handler serves the metrics. With a token, only to a request that
// carries it as "Authorization: Bearer TOKEN"; any other request is not
// found, as if there were no metrics. With none, to anyone who reaches
// it: for an address of its own that the operator keeps private.
func (m *Metrics) Handler(token string) http.Handler {
	h := promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{ErrorLog: slog.NewLogLogger(slog.Default().Handler(), slog.LevelWarn)})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "private, no-store")
		if token != "" && !Authorized(r, token) {
			http.NotFound(w, r)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// Authorized reports whether r carries token as its bearer token,
// compared in constant time.
func Authorized(r *http.Request, token string) bool {
	got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	return ok && token != "" && subtle.ConstantTimeCompare([]byte(got), []byte(token)) == 1
}

// jobsCollector reads the queue's depth at each scrape.
type jobsCollector struct {
	counts func(ctx context.Context) (pending, failed map[string]int, err error)
}

var (
	jobsPendingDesc = prometheus.NewDesc("peerpress_jobs_pending", "Jobs waiting to run (shared by every instance), by kind.", []string{"kind"}, nil)
	jobsFailedDesc  = prometheus.NewDesc("peerpress_jobs_failed", "Jobs that failed for good and are kept for the operator, by kind.", []string{"kind"}, nil)
	jobsUpDesc      = prometheus.NewDesc("peerpress_jobs_counted", "1 when the job queue could be counted at this scrape, 0 when the database did not answer.", nil, nil)
)

func (c jobsCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- jobsPendingDesc
	ch <- jobsFailedDesc
	ch <- jobsUpDesc
}

func (c jobsCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	pending, failed, err := c.counts(ctx)
	if err != nil {
		slog.Warn("metrics: count jobs", "err", err)
		ch <- prometheus.MustNewConstMetric(jobsUpDesc, prometheus.GaugeValue, 0)
		return
	}
	ch <- prometheus.MustNewConstMetric(jobsUpDesc, prometheus.GaugeValue, 1)
	for kind, n := range pending {
		ch <- prometheus.MustNewConstMetric(jobsPendingDesc, prometheus.GaugeValue, float64(n), kind)
	}
	for kind, n := range failed {
		ch <- prometheus.MustNewConstMetric(jobsFailedDesc, prometheus.GaugeValue, float64(n), kind)
	}
}
