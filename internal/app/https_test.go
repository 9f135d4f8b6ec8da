package app_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"peerpress/internal/app"
	"peerpress/internal/db/dbtest"
	"peerpress/internal/secret"
)

// With --domain the site serves itself over HTTPS: HTTP/2, HSTS, cookies
// marked Secure, and plain HTTP answering ACME's challenges and sending
// everything else to https:// on the configured name, whatever Host the
// request names. No certificate authority is reachable from a test: the
// certificate is one the ACME cache already holds, as after a first
// issuance, so the wiring is tested end to end over real TLS.
func TestDomainServesHTTPS(t *testing.T) {
	const domain = "site.example"
	d := dbtest.NewSQLite(t)
	cfg := app.Config{DataDir: t.TempDir(), SiteName: "Secure", Languages: []string{"en"}, TimeZone: "UTC", SiteKey: secret.NewKey(),
		Domain: domain, BaseURL: "https://" + domain}
	cert := cacheCertificate(t, app.ACMEDir(cfg), domain)
	a, err := app.New(context.Background(), cfg, d)
	if err != nil {
		t.Fatal(err)
	}
	httpsLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	httpLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- a.ServeDomain(ctx, httpsLn, httpLn) }()
	defer func() {
		stop()
		if err := <-served; err != nil {
			t.Errorf("serve: %v", err)
		}
	}()

	roots := x509.NewCertPool()
	roots.AddCert(cert)
	secure := &http.Client{
		Transport: &http.Transport{
			TLSClientConfig:   &tls.Config{ServerName: domain, RootCAs: roots, MinVersion: tls.VersionTLS12},
			ForceAttemptHTTP2: true,
			DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
				return (&net.Dialer{}).DialContext(ctx, network, httpsLn.Addr().String())
			},
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	r, err := secure.Get("https://" + domain + "/lang/en?next=/en/")
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.Proto != "HTTP/2.0" {
		t.Errorf("protocol %s, want HTTP/2.0", r.Proto)
	}
	if got := r.Header.Get("Strict-Transport-Security"); !strings.HasPrefix(got, "max-age=") {
		t.Errorf("Strict-Transport-Security %q", got)
	}
	if c := r.Header.Get("Set-Cookie"); !strings.Contains(c, "Secure") {
		t.Errorf("cookie over HTTPS not Secure: %q", c)
	}
	if r, err = secure.Get("https://" + domain + "/healthz"); err != nil || r.StatusCode != http.StatusOK {
		t.Fatalf("healthz over HTTPS: %v %v", r, err)
	}
	r.Body.Close()

	plain := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	base := "http://" + httpLn.Addr().String()
	req, _ := http.NewRequest(http.MethodGet, base+"/en/events?page=2", nil)
	req.Host = "elsewhere.example" // a forged Host does not steer the redirect
	if r, err = plain.Do(req); err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != http.StatusMovedPermanently || r.Header.Get("Location") != "https://"+domain+"/en/events?page=2" {
		t.Errorf("plain HTTP GET: %d to %q", r.StatusCode, r.Header.Get("Location"))
	}
	if r, err = plain.Post(base+"/admin/login", "application/x-www-form-urlencoded", strings.NewReader("a=b")); err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != http.StatusPermanentRedirect {
		t.Errorf("plain HTTP POST: %d, want 308 (the form sent again over HTTPS)", r.StatusCode)
	}
	// The certificate authority's challenge path is answered by the
	// manager (an unknown token: not found), not redirected.
	req, _ = http.NewRequest(http.MethodGet, base+"/.well-known/acme-challenge/unknown-token", nil)
	req.Host = domain
	if r, err = plain.Do(req); err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != http.StatusNotFound {
		t.Errorf("ACME challenge path: %d, want 404 for a token it did not ask for", r.StatusCode)
	}
	st, err := os.Stat(app.ACMEDir(cfg))
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o700 {
		t.Errorf("certificates folder mode %v, want 0700", st.Mode().Perm())
	}
}

// --domain takes the site's name alone, and a base URL that is https on it.
func TestDomainChecked(t *testing.T) {
	d := dbtest.NewSQLite(t)
	for _, c := range []struct{ domain, base string }{
		{"https://site.example", ""},
		{"site.example:8443", ""},
		{"192.0.2.1", ""},
		{"site.example", "http://site.example"},
		{"site.example", "https://other.example"},
	} {
		cfg := app.Config{DataDir: t.TempDir(), Languages: []string{"en"}, TimeZone: "UTC", SiteKey: secret.NewKey(), Domain: c.domain, BaseURL: c.base}
		if _, err := app.New(context.Background(), cfg, d); err == nil {
			t.Errorf("domain %q with base %q accepted", c.domain, c.base)
		}
	}
}

// cacheCertificate puts a self-signed certificate for domain in the ACME
// cache folder, as autocert.DirCache stores one it obtained.
func cacheCertificate(t *testing.T, dir, domain string) *x509.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: domain}, DNSNames: []string{domain},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(365 * 24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, BasicConstraintsValid: true, IsCA: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	data := pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})
	data = append(data, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})...)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, domain), data, 0o600); err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

// With --metrics-addr the metrics are served there alone, and the site's
// own address has none.
func TestMetricsOnTheirOwnAddress(t *testing.T) {
	free, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	metricsAddr := free.Addr().String()
	free.Close()
	cfg := app.Config{DataDir: t.TempDir(), SiteName: "Watched", Languages: []string{"en"}, TimeZone: "UTC", SiteKey: secret.NewKey(), MetricsAddr: metricsAddr}
	a, err := app.New(context.Background(), cfg, dbtest.NewSQLite(t))
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- a.Serve(ctx, ln) }()
	defer func() { stop(); <-served }()
	get := func(url string) (int, string) {
		t.Helper()
		for i := 0; ; i++ {
			r, err := http.Get(url)
			if err != nil {
				if i < 50 {
					time.Sleep(20 * time.Millisecond) // the metrics server starting
					continue
				}
				t.Fatal(err)
			}
			defer r.Body.Close()
			var b strings.Builder
			if _, err := io.Copy(&b, r.Body); err != nil {
				t.Fatal(err)
			}
			return r.StatusCode, b.String()
		}
	}
	site := "http://" + ln.Addr().String()
	if code, _ := get(site + "/healthz"); code != http.StatusOK {
		t.Fatalf("healthz %d", code)
	}
	if code, _ := get(site + "/metrics"); code != http.StatusNotFound {
		t.Errorf("the site's own /metrics: %d, want 404", code)
	}
	code, body := get("http://" + metricsAddr + "/metrics")
	if code != http.StatusOK || !strings.Contains(body, `peerpress_http_requests_total{code="200",route="GET /healthz"} 1`) {
		t.Errorf("metrics address: %d\n%.2000s", code, body)
	}
}

// Under systemd the site key can be a credential (LoadCredential=site-key:…):
// peerpress reads it from $CREDENTIALS_DIRECTORY when no key is given, and
// a backup carries that key.
func TestSiteKeyFromSystemdCredential(t *testing.T) {
	creds := t.TempDir()
	key := secret.NewKey()
	if err := os.WriteFile(filepath.Join(creds, app.CredentialName), []byte(key+"\n"), 0o400); err != nil {
		t.Fatal(err)
	}
	cfg := app.Config{DataDir: t.TempDir(), Languages: []string{"en"}, TimeZone: "UTC"}
	d := dbtest.NewSQLite(t)
	if _, err := app.New(context.Background(), cfg, d); !errors.Is(err, app.ErrNoSiteKey) {
		t.Fatalf("no key anywhere: %v, want ErrNoSiteKey", err)
	}
	t.Setenv("CREDENTIALS_DIRECTORY", creds)
	if _, err := app.New(context.Background(), cfg, d); err != nil {
		t.Fatalf("key from the credential: %v", err)
	}
	if got, err := app.SiteKeyText(cfg); err != nil || got != key {
		t.Errorf("the backup's key %q, %v; want the credential's", got, err)
	}
	if made, err := app.EnsureSiteKey(cfg); err != nil || made != "" {
		t.Errorf("EnsureSiteKey made %q (%v) beside a credential", made, err)
	}
}

// A bucket that starts answering errors makes the instance unready, with
// a reason that names no address or key, and ready again when it
// recovers; a missing probe object is the bucket answering.
func TestReadinessFollowsTheBucket(t *testing.T) {
	var failing atomic.Bool
	store := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case failing.Load():
			w.Header().Set("Content-Type", "application/xml")
			w.WriteHeader(http.StatusForbidden)
			io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>`)
		case r.URL.Path == "/bucket" || r.URL.Path == "/bucket/": // the bucket exists
			w.WriteHeader(http.StatusOK)
		default: // no such object
			w.Header().Set("Content-Type", "application/xml")
			w.WriteHeader(http.StatusNotFound)
			if r.Method != http.MethodHead {
				io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>`)
			}
		}
	}))
	defer store.Close()
	t.Setenv("AWS_ACCESS_KEY_ID", "test-access")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test-secret")
	host := strings.TrimPrefix(store.URL, "http://")
	cfg := app.Config{DataDir: t.TempDir(), Languages: []string{"en"}, TimeZone: "UTC", SiteKey: secret.NewKey(),
		Media: "s3://bucket?endpoint=" + host + "&secure=false&region=us-east-1"}
	a, err := app.New(context.Background(), cfg, dbtest.NewSQLite(t))
	if err != nil {
		t.Fatal(err)
	}
	site := httptest.NewServer(a.Handler)
	defer site.Close()
	readyz := func() (int, string) {
		r, err := http.Get(site.URL + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		defer r.Body.Close()
		b, _ := io.ReadAll(r.Body)
		return r.StatusCode, string(b)
	}
	if code, body := readyz(); code != http.StatusOK {
		t.Fatalf("a bucket that answers: %d %q", code, body)
	}
	failing.Store(true)
	code, body := readyz()
	if code != http.StatusServiceUnavailable || body != "not ready: media storage unreachable\n" {
		t.Errorf("a bucket that refuses: %d %q", code, body)
	}
	failing.Store(false)
	if code, body := readyz(); code != http.StatusOK {
		t.Errorf("the bucket back: %d %q", code, body)
	}
}
