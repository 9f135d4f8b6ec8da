package web

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"text/tabwriter"

	"peerpress/internal/auth"
	"peerpress/internal/i18n"
)

// Routes is the route table: every URL peerpress answers, each with its
// policy. Patterns are written once, without the language: a page declared
// as "GET /events/upcoming" is served at /{lang}/events/upcoming for every
// enabled language, so grep finds each URL where it is declared.
//
// The policy is safe by default: a route is kept by no cache unless it
// says Cached, takes a form-sized body unless it says Body, and an admin
// route needs a signed-in user (and the session's CSRF token for changes)
// before its handler runs.
type Routes struct {
	adapt  func(HandlerFunc) http.Handler
	module string
	table  *[]Route
}

// Route is one entry of the table.
type Route struct {
	Method string
	// Path is the pattern after the language: "/events/upcoming", or the
	// whole path for routes that are not Localized.
	Path      string
	Localized bool
	Policy    Policy
	// Module names the area that declared the route.
	Module  string
	Handler http.Handler
}

// Pattern is the route's full ServeMux pattern, with {lang} for localized
// routes.
func (rt Route) Pattern() string {
	if rt.Localized {
		return rt.Method + " /{lang}" + rt.Path
	}
	return rt.Method + " " + rt.Path
}

// Caching says who may keep a route's answers.
type Caching int

const (
	// NoStore: nobody. The default: forms with single-use challenges,
	// pages reached by private links, anything personal.
	NoStore Caching = iota
	// Cached: the answer is the same for every visitor, so the page cache
	// keeps it (until the next write) and browsers revalidate it.
	Cached
	// OwnCaching: the handler sets its own caching headers and the page
	// cache stays out (fingerprinted assets, media files, the API).
	OwnCaching
	// Files: the site's own files, the same for everyone (fingerprinted
	// assets, media): the handler sets its own caching headers, the page
	// cache stays out, and the static mirror copies them.
	Files
)

// Mirrored says whether the static mirror may copy the route's answers:
// a public GET page the page cache may keep, or the site's files.
// Nothing private, signed-in or uncached is ever exported.
func (rt Route) Mirrored() bool {
	p := rt.Policy
	return rt.Method == http.MethodGet && p.Need == "" && !p.PrivateLink && (p.Cache == Cached || p.Cache == Files)
}

func (c Caching) String() string {
	switch c {
	case Cached:
		return "cached"
	case OwnCaching:
		return "own"
	case Files:
		return "files"
	}
	return "no-store"
}

// Policy is how the table serves a route.
type Policy struct {
	Cache Caching
	// Body is the largest request body the route reads; 0 means
	// DefaultBodyLimit.
	Body int64
	// Need is the capability the signed-in user must have; "" for routes
	// anyone may call.
	Need auth.Capability
	// PrivateLink marks URLs that carry a secret (a manage or withdrawal
	// token): the path is never logged and never sent on as a referrer.
	PrivateLink bool
	// Gzip compresses answers on the fly.
	Gzip bool
}

// DefaultBodyLimit bounds the body of every route that does not take
// uploads: forms are small.
const DefaultBodyLimit = 2 << 20

// Option sets part of a route's policy.
type Option func(*Policy)

// The options routes are declared with.
var (
	// Cache lets the page cache keep the route's answers.
	Cache Option = func(p *Policy) { p.Cache = Cached }
	// OwnCache leaves caching headers to the handler and keeps the page
	// cache out.
	OwnCache Option = func(p *Policy) { p.Cache = OwnCaching }
	// FileCache declares the site's own files (see Files).
	FileCache Option = func(p *Policy) { p.Cache = Files }
	// Private marks a route whose URL holds a secret.
	Private Option = func(p *Policy) { p.PrivateLink = true }
	// Compress gzips the answers of a page the page cache does not keep
	// (it compresses what it keeps).
	Compress Option = func(p *Policy) { p.Gzip = true }
)

// Body lets the route read a body of up to n bytes (uploads).
func Body(n int64) Option { return func(p *Policy) { p.Body = n } }

// Need asks for a signed-in user with capability c.
func Need(c auth.Capability) Option { return func(p *Policy) { p.Need = c } }

// NewRoutes starts an empty table whose HandlerFuncs are adapted by adapt
// (the Renderer's Handle, which turns errors into pages).
func NewRoutes(adapt func(HandlerFunc) http.Handler) *Routes {
	return &Routes{adapt: adapt, table: new([]Route)}
}

// Module returns the same table, with the routes declared through it
// marked as the named area's.
func (rs *Routes) Module(name string) *Routes {
	return &Routes{adapt: rs.adapt, module: name, table: rs.table}
}

// Page declares a public page in every enabled language: pattern is
// "METHOD /path" without the language.
func (rs *Routes) Page(pattern string, h HandlerFunc, opts ...Option) {
	rs.add(pattern, true, rs.adapt(h), opts)
}

// Site declares a public route outside the languages (robots.txt, the
// sitemap).
func (rs *Routes) Site(pattern string, h HandlerFunc, opts ...Option) {
	rs.add(pattern, false, rs.adapt(h), opts)
}

// Admin declares a staff route: it needs a signed-in user, with the
// capability given by Need (any role otherwise), and the session's CSRF
// token on every change.
func (rs *Routes) Admin(pattern string, h HandlerFunc, opts ...Option) {
	rs.add(pattern, false, rs.adapt(h), append([]Option{Need(auth.SignedIn)}, opts...))
}

// Handle declares a route served by a plain http.Handler, outside the
// languages (static files, media, the API).
func (rs *Routes) Handle(pattern string, h http.Handler, opts ...Option) {
	rs.add(pattern, false, h, opts)
}

func (rs *Routes) add(pattern string, localized bool, h http.Handler, opts []Option) {
	method, path, ok := strings.Cut(pattern, " ")
	if !ok || method == "" || (path != "" && !strings.HasPrefix(path, "/")) || (!localized && path == "") {
		panic(fmt.Sprintf("web: route %q: want \"METHOD /path\"", pattern))
	}
	rt := Route{Method: method, Path: path, Localized: localized, Module: rs.module, Handler: h}
	for _, o := range opts {
		o(&rt.Policy)
	}
	if rt.Policy.PrivateLink && rt.Policy.Cache == Cached || rt.Policy.Need != "" && rt.Policy.Cache == Cached {
		// A page behind a token or a sign-in is one person's: a cache
		// would hand it to the next visitor.
		panic(fmt.Sprintf("web: route %q: a private or signed-in page cannot be cached", pattern))
	}
	*rs.table = append(*rs.table, rt)
}

// Table lists the declared routes, sorted by path then method, for
// `peerpress routes` and its golden test.
func (rs *Routes) Table() []Route {
	out := slices.Clone(*rs.table)
	slices.SortStableFunc(out, func(a, b Route) int {
		return cmp.Or(cmp.Compare(a.Pattern()[len(a.Method):], b.Pattern()[len(b.Method):]), cmp.Compare(a.Method, b.Method))
	})
	return out
}

// WriteTable prints the table, one route a line, with its policy.
func (rs *Routes) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "METHOD\tPATH\tCACHE\tBODY\tACCESS\tMODULE")
	for _, rt := range rs.Table() {
		access := "public"
		if rt.Policy.Need != "" {
			access = string(rt.Policy.Need)
		}
		if rt.Policy.PrivateLink {
			access += ",private-link"
		}
		body := "-"
		if rt.Method != http.MethodGet && rt.Method != http.MethodHead {
			body = byteSize(cmp.Or(rt.Policy.Body, DefaultBodyLimit))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", rt.Method, rt.Pattern()[len(rt.Method)+1:], rt.Policy.Cache, body, access, cmp.Or(rt.Module, "-"))
	}
	return tw.Flush()
}

func byteSize(n int64) string {
	if n%(1<<20) == 0 {
		return fmt.Sprintf("%dMB", n>>20)
	}
	return fmt.Sprintf("%dKB", n>>10)
}

// Server is what the table needs to serve: the enabled languages (read on
// every request, so a settings change needs no new table), the page
// cache, and the renderer for error pages.
type Server struct {
	Languages func() *i18n.Bundle
	Cache     *PageCache
	Render    *Renderer
	// Renders, when not nil, bounds the cacheable pages rendered at once
	// (its capacity); the others wait their turn in order of arrival.
	// Without it, 50 readers of uncached pages queued for the database's
	// few connections, which database/sql hands to a waiter at random: a
	// quarter of their time went to that wait, and its tail was the
	// pages' p99 (issue 23).
	Renders chan struct{}
}

// Handler builds the table's handler. A request whose first segment is an
// enabled language goes to the localized routes, with the language as
// the path value "lang"; any other request to the routes outside the
// languages, so an unknown or disabled language is simply not found.
func (rs *Routes) Handler(s Server) http.Handler {
	global, local := http.NewServeMux(), http.NewServeMux()
	for _, rt := range *rs.table {
		h := s.wrap(rt)
		if rt.Localized {
			local.Handle(rt.Pattern(), h)
		} else {
			global.Handle(rt.Pattern(), h)
		}
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		first, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
		if _, ok := s.Languages().Get(first); ok && first != "" {
			local.ServeHTTP(w, r)
			return
		}
		global.ServeHTTP(w, r)
	})
}

// wrap applies a route's policy around its handler, outermost first: the
// body limit (before anything reads the body, the CSRF check included),
// caching, input checks, then access.
func (s Server) wrap(rt Route) http.Handler {
	p := rt.Policy
	h := rt.Handler
	if p.Need != "" {
		h = s.require(p.Need, h)
	}
	if p.Gzip {
		h = Gzip(h)
	}
	h = s.Render.CleanInput(h)
	switch p.Cache {
	case Cached:
		if s.Renders != nil {
			h = inTurn(s.Renders, h)
		}
		if s.Cache != nil {
			h = s.Cache.Middleware(h)
		}
	case NoStore:
		h = noStore(h)
	}
	if p.PrivateLink {
		h = privateLink(h)
	}
	return named(rt.Pattern(), bodyLimit(cmp.Or(p.Body, DefaultBodyLimit), h))
}

// named tells the request log which route answered: its declared
// pattern, a bounded name the metrics can count by.
func named(pattern string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if info, ok := r.Context().Value(logKey{}).(*logInfo); ok {
			info.route = pattern
		}
		next.ServeHTTP(w, r)
	})
}

// inTurn runs next once a slot of slots is free, in order of arrival (a
// channel's waiting senders are served first in, first out).
func inTurn(slots chan struct{}, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case slots <- struct{}{}:
		case <-r.Context().Done():
			return // the reader left
		}
		defer func() { <-slots }()
		next.ServeHTTP(w, r)
	})
}

// noStore tells browsers and proxies to keep nothing; a handler may still
// set other caching headers of its own.
func noStore(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "private, no-store")
		next.ServeHTTP(w, r)
	})
}

// privateLink keeps a URL's secret from other sites and from the log.
func privateLink(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Referrer-Policy", "no-referrer")
		if info, ok := r.Context().Value(logKey{}).(*logInfo); ok {
			info.pattern = r.Pattern
		}
		next.ServeHTTP(w, r)
	})
}

func bodyLimit(n int64, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil && r.Body != http.NoBody {
			r.Body = http.MaxBytesReader(w, r.Body, n)
		}
		next.ServeHTTP(w, r)
	})
}

// require lets through a signed-in user with capability c; without a
// session a page goes to the sign-in form, a change is refused. Every
// change needs the session's CSRF token.
func (s Server) require(c auth.Capability, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, ok := auth.UserFrom(r.Context())
		if !ok {
			if r.Method == http.MethodGet || r.Method == http.MethodHead {
				http.Redirect(w, r, "/admin/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			s.Render.RenderError(w, r, &Error{Status: http.StatusForbidden, Key: "account.signed_out"})
			return
		}
		// An admin the site requires a second factor of, who has none,
		// goes nowhere but its enrolment (and out).
		if sess, _ := auth.SessionFrom(r.Context()); sess.MustEnrol && !auth.IsEnrolment(r.URL.Path) && r.URL.Path != "/admin/logout" {
			if r.Method == http.MethodGet || r.Method == http.MethodHead {
				http.Redirect(w, r, auth.EnrolPath, http.StatusSeeOther)
				return
			}
			s.Render.RenderError(w, r, &Error{Status: http.StatusForbidden, Key: "account.must_enrol"})
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			// Read the form first: a body over the route's limit is "too
			// large", not a missing token.
			if err := ParseForm(r); err != nil {
				var tooBig *http.MaxBytesError
				var refused *Error
				switch {
				case errors.As(err, &tooBig):
					s.Render.RenderError(w, r, &Error{Status: http.StatusRequestEntityTooLarge, Key: "form.too_large"})
					return
				case errors.As(err, &refused):
					s.Render.RenderError(w, r, refused)
					return
				}
			}
			if !auth.ValidCSRF(r) {
				s.Render.RenderError(w, r, &Error{Status: http.StatusForbidden, Key: "account.csrf"})
				return
			}
		}
		if !u.Role.Can(c) {
			s.Render.RenderError(w, r, Forbidden())
			return
		}
		next.ServeHTTP(w, r)
	})
}

// Lang is the language of a localized route's request: the path value
// the table put there.
func Lang(r *http.Request) string { return r.PathValue("lang") }
