package feed

import (
	"context"
	"encoding/xml"
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

type sitemapIndex struct {
	XMLName  xml.Name     `xml:"sitemapindex"`
	NS       string       `xml:"xmlns,attr"`
	Sitemaps []sitemapRef `xml:"sitemap"`
}

type sitemapRef struct {
	Loc     string `xml:"loc"`
	LastMod string `xml:"lastmod,omitempty"`
}

type urlSet struct {
	XMLName xml.Name     `xml:"urlset"`
	NS      string       `xml:"xmlns,attr"`
	XHTML   string       `xml:"xmlns:xhtml,attr"`
	URLs    []sitemapURL `xml:"url"`
}

type sitemapURL struct {
	Loc     string      `xml:"loc"`
	LastMod string      `xml:"lastmod,omitempty"`
	Links   []xhtmlLink `xml:"xhtml:link"`
}

type xhtmlLink struct {
	Rel      string `xml:"rel,attr"`
	Hreflang string `xml:"hreflang,attr"`
	Href     string `xml:"href,attr"`
}

const sitemapType = "application/xml; charset=utf-8"

func lastmod(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

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
	idx := sitemapIndex{NS: sitemapNS}
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
			idx.Sitemaps = append(idx.Sitemaps, sitemapRef{Loc: origin + sitemapName(l.Code, p, parts), LastMod: lastmod(mod)})
		}
	}
	body, err := marshalXML(idx)
	if err != nil {
		return err
	}
	send(w, r, sitemapType, newest, body, h.rd.BaseURL == "")
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
	origin := web.Origin(h.rd.BaseURL, r)
	enabled := h.rd.I18n().Enabled()
	set := urlSet{NS: sitemapNS, XHTML: xhtmlNS}
	var newest time.Time
	start, end := (part-1)*h.PerSitemap, part*h.PerSitemap
	for i := start; i < min(end, len(ls)); i++ {
		u := sitemapURL{Loc: origin + ls[i].Path(lang), LastMod: lastmod(ls[i].Modified)}
		for _, l := range enabled {
			if p := ls[i].Path(l.Code); p != "" {
				u.Links = append(u.Links, xhtmlLink{Rel: "alternate", Hreflang: l.Code, Href: origin + p})
			}
		}
		set.URLs = append(set.URLs, u)
		if ls[i].Modified.After(newest) {
			newest = ls[i].Modified
		}
	}
	offset := max(0, start-len(ls))
	if limit := end - max(start, len(ls)); limit > 0 {
		entries, err := h.store.SitemapURLs(r.Context(), lang, offset, limit)
		if err != nil {
			return err
		}
		for _, e := range entries {
			u := sitemapURL{Loc: origin + e.URL(), LastMod: lastmod(e.Modified)}
			for _, l := range enabled {
				if slug, ok := e.Alternates[l.Code]; ok {
					u.Links = append(u.Links, xhtmlLink{Rel: "alternate", Hreflang: l.Code, Href: origin + content.URL(e.Kind, l.Code, slug)})
				}
			}
			set.URLs = append(set.URLs, u)
			if e.Modified.After(newest) {
				newest = e.Modified
			}
		}
	}
	if len(set.URLs) == 0 {
		return web.NotFound()
	}
	body, err := marshalXML(set)
	if err != nil {
		return err
	}
	send(w, r, sitemapType, newest, body, h.rd.BaseURL == "")
	return nil
}

// Robots serves /robots.txt: everything may be crawled but the admin and
// the language switch (a redirect per page and language), and the
// sitemap is named.
func (h *Handlers) Robots(w http.ResponseWriter, r *http.Request) error {
	body := "User-agent: *\nAllow: /\nDisallow: /admin/\nDisallow: /lang/\n\nSitemap: " + web.Origin(h.rd.BaseURL, r) + "/sitemap.xml\n"
	send(w, r, "text/plain; charset=utf-8", time.Time{}, []byte(body), h.rd.BaseURL == "")
	return nil
}
