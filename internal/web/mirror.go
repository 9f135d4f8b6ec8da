package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"peerpress/internal/i18n"
)

// Mirror says a request renders a page for the static mirror (package
// mirror), not for a visitor of the live site: templates replace what
// needs the server (forms, the way to a registration) by a notice
// leading to the live site, and the page cache keeps none of it.
type Mirror struct {
	// Live is the live site's address (the base URL), without a slash at
	// the end; Onion its onion service's, or "".
	Live, Onion string
	// EntryCards keeps each entry's own sharing image, drawn with its
	// title; without it, entries without a featured image share the
	// site's. Drawing one costs the CPU of dozens of pages (BENCHMARKS.md).
	EntryCards bool
}

type mirrorKey struct{}

// WithMirror marks ctx as rendering for the mirror m.
func WithMirror(ctx context.Context, m *Mirror) context.Context {
	return context.WithValue(ctx, mirrorKey{}, m)
}

// MirrorOf is the mirror r renders for, or nil on the live site.
func MirrorOf(r *http.Request) *Mirror {
	m, _ := r.Context().Value(mirrorKey{}).(*Mirror)
	return m
}

// MirrorNotice is what a mirrored page shows in place of a form: where
// to go to do what the form did. Templates render it with the
// "mirror_notice" template of the layout.
type MirrorNotice struct {
	L *i18n.Localizer
	// Live and Onion are the addresses of the form's page on the live
	// site and on its onion service ("" without one).
	Live, Onion string
}

// Notice is the notice for the form at path (a site path such as
// /en/events/register/x) in the language of l; nil for a nil mirror, so
// that templates write {{with .Mirror}}notice{{else}}form{{end}}.
func (m *Mirror) Notice(l *i18n.Localizer, path string) *MirrorNotice {
	if m == nil {
		return nil
	}
	n := &MirrorNotice{L: l, Live: m.Live + path}
	if m.Onion != "" {
		n.Onion = m.Onion + path
	}
	return n
}

// CheckOnionURL checks an onion service's address: http(s)://….onion
// with nothing after the host. It is returned without a trailing slash.
func CheckOnionURL(raw string) (string, error) {
	if raw == "" {
		return "", nil
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || !strings.HasSuffix(u.Hostname(), ".onion") ||
		(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", fmt.Errorf("onion URL %q: want http://….onion, the onion service's address", raw)
	}
	return u.Scheme + "://" + u.Host, nil
}

// OnionLocation tells Tor Browser that the same page is served by the
// onion service at onion (Onion-Location, as Tor documents it): its
// users are offered the onion address, which no block of the site's
// name or address reaches.
func OnionLocation(onion string, next http.Handler) http.Handler {
	if onion == "" {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Onion-Location", onion+r.URL.RequestURI())
		next.ServeHTTP(w, r)
	})
}
