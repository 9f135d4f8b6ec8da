// Package app builds peerpress from one Config: it opens the database,
// makes every store and handler, and hands dependencies down explicitly.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"peerpress/internal/account"
	"peerpress/internal/api"
	"peerpress/internal/auth"
	"peerpress/internal/content"
	"peerpress/internal/db"
	"peerpress/internal/feed"
	"peerpress/internal/i18n"
	"peerpress/internal/jobs"
	"peerpress/internal/mail"
	"peerpress/internal/media"
	"peerpress/internal/secret"
	"peerpress/internal/settings"
	"peerpress/internal/sharecard"
	"peerpress/internal/web"
)

// Config is everything an operator can set.
type Config struct {
	Addr        string   // host:port to listen on
	DataDir     string   // folder for the SQLite file and uploads
	DatabaseURL string   // "sqlite:PATH" or "postgres://…"; empty: SQLite in DataDir
	SiteName    string   // shown in every page's header and title
	Languages   []string // enabled languages, the default first
	TimeZone    string   // the site's zone for publish times
	// SiteKey is the base64 key that encrypts personal data at rest; when
	// empty it is read from site.key in the data folder.
	SiteKey string
	// Mail says how to send email; with no SMTP URL it goes to the outbox.
	Mail mail.Config
	// PageCacheMB bounds the cache of rendered pages; 0 means the default.
	PageCacheMB int
	// NoPageCache turns the page cache off, to measure how fast pages
	// render from the database.
	NoPageCache bool
	// BaseURL is the site's public address, such as https://example.org;
	// canonical and hreflang links are absolute under it, and an https
	// address makes cookies Secure behind a proxy that terminates TLS.
	BaseURL string
	// CORSOrigins may read the JSON API from browsers on other sites (GET
	// requests only), such as https://partner.example; none by default.
	CORSOrigins []string
}

// DatabaseURLOrDefault is the database to use: the configured URL, or the
// SQLite file in the data folder.
func (c Config) DatabaseURLOrDefault() string {
	if c.DatabaseURL != "" {
		return c.DatabaseURL
	}
	return "sqlite:" + filepath.Join(c.DataDir, "peerpress.db")
}

// App is a built peerpress: stores and the HTTP handler.
type App struct {
	Config   Config
	DB       *db.DB
	Users    *auth.Store
	Content  *content.Store
	Media    *media.Store
	Settings *settings.Store
	Jobs     *jobs.Queue
	Mailer   *mail.Mailer
	// Handler serves the site. It delegates to the handler built from the
	// current settings, which Rebuild replaces.
	Handler http.Handler

	// Cache holds rendered public pages; it outlives rebuilds, and any
	// committed write makes what it holds stale.
	Cache *web.PageCache

	// box seals personal data and makes keyed hashes, with the site key.
	box     *secret.Box
	zone    *time.Location
	assets  *web.Assets
	md      *content.Markdown
	cards   *sharecard.Renderer
	current atomic.Pointer[http.Handler]
}

// Open connects to the database named by the config.
func Open(ctx context.Context, cfg Config) (*db.DB, error) {
	return db.Open(ctx, cfg.DatabaseURLOrDefault())
}

// New builds the application over an open, migrated database. It refuses a
// database whose schema does not match this build.
func New(ctx context.Context, cfg Config, d *db.DB) (*App, error) {
	if err := d.CheckSchema(ctx); err != nil {
		return nil, err
	}
	if cfg.SiteName == "" {
		cfg.SiteName = "peerpress"
	}
	base, err := parseBaseURL(cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	cfg.BaseURL = base
	if err := checkOrigins(cfg.CORSOrigins); err != nil {
		return nil, err
	}
	zone, err := time.LoadLocation(cfg.TimeZone)
	if err != nil {
		return nil, fmt.Errorf("app: time zone %q: %w", cfg.TimeZone, err)
	}
	assets, err := web.NewAssets()
	if err != nil {
		return nil, err
	}
	cards, err := sharecard.New()
	if err != nil {
		return nil, err
	}
	box, err := openSiteKey(ctx, cfg, d)
	if err != nil {
		return nil, err
	}
	mailer, err := mail.New(d, box, cfg.Mail)
	if err != nil {
		return nil, err
	}
	queue := jobs.New(d)
	mailer.Register(queue)
	// Feature areas' long-lived parts (stores, job handlers):
	// events:
	// campaigns:
	// letters:
	// search:
	a := &App{
		Config:   cfg,
		DB:       d,
		Users:    auth.NewStore(d),
		Content:  content.NewStore(d),
		Media:    media.NewStore(d, filepath.Join(cfg.DataDir, "media")),
		Settings: settings.NewStore(d),
		Jobs:     queue,
		Mailer:   mailer,
		Cache:    newPageCache(d, cfg.PageCacheMB, cfg.NoPageCache),
		box:      box,
		zone:     zone,
		assets:   assets,
		md:       content.NewMarkdown(),
		cards:    cards,
	}
	if err := a.Rebuild(ctx); err != nil {
		return nil, err
	}
	var h http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		(*a.current.Load()).ServeHTTP(w, r)
	})
	if strings.HasPrefix(cfg.BaseURL, "https://") {
		h = auth.ServedOverHTTPS(h)
	}
	a.Handler = h
	return a, nil
}

// Rebuild makes the handlers anew from the saved settings (languages
// enabled, listing options) and puts them in service; requests under way
// finish with the old ones.
func (a *App) Rebuild(ctx context.Context) error {
	site, err := a.Settings.Load(ctx, settings.Site{Languages: a.Config.Languages})
	if err != nil {
		return err
	}
	bundle, err := i18n.New(site.Languages)
	if err != nil {
		return err
	}
	rd, err := web.NewRenderer(a.Config.SiteName, bundle, nil, a.assets)
	if err != nil {
		return err
	}
	rd.BaseURL = a.Config.BaseURL
	rd.Feeds, rd.ShareImage = feed.Links, content.SiteCard
	public, err := content.NewPublic(a.Content, a.md, rd, a.Media, a.zone)
	if err != nil {
		return err
	}
	public.IncludeUntranslated = site.IncludeUntranslated
	public.Cards = a.cards
	rd.Nav = public
	admin, err := content.NewAdmin(a.Content, a.md, rd, a.Media, a.zone)
	if err != nil {
		return err
	}
	accounts, err := account.New(a.Users, rd)
	if err != nil {
		return err
	}
	siteSettings, err := settings.NewHandlers(a.Settings, rd, site, a.Rebuild)
	if err != nil {
		return err
	}
	outbox, err := mail.NewOutboxPage(a.Mailer, rd)
	if err != nil {
		return err
	}
	feeds := feed.New(a.Content, a.md, rd)
	jsonAPI := api.New(api.Config{Store: a.Content, Users: a.Users, MD: a.md, Media: a.Media, Langs: bundle,
		BaseURL: a.Config.BaseURL, CORSOrigins: a.Config.CORSOrigins})
	var modules []module
	// Feature areas: each builds its handlers here, appends itself to
	// modules, and adds its panels (public.Panels) and editor links
	// (admin.Linkers).
	// events:
	// campaigns:
	// letters:
	// search:
	h := routes(routeDeps{feeds: feeds, api: jsonAPI, rd: rd, assets: a.assets, i18n: bundle, public: public, admin: admin, accounts: accounts,
		settings: siteSettings, outbox: outbox, users: a.Users, media: a.Media, cache: a.Cache, modules: modules})
	a.current.Store(&h)
	return nil
}

// Serve listens on cfg.Addr until ctx ends, then drains requests. It also
// runs the periodic housekeeping.
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           a.Handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       5 * time.Minute, // uploads over slow links
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(slog.Default().Handler(), slog.LevelWarn),
	}
	go a.housekeeping(ctx)
	go a.Jobs.Run(ctx, 2)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// housekeeping marks due scheduled entries published — which also makes
// cached pages stale, so the entries appear — and purges expired sessions
// and old outbox mail. It runs once a minute, and at the moment the next
// scheduled entry is due.
func (a *App) housekeeping(ctx context.Context) {
	var optimized time.Time
	for {
		if time.Since(optimized) > 24*time.Hour {
			if err := a.DB.Optimize(ctx); err != nil {
				slog.Error("optimize", "err", err)
			}
			optimized = time.Now()
		}
		if n, err := a.Content.PromoteScheduled(ctx); err != nil {
			slog.Error("promote scheduled entries", "err", err)
		} else if n > 0 {
			slog.Info("published scheduled entries", "count", n)
		}
		if _, err := a.Users.PurgeExpiredSessions(ctx, time.Now()); err != nil {
			slog.Error("purge sessions", "err", err)
		}
		if _, err := a.Mailer.PurgeOutbox(ctx, time.Now()); err != nil {
			slog.Error("purge outbox", "err", err)
		}
		// Feature areas' periodic work (purges on schedule):
		// events:
		// campaigns:
		// letters:
		wait := time.Minute
		if next, ok, err := a.Content.NextScheduled(ctx); err == nil && ok {
			wait = min(wait, max(time.Until(next)+time.Second, time.Second))
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
	}
}

// ParseLanguages splits a comma-separated list of language codes.
func ParseLanguages(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// parseBaseURL checks the public address: empty, or http(s)://host[/path]
// with no query; it is returned without a trailing slash.
func parseBaseURL(raw string) (string, error) {
	if raw == "" {
		return "", nil
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("app: base URL %q: want http(s)://host, as visitors reach the site", raw)
	}
	return strings.TrimSuffix(u.String(), "/"), nil
}

// checkOrigins checks the origins allowed to read the API cross-origin:
// each scheme://host[:port], nothing more.
func checkOrigins(origins []string) error {
	for _, o := range origins {
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.User != nil {
			return fmt.Errorf("app: CORS origin %q: want scheme://host[:port], such as https://partner.example", o)
		}
	}
	return nil
}
