package feed

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"peerpress/internal/content"
	"peerpress/internal/db"
	"peerpress/internal/web"
)

// Handlers serves the feeds, the sitemap and robots.txt.
type Handlers struct {
	store *content.Store
	md    *content.Markdown
	rd    *web.Renderer
	// PerFeed is how many entries a feed holds, newest first.
	PerFeed int
	// PerSitemap is how many addresses one sitemap file holds at most
	// (the protocol allows 50,000; smaller files are kinder to slow
	// crawlers and to the server).
	PerSitemap int
	// Publishers are the areas with public pages of their own, listed in
	// the sitemap after the archives.
	Publishers []content.Publisher

	escaped escapedBodies
}

// escapedBodies keeps entries' rendered bodies escaped as XML text, by
// the rendered body: every request for a feed escaped the same twenty
// bodies again, a sixth of a feed's CPU without the page cache (issue
// 23). The escaping depends on the body alone, so nothing goes stale; at
// most maxEscaped bytes are kept, and a full memo starts again empty.
type escapedBodies struct {
	mu   sync.RWMutex
	m    map[string]string
	size int
}

const maxEscaped = 8 << 20

func (e *escapedBodies) text(html string) string {
	e.mu.RLock()
	t, ok := e.m[html]
	e.mu.RUnlock()
	if ok {
		return t
	}
	t = xmlText(html)
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.m == nil || e.size+len(html)+len(t) > maxEscaped {
		e.m, e.size = map[string]string{}, 0
	}
	if len(html)+len(t) <= maxEscaped/64 {
		e.m[html] = t
		e.size += len(html) + len(t)
	}
	return t
}

// New returns the handlers.
func New(store *content.Store, md *content.Markdown, rd *web.Renderer) *Handlers {
	return &Handlers{store: store, md: md, rd: rd, PerFeed: 20, PerSitemap: 10_000}
}

// Links lists the feeds of the listing whose first page is at base, for
// a page's head (web.Renderer.Feeds).
func Links(base, name string) []web.FeedLink {
	out := make([]web.FeedLink, 0, len(Formats))
	for _, f := range Formats {
		out = append(out, web.FeedLink{Type: f.Type, Title: name + " (" + f.Name + ")", URL: base + "/" + f.File})
	}
	return out
}

// Language serves /{lang}/feed.xml, atom.xml and feed.json: the latest
// entries of every kind but pages.
func (h *Handlers) Language(f Format) web.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		lang := web.Lang(r)
		return h.serve(w, r, f, lang, "/"+lang, h.rd.SiteName, content.ListFilter{Lang: lang})
	}
}

// Kind serves /{lang}/{kind}/feed.xml and its siblings.
func (h *Handlers) Kind(k content.Kind, f Format) web.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		lang := web.Lang(r)
		name := h.rd.I18n().Localizer(lang).T("kind." + string(k) + ".plural")
		return h.serve(w, r, f, lang, "/"+lang+"/"+k.Segment(), h.title(lang, name), content.ListFilter{Lang: lang, Kind: k})
	}
}

// Section serves /{lang}/section/{slug}/feed.xml and its siblings.
func (h *Handlers) Section(f Format) web.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		lang := web.Lang(r)
		sec, err := h.store.SectionBySlug(r.Context(), r.PathValue("slug"))
		if errors.Is(err, db.ErrNotFound) {
			return web.NotFound()
		}
		if err != nil {
			return err
		}
		return h.serve(w, r, f, lang, "/"+lang+"/section/"+sec.Slug, h.title(lang, sec.Name(lang)), content.ListFilter{Lang: lang, SectionID: sec.ID})
	}
}

// title names a feed of one listing: "Site: Listing".
func (h *Handlers) title(lang, name string) string {
	return h.rd.I18n().Localizer(lang).T("archive.feed_title", "Site", h.rd.SiteName, "Name", name)
}

func (h *Handlers) serve(w http.ResponseWriter, r *http.Request, f Format, lang, base, title string, filter content.ListFilter) error {
	origin := web.Origin(h.rd.BaseURL, r)
	d, err := h.build(r.Context(), origin, lang, base, title, filter)
	if err != nil {
		return err
	}
	d.Self = origin + base + "/" + f.File
	d.ID = d.Self
	body, err := d.write(f)
	if err != nil {
		return err
	}
	send(w, r, f.Type+"; charset=utf-8", d.Updated, body, h.rd.BaseURL == "")
	return nil
}

// build reads the latest entries of a listing into a feed.
func (h *Handlers) build(ctx context.Context, origin, lang, base, title string, filter content.ListFilter) (doc, error) {
	// Latest, not List: a feed has no pages, so it needs no listing
	// bounds (a scan of the whole listing after each write).
	// Texts and listing in one statement (issue 23).
	texts, err := h.store.LatestTexts(ctx, filter, h.PerFeed)
	if err != nil {
		return doc{}, err
	}
	d := doc{Title: title, Lang: lang, Home: origin + base, Author: h.rd.SiteName}
	if base == "/"+lang {
		d.Home += "/" // the home page is /{lang}/
	}
	host := hostname(origin)
	for _, t := range texts {
		fi := item{
			ID:    "tag:" + host + "," + t.CreatedAt.Format("2006-01-02") + ":entry/" + strconv.FormatInt(t.EntryID, 10) + "/" + lang,
			URL:   origin + t.URL(),
			Title: t.Title, Summary: t.Summary, HTML: string(h.md.Render(t.Body)),
			Published: t.PublishAt, Updated: t.Modified(),
		}
		fi.HTMLText = h.escaped.text(fi.HTML)
		if fi.Updated.After(d.Updated) {
			d.Updated = fi.Updated
		}
		d.Items = append(d.Items, fi)
	}
	if d.Updated.IsZero() {
		d.Updated = time.Unix(0, 0).UTC() // an empty feed: nothing ever changed
	}
	return d, nil
}

// hostname is the host of an origin without its port, as tag: URIs take it.
func hostname(origin string) string {
	u, err := url.Parse(origin)
	if err != nil || u.Hostname() == "" {
		return "localhost"
	}
	return u.Hostname()
}

// send writes a feed or sitemap. Conditional requests (If-Modified-Since)
// get a 304. A document whose addresses come from the request's Host
// (no base URL configured) says so with Vary: Host.
func send(w http.ResponseWriter, r *http.Request, contentType string, modified time.Time, body []byte, fromHost bool) {
	hd := w.Header()
	hd.Set("Content-Type", contentType)
	hd.Set("Cache-Control", "public, max-age=300")
	if fromHost {
		hd.Add("Vary", "Host")
	}
	if !modified.IsZero() && modified.Unix() > 0 {
		hd.Set("Last-Modified", modified.UTC().Format(http.TimeFormat))
		if since, err := http.ParseTime(r.Header.Get("If-Modified-Since")); err == nil && !modified.Truncate(time.Second).After(since) {
			w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	hd.Set("Content-Length", strconv.Itoa(len(body)))
	if r.Method == http.MethodHead {
		return
	}
	w.Write(body) // #nosec G705 -- a feed our encoder wrote, served as XML
}

// Routes declares the feeds of every listing, the sitemaps and
// robots.txt; fallback answers the other top-level files (old addresses,
// 404).
func (h *Handlers) Routes(rs *web.Routes, fallback web.HandlerFunc) {
	for _, f := range Formats {
		rs.Page("GET /"+f.File, h.Language(f), web.Cache)
		rs.Page("GET /section/{slug}/"+f.File, h.Section(f), web.Cache)
		for _, k := range content.Kinds() {
			if k != content.Page {
				rs.Page("GET /"+k.Segment()+"/"+f.File, h.Kind(k, f), web.Cache)
			}
		}
	}
	rs.Site("GET /robots.txt", h.Robots, web.Cache)
	rs.Site("GET /sitemap.xml", h.SitemapIndex, web.Cache)
	rs.Site("GET /{file}", h.Sitemap(fallback), web.Cache) // /sitemap-{lang}[-{n}].xml
}
