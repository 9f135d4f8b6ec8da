package web

import (
	"bytes"
	"fmt"
	"html/template"

	"peerpress/internal/i18n"
)

// The public layout (head, header, navigation, language switcher,
// breadcrumbs, footer) and the pager are written by plain Go: executed by
// html/template they were about half of a listing page's CPU once the
// rows were written in Go (issue 23), most of it the engine calling its
// escapers through reflection and finding the fields of the embedded
// Page by name for each action. Every value goes through WriteText,
// WriteURL, writeURLPart or WriteQuery, the escapers html/template
// applies in the same context; TestPublicLayoutAsTheTemplateWritesIt
// holds the bytes to those of the templates in testdata/layout.html,
// the layout as html/template executed it until now. The layout's
// "public" template calls publicTop and publicBottom around a page's
// "main", so every domain's pages keep their templates unchanged.

// layoutPage is what every public page's data has: web.Page, embedded.
type layoutPage interface{ layout() *Page }

// layout gives the template functions the page a page's data embeds.
func (p Page) layout() *Page { return &p }

// pageOf is the Page that data embeds.
func pageOf(data any) (*Page, error) {
	lp, ok := data.(layoutPage)
	if !ok {
		return nil, fmt.Errorf("web: the public layout needs data embedding web.Page, not %T", data)
	}
	p := lp.layout()
	if p.L == nil {
		return nil, fmt.Errorf("web: the public layout needs a localizer (Page.L)")
	}
	return p, nil
}

// layoutBuffer sizes the fragments: a page's head and header are 1–3 KB.
const layoutBuffer = 2048

// publicTop is the public layout up to a page's "main": the head, the
// header with the search form, the language switcher and the navigation,
// the breadcrumbs and the flash notice.
func publicTop(assets *Assets) func(data any) (template.HTML, error) {
	return func(data any) (template.HTML, error) {
		p, err := pageOf(data)
		if err != nil {
			return "", err
		}
		var b bytes.Buffer
		b.Grow(layoutBuffer)
		if err := p.writeHead(&b, assets); err != nil {
			return "", err
		}
		p.writeHeader(&b)
		return template.HTML(b.String()), nil // #nosec G203 -- every value is escaped by the web.Write* escapers, as html/template does in its context
	}
}

// publicBottom is the public layout after a page's "main": the footer.
func publicBottom(data any) (template.HTML, error) {
	p, err := pageOf(data)
	if err != nil {
		return "", err
	}
	var b bytes.Buffer
	b.Grow(layoutBuffer / 2)
	p.writeFooter(&b)
	return template.HTML(b.String()), nil // #nosec G203 -- every value is escaped by the web.Write* escapers, as html/template does in its context
}

// writeHead writes the "head" template of the layout.
func (p *Page) writeHead(b *bytes.Buffer, assets *Assets) error {
	style, err := assets.URL("style.css")
	if err != nil {
		return err
	}
	writeIn(b, "<!doctype html>\n<html lang=\"", p.Lang.Code, `" dir="`)
	WriteText(b, p.Lang.Dir)
	b.WriteString("\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>")
	if p.Title != "" {
		WriteText(b, p.Title)
		b.WriteString(" · ")
	}
	WriteText(b, p.Site)
	b.WriteString("</title>")
	if p.Description != "" {
		writeIn(b, "\n<meta name=\"description\" content=\"", p.Description, `">`)
	}
	if p.NoIndex {
		b.WriteString("\n<meta name=\"robots\" content=\"noindex\">")
	}
	if p.Canonical != "" {
		b.WriteString("\n<link rel=\"canonical\" href=\"")
		WriteURL(b, p.BaseURL)
		WriteURL(b, p.Canonical)
		b.WriteString(`">`)
	}
	for _, a := range p.Alternates {
		writeIn(b, "\n<link rel=\"alternate\" hreflang=\"", a.Lang.Code, `" href="`)
		WriteURL(b, p.BaseURL)
		WriteURL(b, a.URL)
		b.WriteString(`">`)
	}
	for _, f := range p.Feeds {
		b.WriteString("\n<link rel=\"alternate\" ")
		b.WriteString(string(f.TypeAttr()))
		writeIn(b, ` title="`, f.Title, `" href="`)
		WriteURL(b, p.BaseURL)
		WriteURL(b, f.URL)
		b.WriteString(`">`)
	}
	if s := p.Share; s != nil {
		p.writeShare(b, s)
	}
	b.WriteString("\n<link rel=\"stylesheet\" href=\"")
	WriteURL(b, style)
	b.WriteString("\">\n<link rel=\"icon\" href=\"data:,\">\n</head>")
	return nil
}

// writeShare writes the Open Graph and Twitter card of the head.
func (p *Page) writeShare(b *bytes.Buffer, s *Share) {
	writeIn(b, "\n<meta property=\"og:type\" content=\"", s.Type, "\">\n<meta property=\"og:site_name\" content=\"")
	WriteText(b, p.Site)
	b.WriteString("\">\n<meta property=\"og:title\" content=\"")
	if p.Title != "" {
		WriteText(b, p.Title)
	} else {
		WriteText(b, p.Site)
	}
	b.WriteString(`">`)
	if p.Description != "" {
		writeIn(b, "\n<meta property=\"og:description\" content=\"", p.Description, `">`)
	}
	b.WriteString("\n<meta property=\"og:url\" content=\"")
	WriteText(b, p.Origin)
	if p.Canonical != "" {
		WriteText(b, p.Canonical)
	} else {
		WriteText(b, p.Path)
	}
	writeIn(b, "\">\n<meta property=\"og:locale\" content=\"", s.Locale, `">`)
	if s.Image != "" {
		b.WriteString("\n<meta property=\"og:image\" content=\"")
		WriteText(b, p.Origin)
		WriteText(b, s.Image)
		b.WriteString(`">`)
		if w := s.ImageSize[0]; w != 0 {
			b.WriteString("\n<meta property=\"og:image:width\" content=\"")
			WriteInt(b, w)
			b.WriteString(`">`)
		}
		if h := s.ImageSize[1]; h != 0 {
			b.WriteString("\n<meta property=\"og:image:height\" content=\"")
			WriteInt(b, h)
			b.WriteString(`">`)
		}
		if s.ImageAlt != "" {
			writeIn(b, "\n<meta property=\"og:image:alt\" content=\"", s.ImageAlt, `">`)
		}
	}
	b.WriteString("\n<meta name=\"twitter:card\" content=\"summary_large_image\">")
}

// writeHeader writes the public layout from <body> to the start of
// <main>'s content.
func (p *Page) writeHeader(b *bytes.Buffer) {
	l := p.L
	writeIn(b, "\n<body>\n<a class=\"skip\" href=\"#main\">", l.T("nav.skip"), "</a>\n<header class=\"site-header\">\n  <div class=\"wrap header-row\">\n    <a class=\"brand\" href=\"/")
	writeURLPart(b, p.Lang.Code)
	writeIn(b, `/">`, p.Site, "</a>")
	if p.Mirror == nil {
		b.WriteString("\n    <form class=\"site-search\" action=\"/")
		writeURLPart(b, p.Lang.Code)
		writeIn(b, "/search\" method=\"get\" role=\"search\">\n      <label for=\"site-search-q\" class=\"visually-hidden\">", l.T("search.label"), "</label>\n      <input id=\"site-search-q\" type=\"search\" name=\"q\" maxlength=\"200\">\n      <button type=\"submit\">")
		WriteText(b, l.T("search.submit"))
		b.WriteString("</button>\n    </form>")
	} else {
		b.WriteString("\n    <a class=\"site-search\" href=\"/")
		writeURLPart(b, p.Lang.Code)
		writeIn(b, `/search">`, l.T("search.title"), "</a>")
	}
	b.WriteString("\n    ")
	p.writeSwitcher(b)
	b.WriteString("\n  </div>")
	if len(p.Nav) > 0 {
		writeIn(b, "\n  <nav class=\"wrap main-nav\" aria-label=\"", l.T("nav.main"), "\">\n    <ul>")
		for _, n := range p.Nav {
			current := ""
			if n.Current {
				current = ` aria-current="page"`
			}
			b.WriteString("<li>")
			writeLink(b, n.URL, current, n.Name)
			b.WriteString("</li>")
		}
		b.WriteString("</ul>\n  </nav>")
	}
	b.WriteString("\n</header>\n<main id=\"main\" class=\"wrap\" tabindex=\"-1\">")
	p.writeCrumbs(b)
	if p.Flash != "" {
		writeIn(b, `<p class="flash" role="status">`, p.Flash, "</p>")
	}
	b.WriteByte('\n')
}

// writeSwitcher writes the language switcher: the page in each language.
func (p *Page) writeSwitcher(b *bytes.Buffer) {
	if len(p.Alternates) == 0 {
		return
	}
	writeIn(b, "\n<nav class=\"switcher\" aria-label=\"", p.L.T("nav.languages"), "\">\n  <ul>")
	for _, a := range p.Alternates {
		b.WriteString("<li>")
		if a.Current {
			writeIn(b, `<span aria-current="true" lang="`, a.Lang.Code, `">`)
			writeIn(b, "", a.Lang.Name, "</span>")
		} else {
			b.WriteString(`<a href="/lang/`)
			writeURLPart(b, a.Lang.Code)
			b.WriteString("?next=")
			WriteQuery(b, a.URL)
			writeIn(b, `" lang="`, a.Lang.Code, `" rel="nofollow">`)
			writeIn(b, "", a.Lang.Name, "</a>")
		}
		b.WriteString("</li>")
	}
	b.WriteString("</ul>\n</nav>")
}

// writeCrumbs writes the breadcrumb trail.
func (p *Page) writeCrumbs(b *bytes.Buffer) {
	if len(p.Crumbs) == 0 {
		return
	}
	writeIn(b, "\n<nav class=\"crumbs\" aria-label=\"", p.L.T("nav.breadcrumbs"), "\">\n  <ol>")
	for _, c := range p.Crumbs {
		b.WriteString("<li>")
		if c.URL != "" {
			writeLink(b, c.URL, "", c.Name)
		} else {
			writeIn(b, `<span aria-current="page">`, c.Name, "</span>")
		}
		b.WriteString("</li>")
	}
	b.WriteString("</ol>\n</nav>")
}

// writeFooter writes the public layout from the end of <main>'s content.
func (p *Page) writeFooter(b *bytes.Buffer) {
	b.WriteString("\n</main>\n<footer class=\"site-footer\">\n  <div class=\"wrap\">")
	for _, f := range p.FooterBlocks {
		b.WriteString(string(f))
	}
	b.WriteString("\n    <p>")
	WriteText(b, p.Site)
	for _, f := range p.Footer {
		b.WriteString(" · ")
		writeLink(b, f.URL, "", f.Name)
	}
	writeIn(b, "</p>\n    <p class=\"small\">", p.L.T("footer.no_tracking"), "</p>")
	if m := p.Mirror; m != nil {
		b.WriteString("\n    <div class=\"mirror-copy\">")
		m.write(b)
		b.WriteString("</div>")
	}
	b.WriteString("\n  </div>\n</footer>\n</body>\n</html>\n")
}

// write writes the "mirror_notice" template of the layout.
func (m *MirrorNotice) write(b *bytes.Buffer) {
	b.WriteString(`<p class="notice mirror-notice">`)
	WriteText(b, m.L.T("mirror.notice"))
	b.WriteByte(' ')
	writeLink(b, m.Live, ` rel="external"`, m.Live)
	if m.Onion != "" {
		writeIn(b, "<br>", m.L.T("mirror.onion"), " ")
		writeLink(b, m.Onion, ` rel="external"`, m.Onion)
	}
	b.WriteString("</p>")
}

// pagerHTML writes the "pager" template of the layout: the numbered
// pages of a listing, in l's language; nothing for a single page.
func pagerHTML(l *i18n.Localizer, p Pager) (template.HTML, error) {
	if p.Pages <= 1 {
		return "", nil
	}
	if l == nil {
		return "", fmt.Errorf("web: the pager needs a localizer")
	}
	var b bytes.Buffer
	b.Grow(layoutBuffer / 2)
	writeIn(&b, "\n<nav class=\"pager\" aria-label=\"", l.T("pager.label"), "\">\n  <ul>")
	if prev := p.Prev(); prev != "" {
		b.WriteString("<li>")
		writeLink(&b, prev, ` rel="prev"`, l.T("pager.prev"))
		b.WriteString("</li>")
	}
	for _, k := range p.Links() {
		b.WriteString("<li>")
		switch {
		case k.Gap:
			b.WriteString("<span>…</span>")
		case k.Current:
			writeIn(&b, `<span aria-current="page">`, l.Number(k.N), "</span>")
		default:
			writeLink(&b, k.URL, "", l.Number(k.N))
		}
		b.WriteString("</li>")
	}
	if next := p.Next(); next != "" {
		b.WriteString("<li>")
		writeLink(&b, next, ` rel="next"`, l.T("pager.next"))
		b.WriteString("</li>")
	}
	b.WriteString("\n  </ul>\n</nav>")
	return template.HTML(b.String()), nil // #nosec G203 -- every value is escaped by the web.Write* escapers, as html/template does in its context
}

// writeIn writes s escaped as element text or an attribute value, between
// two pieces of the layout's own markup.
func writeIn(b *bytes.Buffer, before, s, after string) {
	b.WriteString(before)
	WriteText(b, s)
	b.WriteString(after)
}

// writeLink writes <a href="url"attrs>text</a>, url and text escaped;
// attrs is the layout's own markup.
func writeLink(b *bytes.Buffer, url, attrs, text string) {
	b.WriteString(`<a href="`)
	WriteURL(b, url)
	b.WriteByte('"')
	b.WriteString(attrs)
	b.WriteByte('>')
	WriteText(b, text)
	b.WriteString("</a>")
}
