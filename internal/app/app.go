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
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"time"

	"peerpress/internal/account"
	"peerpress/internal/api"
	"peerpress/internal/auth"
	"peerpress/internal/calls"
	"peerpress/internal/campaign"
	"peerpress/internal/content"
	"peerpress/internal/db"
	"peerpress/internal/directory"
	"peerpress/internal/events"
	"peerpress/internal/feed"
	"peerpress/internal/guard"
	"peerpress/internal/jobs"
	"peerpress/internal/letter"
	"peerpress/internal/mail"
	"peerpress/internal/media"
	"peerpress/internal/metrics"
	"peerpress/internal/moderation"
	"peerpress/internal/participant"
	"peerpress/internal/search"
	"peerpress/internal/secret"
	"peerpress/internal/settings"
	"peerpress/internal/sharecard"
	"peerpress/internal/updates"
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
	// empty it is read from the file beside the data folder (SiteKeyPath),
	// or, with a loud warning, from site.key inside it.
	SiteKey string
	// OldSiteKey is the key being replaced, while `peerpress keys rotate`
	// moves personal data to SiteKey: it only opens. When empty it is
	// read from the file beside the data folder (OldSiteKeyPath), if there
	// is one.
	OldSiteKey string
	// Mail says how to send email; with no SMTP URL it goes to the outbox.
	Mail mail.Config
	// UpdatesRate is the most members' update mails sent per second, by
	// every instance together (a mail provider's limit); 0: no limit.
	UpdatesRate float64
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
	// ClientIPHeader names the header a trusted reverse proxy sets to the
	// visitor's address (such as X-Real-IP), for the public forms' rate
	// limit; empty: the connection's address. Behind a proxy, without it
	// every visitor shares the proxy's limit.
	ClientIPHeader string
	// OnionURL is the site's onion service, such as http://….onion: live
	// pages send it as Onion-Location and the static mirror's notices
	// name it.
	OnionURL string
	// Media is where uploaded and derived files are kept: empty for the
	// folder "media" in DataDir, or an S3-compatible bucket,
	// s3://bucket[/prefix]?endpoint=host:port (media.ParseS3URL), with
	// the credentials in the environment.
	Media string
	// MetricsAddr is a host:port of its own for /metrics, which the site's
	// address then does not serve; empty: none.
	MetricsAddr string
	// MetricsToken, when set, is the bearer token /metrics asks for, on
	// MetricsAddr or on the site's address. Without either, the site has
	// no metrics.
	MetricsToken string
	// Domain, when set, is the name the site serves over HTTPS itself,
	// with certificates from an ACME authority (Let's Encrypt), kept in
	// the data folder.
	Domain string
	// ACMEDirectory is the ACME authority's directory URL; empty: Let's
	// Encrypt's.
	ACMEDirectory string
	// ACMEEmail is the operator's address the authority may write to
	// about the certificates; optional.
	ACMEEmail string
	// HTTPAddr and HTTPSAddr are where --domain listens: ":80" (ACME's
	// challenges, and a redirect to HTTPS) and ":443" unless set.
	HTTPAddr, HTTPSAddr string
	// MediaRedirect, when set (a duration such as "15m"), answers
	// requests for media in a bucket with redirects to addresses of the
	// bucket signed for this long (media.Store.RedirectFor), instead of
	// passing the bytes through the instance.
	MediaRedirect string
	// Applications is where applicants' files (calls) and resumable
	// uploads under way are kept: empty for the folder "applications" in
	// DataDir, another folder, or a bucket as for Media, which must not
	// overlap Media's (a bucket of its own, or another prefix). Several
	// instances need a bucket here, for an upload to continue through
	// any of them.
	Applications string
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
	// Live is the settings in service (languages, options), read by the
	// handlers on every request.
	Live   *settings.Live
	Jobs   *jobs.Queue
	Mailer *mail.Mailer
	// Guard holds off automated abuse of the public forms.
	Guard *guard.Guard
	// Campaigns keeps campaign details and tribute walls.
	Campaigns *campaign.Store
	// Letters keeps statements' signing settings and signatures.
	Letters *letter.Store
	// Events keeps event details and registrations.
	Events *events.Store
	// Calls keeps calls' applications and their files.
	Calls *calls.Store
	// Directory is the network's organisations (internal/directory).
	Directory *directory.Store
	// Updates is the members' updates (internal/updates).
	Updates *updates.Module
	// People is the site's personal data: the features that hold it, their
	// retention rules, and the log of staff access to it.
	People *participant.Registry
	// Handler serves the site. It delegates to the handler built from the
	// current settings, which Rebuild replaces.
	Handler http.Handler

	// Cache holds rendered public pages; it outlives rebuilds, and any
	// committed write makes what it holds stale.
	Cache *web.PageCache
	// Metrics counts requests, jobs and mail for /metrics.
	Metrics *metrics.Metrics
	// Setup is the first-run page's one-time code, while no admin exists.
	Setup *account.SetupCode
	// Now is the instance's clock as Ready compares it with the
	// database's; time.Now, replaced by tests of a skewed clock.
	Now func() time.Time

	zone *time.Location
	// blobs is the media storage (Config.Media), probed by /readyz.
	blobs media.Blobs
	// appBlobs keeps applicants' files (Config.Applications).
	appBlobs media.Blobs
	assets   *web.Assets
	md       *content.Markdown
	cards    *sharecard.Renderer
	// mods are the feature areas, built once; Rebuild makes their pages.
	mods    []namedModule
	current atomic.Pointer[http.Handler]
	// public and publishers are the content's pages and the areas that
	// declare pages of their own, as the last Rebuild made them (for
	// the static mirror).
	public     atomic.Pointer[content.Public]
	publishers []content.Publisher
	// sitemaps are the sitemap's handlers, as the last Rebuild made
	// them (for the static mirror: which parts an edit changes).
	sitemaps atomic.Pointer[feed.Handlers]
	// searchSources are the modules with documents in the search index.
	searchSources []search.Source
	table         atomic.Pointer[web.Routes]
	// settingsSaved hears of every settings save on the database.
	settingsSaved <-chan struct{}
}

// Routes is the route table in service: every URL the site answers, with
// its policy.
func (a *App) Routes() *web.Routes { return a.table.Load() }

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
	if err := checkDomain(cfg.Domain, cfg.BaseURL); err != nil {
		return nil, err
	}
	if cfg.OnionURL, err = web.CheckOnionURL(cfg.OnionURL); err != nil {
		return nil, fmt.Errorf("app: %w", err)
	}
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
	vault := participant.NewVault(box)
	// Staff data is sealed to the organisation's public key when the site
	// has one (peerpress keys org-init).
	recipient, err := orgRecipient(ctx, d)
	if err != nil {
		return nil, err
	}
	if err := vault.SetOrgRecipient(recipient); err != nil {
		return nil, err
	}
	mailer, err := mail.New(d, box, cfg.Mail)
	if err != nil {
		return nil, err
	}
	queue := jobs.New(d)
	mailer.Register(queue)
	// Entries: every save re-indexes its translation (search); what was
	// written without an index (before search existed) is indexed now.
	contentStore := content.NewStore(d, search.Index{})
	if _, err := search.Backfill(ctx, d); err != nil {
		return nil, err
	}
	// Every stored image gets its responsive sizes from the queue.
	blobs, err := Blobs(ctx, cfg)
	if err != nil {
		return nil, err
	}
	mediaStore := media.NewStore(d, blobs)
	mediaStore.Register(queue)
	if cfg.MediaRedirect != "" {
		d, err := time.ParseDuration(cfg.MediaRedirect)
		if err != nil {
			return nil, fmt.Errorf("app: --media-redirect %q is not a duration such as 15m or 2h", cfg.MediaRedirect)
		}
		if err := mediaStore.RedirectFor(d); err != nil {
			return nil, err
		}
	}
	appBlobs, err := ApplicationBlobs(ctx, cfg)
	if err != nil {
		return nil, err
	}
	// The abuse guard of public forms (letters, tributes, registrations),
	// its key derived from the site key so challenges survive a restart.
	// 13 bits of proof of work is about 8,000 hashes: pow.js took 50 to
	// 450 ms in headless Chromium on a busy 2-core machine; phones are
	// slower, and a person fills the form meanwhile.
	powScript, err := assets.URL("pow.js")
	if err != nil {
		return nil, err
	}
	// Used challenges are kept in the database, shared by every instance.
	abuse := guard.New([]byte(box.Hash("guard challenges", "guard key")), guard.NewDBStore(d), guard.Options{
		MinDelay: 3 * time.Second, MaxAge: 2 * time.Hour, Difficulty: 13,
		Rate: 5, Per: 10 * time.Minute, Burst: 5, Script: powScript, ClientHeader: cfg.ClientIPHeader})
	// The settings in service; a save here or on another instance reaches
	// every handler through Live, without a rebuild.
	settingsStore := settings.NewStore(d)
	settingsSaved := d.Subscribe(settings.Topic) // before loading: no save falls between
	// Until the settings are saved: the command line's languages, and
	// listings that show entries not yet translated, marked, so that a
	// language with few translations is not an empty site.
	live, err := settings.NewLive(ctx, settingsStore, settings.Site{Languages: cfg.Languages, IncludeUntranslated: true})
	if err != nil {
		return nil, err
	}
	live.OnChange = d.Changed // pages in the old languages are stale
	// Personal data: each module that holds some registers it (declare);
	// the mail queue and outbox are sealed too.
	people := participant.NewRegistry(vault, participant.NewAudit(d))
	people.Keys = participant.NewKeyring(participant.DefaultIdle) // unlocked by staff sessions, in memory only
	people.Add(mailer)
	a := &App{
		Config:        cfg,
		Live:          live,
		settingsSaved: settingsSaved,
		DB:            d,
		Users:         newUsers(d, box, live),
		Content:       contentStore,
		Media:         mediaStore,
		Settings:      settingsStore,
		Jobs:          queue,
		Mailer:        mailer,
		Guard:         abuse,
		People:        people,
		Cache:         newPageCache(d, cfg.PageCacheMB, cfg.NoPageCache),
		zone:          zone,
		blobs:         blobs,
		appBlobs:      appBlobs,
		assets:        assets,
		md:            content.NewMarkdown(),
		cards:         cards,
	}
	a.Now = time.Now
	people.Add(a.Users) // two-factor keys, resealed on key rotation
	a.Metrics = a.newMetrics()
	if a.Setup, err = account.NewSetupCode(ctx, d, a.Users); err != nil {
		return nil, err
	}
	if a.mods, err = a.newModules(); err != nil {
		return nil, err
	}
	a.Jobs.Schedule(append(a.tasks(), a.declare(a.mods)...)...)
	// Modules' search documents on a site that had none (written before
	// modules gave search documents): indexed once, now.
	if _, err := search.BackfillDocuments(ctx, d, a.searchSources); err != nil {
		return nil, err
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

// Rebuild makes the handlers from the stores and puts them in service;
// requests under way finish with the old ones. New calls it once: the
// settings page changes languages and options through a.Live, which every
// handler reads per request, not by rebuilding. Tests call it after
// replacing the guard.
func (a *App) Rebuild(ctx context.Context) error {
	live := a.Live
	rd, err := web.NewRenderer(a.Config.SiteName, live.Languages, nil, a.assets)
	if err != nil {
		return err
	}
	rd.BaseURL = a.Config.BaseURL
	rd.Feeds, rd.ShareImage = feed.Links, content.SiteCard
	rd.Unavailable = db.Unavailable
	public, err := content.NewPublic(a.Content, a.md, rd, a.Media, a.zone)
	if err != nil {
		return err
	}
	public.IncludeUntranslated = func() bool { return live.Site().IncludeUntranslated }
	public.SitePages = func() (int64, int64) { return live.Site().AboutPage, live.Site().PrivacyPage }
	public.Cards = a.cards
	rd.Nav = public
	admin, err := content.NewAdmin(a.Content, a.md, rd, a.Media, a.zone)
	if err != nil {
		return err
	}
	admin.Public = public
	accounts, err := account.New(a.Users, a.Mailer, rd)
	if err != nil {
		return err
	}
	siteSettings, err := settings.NewHandlers(a.Settings, live, rd)
	if err != nil {
		return err
	}
	siteSettings.Pages = func(ctx context.Context) ([]settings.PageChoice, error) {
		pages, err := a.Content.PageTitles(ctx)
		out := make([]settings.PageChoice, len(pages))
		for i, p := range pages {
			out[i] = settings.PageChoice{ID: p.ID, Title: p.Title}
		}
		return out, err
	}
	outbox, err := mail.NewOutboxPage(a.Mailer, rd)
	if err != nil {
		return err
	}
	feeds := feed.New(a.Content, a.md, rd)
	a.publishers = nil
	for _, m := range a.mods {
		if p, ok := m.module.(content.Publisher); ok {
			feeds.Publishers = append(feeds.Publishers, p)
			a.publishers = append(a.publishers, p)
		}
	}
	a.public.Store(public)
	a.sitemaps.Store(feeds)
	jsonAPI := api.New(api.Config{Store: a.Content, Users: a.Users, MD: a.md, Media: a.Media, Langs: live.Languages,
		BaseURL: a.Config.BaseURL, CORSOrigins: a.Config.CORSOrigins, Events: a.Events,
		Directory: a.Directory})
	mods, err := a.pages(rd)
	if err != nil {
		return err
	}
	dashboard, err := moderation.New(rd)
	if err != nil {
		return err
	}
	plugIn(mods, public, admin, dashboard)
	// As many renders at once as the engine's pool has connections to
	// read with (internal/db): SQLite's 8 keep two cores busy; PostgreSQL's
	// 16 wait on the network for part of each query.
	renders := 8
	if a.DB.Engine == db.Postgres {
		renders = 16
	}
	deps := routeDeps{renders: renders, feeds: feeds, api: jsonAPI, rd: rd, assets: a.assets, i18n: live.Languages, public: public, admin: admin, accounts: accounts,
		settings: siteSettings, outbox: outbox, moderation: dashboard, users: a.Users, media: a.Media, cache: a.Cache, modules: mods,
		keyring: a.People.Keys, onion: a.Config.OnionURL, metrics: a.Metrics, metricsToken: a.Config.MetricsToken,
		metricsElsewhere: a.Config.MetricsAddr != "", ready: a.Ready, setup: a.Setup, clientIPHeader: a.Config.ClientIPHeader}
	table := routeTable(deps)
	h := routes(deps, table)
	a.table.Store(table)
	a.current.Store(&h)
	return nil
}

// shutdownTimeout bounds a stop: the requests, jobs and tasks under way
// have this long to finish. Jobs and tasks see their context cancelled
// five seconds before it, to record what they did.
const shutdownTimeout = 25 * time.Second

// workers run the queued jobs: enough for mail beside the kinds held to
// one at a time (image sizes, bulk loads).
const workers = 4

// Serve listens on ln until ctx ends, and runs the job workers and the
// periodic tasks. When ctx ends it stops accepting connections and
// claiming jobs, lets the requests, jobs and tasks under way finish
// (within shutdownTimeout), and only then returns, so that the caller
// closes the database under nothing.
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	srv := a.newServer(a.Handler)
	return a.serve(ctx, srv, func() error { return srv.Serve(ln) }, nil, nil)
}

// newServer is the site's HTTP server around h, with the timeouts a
// public server needs.
func (a *App) newServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       5 * time.Minute, // uploads over slow links
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(slog.Default().Handler(), slog.LevelWarn),
	}
}

// serve runs srv through run, beside it the metrics' own address (when
// configured) and side, a second server on sideLn (the HTTPS redirect),
// with the job workers and periodic tasks, until ctx ends; see Serve.
func (a *App) serve(ctx context.Context, srv *http.Server, run func() error, side *http.Server, sideLn net.Listener) error {
	SoftMemoryLimit()
	web.RemoveStaleSpools() // forms a crash left behind, sealed
	background, stopBackground := context.WithCancel(ctx)
	defer stopBackground()
	go paceCollector(background)
	if a.Config.MetricsAddr != "" {
		mln, err := net.Listen("tcp", a.Config.MetricsAddr)
		if err != nil {
			return fmt.Errorf("app: metrics address: %w", err)
		}
		go a.serveMetrics(background, mln)
	}
	if side != nil {
		go func() {
			if err := side.Serve(sideLn); err != nil && !errors.Is(err, http.ErrServerClosed) {
				slog.Error("HTTP server stopped", "err", err)
			}
		}()
		defer side.Close()
	}
	go a.Live.Follow(background, a.settingsSaved)
	a.Jobs.Grace = shutdownTimeout - 5*time.Second
	jobsDone := make(chan struct{})
	go func() {
		defer close(jobsDone)
		a.Jobs.Run(background, workers)
	}()
	errc := make(chan error, 1)
	go func() { errc <- run() }()
	var err error
	var deadline time.Time
	select {
	case err = <-errc: // the listener failed: stop the jobs too
		deadline = time.Now().Add(shutdownTimeout)
		stopBackground()
	case <-ctx.Done():
		deadline = time.Now().Add(shutdownTimeout)
		shutdown, cancel := context.WithDeadline(context.Background(), deadline)
		defer cancel()
		err = srv.Shutdown(shutdown)
		if serveErr := <-errc; !errors.Is(serveErr, http.ErrServerClosed) {
			err = errors.Join(err, serveErr)
		}
	}
	// A job that ignores its cancelled context is left behind: its lease
	// runs out and another start runs it again.
	select {
	case <-jobsDone:
	case <-time.After(time.Until(deadline) + 5*time.Second):
		slog.Error("jobs still running at shutdown; they will run again after their lease")
	}
	return err
}

// tasks is the platform's periodic work, each run once per slot by one of
// the instances sharing the database; the modules declare theirs.
func (a *App) tasks() []jobs.Task {
	return []jobs.Task{
		// db: the query planner's statistics, once a day, and at each
		// start as before: a start may follow a bulk load or a restore.
		// Only what is stale: a start after none costs nothing.
		{Name: "db/optimize", Every: 24 * time.Hour, AtStart: true, Run: func(ctx context.Context) error {
			tables, err := a.DB.OptimizeStale(ctx)
			if len(tables) > 0 {
				slog.Info("db: planner statistics refreshed", "tables", tables)
			}
			return err
		}},
		// content: scheduled entries marked published — which also makes
		// cached pages stale, so they appear — every minute and at the
		// moment the next one is due. That early run happens on every
		// instance, which is harmless: it is an UPDATE of what is due.
		{Name: "content/publish_scheduled", Every: time.Minute, Due: a.Content.NextScheduled, Run: func(ctx context.Context) error {
			n, err := a.Content.PromoteScheduled(ctx)
			if err != nil {
				return fmt.Errorf("promote scheduled entries: %w", err)
			}
			if n > 0 {
				slog.Info("published scheduled entries", "count", n)
			}
			return nil
		}},
		// content: files added to new entries that no save claimed in a
		// day, deleted with their files.
		{Name: "content/purge_unclaimed_uploads", Every: time.Hour, Run: func(ctx context.Context) error {
			n, err := a.Content.PurgeUnclaimed(ctx, a.Media.Delete)
			if n > 0 {
				slog.Info("deleted files added to entries never saved", "count", n)
			}
			return err
		}},
		// auth: expired and idle sessions, sign-in limits long idle, and
		// invitations ended a week ago.
		{Name: "auth/purge_sessions", Every: time.Minute, Run: func(ctx context.Context) error {
			if _, err := a.Users.PurgeExpiredSessions(ctx, time.Now()); err != nil {
				return wrap("purge sessions", err)
			}
			if err := a.Users.PurgeLoginLimits(ctx, time.Now()); err != nil {
				return wrap("purge sign-in limits", err)
			}
			_, err := a.Users.PurgeInvitations(ctx, time.Now())
			return wrap("purge invitations", err)
		}},
		// mail: outbox mail past its week.
		{Name: "mail/purge_outbox", Every: time.Minute, Run: func(ctx context.Context) error {
			_, err := a.Mailer.PurgeOutbox(ctx, time.Now())
			return wrap("purge outbox", err)
		}},
		// jobs: failed jobs whose payloads carry personal data (mail), on
		// the schedule of that data.
		{Name: "jobs/purge_failed", Every: time.Hour, Run: func(ctx context.Context) error {
			n, err := a.Jobs.PurgeFailed(ctx, time.Now())
			if n > 0 {
				slog.Info("purged failed jobs that carried personal data", "count", n)
			}
			return wrap("purge failed jobs", err)
		}},
		// participant: personal data past each holder's retention rule
		// (registrations after their event, unconfirmed signatures,
		// rejected tributes).
		{Name: "participant/purge", Every: time.Minute, Run: func(ctx context.Context) error {
			purged, err := a.People.PurgeAll(ctx, time.Now())
			for _, c := range purged {
				slog.Info("purged personal data past retention", "holder", c.Holder, "count", c.N)
			}
			return wrap("purge personal data", err)
		}},
		// participant: what staff need and the server does not, sealed
		// with the site key before the site had an organisation key (or
		// by an instance started before it), moves to that key: at each
		// start, and every hour for an instance still running without it.
		{Name: "participant/seal_for_staff", Every: time.Hour, AtStart: true, Run: func(ctx context.Context) error {
			moved, err := a.People.SealForStaff(ctx)
			for _, c := range moved {
				if c.N > 0 {
					slog.Info("sealed personal data to the organisation key", "holder", c.Holder, "count", c.N)
				}
			}
			return wrap("seal for staff", err)
		}},
		// guard: challenges used and since expired.
		{Name: "guard/purge_used", Every: 10 * time.Minute, Run: func(ctx context.Context) error {
			_, err := guard.NewDBStore(a.DB).Purge(ctx, time.Now())
			return err
		}},
	}
}

// wrap says what failed, for a task's error in the log; nil stays nil.
func wrap(what string, err error) error {
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
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

// softMemoryLimit is the heap size at which the garbage collector works
// harder rather than let the process grow: a volunteer's small server
// should stay under 300 MB resident even when anonymous visitors send the
// largest photos and sign-in attempts they may (BenchmarkAttackMemory).
// It is soft: a site that needs more gets more, with more collecting.
const softMemoryLimit = 200 << 20

// SoftMemoryLimit sets the garbage collector's memory limit to
// softMemoryLimit, unless the operator set GOMEMLIMIT.
func SoftMemoryLimit() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(softMemoryLimit)
	}
}

// newUsers is the user store, with the site key for two-factor keys and
// the setting that requires a second factor of administrators.
func newUsers(d *db.DB, box *secret.Box, live *settings.Live) *auth.Store {
	users := auth.NewStore(d)
	users.Secrets = box
	users.RequireTwoFactor = func(u auth.User) bool {
		return u.Role == auth.RoleAdmin && live.Site().AdminsTwoFactor
	}
	users.IdleSetting = func() time.Duration { return live.Site().IdleTimeout() }
	return users
}
