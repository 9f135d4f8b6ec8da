package app

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"time"

	"peerpress/internal/mail"
	"peerpress/internal/metrics"
	"peerpress/internal/web"
)

// readyProbeKey is the media key the readiness check opens: no upload has
// it, so a store that answers says it does not exist.
const readyProbeKey = "readyz-probe"

// readyTimeout bounds each readiness check: a load balancer asks often,
// and a slow answer is as good as none.
const readyTimeout = 2 * time.Second

// newMetrics counts this instance's requests, jobs and mail, and reads
// the page cache and the queue at each scrape.
func (a *App) newMetrics() *metrics.Metrics {
	src := metrics.Sources{Jobs: a.Jobs.CountsByKind}
	if a.Cache != nil {
		src.PageCache = a.Cache.Stats
	}
	m := metrics.New(src)
	a.Jobs.Observe = m.ObserveJob(mail.JobKind)
	return m
}

// Ready reports why the site cannot serve, or nil: the database answers
// at the schema version this build expects, and the media store answers.
// The reasons name no person and no secret.
func (a *App) Ready(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	have, err := a.DB.SchemaVersion(ctx)
	if err != nil {
		slog.Warn("not ready: database", "err", err)
		return errors.New("database unreachable")
	}
	want, err := a.DB.LatestVersion()
	if err != nil {
		return errors.New("migrations unreadable")
	}
	if have != want {
		return fmt.Errorf("database schema at version %d, this peerpress needs %d", have, want)
	}
	if err := a.clockSkew(ctx); err != nil {
		return err
	}
	if a.blobs != nil {
		b, err := a.blobs.Open(ctx, readyProbeKey)
		if err == nil {
			b.Close()
		} else if !errors.Is(err, fs.ErrNotExist) {
			slog.Warn("not ready: media storage", "err", err)
			return errors.New("media storage unreachable")
		}
	}
	return nil
}

// MaxClockSkew is how far an instance's clock may be from the database's
// before it reports itself not ready. Instances decide shared things by
// their own clocks (docs/deployment-cluster.md lists them): a session's
// end, a form's challenge being too fresh (3 s) or too old, a task's
// slot, when a scheduled entry goes out, a job's lease. Two seconds keeps
// every one of them within what a person could notice; NTP keeps
// machines within milliseconds.
const MaxClockSkew = 2 * time.Second

// clockSkew compares the instance's clock with the database's, the one
// the instances share, allowing for the time the query took.
func (a *App) clockSkew(ctx context.Context) error {
	before := a.Now()
	theirs, err := a.DB.Clock(ctx)
	if err != nil {
		slog.Warn("not ready: database clock", "err", err)
		return errors.New("database unreachable")
	}
	after := a.Now()
	rtt := after.Sub(before)
	skew := before.Add(rtt / 2).Sub(theirs)
	if skew.Abs()-rtt/2 > MaxClockSkew {
		slog.Warn("not ready: this machine's clock is off", "skew", skew.Round(time.Millisecond).String())
		return fmt.Errorf("this machine's clock is %s off the database's (at most %s; keep every machine on NTP)",
			skew.Round(100*time.Millisecond), MaxClockSkew)
	}
	return nil
}

// healthz answers 200 while the process serves: it touches nothing, so a
// database outage does not get a healthy instance restarted.
func healthz(w http.ResponseWriter, _ *http.Request) error {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, err := w.Write([]byte("ok\n"))
	return err
}

// readyz answers 200 when the site can serve (App.Ready), else 503 with
// the short reason, for a load balancer to route around the instance.
func readyz(ready func(context.Context) error) web.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if err := ready(r.Context()); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, err = fmt.Fprintf(w, "not ready: %s\n", err)
			return err
		}
		_, err := w.Write([]byte("ready\n"))
		return err
	}
}

// metricsRoute serves the metrics on the site's own address only to a
// request with the operator's token (Config.MetricsToken); without one,
// the site has no /metrics (they are on Config.MetricsAddr, or nowhere).
func metricsRoute(m *metrics.Metrics, token string) http.Handler {
	if token == "" || m == nil {
		return http.NotFoundHandler()
	}
	return m.Handler(token)
}

// serveMetrics serves the metrics alone on their own address until ctx
// ends.
func (a *App) serveMetrics(ctx context.Context, ln net.Listener) {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", a.Metrics.Handler(a.Config.MetricsToken))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, WriteTimeout: 30 * time.Second,
		ErrorLog: slog.NewLogLogger(slog.Default().Handler(), slog.LevelWarn)}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		srv.Shutdown(shutdown) //nolint:errcheck // the process stops anyway
	}()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		slog.Error("metrics server stopped", "err", err)
	}
}
