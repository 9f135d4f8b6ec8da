package app_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"peerpress/internal/app"
	"peerpress/internal/app/apptest"
	"peerpress/internal/db"
	"peerpress/internal/db/dbtest"
	"peerpress/internal/mail"
	"peerpress/internal/secret"
	"peerpress/internal/web/webtest"
)

// A load balancer asks /healthz whether the process lives and /readyz
// whether it can serve: readiness fails, with a short plain reason, when
// the schema is not this build's, when the media folder cannot be read,
// and when the database is gone; liveness does not.
func TestHealthAndReadiness(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		c := s.Client()
		r := c.Get("/healthz")
		r.Must(t, http.StatusOK, "ok")
		if cc := r.Header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
			t.Errorf("/healthz Cache-Control %q, want no-store", cc)
		}
		c.Get("/readyz").Must(t, http.StatusOK, "ready")

		// A newer peerpress migrated the database: this one is not ready.
		ctx := context.Background()
		latest, err := s.App.DB.LatestVersion()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.App.DB.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`, latest+1, "from a newer peerpress", 0); err != nil {
			t.Fatal(err)
		}
		r = c.Get("/readyz")
		r.Must(t, http.StatusServiceUnavailable, "not ready: database schema at version")
		if cc := r.Header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
			t.Errorf("/readyz Cache-Control %q, want no-store", cc)
		}
		if _, err := s.App.DB.ExecContext(ctx, `DELETE FROM schema_migrations WHERE version = ?`, latest+1); err != nil {
			t.Fatal(err)
		}
		c.Get("/readyz").Must(t, http.StatusOK, "ready")

		// The media folder is not a folder.
		dir := app.MediaDir(s.App.Config)
		if err := os.RemoveAll(dir); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dir, []byte("not a folder"), 0o600); err != nil {
			t.Fatal(err)
		}
		c.Get("/readyz").Must(t, http.StatusServiceUnavailable, "not ready: media storage unreachable")
		if err := os.Remove(dir); err != nil {
			t.Fatal(err)
		}
		c.Get("/readyz").Must(t, http.StatusOK, "ready")

		// The database is gone: alive, not ready.
		s.App.DB.Close()
		c.Get("/readyz").Must(t, http.StatusServiceUnavailable, "not ready: database unreachable")
		c.Get("/healthz").Must(t, http.StatusOK, "ok")
	})
}

// /metrics is not public: without a token it is not found, and with one
// only a request that carries it reads the counts — by route pattern, so
// a private link's token never becomes a label — with the page cache's
// hits, the job queue's depth and the mail sent.
func TestMetrics(t *testing.T) {
	runWith(t, apptest.Options{Outbox: true, Config: func(c *app.Config) { c.MetricsToken = "a-long-metrics-token" }}, func(t *testing.T, s *site) {
		c := s.Client()
		c.Get("/metrics").Must(t, http.StatusNotFound)
		bearer := func(token string) webtest.Response {
			req, _ := http.NewRequest(http.MethodGet, s.Server.URL+"/metrics", nil)
			req.Header.Set("Authorization", "Bearer "+token)
			return c.Do(req)
		}
		bearer("wrong-token").Must(t, http.StatusNotFound)

		c.Get("/en/").Must(t, http.StatusOK)
		c.Get("/en/") // from the page cache
		const secretToken = "invitation-token-that-must-not-show"
		c.Get("/admin/invite/" + secretToken)
		c.Get("/no/such/page/" + secretToken)
		put, _ := http.NewRequest(http.MethodPut, s.Server.URL+"/healthz", nil)
		c.Do(put).Must(t, http.StatusMethodNotAllowed) // answered by no route
		ctx := context.Background()
		if err := s.App.DB.InTx(ctx, func(tx *db.Tx) error {
			return s.App.Mailer.Send(ctx, tx, mail.Message{To: "someone@example.org", Subject: "Hello", Text: "A test"})
		}); err != nil {
			t.Fatal(err)
		}
		before := bearer("a-long-metrics-token")
		before.Must(t, http.StatusOK, `peerpress_jobs_pending{kind="mail.send"} 1`)
		s.RunJobs()

		r := bearer("a-long-metrics-token")
		r.Must(t, http.StatusOK,
			`peerpress_http_requests_total{code="200",route="GET /{lang}/{$}"} 2`,
			`route="GET /admin/invite/{token}"`,
			`peerpress_http_requests_total{code="405",route="unmatched"} 1`,
			`peerpress_http_request_duration_seconds_bucket{route="GET /{lang}/{$}",le="+Inf"} 2`,
			`peerpress_mail_total{result="sent"} 1`,
			`peerpress_job_runs_total{kind="mail.send",outcome="done"} 1`,
			`peerpress_jobs_counted 1`)
		r.MustNot(t, secretToken, "someone@example.org", `peerpress_jobs_pending{kind="mail.send"}`)
		if hits := metricValue(t, r.Body, "peerpress_page_cache_hits_total"); hits < 1 {
			t.Errorf("page cache hits %v after the same page twice", hits)
		}
	})
}

func metricValue(t *testing.T, body, name string) float64 {
	t.Helper()
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(name) + ` ([0-9.e+]+)$`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no %s in the metrics", name)
	}
	var v float64
	if _, err := fmt.Sscan(m[1], &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// A site with no administrator offers /setup to make the first one: to
// this machine, or to whoever has the one-time code from the log; never
// to a request a proxy forwards without the code, never without the
// form's CSRF token, and never again once an admin exists.
func TestFirstRunSetup(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		a, err := app.New(ctx, app.Config{DataDir: t.TempDir(), SiteName: "Fresh", Languages: []string{"en"}, TimeZone: "UTC", SiteKey: secret.NewKey()}, d)
		if err != nil {
			t.Fatal(err)
		}
		code := a.Setup.Code()
		if code == "" {
			t.Fatal("no one-time code on a site without an admin")
		}
		srv := httptest.NewServer(a.Handler)
		defer srv.Close()

		// From another machine (here: through a proxy) without the code,
		// and with a wrong one, there is no such page.
		c := webtest.NewClient(t, srv.URL)
		proxied := func(path string) webtest.Response {
			req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
			req.Header.Set("X-Forwarded-For", "203.0.113.9")
			return c.Do(req)
		}
		proxied("/setup").Must(t, http.StatusNotFound)
		proxied("/setup?code=wrong"+code[1:]).Must(t, http.StatusNotFound)
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodGet, "/setup", nil)
		req.RemoteAddr = "198.51.100.7:4321"
		a.Handler.ServeHTTP(rec, req)
		if rec.Code != http.StatusNotFound {
			t.Errorf("GET /setup from another address: %d, want 404", rec.Code)
		}

		// With the code, through the proxy: the form.
		page := proxied("/setup?code=" + url.QueryEscape(code))
		page.Must(t, http.StatusOK, "Create the first administrator", `name="code" value="`+code+`"`)
		if page.Header.Get("Referrer-Policy") != "no-referrer" {
			t.Errorf("the setup page's Referrer-Policy is %q", page.Header.Get("Referrer-Policy"))
		}
		token := webtest.CSRF(t, page.Body)

		// Without the form's token: refused, nothing made.
		form := url.Values{"email": {"first@example.org"}, "name": {"First"}, "password": {"a good long password"}, "code": {code}, "csrf": {"forged"}}
		c.Post("/setup", form).Must(t, http.StatusForbidden)
		if has, _ := a.Users.HasAdmin(ctx); has {
			t.Fatal("a forged form made an admin")
		}
		// A weak password: said, nothing made.
		form.Set("csrf", token)
		form.Set("password", "short")
		c.Post("/setup", form).Must(t, http.StatusUnprocessableEntity, "at least 10 characters")
		form.Set("password", "a good long password")
		r := c.Post("/setup", form)
		if r.Status != http.StatusSeeOther || r.Location != "/admin/entries" {
			t.Fatalf("create the first admin: %d %q\n%s", r.Status, r.Location, webtest.Snippet(r.Body))
		}
		c.Get("/admin/entries").Must(t, http.StatusOK) // signed in
		if a.Setup.Code() != "" {
			t.Error("the one-time code still works after use")
		}
		// Gone, for everyone, this machine included.
		webtest.NewClient(t, srv.URL).Get("/setup").Must(t, http.StatusNotFound)
		c.Post("/setup", form).Must(t, http.StatusNotFound)
		users, _ := a.Users.ListUsers(ctx)
		if len(users) != 1 {
			t.Errorf("%d users after setup, want 1", len(users))
		}
	})
}

// A site that has an admin prints no code and has no setup page, even
// for this machine.
func TestNoSetupWithAnAdmin(t *testing.T) {
	s := sqliteSite(t)
	if s.App.Setup.Code() != "" {
		t.Error("a one-time code on a site that has an admin")
	}
	s.Client().Get("/setup").Must(t, http.StatusNotFound)
}

// Behind a load balancer, the one-time code one instance printed opens
// the first-run page on any other, until it expires; once an admin is
// made through any instance, no instance's code works. While one request
// is making the first admin, another, on any instance, is told to wait.
func TestSetupCodeAcrossInstances(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		cfg := app.Config{DataDir: t.TempDir(), SiteName: "Fresh", Languages: []string{"en"}, TimeZone: "UTC", SiteKey: secret.NewKey()}
		a, err := app.New(ctx, cfg, d)
		if err != nil {
			t.Fatal(err)
		}
		cfg.DataDir = t.TempDir()
		b, err := app.New(ctx, cfg, dbtest.OpenSecond(t, d))
		if err != nil {
			t.Fatal(err)
		}
		codeA, codeB := a.Setup.Code(), b.Setup.Code()
		if codeA == "" || codeB == "" || codeA == codeB {
			t.Fatalf("codes %q and %q: want one of its own per instance", codeA, codeB)
		}
		srvB := httptest.NewServer(b.Handler)
		defer srvB.Close()
		c := webtest.NewClient(t, srvB.URL)
		proxied := func(method, path string, form url.Values) webtest.Response {
			req, _ := http.NewRequest(method, srvB.URL+path, strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("X-Forwarded-For", "203.0.113.9")
			return c.Do(req)
		}
		// B's own code, expired: no page.
		sum := sha256.Sum256([]byte(codeB))
		if _, err := d.ExecContext(ctx, `UPDATE settings SET value = '1' WHERE key = ?`, "first_run_code:"+hex.EncodeToString(sum[:])); err != nil {
			t.Fatal(err)
		}
		proxied(http.MethodGet, "/setup?code="+url.QueryEscape(codeB), nil).Must(t, http.StatusNotFound)
		// A's code, on B: the form.
		page := proxied(http.MethodGet, "/setup?code="+url.QueryEscape(codeA), nil)
		page.Must(t, http.StatusOK, "Create the first administrator")
		form := url.Values{"email": {"first@example.org"}, "name": {"First"}, "password": {"a good long password"},
			"code": {codeA}, "csrf": {webtest.CSRF(t, page.Body)}}

		// Another request is making the admin (on some instance): wait.
		if _, err := d.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES ('first_run_claim', ?)`, fmt.Sprint(time.Now().Unix())); err != nil {
			t.Fatal(err)
		}
		proxied(http.MethodPost, "/setup", form).Must(t, http.StatusConflict, "Wait a minute")
		if has, _ := a.Users.HasAdmin(ctx); has {
			t.Fatal("an admin made while another request held the claim")
		}
		if _, err := d.ExecContext(ctx, `DELETE FROM settings WHERE key = 'first_run_claim'`); err != nil {
			t.Fatal(err)
		}

		r := proxied(http.MethodPost, "/setup", form)
		if r.Status != http.StatusSeeOther {
			t.Fatalf("the first admin through B with A's code: %d\n%s", r.Status, webtest.Snippet(r.Body))
		}
		var left int
		if err := d.QueryRowContext(ctx, `SELECT COUNT(*) FROM settings WHERE key LIKE 'first_run_%'`).Scan(&left); err != nil {
			t.Fatal(err)
		}
		if left != 0 {
			t.Fatalf("%d setup codes or claims left once an admin exists", left)
		}
		srvA := httptest.NewServer(a.Handler)
		defer srvA.Close()
		webtest.NewClient(t, srvA.URL).Get("/setup?code="+url.QueryEscape(codeA)).Must(t, http.StatusNotFound)
	})
}

// An instance whose clock is off the database's (the clock the instances
// share) by more than MaxClockSkew says it is not ready, and why; a
// clock within it is ready.
func TestReadinessWithASkewedClock(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		c := s.Client()
		for _, skew := range []time.Duration{time.Minute, -time.Minute, 3 * app.MaxClockSkew} {
			s.App.Now = func() time.Time { return time.Now().Add(skew) }
			c.Get("/readyz").Must(t, http.StatusServiceUnavailable, "not ready: this machine's clock is", "off the database's")
		}
		s.App.Now = func() time.Time { return time.Now().Add(app.MaxClockSkew / 4) }
		c.Get("/readyz").Must(t, http.StatusOK, "ready")
		s.App.Now = time.Now
		c.Get("/readyz").Must(t, http.StatusOK, "ready")
	})
}
