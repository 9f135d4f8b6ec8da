// Package apptest runs peerpress for the tests of its feature packages:
// the demo content on a test database, mail to a real SMTP server, served
// over HTTP, so that a test drives the site as visitors and staff do.
package apptest

import (
	"context"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"peerpress/internal/app"
	"peerpress/internal/db"
	"peerpress/internal/db/dbtest"
	"peerpress/internal/demo"
	"peerpress/internal/guard"
	"peerpress/internal/mail"
	"peerpress/internal/mail/mailtest"
	"peerpress/internal/participant"
	"peerpress/internal/secret"
	"peerpress/internal/web/webtest"
)

// Site is a running peerpress.
type Site struct {
	T      *testing.T
	Server *httptest.Server
	App    *app.App
	SMTP   *mailtest.Server // nil with Options.Outbox
	Login  *demo.Login      // the demo's administrator
	// OrgKeyFile and OrgPassphrase open the organisation's key, with
	// Options.OrgKey: what staff keep off the server.
	OrgKeyFile    []byte
	OrgPassphrase string

	participation Participation // the entries Participate uses, once made
}

// Options shape a test site.
type Options struct {
	// Languages enabled; nil: all six the demo is written in.
	Languages []string
	// Guard replaces the public forms' guard (which wants three seconds
	// and a real proof of work); nil keeps the app's.
	Guard *guard.Options
	// Outbox keeps mail in the site's outbox (/admin/outbox), as a site
	// with no SMTP server does, rather than sending it to a test server.
	Outbox bool
	// Config, when set, changes the configuration before the site starts.
	Config func(*app.Config)
	// OrgKey gives the site an organisation key (peerpress keys
	// org-init): registrants' names and answers are sealed to it.
	OrgKey bool
	// Serial runs the engines one after the other rather than side by
	// side, for a test that changes what the whole process shares (as
	// cli.Run sets slog's default logger).
	Serial bool
}

// QuickGuard is a guard for tests: a form FormWait old is old enough,
// 8 bits of proof of work, and no rate limit to speak of.
func QuickGuard() guard.Options {
	return guard.Options{MinDelay: 30 * time.Millisecond, Difficulty: 8, Rate: 1000, Burst: 1000}
}

// FormWait is how long a test waits before sending a form, for
// QuickGuard to take it as a person's.
const FormWait = 40 * time.Millisecond

// allLanguages are the languages the demo is written in.
var allLanguages = []string{"en", "ru", "fr", "es", "hi", "ar"}

// Run runs fn once per engine, as dbtest.Run does, on a new site over a
// copy of the demo content (see Demo).
func Run(t *testing.T, opt Options, fn func(t *testing.T, s *Site)) {
	t.Helper()
	run := Demo(opt.Languages).Run
	if opt.Serial {
		run = Demo(opt.Languages).RunSerial
	}
	run(t, func(t *testing.T, d *db.DB) {
		fn(t, New(t, d, opt))
	})
}

var demos sync.Map // the languages, joined → *dbtest.Template

// Demo is the template of a database with the demo content in langs (nil:
// every language the demo is written in), written once per test binary
// and engine: New over a copy of it starts at once.
func Demo(langs []string) *dbtest.Template {
	if langs == nil {
		langs = allLanguages
	}
	key := strings.Join(langs, ",")
	if tp, ok := demos.Load(key); ok {
		return tp.(*dbtest.Template)
	}
	tp, _ := demos.LoadOrStore(key, dbtest.NewTemplate("demo "+key, func(ctx context.Context, d *db.DB) error {
		_, err := demo.Load(ctx, d, langs)
		return err
	}))
	return tp.(*dbtest.Template)
}

// New starts peerpress over d, which is empty or holds the demo in the
// same languages (from Demo), and stops it when the test ends. The demo
// administrator gets a new password.
func New(t *testing.T, d *db.DB, opt Options) *Site {
	t.Helper()
	ctx := context.Background()
	if opt.Languages == nil {
		opt.Languages = allLanguages
	}
	cfg := app.Config{DataDir: t.TempDir(), SiteName: "Test Network", Languages: opt.Languages, TimeZone: "UTC",
		SiteKey: secret.NewKey()}
	var smtp *mailtest.Server
	if !opt.Outbox {
		smtp = mailtest.Start(t)
		cfg.Mail = mail.Config{URL: smtp.URL(), From: "network@example.org"}
	}
	if opt.Config != nil {
		opt.Config(&cfg)
		if strings.Join(cfg.Languages, ",") != strings.Join(opt.Languages, ",") {
			t.Fatal("apptest: set the languages in Options.Languages, which the demo is written in, not in Options.Config")
		}
	}
	login, err := demo.Load(ctx, d, cfg.Languages)
	if err != nil {
		t.Fatalf("demo: %v", err)
	}
	var orgFile []byte
	const orgPass = "a long test passphrase"
	if opt.OrgKey {
		recipient, file, err := participant.NewOrgKey(orgPass, 10) // cheap scrypt for tests; the format is the same
		if err != nil {
			t.Fatal(err)
		}
		if err := app.SetOrgRecipient(ctx, d, recipient, false); err != nil {
			t.Fatal(err)
		}
		orgFile = file
	}
	a, err := app.New(ctx, cfg, d)
	if err != nil {
		t.Fatalf("app: %v", err)
	}
	s := &Site{T: t, App: a, SMTP: smtp, Login: login, OrgKeyFile: orgFile}
	if opt.OrgKey {
		s.OrgPassphrase = orgPass
	}
	if opt.Guard != nil {
		s.UseGuard(*opt.Guard)
	}
	s.Server = httptest.NewServer(a.Handler)
	t.Cleanup(s.Server.Close)
	return s
}

// Client is a new visitor of the site, with no cookies yet.
func (s *Site) Client() *webtest.Client { return webtest.NewClient(s.T, s.Server.URL) }

// Admin is a new browser with the demo administrator signed in, and the
// CSRF token of its session.
func (s *Site) Admin() (*webtest.Client, string) {
	s.T.Helper()
	c := s.Client()
	return c, c.SignIn(s.Login.Email, s.Login.Password)
}

// UseGuard puts a guard with these options in service, as the app does
// when it rebuilds its handlers.
func (s *Site) UseGuard(opt guard.Options) {
	s.T.Helper()
	s.App.Guard = guard.New([]byte("test guard key"), guard.NewDBStore(s.App.DB), opt)
	if err := s.App.Rebuild(context.Background()); err != nil {
		s.T.Fatal(err)
	}
}

// RunJobs runs the queued background jobs (mail, image sizes) until none
// is left.
func (s *Site) RunJobs() {
	s.T.Helper()
	for {
		ran, err := s.App.Jobs.RunOnce(context.Background())
		if err != nil {
			s.T.Fatalf("job: %v", err)
		}
		if !ran {
			return
		}
	}
}

// Mail runs the jobs and returns the decoded mail that reached addr.
func (s *Site) Mail(addr string) []mailtest.Message {
	s.T.Helper()
	s.RunJobs()
	var out []mailtest.Message
	for _, m := range s.SMTP.To(addr) {
		msg, err := m.Decode()
		if err != nil {
			s.T.Fatal(err)
		}
		out = append(out, msg)
	}
	return out
}
