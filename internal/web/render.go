package web

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"path"
	"slices"
	"strings"
	"sync"

	"peerpress/internal/auth"
	"peerpress/internal/i18n"
)

//go:embed templates/*.html
var baseTemplates embed.FS

// NavLink is one item of the site's main navigation.
type NavLink struct {
	Name string
	URL  string
	// Match is the path the link is current under, when not URL: the
	// events link leads to the upcoming ones and is current on every
	// events page.
	Match   string
	Current bool
}

// Navigator supplies the main navigation for a language; the content
// domain implements it, so web does not need to know about sections.
type Navigator interface {
	Nav(ctx context.Context, lang string) []NavLink
}

// A FooterLinker is a Navigator that also supplies the footer's links to
// the site's own pages (its about page, its privacy notice).
type FooterLinker interface {
	FooterLinks(ctx context.Context, lang string) []NavLink
}

// A FooterBlocker is a Navigator that also supplies small parts of the
// footer, the same for every visitor (a subscribe form that leads to its
// page); the static mirror leaves them out.
type FooterBlocker interface {
	FooterBlocks(lang string) []template.HTML
}

// Renderer parses templates once at start and renders pages with the
// shared layouts. It is safe for concurrent use: nothing in it changes
// after start.
type Renderer struct {
	SiteName string
	BaseURL  string // the site's public address without a trailing slash; "" when unknown
	langs    func() *i18n.Bundle
	Nav      Navigator
	Assets   *Assets
	base     *template.Template
	errPage  *template.Template

	// Feeds lists the feeds of the listing whose first page is at base
	// ("/en", "/en/section/news"), titled after name; the feed package
	// supplies it. Nil: pages announce no feeds.
	Feeds func(base, name string) []FeedLink
	// ShareImage gives the path and size of the site's own sharing image
	// in a language, for pages that have none of their own. Nil: none.
	ShareImage func(lang string) (path string, width, height int)
	// Unavailable reports whether an error says the database could not
	// be reached (db.Unavailable): such a request is answered 503 with
	// error.unavailable, asking to try again, rather than 500. Nil: none.
	Unavailable func(error) bool
}

// NewRenderer parses the base layouts. langs gives the languages in
// service, read on every request: the settings page changes them without
// a new Renderer.
func NewRenderer(siteName string, langs func() *i18n.Bundle, nav Navigator, assets *Assets) (*Renderer, error) {
	base, err := template.New("base").Funcs(funcs(assets)).ParseFS(baseTemplates, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("web: parse layouts: %w", err)
	}
	rd := &Renderer{SiteName: siteName, langs: langs, Nav: nav, Assets: assets, base: base}
	rd.errPage = base.Lookup("error.html")
	if rd.errPage == nil {
		return nil, fmt.Errorf("web: error.html layout missing")
	}
	return rd, nil
}

func funcs(assets *Assets) template.FuncMap {
	return template.FuncMap{
		"asset":  assets.URL,
		"add":    func(a, b int) int { return a + b },
		"sub":    func(page, v any) Sub { return Sub{Page: page, V: v} },
		"subAt":  func(page, v any, level int) Sub { return Sub{Page: page, V: v, Level: level} },
		"list":   func(v ...string) []string { return v },
		"has":    slices.Contains[[]string],
		"titled": Titled,
		// The public layout and the pager, written by Go (layout_html.go).
		"publicTop":    publicTop(assets),
		"publicBottom": publicBottom,
		"pager":        pagerHTML,
	}
}

// Titled joins a label and the title it labels with one colon, as in
// "Registrants: Webinar: naloxone". A label whose translation already
// ends with a colon gets no second one, a title that starts with one
// loses it, and an empty part leaves no dangling colon.
func Titled(label, title string) string {
	label = strings.TrimRight(label, " \u00a0\u202f\t")
	title = strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(title), ":：\u00a0\u202f "))
	switch {
	case title == "":
		return strings.TrimRight(label, ":：\u00a0\u202f ")
	case label == "":
		return title
	case strings.HasSuffix(label, ":"), strings.HasSuffix(label, "："):
		return label + " " + title
	}
	return label + ": " + title
}

// Sub hands a shared sub-template both the page and one value:
// {{template "items" sub $ .Latest}}; subAt also gives the heading level
// the sub-template's headings take, to keep the outline unbroken.
type Sub struct {
	Page  any
	V     any
	Level int
}

// Templates parses a domain's page templates over the base layouts: one
// template set per page file, so pages can each define "main" without
// clashing. Files named _*.html beside the pages are partials shared by
// all of them. A broken template fails here, at start.
func (rd *Renderer) Templates(fsys fs.FS, pattern string) (map[string]*template.Template, error) {
	files, err := fs.Glob(fsys, pattern)
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("web: no templates match %s", pattern)
	}
	partials, err := fs.Glob(fsys, path.Join(path.Dir(pattern), "_*.html"))
	if err != nil {
		return nil, err
	}
	out := make(map[string]*template.Template, len(files))
	for _, f := range files {
		t, err := rd.base.Clone()
		if err != nil {
			return nil, err
		}
		if _, err := t.ParseFS(fsys, append([]string{f}, partials...)...); err != nil {
			return nil, fmt.Errorf("web: parse %s: %w", f, err)
		}
		name := strings.TrimSuffix(path.Base(f), ".html")
		out[name] = t.Lookup(path.Base(f))
	}
	return out, nil
}

// I18n is the bundle of the languages in service.
func (rd *Renderer) I18n() *i18n.Bundle { return rd.langs() }

// Abs makes a site path absolute under the base URL, when one is set.
func (rd *Renderer) Abs(path string) string { return rd.BaseURL + path }

// PublicPage returns the data of a public page: Page with the main
// navigation, the language's feeds and a description for social networks.
func (rd *Renderer) PublicPage(r *http.Request, lang string) Page {
	p := rd.Page(r, lang)
	p.Origin = Origin(rd.BaseURL, r)
	if rd.Feeds != nil {
		p.Feeds = rd.Feeds("/"+p.Lang.Code, rd.SiteName)
	}
	p.Share = &Share{Type: "website", Locale: ogLocale(p.Lang.Code)}
	if rd.ShareImage != nil {
		path, w, h := rd.ShareImage(p.Lang.Code)
		p.Share.Image, p.Share.ImageSize = path, [2]int{w, h}
	}
	if rd.Nav != nil {
		p.Nav = rd.Nav.Nav(r.Context(), p.Lang.Code)
		for i := range p.Nav {
			match := p.Nav[i].URL
			if p.Nav[i].Match != "" {
				match = p.Nav[i].Match
			}
			p.Nav[i].Current = match == r.URL.Path || strings.HasPrefix(r.URL.Path, match+"/")
		}
		if f, ok := rd.Nav.(FooterLinker); ok {
			p.Footer = f.FooterLinks(r.Context(), p.Lang.Code)
		}
		if f, ok := rd.Nav.(FooterBlocker); ok && p.Mirror == nil {
			p.FooterBlocks = f.FooterBlocks(p.Lang.Code)
		}
	}
	return p
}

// Page returns the data every page carries, for the given language code.
// The code must be an enabled language; callers validate it first.
func (rd *Renderer) Page(r *http.Request, lang string) Page {
	return rd.page(r, rd.I18n().Localizer(lang))
}

func (rd *Renderer) page(r *http.Request, loc *i18n.Localizer) Page {
	p := Page{
		L:       loc,
		Lang:    loc.Lang,
		Site:    rd.SiteName,
		BaseURL: rd.BaseURL,
		Langs:   rd.I18n().Enabled(),
		Path:    r.URL.Path,
		Mirror:  MirrorOf(r).Notice(loc, r.URL.Path),
	}
	if u, ok := auth.UserFrom(r.Context()); ok {
		p.User = &u
		if s, ok := auth.SessionFrom(r.Context()); ok {
			p.CSRF = s.CSRFToken
		}
	}
	return p
}

// Render executes tmpl into a buffer first, so that a template error
// becomes a clean error page instead of half a page.
func (rd *Renderer) Render(w http.ResponseWriter, status int, tmpl *template.Template, data any) error {
	buf := pageBuffers.Get().(*bytes.Buffer)
	defer putPageBuffer(buf)
	if err := tmpl.Execute(buf, data); err != nil {
		return fmt.Errorf("web: render %s: %w", tmpl.Name(), err)
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, err := w.Write(buf.Bytes())
	return err
}

// RenderPublic answers with a public page written by Go: the layout
// around what main writes, the bytes a page template of the usual form
// (`{{template "public" .}}`, a newline, its "main" defined, a newline)
// gives, without the template engine's reflection (issue 23). main
// escapes what it writes as html/template would (WriteText, WriteURL).
func (rd *Renderer) RenderPublic(w http.ResponseWriter, status int, p *Page, main func(b *bytes.Buffer) error) error {
	if p.L == nil {
		return fmt.Errorf("web: the public layout needs a localizer (Page.L)")
	}
	buf := pageBuffers.Get().(*bytes.Buffer)
	defer putPageBuffer(buf)
	if err := p.writeHead(buf, rd.Assets); err != nil {
		return fmt.Errorf("web: render: %w", err)
	}
	p.writeHeader(buf)
	if err := main(buf); err != nil {
		return fmt.Errorf("web: render: %w", err)
	}
	p.writeFooter(buf)
	buf.WriteString("\n\n")
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, err := w.Write(buf.Bytes())
	return err
}

// WritePager writes the numbered pages of a listing, as the layout's
// "pager" template does.
func WritePager(b *bytes.Buffer, l *i18n.Localizer, p Pager) error {
	html, err := pagerHTML(l, p)
	b.WriteString(string(html))
	return err
}

// pageBuffers hold rendered pages between requests: a page of 20–40 KB
// grown from nothing took nine allocations and their copies each time.
var pageBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooledPage is the largest buffer kept: one very long page must not
// pin its memory for the pages after it.
const maxPooledPage = 256 << 10

func putPageBuffer(buf *bytes.Buffer) {
	if buf.Cap() > maxPooledPage {
		return
	}
	buf.Reset()
	pageBuffers.Put(buf)
}

// errorPage is the data of the error template.
type errorPage struct {
	Page
	Status  int
	Message string
}

// RenderError answers with the site's error page for err in the language
// of the URL, when it names one.
func (rd *Renderer) RenderError(w http.ResponseWriter, r *http.Request, err error) {
	e := asError(err)
	if e.Status == http.StatusInternalServerError && e.Cause != nil && rd.Unavailable != nil && rd.Unavailable(err) {
		e = Unavailable(err)
		w.Header().Set("Retry-After", "30")
	}
	switch {
	case e.Key == "error.unavailable":
		// The database is away: a warning each, not an error storm;
		// /readyz says it once per probe.
		slog.Warn("request failed: database unavailable", "method", r.Method, "path", loggedPath(r), "err", err)
	case e.Status >= 500:
		slog.Error("request failed", "method", r.Method, "path", loggedPath(r), "status", e.Status, "err", err)
	}
	lang := rd.I18n().Default().Code
	if first, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/"); first == "admin" {
		// In the admin's language when the site publishes in it too: the
		// error page is a public one, with the site's navigation.
		if code := rd.AdminLocalizer(r).Lang.Code; code != lang {
			if _, ok := rd.I18n().Get(code); ok {
				lang = code
			}
		}
	} else if first != "" {
		if _, ok := rd.I18n().Get(first); ok {
			lang = first
		}
	}
	p := rd.PublicPage(r, lang)
	p.Title = p.L.T("error.title", "Status", e.Status)
	p.NoIndex = true
	data := errorPage{Page: p, Status: e.Status, Message: p.L.T(e.Key)}
	if rerr := rd.Render(w, e.Status, rd.errPage, data); rerr != nil {
		slog.Error("render error page", "err", rerr)
		http.Error(w, http.StatusText(e.Status), e.Status)
	}
}

// HandlerFunc is an HTTP handler that returns an error; Handle turns the
// error into the right page.
type HandlerFunc func(w http.ResponseWriter, r *http.Request) error

// Handle adapts a HandlerFunc to http.Handler.
func (rd *Renderer) Handle(fn HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := fn(w, r); err != nil {
			rd.RenderError(w, r, err)
		}
	})
}
