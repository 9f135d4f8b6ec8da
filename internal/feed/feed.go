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

	items itemCache
}

// itemCache keeps feed items' text, written in a format and compressed
// (web.Segment), by what they are made of: a cold feed read and wrote its
// twenty newest entries again on every request, bodies and all, and
// compressed them; reading and compressing was two thirds of its CPU
// (issue 23). The key holds the translation's revision, which every change
// of its words moves, and every other field the item shows, so an edit is
// in the next feed and nothing kept goes stale. At most maxItemBytes are
// kept; a full cache starts again empty.
type itemCache struct {
	mu   sync.RWMutex
	m    map[pairKey]*web.Segment
	size int
}

// itemKey is one item in one feed's format, language and origin.
type itemKey struct {
	file, origin, lang string
	id, entry          int64
	kind               content.Kind
	slug               string
	revision           int
	publish, created   int64
	updated            int64
}

const maxItemBytes = 16 << 20

// pairKey is an item kept compressed after the item prev (zero: the
// first of its feed).
type pairKey struct{ item, prev itemKey }

// pairOf is the key of keys[i] after the item before it.
func pairOf(f Format, origin, lang string, keys []content.TextKey, i int) pairKey {
	p := pairKey{item: keyOf(f, origin, lang, keys[i])}
	if i > 0 {
		p.prev = keyOf(f, origin, lang, keys[i-1])
	}
	return p
}

func keyOf(f Format, origin, lang string, k content.TextKey) itemKey {
	return itemKey{file: f.File, origin: origin, lang: lang, id: k.ID, entry: k.EntryID, kind: k.Kind, slug: k.Slug,
		revision: k.Revision, publish: k.PublishAt.Unix(), created: k.CreatedAt.Unix(), updated: k.UpdatedAt.Unix()}
}

func (c *itemCache) get(k pairKey) *web.Segment {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.m[k]
}

func (c *itemCache) put(k pairKey, seg *web.Segment) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || c.size+seg.Size() > maxItemBytes {
		c.m, c.size = map[pairKey]*web.Segment{}, 0
	}
	if seg.Size() <= maxItemBytes/64 {
		c.m[k] = seg
		c.size += seg.Size()
	}
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

// Tag serves /{lang}/tag/{slug}/feed.xml and its siblings: what a reader
// following one subject subscribes to.
func (h *Handlers) Tag(f Format) web.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		lang := web.Lang(r)
		tag, err := h.store.TagBySlug(r.Context(), r.PathValue("slug"))
		if errors.Is(err, db.ErrNotFound) {
			return web.NotFound()
		}
		if err != nil {
			return err
		}
		name := h.rd.I18n().Localizer(lang).T("tag.heading", "Name", tag.Name(lang))
		return h.serve(w, r, f, lang, "/"+lang+"/tag/"+tag.Slug, h.title(lang, name), content.ListFilter{Lang: lang, TagID: tag.ID})
	}
}

// title names a feed of one listing: "Site: Listing".
func (h *Handlers) title(lang, name string) string {
	return h.rd.I18n().Localizer(lang).T("archive.feed_title", "Site", h.rd.SiteName, "Name", name)
}

func (h *Handlers) serve(w http.ResponseWriter, r *http.Request, f Format, lang, base, title string, filter content.ListFilter) error {
	origin := web.Origin(h.rd.BaseURL, r)
	d, segs, err := h.build(r.Context(), f, origin, lang, base, title, filter)
	if err != nil {
		return err
	}
	if !header(w, r, f.Type+"; charset=utf-8", d.Updated, h.rd.BaseURL == "") {
		return nil
	}
	body, err := d.splice(f, segs)
	if err != nil {
		return err
	}
	web.SendSpliced(w, r, body)
	return nil
}

// build reads the latest entries of a listing into a feed in format f,
// and their items' text: the keys of the entries first, then the words
// of those whose item it has not kept.
func (h *Handlers) build(ctx context.Context, f Format, origin, lang, base, title string, filter content.ListFilter) (doc, []*web.Segment, error) {
	// Latest, not List: a feed has no pages, so it needs no listing
	// bounds (a scan of the whole listing after each write).
	keys, err := h.store.LatestKeys(ctx, filter, h.PerFeed)
	if err != nil {
		return doc{}, nil, err
	}
	d := doc{Title: title, Lang: lang, Home: origin + base, Author: h.rd.SiteName}
	if base == "/"+lang {
		d.Home += "/" // the home page is /{lang}/
	}
	d.Self = origin + base + "/" + f.File
	d.ID = d.Self
	// An item is kept compressed after the item before it (see
	// web.NewSegment), so by its key and that item's.
	hits := make([]*web.Segment, len(keys))
	var missing []int64
	for i, k := range keys {
		if hits[i] = h.items.get(pairOf(f, origin, lang, keys, i)); hits[i] == nil {
			missing = append(missing, k.ID)
		}
	}
	texts, err := h.store.TextsByID(ctx, missing)
	if err != nil {
		return doc{}, nil, err
	}
	segs := make([]*web.Segment, 0, len(keys))
	var prev itemKey // of the item before in this feed
	var prevText []byte
	for i, k := range keys {
		seg := hits[i]
		switch {
		case seg == nil:
			t, ok := texts[k.ID]
			if !ok {
				continue // deleted since its key was read
			}
			// Kept by what was read with the words: an edit between the
			// two reads keeps the newer item under its own key.
			k = t.Key()
			text, err := itemText(f, lang, h.item(origin, lang, t))
			if err != nil {
				return doc{}, nil, err
			}
			s := web.NewSegment(text, after(f, prevText, len(segs)))
			seg = &s
			h.items.put(pairKey{keyOf(f, origin, lang, k), prev}, seg)
		case i > 0 && prev != keyOf(f, origin, lang, keys[i-1]):
			// The item before it was deleted meanwhile: another
			// dictionary, for this response only.
			s := web.NewSegment(seg.Plain(), after(f, prevText, len(segs)))
			seg = &s
		}
		if m := k.Modified(); m.After(d.Updated) {
			d.Updated = m
		}
		segs = append(segs, seg)
		prev, prevText = keyOf(f, origin, lang, k), seg.Plain()
	}
	if d.Updated.IsZero() {
		d.Updated = time.Unix(0, 0).UTC() // an empty feed: nothing ever changed
	}
	return d, segs, nil
}

// item is a translation as a feed in lang shows it.
func (h *Handlers) item(origin, lang string, t content.Text) item {
	return item{
		ID:    "tag:" + hostname(origin) + "," + t.CreatedAt.Format("2006-01-02") + ":entry/" + strconv.FormatInt(t.EntryID, 10) + "/" + lang,
		URL:   origin + t.URL(),
		Title: t.Title, Summary: t.Summary, HTML: string(h.md.Render(t.Body)),
		Published: t.PublishAt, Updated: t.Modified(),
	}
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
	if !header(w, r, contentType, modified, fromHost) {
		return
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	if r.Method == http.MethodHead {
		return
	}
	w.Write(body) // #nosec G705 -- a feed our encoder wrote, served as XML
}

// header sets the header of a feed or sitemap last modified at modified,
// and says whether its body is to be sent: not after a 304.
func header(w http.ResponseWriter, r *http.Request, contentType string, modified time.Time, fromHost bool) bool {
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
			return false
		}
	}
	return true
}

// Routes declares the feeds of every listing, the sitemaps and
// robots.txt; fallback answers the other top-level files (old addresses,
// 404).
func (h *Handlers) Routes(rs *web.Routes, fallback web.HandlerFunc) {
	for _, f := range Formats {
		rs.Page("GET /"+f.File, h.Language(f), web.Cache)
		rs.Page("GET /section/{slug}/"+f.File, h.Section(f), web.Cache)
		rs.Page("GET /tag/{slug}/"+f.File, h.Tag(f), web.Cache)
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
