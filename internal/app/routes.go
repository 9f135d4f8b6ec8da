package app

import (
	"context"
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
	"peerpress/internal/metrics"
	"peerpress/internal/moderation"
	"peerpress/internal/participant"
	"peerpress/internal/settings"
	"peerpress/internal/web"
)

type routeDeps struct {
	rd       *web.Renderer
	assets   *web.Assets
	i18n     func() *i18n.Bundle
	public   *content.Public
	admin    *content.Admin
	accounts *account.Handlers
	settings *settings.Handlers
	outbox   *mail.OutboxPage
	// moderation is the moderators' dashboard, of every module's queue.
	moderation *moderation.Handlers
	cache      *web.PageCache
	users      *auth.Store
	media      *media.Store
	feeds      *feed.Handlers
	api        *api.API
	// modules are the feature areas with routes of their own (events,
	// campaigns, letters, search), registered in order.
	modules []namedPages
	// keyring holds the organisation key staff sessions unlocked.
	keyring *participant.Keyring
	// onion is the site's onion service, announced on every answer.
	onion string
	// metrics count every request; /metrics serves them with the token,
	// unless they have an address of their own (metricsElsewhere).
	metrics          *metrics.Metrics
	metricsToken     string
	metricsElsewhere bool
	// ready says why the site cannot serve (/readyz).
	ready func(context.Context) error
	// setup is the first-run page's one-time code.
	setup          *account.SetupCode
	clientIPHeader string
	// renders is how many cacheable pages are rendered at once
	// (web.Server.Renders); 0 for no bound.
	renders int
}

// routeTable declares every URL peerpress answers; `peerpress routes`
// prints it. Each area declares its own routes (their Routes methods);
// the platform's are here.
func routeTable(d routeDeps) *web.Routes {
	rs := web.NewRoutes(d.rd.Handle)

	site := rs.Module("site")
	site.Handle("GET /static/", d.assets, web.FileCache)
	site.Handle("GET /media/", d.media.Handler(), web.FileCache)
	site.Handle("GET /{$}", movedQuery(d.public, languageRedirect(d.i18n)))
	site.Handle("GET /lang/{code}", chooseLanguage(d.i18n))
	// For load balancers and monitoring: alive, ready to serve, counts.
	site.Site("GET /healthz", healthz)
	site.Site("GET /readyz", readyz(d.ready))
	metricsHere := d.metricsToken
	if d.metricsElsewhere {
		metricsHere = ""
	}
	site.Handle("GET /metrics", metricsRoute(d.metrics, metricsHere))
	// The admin's front door: with or without the slash, the entry list
	// (or the sign-in form first).
	site.Admin("GET /admin", redirectTo("/admin/entries"))
	site.Admin("GET /admin/{$}", redirectTo("/admin/entries"))
	// Anything else under /admin: a 404 behind sign-in, so the admin's
	// addresses are not told to strangers.
	site.Admin("GET /admin/", notFound)
	site.Admin("POST /admin/", notFound)

	d.public.Routes(rs.Module("content"))
	d.admin.Routes(rs.Module("content"))
	d.feeds.Routes(rs.Module("feed"), d.public.NotFound())
	d.accounts.Routes(rs.Module("account"))
	d.accounts.NewSetup(d.setup, d.clientIPHeader).Routes(rs.Module("account"))
	d.settings.Routes(rs.Module("settings"))
	d.outbox.Routes(rs.Module("mail"))
	d.moderation.Routes(rs.Module("moderation"))

	apiRoutes := rs.Module("api")
	for _, rt := range d.api.Routes() { // the API's own table: internal/api/api.go
		apiRoutes.Handle(rt.Method+" "+rt.Path, rt.Handler, web.OwnCache)
	}
	for _, m := range api.FallbackMethods {
		apiRoutes.Handle(m+" /api/", d.api.Fallback(), web.OwnCache)
	}
	for _, m := range d.modules {
		m.Routes(rs.Module(m.name))
	}
	return rs
}

// routes builds the site's handler from the route table: the table's
// handler (languages, policies), behind the middleware every request
// passes.
func routes(d routeDeps, rs *web.Routes) http.Handler {
	var renders chan struct{}
	if d.renders > 0 {
		renders = make(chan struct{}, d.renders)
	}
	handler := rs.Handler(web.Server{Languages: d.i18n, Cache: d.cache, Render: d.rd, Renders: renders})
	handler = unlockedSessions(d.keyring, handler)
	handler = d.users.LoadSession(handler)
	handler = http.NewCrossOriginProtection().Handler(handler)
	handler = web.SecurityHeaders(handler)
	handler = web.OnionLocation(d.onion, handler)
	handler = web.Recover(handler)
	var obs web.RequestObserver
	if d.metrics != nil {
		obs = d.metrics
	}
	return web.ObserveRequests(obs, handler)
}

// unlockedSessions gives the admin pages of a staff session that unlocked
// the organisation key the identity to open staff data with
// (participant.OpenFor); public pages never have it. Signing out forgets
// the key at once, rather than at the idle timeout.
func unlockedSessions(keys *participant.Keyring, next http.Handler) http.Handler {
	if keys == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sess, ok := auth.SessionFrom(r.Context())
		if !ok || !strings.HasPrefix(r.URL.Path, "/admin/") {
			next.ServeHTTP(w, r)
			return
		}
		if r.Method == http.MethodPost && r.URL.Path == "/admin/logout" {
			keys.Lock(sess.CSRFToken)
		} else if id, ok := keys.Identity(sess.CSRFToken); ok {
			r = r.WithContext(participant.Unlocked(r.Context(), id))
		}
		next.ServeHTTP(w, r)
	})
}

func redirectTo(path string) web.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		http.Redirect(w, r, path, http.StatusSeeOther)
		return nil
	}
}

func notFound(http.ResponseWriter, *http.Request) error { return web.NotFound() }

// langCookie remembers a visitor's explicit choice of language. It holds
// the language code and nothing else.
const langCookie = "peerpress_lang"

// languageRedirect sends a visitor at / to the language they chose before,
// or else the one their browser prefers among the enabled ones.
func languageRedirect(langs func() *i18n.Bundle) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		b := langs()
		w.Header().Add("Vary", "Accept-Language, Cookie")
		w.Header().Set("Cache-Control", "private, no-store")
		if c, err := r.Cookie(langCookie); err == nil {
			if _, ok := b.Get(c.Value); ok {
				http.Redirect(w, r, "/"+c.Value+"/", http.StatusFound) // #nosec G710 -- a path of this site: a language the bundle knows
				return
			}
		}
		http.Redirect(w, r, "/"+b.Negotiate(r.Header.Get("Accept-Language"))+"/", http.StatusFound) // #nosec G710 -- a path of this site: a language the bundle negotiated
	}
}

// movedQuery answers an imported site's query addresses at the root
// (/?p=12, /?page_id=3) with a 301 to where they lead now; anything else
// goes on to next.
func movedQuery(p *content.Public, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if to, ok := p.MovedQuery(r); ok {
			w.Header().Set("Cache-Control", "private, no-store")
			http.Redirect(w, r, to, http.StatusMovedPermanently) // #nosec G710 -- an old address recorded by an import, mapped to a path of this site
			return
		}
		next.ServeHTTP(w, r)
	})
}

// chooseLanguage serves the language switcher's links, /lang/{code}?next=…:
// it remembers the choice for a year and goes on to next, which must be a
// page in that language.
func chooseLanguage(langs func() *i18n.Bundle) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		b := langs()
		code := r.PathValue("code")
		if _, ok := b.Get(code); !ok {
			http.NotFound(w, r)
			return
		}
		next := r.URL.Query().Get("next")
		if !strings.HasPrefix(next, "/"+code+"/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n") {
			next = "/" + code + "/"
		}
		http.SetCookie(w, &http.Cookie{Name: langCookie, Value: code, Path: "/", MaxAge: 365 * 24 * 3600, // #nosec G124 -- Secure whenever the request came over HTTPS; the cookie holds only a language code
			HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: auth.OverHTTPS(r)})
		w.Header().Set("Cache-Control", "private, no-store")
		http.Redirect(w, r, next, http.StatusSeeOther) // #nosec G710 -- next is checked above to start with /{lang}/ and not to be //, \ or a header break
	}
}
