package web

import (
	"net/http"
	"sync"

	"peerpress/internal/auth"
	"peerpress/internal/i18n"
)

// adminBundles holds, per site default language, a bundle of every
// catalog peerpress has: the admin speaks any of them, whichever the
// site publishes in.
var adminBundles sync.Map // default code → *i18n.Bundle

// AdminLanguages are the languages the admin can be read in: every
// catalog that exists.
func AdminLanguages() []i18n.Language { return i18n.Available() }

// adminBundle is the bundle of every catalog, the site's default first
// (what an unmatched browser gets).
func (rd *Renderer) adminBundle() *i18n.Bundle {
	def := rd.I18n().Default().Code
	if b, ok := adminBundles.Load(def); ok {
		return b.(*i18n.Bundle)
	}
	codes := []string{def}
	for _, l := range i18n.Available() {
		if l.Code != def {
			codes = append(codes, l.Code)
		}
	}
	b, err := i18n.New(codes)
	if err != nil { // every code comes from the catalogs themselves
		return rd.I18n()
	}
	actual, _ := adminBundles.LoadOrStore(def, b)
	return actual.(*i18n.Bundle)
}

// AdminLocalizer is the localizer of the admin for this request: the
// signed-in user's chosen language, else their browser's among the
// catalogs that exist, else the site's default. Every admin page and
// the admin's messages go through it, so this is the one place that
// decides the admin's language.
func (rd *Renderer) AdminLocalizer(r *http.Request) *i18n.Localizer {
	b := rd.adminBundle()
	if u, ok := auth.UserFrom(r.Context()); ok && u.Lang != "" {
		if _, ok := b.Get(u.Lang); ok {
			return b.Localizer(u.Lang)
		}
	}
	return b.Localizer(b.Negotiate(r.Header.Get("Accept-Language")))
}

// AdminPage returns the data every admin page carries, in the admin's
// language for this request (AdminLocalizer).
func (rd *Renderer) AdminPage(r *http.Request) Page {
	return rd.page(r, rd.AdminLocalizer(r))
}
