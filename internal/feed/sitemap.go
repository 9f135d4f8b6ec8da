package feed

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"peerpress/internal/content"
	"peerpress/internal/web"
)

// The sitemap protocol (https://www.sitemaps.org/protocol.html) with
// Google's hreflang extension: every address lists the same page in each
// language it exists in, itself included.

const (
	sitemapNS = "http://www.sitemaps.org/schemas/sitemap/0.9"
	xhtmlNS   = "http://www.w3.org/1999/xhtml"
)

// The sitemaps are written by hand, as the feeds are (formats.go), the
// bytes encoding/xml's Encoder wrote with Indent("", " ")
// (sitemap_xml_test.go holds them to it), each address as it is read:
// through reflection, a whole part as a struct and then its XML was half
// of an incremental export's CPU at 100,000 entries and 38 MB of the
// full export's peak heap (BENCHMARKS.md, 2026-12-04).

// sitemapWriter writes a sitemap or sitemap index.
type sitemapWriter struct {
	xmlWriter
	urls int // the addresses written
}

const (
	urlSetOpen  = xmlHeader + `<urlset xmlns="` + sitemapNS + `" xmlns:xhtml="` + xhtmlNS + `">`
	indexOpen   = xmlHeader + `<sitemapindex xmlns="` + sitemapNS + `">`
	urlSetClose = "</urlset>\n"
	indexClose  = "</sitemapindex>\n"
	// urlLen and linkLen are about what an address and each of its
	// alternates take, for the buffer's size.
	urlLen, linkLen = 180, 140
)

// url opens an address of a urlset: its loc (origin and path) and
// lastmod. Its alternates follow (link), then end.
func (x *sitemapWriter) url(origin, path string, mod time.Time) {
	x.urls++
	x.raw("\n <url>\n  <loc>")
	x.text(origin)
	x.text(path)
	x.raw("</loc>")
	x.lastmod(2, mod)
}

// lastmod writes the element when mod is set, as omitempty did.
func (x *sitemapWriter) lastmod(depth int, mod time.Time) {
	if mod.IsZero() {
		return
	}
	x.b = append(x.b, '\n')
	for range depth {
		x.b = append(x.b, ' ')
	}
	x.b = append(x.b, "<lastmod>"...)
	x.b = mod.UTC().AppendFormat(x.b, time.RFC3339) // no character to escape
	x.b = append(x.b, "</lastmod>"...)
}

// link writes an hreflang alternate of the address open: origin and path
// are its href. Escaped apart they are escaped as one, since a path
// starts with "/": an invalid UTF-8 sequence at the origin's end is
// invalid either way.
func (x *sitemapWriter) link(hreflang, origin, path string) {
	x.raw("\n  <xhtml:link rel=\"alternate\" hreflang=\"")
	x.text(hreflang)
	x.raw("\" href=\"")
	x.text(origin)
	x.text(path)
	x.raw("\"></xhtml:link>")
}

func (x *sitemapWriter) end() { x.raw("\n </url>") }

// sitemapRef writes a sitemap of an index.
func (x *sitemapWriter) sitemapRef(loc string, mod time.Time) {
	x.urls++
	x.raw("\n <sitemap>")
	x.elem(2, "loc", loc)
	x.lastmod(2, mod)
	x.raw("\n </sitemap>")
}

// close ends the document.
func (x *sitemapWriter) close(tag string) []byte {
	if x.urls > 0 {
		x.raw("\n")
	}
	x.raw(tag)
	return x.b
}

const sitemapType = "application/xml; charset=utf-8"

// listings are the addresses in lang that are not entries: the home page
// and the archives that list something (they exist in every enabled
// language), then the pages the areas publish. The home page comes
// first.
func (h *Handlers) listings(ctx context.Context, lang string) ([]content.PublicPage, error) {
	mod, err := h.store.ArchivesModified(ctx, lang)
	if err != nil {
		return nil, err
	}
	out := []content.PublicPage{{Path: func(l string) string { return "/" + l + "/" }, Modified: mod.All}}
	for _, k := range content.Kinds() {
		if at, ok := mod.Kinds[k]; ok && k != content.Page {
			out = append(out, content.PublicPage{Path: func(l string) string { return "/" + l + "/" + k.Segment() }, Modified: at})
		}
	}
	sections, err := h.store.Sections(ctx)
	if err != nil {
		return nil, err
	}
	for _, s := range sections {
		if at, ok := mod.Sections[s.ID]; ok {
			out = append(out, content.PublicPage{Path: func(l string) string { return "/" + l + "/section/" + s.Slug }, Modified: at})
		}
	}
	for _, p := range h.Publishers {
		pages, err := p.PublicPages(ctx, lang)
		if err != nil {
			return nil, err
		}
		for _, pg := range pages {
			if pg.Path(lang) != "" {
				out = append(out, pg)
			}
		}
	}
	return out, nil
}

// parts says how many sitemap files a language needs, and its listings.
func (h *Handlers) parts(ctx context.Context, lang string) (int, []content.PublicPage, error) {
	ls, err := h.listings(ctx, lang)
	if err != nil {
		return 0, nil, err
	}
	n, err := h.store.CountVisible(ctx, lang)
	if err != nil {
		return 0, nil, err
	}
	return max(1, (len(ls)+n+h.PerSitemap-1)/h.PerSitemap), ls, nil
}

func sitemapName(lang string, part, parts int) string {
	if parts == 1 {
		return "/sitemap-" + lang + ".xml"
	}
	return "/sitemap-" + lang + "-" + strconv.Itoa(part) + ".xml"
}

// SitemapIndex serves /sitemap.xml: the sitemaps of every enabled
// language, in parts when a language has more addresses than one holds.
func (h *Handlers) SitemapIndex(w http.ResponseWriter, r *http.Request) error {
	origin := web.Origin(h.rd.BaseURL, r)
	x := sitemapWriter{xmlWriter: xmlWriter{b: make([]byte, 0, 4096)}}
	x.raw(indexOpen)
	var newest time.Time
	for _, l := range h.rd.I18n().Enabled() {
		parts, ls, err := h.parts(r.Context(), l.Code)
		if err != nil {
			return err
		}
		mod := ls[0].Modified // the home page's: the language's newest change
		if mod.After(newest) {
			newest = mod
		}
		for p := 1; p <= parts; p++ {
			x.sitemapRef(origin+sitemapName(l.Code, p, parts), mod)
		}
	}
	send(w, r, sitemapType, newest, x.close(indexClose), h.rd.BaseURL == "")
	return nil
}

// Sitemap serves a language's sitemap, /sitemap-{lang}.xml, and its
// parts, /sitemap-{lang}-{n}.xml. It is mounted at GET /{file}, since
// the mux cannot match part of a path segment: any other file goes to
// fallback (old addresses, 404).
func (h *Handlers) Sitemap(fallback web.HandlerFunc) web.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		lang, part, ok := h.parseSitemapName(r.PathValue("file"))
		if !ok {
			return fallback(w, r)
		}
		parts, ls, err := h.parts(r.Context(), lang)
		if err != nil {
			return err
		}
		switch {
		case part == 0 && parts > 1:
			http.Redirect(w, r, sitemapName(lang, 1, parts), http.StatusFound)
			return nil
		case part == 0:
			part = 1
		case part > parts:
			return web.NotFound()
		}
		return h.sitemapPart(w, r, lang, part, ls)
	}
}

// parseSitemapName reads "sitemap-{lang}.xml" (part 0) or
// "sitemap-{lang}-{n}.xml" for an enabled language.
func (h *Handlers) parseSitemapName(file string) (lang string, part int, ok bool) {
	rest, ok1 := strings.CutPrefix(file, "sitemap-")
	rest, ok2 := strings.CutSuffix(rest, ".xml")
	if !ok1 || !ok2 {
		return "", 0, false
	}
	if _, ok := h.rd.I18n().Get(rest); ok {
		return rest, 0, true
	}
	i := strings.LastIndexByte(rest, '-')
	if i < 0 {
		return "", 0, false
	}
	n, err := strconv.Atoi(rest[i+1:])
	if err != nil || n < 1 || strconv.Itoa(n) != rest[i+1:] {
		return "", 0, false
	}
	if _, ok := h.rd.I18n().Get(rest[:i]); !ok {
		return "", 0, false
	}
	return rest[:i], n, true
}

// sitemapPart writes part n (from 1) of the language's addresses: its
// listings first, then its entries by id.
func (h *Handlers) sitemapPart(w http.ResponseWriter, r *http.Request, lang string, part int, ls []content.PublicPage) error {
	body, newest, err := h.renderSitemapPart(r.Context(), web.Origin(h.rd.BaseURL, r), lang, part, ls)
	if err != nil {
		return err
	}
	if body == nil {
		return web.NotFound()
	}
	send(w, r, sitemapType, newest, body, h.rd.BaseURL == "")
	return nil
}

// renderSitemapPart writes part n of lang's sitemap, nil when it lists
// nothing, and when its newest address changed.
func (h *Handlers) renderSitemapPart(ctx context.Context, origin, lang string, part int, ls []content.PublicPage) ([]byte, time.Time, error) {
	enabled := h.rd.I18n().Enabled()
	x := sitemapWriter{xmlWriter: xmlWriter{b: make([]byte, 0, 1024+h.PerSitemap*(urlLen+len(enabled)*linkLen))}}
	x.raw(urlSetOpen)
	var newest time.Time
	start, end := (part-1)*h.PerSitemap, part*h.PerSitemap
	for i := start; i < min(end, len(ls)); i++ {
		x.url(origin, ls[i].Path(lang), ls[i].Modified)
		for _, l := range enabled {
			if p := ls[i].Path(l.Code); p != "" {
				x.link(l.Code, origin, p)
			}
		}
		x.end()
		if ls[i].Modified.After(newest) {
			newest = ls[i].Modified
		}
	}
	if limit := end - max(start, len(ls)); limit > 0 {
		after, err := h.store.SitemapAfter(ctx, lang, max(0, start-len(ls)))
		if err != nil {
			return nil, newest, err
		}
		entries, err := h.store.SitemapURLs(ctx, lang, after, limit)
		if err != nil {
			return nil, newest, err
		}
		for _, e := range entries {
			x.url(origin, e.URL(), e.Modified)
			for _, l := range enabled {
				if slug, ok := e.Alternate(l.Code); ok {
					x.link(l.Code, origin, content.URL(e.Kind, l.Code, slug))
				}
			}
			x.end()
			if e.Modified.After(newest) {
				newest = e.Modified
			}
		}
	}
	if x.urls == 0 {
		return nil, newest, nil
	}
	return x.close(urlSetClose), newest, nil
}

// Robots serves /robots.txt: everything may be crawled but the admin and
// the language switch (a redirect per page and language), and the
// sitemap is named.
func (h *Handlers) Robots(w http.ResponseWriter, r *http.Request) error {
	body := "User-agent: *\nAllow: /\nDisallow: /admin/\nDisallow: /lang/\n\nSitemap: " + web.Origin(h.rd.BaseURL, r) + "/sitemap.xml\n"
	send(w, r, "text/plain; charset=utf-8", time.Time{}, []byte(body), h.rd.BaseURL == "")
	return nil
}
