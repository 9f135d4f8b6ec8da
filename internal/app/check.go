package app

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"peerpress/internal/i18n"
	"peerpress/internal/mail"
	"peerpress/internal/media"
	"peerpress/internal/secret"
	"peerpress/internal/web"
)

// CheckConfig says, in plain words, what is wrong with cfg for serving a
// public site: each problem a sentence that names the setting and what
// to do. It opens nothing and reaches no server.
func CheckConfig(cfg Config) []string {
	var out []string
	say := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	if cfg.BaseURL == "" {
		say("base-url is not set: the public forms (registrations, signatures, tributes, applications) mail people links to confirm and to withdraw, and those are built from it. Set it to the address visitors use, such as https://example.org")
	} else if _, err := parseBaseURL(cfg.BaseURL); err != nil {
		say("base-url %q is not an address visitors can use: write it as https://example.org, with no query or fragment", cfg.BaseURL)
	} else if u, _ := url.Parse(cfg.BaseURL); u.Scheme == "http" && !loopbackHost(u.Hostname()) && !strings.HasSuffix(u.Hostname(), ".onion") {
		say("base-url %q is plain http: passwords, sessions and what participants send would cross the network unencrypted. Use https:// (behind a proxy that holds the certificate, or with domain)", cfg.BaseURL)
	}
	if err := checkDomain(cfg.Domain, cfg.BaseURL); err != nil {
		say("%s", strings.TrimPrefix(err.Error(), "app: "))
	}
	if _, err := web.CheckOnionURL(cfg.OnionURL); err != nil {
		say("onion-url: %s", err)
	}
	if err := checkOrigins(cfg.CORSOrigins); err != nil {
		say("cors-origins: %s", strings.TrimPrefix(err.Error(), "app: "))
	}
	if _, err := time.LoadLocation(cfg.TimeZone); err != nil || cfg.TimeZone == "" {
		say("timezone %q is not an IANA time zone name, such as Europe/Lisbon or UTC", cfg.TimeZone)
	}
	if len(cfg.Languages) == 0 {
		say("languages is empty: name at least one, the default first, such as en,fr")
	}
	seen := map[string]bool{}
	for _, l := range cfg.Languages {
		if _, ok := i18n.Lookup(l); !ok {
			var codes []string
			for _, a := range i18n.Available() {
				codes = append(codes, a.Code)
			}
			say("languages: %q is not a language peerpress speaks; it has %s", l, strings.Join(codes, ", "))
		}
		if seen[l] {
			say("languages: %q is named twice", l)
		}
		seen[l] = true
	}
	if u := cfg.DatabaseURL; u != "" && !strings.HasPrefix(u, "sqlite:") && !strings.HasPrefix(u, "postgres://") && !strings.HasPrefix(u, "postgresql://") {
		say("database must be sqlite:PATH or postgres://user@host/name; it starts %q", before(u, ":"))
	}
	if cfg.Media != "" {
		if _, err := media.ParseS3URL(cfg.Media); err != nil {
			say("media: %s", strings.TrimPrefix(err.Error(), "media: "))
		}
	}
	if err := mail.CheckURL(cfg.Mail.URL); err != nil {
		say("smtp-url: %s", strings.TrimPrefix(err.Error(), "mail: "))
	} else if cfg.Mail.URL == "" {
		say("smtp-url is not set: mail to participants and staff waits in the admin's outbox, and nobody receives it. Set it to your mail server, smtp://user:password@host:587")
	} else if cfg.Mail.From == "" {
		say("mail-from is not set: mail would leave as peerpress@localhost, which mail servers refuse. Set it to an address of your domain")
	}
	if cfg.SiteKey != "" {
		if _, err := secret.Open(cfg.SiteKey); err != nil {
			say("site-key is not a key peerpress made: make one with `peerpress keygen`")
		}
	}
	if cfg.DataDir != "" {
		if _, err := os.Stat(filepath.Join(cfg.DataDir, SiteKeyFile)); err == nil {
			say("the site key is inside the data folder (%s): whoever copies the folder, a backup included, gets the key with the data it protects. Move it beside the folder, to %s", filepath.Join(cfg.DataDir, SiteKeyFile), SiteKeyPath(cfg.DataDir))
		} else if !errors.Is(err, os.ErrNotExist) {
			say("the data folder %s cannot be read: %v", cfg.DataDir, err)
		}
	}
	if cfg.MetricsAddr != "" {
		host, _, err := net.SplitHostPort(cfg.MetricsAddr)
		if err != nil {
			say("metrics-addr %q is not host:port, such as 127.0.0.1:9100", cfg.MetricsAddr)
		} else if !loopbackHost(host) && cfg.MetricsToken == "" {
			say("metrics-addr %s is reachable from other machines and has no metrics-token: anyone there reads the site's traffic. Listen on 127.0.0.1 or set a token", cfg.MetricsAddr)
		}
	}
	if cfg.MetricsToken != "" && len(cfg.MetricsToken) < 16 {
		say("metrics-token is shorter than 16 characters: make a long random one, such as the output of `peerpress keygen`")
	}
	if cfg.PageCacheMB < 0 {
		say("page-cache-mb cannot be negative; 0 turns the cache off")
	}
	return out
}

func loopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func before(s, sep string) string {
	b, _, _ := strings.Cut(s, sep)
	if len(b) > 20 {
		b = b[:20]
	}
	return b
}
