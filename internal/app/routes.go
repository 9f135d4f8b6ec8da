package app

import (
	"net/http"
	"strings"

	"peerpress/internal/account"
	"peerpress/internal/api"
	"peerpress/internal/auth"
	"peerpress/internal/content"
	"peerpress/internal/feed"
	"peerpress/internal/i18n"
	"peerpress/internal/mail"
	"peerpress/internal/media"
	"peerpress/internal/settings"
	"peerpress/internal/web"
)

type routeDeps struct {
	rd       *web.Renderer
	assets   *web.Assets
	i18n     *i18n.Bundle
	public   *content.Public
	admin    *content.Admin
	accounts *account.Handlers
	settings *settings.Handlers
	outbox   *mail.OutboxPage
	cache    *web.PageCache
	users    *auth.Store
	media    *media.Store
	feeds    *feed.Handlers
	api      *api.API
	// modules are the feature areas with routes of their own (events,
	// campaigns, letters, search), registered in order.
	modules []module
}

// A module is a feature area that answers URLs of its own. public is the
// site's mux (a module registers its pages for each enabled language);
// admin is the admin mux, behind sign-in and the CSRF check.
type module interface {
	Routes(public, admin *http.ServeMux)
}

// Body limits: forms are small; featured images may be large, attached
// documents larger still (media.DefaultDocLimits, and room for the form
// around the file).
const (
	formLimit     = 2 << 20
	uploadLimit   = 12 << 20
	documentLimit = 52 << 20
)

// routes is the table of every URL peerpress answers.
func routes(d routeDeps) http.Handler {
	mux := http.NewServeMux()
	h := d.rd.Handle

	mux.Handle("GET /static/", d.assets)
	mux.Handle("GET /media/", d.media.Handler())
	mux.HandleFunc("GET /{$}", languageRedirect(d.i18n))
	mux.HandleFunc("GET /lang/{code}", chooseLanguage(d.i18n))

	// Public pages, one set per enabled language, so that an unknown
	// language in the URL is simply a 404.
	for _, l := range d.i18n.Enabled() {
		lang := "/" + l.Code
		mux.Handle("GET "+lang, http.RedirectHandler(lang+"/", http.StatusMovedPermanently))
		mux.Handle("GET "+lang+"/{$}", h(d.public.Home(l.Code)))
		for _, k := range content.Kinds {
			if k == content.Page {
				continue
			}
			base := lang + "/" + k.Segment()
			mux.Handle("GET "+base, h(d.public.KindArchive(l.Code, k)))
			mux.Handle("GET "+base+"/page/{n}", h(d.public.KindArchive(l.Code, k)))
			mux.Handle("GET "+base+"/{slug}", h(d.public.Entry(l.Code, k)))
		}
		mux.Handle("GET "+lang+"/section/{slug}", h(d.public.SectionArchive(l.Code)))
		mux.Handle("GET "+lang+"/section/{slug}/page/{n}", h(d.public.SectionArchive(l.Code)))
		mux.Handle("GET "+lang+"/tag/{slug}", h(d.public.TagArchive(l.Code)))
		mux.Handle("GET "+lang+"/tag/{slug}/page/{n}", h(d.public.TagArchive(l.Code)))
		mux.Handle("GET "+lang+"/{slug}", h(d.public.Entry(l.Code, content.Page)))
	}
	// Reach: feeds, sitemap, API
	mux.Handle("GET /robots.txt", h(d.feeds.Robots))
	mux.Handle("GET /sitemap.xml", h(d.feeds.SitemapIndex))
	mux.Handle("GET /{file}", h(d.feeds.Sitemap(d.public.NotFound()))) // /sitemap-{lang}[-{n}].xml; other files fall back
	for _, l := range d.i18n.Enabled() {
		lang := "/" + l.Code
		for _, f := range feed.Formats {
			mux.Handle("GET "+lang+"/"+f.File, h(d.feeds.Language(l.Code, f)))
			mux.Handle("GET "+lang+"/section/{slug}/"+f.File, h(d.feeds.Section(l.Code, f)))
			for _, k := range content.Kinds {
				if k != content.Page {
					mux.Handle("GET "+lang+"/"+k.Segment()+"/"+f.File, h(d.feeds.Kind(l.Code, k, f)))
				}
			}
		}
		mux.Handle("GET "+lang+"/share/site.png", h(d.public.SiteShareImage(l.Code)))
		mux.Handle("GET "+lang+"/share/{kind}/{file}", h(d.public.ShareImage(l.Code)))        // {slug}.png
		mux.Handle("GET "+lang+"/share/{kind}/{slug}/{network}", h(d.public.ShareTo(l.Code))) // a campaign's share links
	}
	for _, rt := range d.api.Routes() { // the API's own table: internal/api/api.go
		mux.Handle(rt.Method+" "+rt.Path, rt.Handler)
	}
	for _, m := range api.FallbackMethods {
		mux.Handle(m+" /api/", d.api.Fallback())
	}
	mux.Handle("GET /admin/tokens", d.accounts.RequireUser(h(d.accounts.Tokens)))
	mux.Handle("POST /admin/tokens", d.accounts.RequireUser(h(d.accounts.CreateToken)))
	mux.Handle("POST /admin/tokens/{id}/delete", d.accounts.RequireUser(h(d.accounts.RevokeToken)))

	// Anything else: an old address that moved (301), was deleted (410), or 404.
	mux.Handle("GET /", h(d.public.NotFound()))

	// Admin: sign-in is open; everything else needs a user and, for
	// changes, the session's CSRF token.
	mux.Handle("GET /admin/login", h(d.accounts.LoginForm))
	mux.Handle("POST /admin/login", h(d.accounts.Login))
	admin := http.NewServeMux()
	admin.Handle("GET /admin/{$}", http.RedirectHandler("/admin/entries", http.StatusSeeOther))
	admin.Handle("POST /admin/logout", h(d.accounts.Logout))
	admin.Handle("GET /admin/entries", h(d.admin.List))
	admin.Handle("GET /admin/entries/new", h(d.admin.New))
	admin.Handle("POST /admin/entries", h(d.admin.Save))
	admin.Handle("GET /admin/entries/{id}", h(d.admin.Edit))
	admin.Handle("POST /admin/entries/{id}", h(d.admin.Save))
	admin.Handle("GET /admin/entries/{id}/delete", h(d.admin.ConfirmDelete))
	admin.Handle("POST /admin/entries/{id}/delete", h(d.admin.Delete))
	admin.Handle("POST /admin/entries/{id}/image", h(d.admin.UploadImage))
	admin.Handle("POST /admin/entries/{id}/attachments", h(d.admin.UploadAttachment))
	admin.Handle("POST /admin/entries/{id}/attachments/{aid}/delete", h(d.admin.DeleteAttachment))
	admin.Handle("GET /admin/entries/{id}/translations/{lang}", h(d.admin.EditTranslation))
	admin.Handle("POST /admin/entries/{id}/translations/{lang}", h(d.admin.SaveTranslation))
	admin.Handle("GET /admin/entries/{id}/translations/{lang}/revisions", h(d.admin.Revisions))
	admin.Handle("GET /admin/entries/{id}/translations/{lang}/revisions/{rev}", h(d.admin.Revision))
	admin.Handle("POST /admin/entries/{id}/translations/{lang}/revisions/{rev}/restore", h(d.admin.RestoreRevision))
	for _, what := range []string{"sections", "tags", "organisations"} {
		admin.Handle("GET /admin/"+what, h(d.admin.Taxonomy(what)))
		admin.Handle("POST /admin/"+what, h(d.admin.SaveTaxonomy(what)))
	}
	admin.Handle("GET /admin/translations", h(d.admin.TranslationsTodo))
	admin.Handle("GET /admin/settings", h(d.settings.Show))
	admin.Handle("GET /admin/outbox", h(d.outbox.Show))
	admin.Handle("POST /admin/settings", h(d.settings.Save))
	admin.Handle("GET /admin/users", h(d.accounts.Users))
	admin.Handle("POST /admin/users", h(d.accounts.CreateUser))
	admin.Handle("POST /admin/users/{id}", h(d.accounts.UpdateUser))
	for _, m := range d.modules {
		m.Routes(mux, admin)
	}
	admin.Handle("/admin/", h(func(w http.ResponseWriter, r *http.Request) error { return web.NotFound() }))
	guarded := d.accounts.RequireUser(admin)
	mux.Handle("GET /admin/", guarded)
	mux.Handle("POST /admin/", guarded)

	var handler http.Handler = mux
	handler = d.users.LoadSession(handler)
	handler = d.rd.CleanInput(handler)
	handler = d.cache.Middleware(handler)
	handler = formBodyLimit(handler)
	handler = http.NewCrossOriginProtection().Handler(handler)
	handler = web.SecurityHeaders(handler)
	handler = web.LogRequests(handler)
	return web.Recover(handler)
}

// formBodyLimit caps every request body before anything reads it — the
// CSRF check parses forms, uploads included — at formLimit, or at the
// upload routes' own larger caps.
func formBodyLimit(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil {
			r.Body = http.MaxBytesReader(w, r.Body, bodyLimit(r))
		}
		next.ServeHTTP(w, r)
	})
}

// bodyLimit is the largest body the request's route accepts: the upload
// routes /admin/entries/{id}/image and /admin/entries/{id}/attachments
// take files, and so does the public tribute form (…/tributes);
// everything else takes forms.
func bodyLimit(r *http.Request) int64 {
	if r.Method != http.MethodPost {
		return formLimit
	}
	if strings.HasSuffix(r.URL.Path, "/tributes") {
		return uploadLimit
	}
	rest, ok := strings.CutPrefix(r.URL.Path, "/admin/entries/")
	if !ok {
		return formLimit
	}
	switch id, what, _ := strings.Cut(rest, "/"); {
	case id != "" && what == "image":
		return uploadLimit
	case id != "" && what == "attachments":
		return documentLimit
	}
	return formLimit
}

// langCookie remembers a visitor's explicit choice of language. It holds
// the language code and nothing else.
const langCookie = "peerpress_lang"

// languageRedirect sends a visitor at / to the language they chose before,
// or else the one their browser prefers among the enabled ones.
func languageRedirect(b *i18n.Bundle) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Vary", "Accept-Language, Cookie")
		w.Header().Set("Cache-Control", "private, no-store")
		if c, err := r.Cookie(langCookie); err == nil {
			if _, ok := b.Get(c.Value); ok {
				http.Redirect(w, r, "/"+c.Value+"/", http.StatusFound)
				return
			}
		}
		http.Redirect(w, r, "/"+b.Negotiate(r.Header.Get("Accept-Language"))+"/", http.StatusFound)
	}
}

// chooseLanguage serves the language switcher's links, /lang/{code}?next=…:
// it remembers the choice for a year and goes on to next, which must be a
// page in that language.
func chooseLanguage(b *i18n.Bundle) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		code := r.PathValue("code")
		if _, ok := b.Get(code); !ok {
			http.NotFound(w, r)
			return
		}
		next := r.URL.Query().Get("next")
		if !strings.HasPrefix(next, "/"+code+"/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n") {
			next = "/" + code + "/"
		}
		http.SetCookie(w, &http.Cookie{Name: langCookie, Value: code, Path: "/", MaxAge: 365 * 24 * 3600,
			HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil})
		w.Header().Set("Cache-Control", "private, no-store")
		http.Redirect(w, r, next, http.StatusSeeOther)
	}
}
