package app

import (
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/crypto/acme"
	"golang.org/x/crypto/acme/autocert"
)

// ACMEDir is the folder of the site's certificates and ACME account key
// with --domain: in the data folder, readable by its owner alone.
func ACMEDir(cfg Config) string { return filepath.Join(cfg.DataDir, "acme") }

// hstsMaxAge is how long browsers keep to HTTPS once they saw it: two
// years, as the preload list asks; without includeSubDomains, which is
// the operator's call for names this program does not serve.
const hstsMaxAge = "max-age=63072000"

// checkDomain checks --domain: a DNS name, and the base URL (if given)
// https:// on that name.
func checkDomain(domain, baseURL string) error {
	if domain == "" {
		return nil
	}
	if strings.ContainsAny(domain, ":/ ") || !strings.Contains(domain, ".") || net.ParseIP(domain) != nil {
		return fmt.Errorf("app: domain %q: want the site's name alone, such as example.org (no scheme, port or path; not an IP address)", domain)
	}
	if baseURL != "" {
		u, err := url.Parse(baseURL)
		if err != nil || u.Scheme != "https" || u.Hostname() != domain || u.Port() != "" {
			return fmt.Errorf("app: with --domain %s the base URL must be https://%s (it is %s); leave it out to have it so", domain, domain, baseURL)
		}
	}
	return nil
}

// certManager obtains and renews the domain's certificates through ACME,
// keeping them in ACMEDir.
func (a *App) certManager() (*autocert.Manager, error) {
	dir := ACMEDir(a.Config)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("app: certificates folder: %w", err)
	}
	if err := os.Chmod(dir, 0o700); err != nil { // #nosec G302 -- a folder, its owner's alone (an older one, made wider by hand)
		return nil, fmt.Errorf("app: certificates folder: %w", err)
	}
	m := &autocert.Manager{
		Prompt:     autocert.AcceptTOS,
		Cache:      autocert.DirCache(dir),
		HostPolicy: autocert.HostWhitelist(a.Config.Domain),
		Email:      a.Config.ACMEEmail,
	}
	if a.Config.ACMEDirectory != "" {
		m.Client = &acme.Client{DirectoryURL: a.Config.ACMEDirectory}
	}
	return m, nil
}

// TLSConfig is the HTTPS server's: certificates from m, HTTP/2 offered,
// TLS 1.2 at least.
func TLSConfig(m *autocert.Manager) *tls.Config {
	c := m.TLSConfig()
	c.MinVersion = tls.VersionTLS12
	return c
}

// hsts tells browsers to come back over HTTPS only.
func hsts(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Strict-Transport-Security", hstsMaxAge)
		next.ServeHTTP(w, r)
	})
}

// RedirectToHTTPS answers plain HTTP with a permanent redirect to the same
// path on https://domain: the configured name, never the Host a request
// names, so the redirect cannot be pointed elsewhere.
func RedirectToHTTPS(domain string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "private, no-store")
		target := "https://" + domain + r.URL.RequestURI()
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			http.Redirect(w, r, target, http.StatusMovedPermanently) // #nosec G710 -- the configured domain, with the request's own path
			return
		}
		// A form posted over plain HTTP: sent again over HTTPS, not lost
		// to a GET.
		http.Redirect(w, r, target, http.StatusPermanentRedirect) // #nosec G710 -- the configured domain, with the request's own path
	})
}

// HTTPSHandlers are what --domain serves: the site over HTTPS, with HSTS,
// and plain HTTP, which answers the ACME HTTP-01 challenges and sends
// everything else to HTTPS.
func (a *App) HTTPSHandlers(m *autocert.Manager) (https, plain http.Handler) {
	return hsts(a.Handler), m.HTTPHandler(RedirectToHTTPS(a.Config.Domain))
}

// ServeDomain serves the site over HTTPS on httpsLn and plain HTTP on
// httpLn (the ACME challenges and a redirect), obtaining and renewing the
// certificate of Config.Domain, until ctx ends (see Serve).
func (a *App) ServeDomain(ctx context.Context, httpsLn, httpLn net.Listener) error {
	m, err := a.certManager()
	if err != nil {
		return err
	}
	secure, plain := a.HTTPSHandlers(m)
	srv := a.newServer(secure)
	srv.TLSConfig = TLSConfig(m)
	redirect := &http.Server{Handler: plain, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: 30 * time.Second,
		IdleTimeout: time.Minute, MaxHeaderBytes: 64 << 10, ErrorLog: slog.NewLogLogger(slog.Default().Handler(), slog.LevelWarn)}
	return a.serve(ctx, srv, func() error { return srv.ServeTLS(httpsLn, "", "") }, redirect, httpLn)
}
