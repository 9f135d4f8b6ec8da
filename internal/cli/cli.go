// Package cli is peerpress's command line: it reads flags and the
// environment into an app.Config and runs a subcommand.
package cli

import (
	"bufio"
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"

	"peerpress/internal/app"
	"peerpress/internal/auth"
	"peerpress/internal/db"
	"peerpress/internal/demo"
	"peerpress/internal/mail"
	"peerpress/internal/secret"
)

// Version is set at build time with -ldflags "-X peerpress/internal/cli.Version=…".
var Version = "dev"

const usage = `peerpress — publishing and organising for advocacy networks

Usage:
  peerpress serve    [flags]   serve the site
  peerpress demo     [flags]   fill an empty database with demo content, then serve
  peerpress migrate  [flags]   apply database migrations
  peerpress user add --email E --role R [flags]   add a user; the password is read from standard input
  peerpress user invite --email E [--role R]      invite someone by mail to choose their own password
  peerpress import wordpress FILE.xml [flags]   import a WordPress export (see its --help)
  peerpress export static --out DIR [flags]      write the public site as static files, a mirror (see its --help)
  peerpress routes             print every URL the site answers, with its policy
  peerpress keygen             print a new site key (for PEERPRESS_SITE_KEY or DATA.site.key)
  peerpress keys rotate [flags]   move personal data to a new site key (see its --help)
  peerpress keys org-init --out FILE   make the organisation's key; staff data is sealed to it (see its --help)
  peerpress backup --out FILE   an encrypted backup of the whole site, while it serves (see its --help)
  peerpress restore FILE --identity KEYFILE   restore a backup into an empty data folder or database
  peerpress unseal --identity FILE [EXPORT.json]   open an export's sealed values on your own machine
  peerpress people export|erase --email E [flags]   a person's data: JSON on standard output, or erased
  peerpress media copy --to s3://…|FOLDER [flags]   copy the uploaded files to a bucket or folder, verified
  peerpress search reindex [flags]   rebuild the search index
  peerpress config check [--config F]   say what is wrong with a configuration, in plain words
  peerpress version            print the version

Run 'peerpress COMMAND --help' for a command's flags. Every flag can also be
set through the environment variable named in its help, or in a TOML file
given with --config (keys named as the flags); flags win over the
environment, which wins over the file.
`

// Main runs the command line until it ends or the process is told to stop,
// and returns the exit code.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return Run(ctx, args, stdin, stdout, stderr)
}

// Run runs the command line until it ends or ctx is done.
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	level := slog.LevelInfo
	if os.Getenv("PEERPRESS_LOG") == "debug" {
		level = slog.LevelDebug
	}
	slog.SetDefault(slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level})))
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "serve":
		err = serve(ctx, args[1:], stdout, stderr, false)
	case "demo":
		err = serve(ctx, args[1:], stdout, stderr, true)
	case "migrate":
		err = migrate(ctx, args[1:], stdout, stderr)
	case "user":
		err = user(ctx, args[1:], stdin, stdout, stderr)
	case "import":
		err = importCmd(ctx, args[1:], stdout, stderr)
	case "export":
		err = exportCmd(ctx, args[1:], stdout, stderr)
	case "routes":
		err = routes(ctx, args[1:], stdout, stderr)
	case "keygen":
		fmt.Fprintln(stdout, secret.NewKey())
		return 0
	case "keys":
		err = keys(ctx, args[1:], stdin, stdout, stderr)
	case "backup":
		err = backupCmd(ctx, args[1:], stdout, stderr)
	case "restore":
		err = restoreCmd(ctx, args[1:], stdin, stdout, stderr)
	case "unseal":
		err = unseal(args[1:], stdin, stdout, stderr)
	case "people":
		err = people(ctx, args[1:], stdin, stdout, stderr)
	case "media":
		err = mediaCmd(ctx, args[1:], stdout, stderr)
	case "search":
		err = searchCmd(ctx, args[1:], stdout, stderr)
	case "config":
		err = configCmd(ctx, args[1:], stdout, stderr)
	case "version", "--version", "-version":
		fmt.Fprintln(stdout, "peerpress", version())
		return 0
	case "help", "--help", "-h", "-help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "peerpress: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if errors.Is(err, errUsage) {
		return 2
	}
	if err != nil {
		fmt.Fprintln(stderr, "peerpress:", err)
		return 1
	}
	return 0
}

var errUsage = errors.New("usage")

func version() string {
	if Version != "dev" {
		return Version
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				return "dev-" + s.Value[:12]
			}
		}
	}
	return Version
}

// envDefault reads an environment variable with a fallback.
func envDefault(name, fallback string) string {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		return v
	}
	return fallback
}

// envInt reads a whole number from the environment, with a fallback.
func envInt(name string, fallback int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil {
		return n
	}
	return fallback
}

// secretFlag registers a string flag whose value may hold a secret (a
// key, a password inside a URL) and returns a function giving its value
// after parsing: the flag's if given, else the environment variable's.
// The variable is not made the flag's default, as other flags' are,
// because --help prints defaults, and help output ends up in terminals,
// logs and bug reports.
func secretFlag(fs *flag.FlagSet, name, env, usage string) func() string {
	p := fs.String(name, "", usage)
	return func() string {
		given := false
		fs.Visit(func(f *flag.Flag) { given = given || f.Name == name })
		if given {
			return *p
		}
		return envDefault(env, "")
	}
}

// configFlags registers the flags every server-side command shares.
func configFlags(fs *flag.FlagSet, withAddr bool) func() app.Config {
	var addr, metricsAddr, domain, acmeDir, acmeEmail, httpAddr, httpsAddr *string
	metricsToken := func() string { return "" }
	if withAddr {
		addr = fs.String("addr", envDefault("PEERPRESS_ADDR", "127.0.0.1:8080"), "`host:port` to listen on (PEERPRESS_ADDR); with --domain, see --https-addr")
		metricsAddr = fs.String("metrics-addr", envDefault("PEERPRESS_METRICS_ADDR", ""), "serve /metrics (Prometheus) on this `host:port` of its own, such as 127.0.0.1:9100, and not on the site's (PEERPRESS_METRICS_ADDR; default: no metrics unless --metrics-token)")
		metricsToken = secretFlag(fs, "metrics-token", "PEERPRESS_METRICS_TOKEN", "bearer `token` /metrics asks for, on --metrics-addr or on the site's address (PEERPRESS_METRICS_TOKEN)")
		domain = fs.String("domain", envDefault("PEERPRESS_DOMAIN", ""), "serve HTTPS for this `name` without a reverse proxy, with certificates from Let's Encrypt renewed automatically and kept in DATA/acme; needs ports 80 and 443 (PEERPRESS_DOMAIN)")
		acmeEmail = fs.String("acme-email", envDefault("PEERPRESS_ACME_EMAIL", ""), "with --domain, the operator's `address` the certificate authority may write to about expiring certificates (PEERPRESS_ACME_EMAIL)")
		acmeDir = fs.String("acme-directory", envDefault("PEERPRESS_ACME_DIRECTORY", ""), "with --domain, the ACME directory `URL` of another certificate authority than Let's Encrypt (PEERPRESS_ACME_DIRECTORY)")
		httpAddr = fs.String("http-addr", envDefault("PEERPRESS_HTTP_ADDR", ":80"), "with --domain, the `host:port` for plain HTTP: the authority's challenges and a redirect to HTTPS (PEERPRESS_HTTP_ADDR)")
		httpsAddr = fs.String("https-addr", envDefault("PEERPRESS_HTTPS_ADDR", ":443"), "with --domain, the `host:port` for HTTPS (PEERPRESS_HTTPS_ADDR)")
	}
	configFlag(fs)
	data := fs.String("data", envDefault("PEERPRESS_DATA", "./data"), "data `folder`: SQLite database and uploads (PEERPRESS_DATA)")
	database := secretFlag(fs, "database", "PEERPRESS_DATABASE", "database `URL`: sqlite:PATH or postgres://… (PEERPRESS_DATABASE; default: sqlite in the data folder)")
	site := fs.String("site-name", envDefault("PEERPRESS_SITE_NAME", "Peer Voices Network"), "site `name` (PEERPRESS_SITE_NAME)")
	langs := fs.String("languages", envDefault("PEERPRESS_LANGUAGES", "en,ru,fr,es,hi,ar"), "enabled `languages`, default first (PEERPRESS_LANGUAGES)")
	zone := fs.String("timezone", envDefault("PEERPRESS_TIMEZONE", "UTC"), "the site's IANA time `zone` for publish times (PEERPRESS_TIMEZONE)")
	baseURL := fs.String("base-url", envDefault("PEERPRESS_BASE_URL", ""), "the site's public `address`, e.g. https://example.org (PEERPRESS_BASE_URL)")
	siteKey := secretFlag(fs, "site-key", "PEERPRESS_SITE_KEY", "base64 `key` that encrypts personal data; default: the file DATA.site.key beside the data folder (PEERPRESS_SITE_KEY)")
	oldKey := secretFlag(fs, "old-site-key", "PEERPRESS_OLD_SITE_KEY", "base64 `key` being replaced, only to open data while `peerpress keys rotate` moves it; default: DATA.site.key.old beside the data folder, if any (PEERPRESS_OLD_SITE_KEY)")
	smtpURL := secretFlag(fs, "smtp-url", "PEERPRESS_SMTP_URL", "SMTP server, smtp://user:password@host:587; none: mail goes to the admin's outbox (PEERPRESS_SMTP_URL)")
	mailFrom := fs.String("mail-from", envDefault("PEERPRESS_MAIL_FROM", ""), "sender `address` of the site's mail (PEERPRESS_MAIL_FROM)")
	dkimKey := fs.String("dkim-key", envDefault("PEERPRESS_DKIM_KEY", ""), "PEM `file` of the private key (RSA or Ed25519) that DKIM-signs the site's mail for the domain of --mail-from; needs --dkim-selector (PEERPRESS_DKIM_KEY)")
	dkimSelector := fs.String("dkim-selector", envDefault("PEERPRESS_DKIM_SELECTOR", ""), "DKIM `selector`: the key's public half is published at SELECTOR._domainkey.DOMAIN (PEERPRESS_DKIM_SELECTOR)")
	cors := fs.String("cors-origins", envDefault("PEERPRESS_CORS_ORIGINS", ""), "comma-separated `origins` that may read the JSON API from a browser, e.g. https://partner.example (PEERPRESS_CORS_ORIGINS; default none)")
	clientIP := fs.String("client-ip-header", envDefault("PEERPRESS_CLIENT_IP_HEADER", ""), "`header` a trusted reverse proxy sets to the visitor's address, e.g. X-Real-IP, for the public forms' rate limit (held in memory only); default: the connection's address (PEERPRESS_CLIENT_IP_HEADER)")
	onion := fs.String("onion-url", envDefault("PEERPRESS_ONION_URL", ""), "the site's onion service `address`, http://….onion: sent as Onion-Location on live pages and named in the static mirror's notices (PEERPRESS_ONION_URL)")
	mediaAt := fs.String("media", envDefault("PEERPRESS_MEDIA", ""), "where uploads are kept: empty for DATA/media, or an S3-compatible `bucket`, s3://bucket[/prefix]?endpoint=host:port[&region=…][&secure=false], with the credentials in AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (PEERPRESS_MEDIA)")
	mediaRedirect := fs.String("media-redirect", envDefault("PEERPRESS_MEDIA_REDIRECT", ""), "with --media in a bucket that visitors reach at its endpoint's address: answer requests for images and documents with a redirect to an address of the bucket signed for this `long` (1m to 168h; PDFs are still served by peerpress), instead of passing them through (PEERPRESS_MEDIA_REDIRECT; default off)")
	appsAt := fs.String("applications", envDefault("PEERPRESS_APPLICATIONS", ""), "where applicants' files and uploads under way are kept: empty for DATA/applications, a `folder`, or an S3-compatible bucket as for --media, apart from the media's (a bucket or prefix of its own); several instances need a bucket (PEERPRESS_APPLICATIONS)")
	updatesRate := fs.Int("updates-rate", envInt("PEERPRESS_UPDATES_RATE", 10), "members' update `mails` sent per second by all instances together; 0: no limit (PEERPRESS_UPDATES_RATE)")
	cacheMB := fs.Int("page-cache-mb", envInt("PEERPRESS_PAGE_CACHE_MB", -1), "memory for rendered pages in `MB`; 0 turns the cache off (PEERPRESS_PAGE_CACHE_MB; default 48)")
	return func() app.Config {
		c := app.Config{DataDir: *data, DatabaseURL: database(), SiteName: *site, Languages: app.ParseLanguages(*langs), TimeZone: *zone, BaseURL: *baseURL,
			SiteKey: siteKey(), OldSiteKey: oldKey(), Mail: mail.Config{URL: smtpURL(), From: *mailFrom, DKIMKey: *dkimKey, DKIMSelector: *dkimSelector}, UpdatesRate: float64(max(*updatesRate, 0)), PageCacheMB: max(*cacheMB, 0), NoPageCache: *cacheMB == 0,
			CORSOrigins: app.ParseLanguages(*cors), ClientIPHeader: *clientIP, OnionURL: *onion, Media: *mediaAt, MediaRedirect: *mediaRedirect, Applications: *appsAt}
		if addr != nil {
			c.Addr, c.MetricsAddr, c.MetricsToken = *addr, *metricsAddr, metricsToken()
			c.Domain, c.ACMEEmail, c.ACMEDirectory, c.HTTPAddr, c.HTTPSAddr = *domain, *acmeEmail, *acmeDir, *httpAddr, *httpsAddr
			if c.Domain != "" && c.BaseURL == "" {
				c.BaseURL = "https://" + c.Domain
			}
		}
		return c
	}
}

func newFlagSet(name string, stderr io.Writer, help string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: peerpress %s\n\n%s\n\nFlags:\n", name, help)
		fs.PrintDefaults()
	}
	return fs
}

func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(fs.Output(), "peerpress: unexpected argument %q\n", fs.Arg(0))
		return errUsage
	}
	return applyConfigFile(fs)
}

func serve(ctx context.Context, args []string, stdout, stderr io.Writer, withDemo bool) error {
	name, help := "serve", "Serves the site. The database must be migrated (peerpress migrate)."
	if withDemo {
		name, help = "demo", "Migrates the database, fills it with demo content when it is empty, prints an admin login, and serves."
	}
	fs := newFlagSet(name, stderr, help)
	config, mirrorDir := serveSettings(fs)
	cpuProfile := fs.String("cpu-profile", "", "write a CPU profile (pprof) of the whole run to this `file` when the server stops; for measuring, not for production")
	var entries *int
	if withDemo {
		entries = fs.Int("entries", 0, "also generate this many synthetic entries, translated into every enabled language, for benchmarks")
	}
	if err := parse(fs, args); err != nil {
		return err
	}
	if entries != nil && (*entries < 0 || *entries > 10_000_000) {
		fmt.Fprintln(stderr, "peerpress: --entries must be between 0 and 10,000,000")
		return errUsage
	}
	cfg := config()
	d, err := app.Open(ctx, cfg)
	if err != nil {
		return err
	}
	defer d.Close()
	var login *demo.Login
	if withDemo {
		if _, err := d.Migrate(ctx); err != nil {
			return err
		}
		if made, err := app.EnsureSiteKey(cfg); err != nil {
			return err
		} else if made != "" {
			fmt.Fprintf(stdout, "made a site key in %s (beside the data folder, not in it)\n", made)
		}
		if login, err = demo.Load(ctx, d, cfg.Languages); err != nil {
			return err
		}
		if err := demo.SeedReviews(ctx, d, cfg.Languages); err != nil {
			return err
		}
		if err := generate(ctx, d, *entries, cfg.Languages, stdout); err != nil {
			return err
		}
	}
	a, err := app.New(ctx, cfg, d)
	if err != nil {
		return err
	}
	if a.People.Vault.OrgRecipient() == "" {
		slog.Warn("no organisation key: registrants' names and answers are sealed with the site key, which this server holds, " +
			"so whoever takes the server with its key reads them. Make one with `peerpress keys org-init --out FILE` and keep the file off the server")
	}
	if withDemo {
		// The demo tributes' photos are drawn by the server's queue, which
		// stores them through the media pipeline like any upload.
		demo.RegisterPhotos(a.Jobs, a.DB, a.Media)
		demo.RegisterDocuments(a.Jobs, a.DB, a.Media)
	}
	// Links mailed to participants (confirm, manage, withdraw) are built
	// from the base URL; without one, from the Host a request names,
	// which anyone can forge to mail a participant a link to another
	// site. Only the demo, on this machine alone, goes without.
	if cfg.BaseURL == "" && !(withDemo && loopback(cfg.Addr)) {
		return errors.New("set --base-url (PEERPRESS_BASE_URL) to the site's public address, such as https://example.org: " +
			"links mailed to participants are built from it, never from the address a request names")
	}
	var ln, httpLn net.Listener
	if cfg.Domain != "" {
		if ln, err = net.Listen("tcp", cfg.HTTPSAddr); err != nil {
			return fmt.Errorf("--domain serves HTTPS on %s: %w", cfg.HTTPSAddr, err)
		}
		if httpLn, err = net.Listen("tcp", cfg.HTTPAddr); err != nil {
			ln.Close()
			return fmt.Errorf("--domain answers the certificate authority on %s: %w", cfg.HTTPAddr, err)
		}
	} else if ln, err = net.Listen("tcp", cfg.Addr); err != nil {
		return err
	}
	base := "http://" + ln.Addr().String()
	if cfg.Domain != "" {
		base = cfg.BaseURL
	}
	fmt.Fprintf(stdout, "peerpress is serving %s/ (data in %s)\n", base, cfg.DataDir)
	if login != nil {
		fmt.Fprintf(stdout, "admin: %s/admin/  email: %s  password: %s\n", base, login.Email, login.Password)
	}
	if code := a.Setup.Code(); code != "" {
		// The log is the operator's: whoever reads it may make the admin.
		slog.Warn("this site has no administrator yet: make the first one at /setup from this machine, "+
			"or from elsewhere with this one-time code (it works once, through any instance, for 24 hours)", "url", cmp.Or(cfg.BaseURL, base)+"/setup?code="+code)
	}
	if *cpuProfile != "" {
		stopProfile, err := startCPUProfile(*cpuProfile)
		if err != nil {
			return fmt.Errorf("--cpu-profile: %w", err)
		}
		defer stopProfile()
	}
	serveSite := func(ctx context.Context) error {
		if cfg.Domain != "" {
			return a.ServeDomain(ctx, ln, httpLn)
		}
		return a.Serve(ctx, ln)
	}
	if *mirrorDir == "" {
		return serveSite(ctx)
	}
	if cfg.BaseURL == "" {
		return errors.New("--mirror needs --base-url: the mirror's notices lead to the live site")
	}
	mirrorCtx, stopMirror := context.WithCancel(ctx)
	mirrorDone := make(chan struct{})
	go func() {
		defer close(mirrorDone)
		a.KeepMirror(mirrorCtx, *mirrorDir)
	}()
	err = serveSite(ctx)
	stopMirror()
	<-mirrorDone // before the database closes
	return err
}

// loopback reports whether addr (host:port) listens on this machine only.
func loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func migrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("migrate", stderr, "Applies every database migration this peerpress knows that the database lacks.")
	config := configFlags(fs, false)
	if err := parse(fs, args); err != nil {
		return err
	}
	d, err := app.Open(ctx, config())
	if err != nil {
		return err
	}
	defer d.Close()
	n, err := d.Migrate(ctx)
	if err != nil {
		return err
	}
	v, _ := d.SchemaVersion(ctx)
	fmt.Fprintf(stdout, "applied %d migrations; the database is at version %d\n", n, v)
	return nil
}

func user(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "invite" {
		return userInvite(ctx, args[1:], stdout, stderr)
	}
	if len(args) == 0 || args[0] != "add" {
		fmt.Fprintln(stderr, "Usage: peerpress user add --email E --role admin|editor|author|translator|moderator  (password on standard input)")
		fmt.Fprintln(stderr, "       peerpress user invite --email E [--role R] [--name N] [--lang L]")
		return errUsage
	}
	fs := newFlagSet("user add", stderr, "Adds a user. The password (at least 10 characters) is read from the first line of standard input.")
	email := fs.String("email", "", "the user's `email`")
	role := fs.String("role", "author", "`role`: admin, editor, author, translator or moderator")
	name := fs.String("name", "", "display `name`")
	config := configFlags(fs, false)
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	r, err := auth.ParseRole(*role)
	if err != nil {
		return err
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("read password: %w", err)
	}
	password := strings.TrimRight(line, "\r\n")
	d, err := app.Open(ctx, config())
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.CheckSchema(ctx); err != nil {
		return err
	}
	u, err := auth.NewStore(d).CreateUser(ctx, *email, *name, r, password)
	switch {
	case errors.Is(err, auth.ErrInvalidEmail):
		return fmt.Errorf("%q is not a valid email address", *email)
	case errors.Is(err, auth.ErrWeakPassword):
		return errors.New("the password must be at least 10 characters (read from standard input)")
	case errors.Is(err, auth.ErrEmailTaken):
		return fmt.Errorf("a user with email %s already exists", *email)
	case err != nil:
		return err
	}
	fmt.Fprintf(stdout, "added %s (%s), id %d\n", u.Email, u.Role, u.ID)
	return nil
}

// generate tops the demo up to n synthetic entries beyond the demo's own,
// showing progress on a terminal and saying how long it took.
func generate(ctx context.Context, d *db.DB, n int, langs []string, stdout io.Writer) error {
	if n == 0 {
		return nil
	}
	var have int
	if err := d.QueryRowContext(ctx, `SELECT COUNT(*) FROM entries WHERE author_id IS NULL`).Scan(&have); err != nil {
		return err
	}
	if have >= n {
		return nil
	}
	var progress io.Writer
	if f, ok := stdout.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			progress = stdout
		}
	}
	start := time.Now()
	if err := demo.Generate(ctx, d, n-have, langs, progress); err != nil {
		return err
	}
	if err := d.Optimize(ctx); err != nil {
		return err
	}
	took := time.Since(start)
	fmt.Fprintf(stdout, "generated %d entries in %d languages in %s (%.0f entries/s)\n", n-have, len(langs), took.Round(time.Millisecond), float64(n-have)/took.Seconds())
	return nil
}
