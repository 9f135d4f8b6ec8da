// Package feed serves what other programs read to follow and index the
// site: RSS 2.0, Atom and JSON Feed 1.1 feeds per language, section and
// kind, the sitemap (an index of one sitemap per language, in parts of at
// most 10,000 addresses, with each entry's translations as hreflang
// alternates) and robots.txt. The feeds' and sitemaps' XML is written by
// hand (see rss and sitemapWriter), JSON Feed with the standard library's
// encoding/json.
package feed

import (
	"bytes"
	"encoding/json"
	"time"
	"unicode/utf8"

	"peerpress/internal/web"
)

// Format is one feed format.
type Format struct {
	File string // the feed's file name under a listing's address
	Type string // media type, without charset
	Name string // shown in feed readers' lists
}

// Formats are the formats every feed is offered in.
var Formats = []Format{
	{File: "feed.xml", Type: "application/rss+xml", Name: "RSS"},
	{File: "atom.xml", Type: "application/atom+xml", Name: "Atom"},
	{File: "feed.json", Type: "application/feed+json", Name: "JSON Feed"},
}

// doc is a feed before it is written in a format.
type doc struct {
	ID      string // stable: the feed's own address
	Title   string
	Lang    string
	Home    string // absolute address of the listing the feed follows
	Self    string // absolute address of the feed
	Author  string // the site
	Updated time.Time
	Items   []item
}

// item is one entry in a feed.
type item struct {
	ID        string // tag: URI, stable across changes of slug
	URL       string // absolute
	Title     string
	Summary   string
	HTML      string // the rendered, sanitized body
	Published time.Time
	Updated   time.Time
}

const generator = "peerpress"

// write encodes d in format f, its items written as the handlers write
// and keep them (itemText).
func (d doc) write(f Format) ([]byte, error) {
	segs := make([]*web.Segment, len(d.Items))
	var prev []byte
	for i, it := range d.Items {
		text, err := itemText(f, d.Lang, it)
		if err != nil {
			return nil, err
		}
		seg := web.NewSegment(text, after(f, prev, i))
		segs[i], prev = &seg, text
	}
	body, err := d.splice(f, segs)
	if err != nil {
		return nil, err
	}
	return body.Bytes(), nil
}

func (d doc) rss() ([]byte, error)  { return d.write(Formats[0]) }
func (d doc) atom() ([]byte, error) { return d.write(Formats[1]) }
func (d doc) json() ([]byte, error) { return d.write(Formats[2]) }

// splice writes d in format f around its items' text, segs (one per
// item, newest first): the head and the tail are the feed's own, the
// items' text is the same in every response until the item changes, and
// kept compressed (web.Segment).
func (d doc) splice(f Format, segs []*web.Segment) (*web.Spliced, error) {
	var body web.Spliced
	switch f.File {
	case "feed.xml":
		body.Write(d.rssHead())
		for _, s := range segs {
			body.Add(s)
		}
		body.WriteString("\n </channel>\n</rss>\n")
	case "atom.xml":
		body.Write(d.atomHead())
		for _, s := range segs {
			body.Add(s)
		}
		body.WriteString("\n</feed>\n")
	default:
		head, err := d.jsonHead()
		if err != nil {
			return nil, err
		}
		if len(segs) == 0 {
			body.Write(head)
			body.WriteString("[]\n}\n")
			break
		}
		// As encoding/json indents the items' array.
		body.Write(head)
		body.WriteString("[\n  ")
		for i, s := range segs {
			body.WriteString(separator(f, i))
			body.Add(s)
		}
		body.WriteString("\n ]\n}\n")
	}
	return &body, nil
}

// separator is what splice writes between item n-1 and item n.
func separator(f Format, n int) string {
	if f.File == "feed.json" && n > 0 {
		return ",\n  "
	}
	return ""
}

// after is the text right before item n, whose own text is prev: the
// dictionary its segment is compressed with (web.NewSegment). The first
// item follows the feed's head, which changes with every new item.
func after(f Format, prev []byte, n int) []byte {
	if n == 0 {
		return nil
	}
	return append(prev[:len(prev):len(prev)], separator(f, n)...)
}

// itemText is one item of a feed in language lang, in format f: what
// splice puts between the feed's head and its tail.
func itemText(f Format, lang string, it item) ([]byte, error) {
	switch f.File {
	case "feed.xml":
		x := xmlWriter{b: make([]byte, 0, it.sizeHint())}
		x.raw("\n  <item>")
		x.elem(3, "title", it.Title)
		x.elem(3, "link", it.URL)
		x.raw("\n   <guid isPermaLink=\"false\">")
		x.text(it.ID)
		x.raw("</guid>")
		x.elem(3, "pubDate", it.Published.Format(time.RFC1123Z))
		x.elem(3, "description", it.Summary)
		x.raw("\n   <content:encoded>")
		x.text(it.HTML)
		x.raw("</content:encoded>")
		x.raw("\n  </item>")
		return x.b, nil
	case "atom.xml":
		x := xmlWriter{b: make([]byte, 0, it.sizeHint())}
		x.raw("\n <entry>")
		x.elem(2, "id", it.ID)
		x.elem(2, "title", it.Title)
		x.link(2, "alternate", "text/html", "", it.URL)
		x.elem(2, "published", it.Published.Format(time.RFC3339))
		x.elem(2, "updated", it.Updated.Format(time.RFC3339))
		if it.Summary != "" {
			x.raw("\n  <summary type=\"text\">")
			x.text(it.Summary)
			x.raw("</summary>")
		}
		x.raw("\n  <content type=\"html\">")
		x.text(it.HTML)
		x.raw("</content>\n </entry>")
		return x.b, nil
	default:
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		enc.SetIndent("  ", " ") // an element of the items' array, two levels in
		if err := enc.Encode(jsonItem{ID: it.ID, URL: it.URL, Title: it.Title, Summary: it.Summary, ContentHTML: it.HTML,
			DatePublished: it.Published.Format(time.RFC3339), DateModified: it.Updated.Format(time.RFC3339), Language: lang}); err != nil {
			return nil, err
		}
		return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
	}
}

// RSS 2.0 (https://www.rssboard.org/rss-specification), with the body in
// content:encoded and an atom:link to itself, as validators expect; and
// Atom (RFC 4287). Both are written by hand, the bytes encoding/xml's
// Encoder wrote with Indent("", " ") (feed_xml_test.go holds them to
// it): through reflection, its escaping of the entries' HTML bodies was a
// third of a feed's CPU (BENCHMARKS.md, 2026-12-04).

func (d doc) rssHead() []byte {
	x := xmlWriter{b: make([]byte, 0, 1024)}
	x.raw(xmlHeader + `<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:content="http://purl.org/rss/1.0/modules/content/">` + "\n <channel>")
	x.elem(2, "title", d.Title)
	x.elem(2, "link", d.Home)
	x.elem(2, "description", d.Title)
	x.elem(2, "language", d.Lang)
	x.elem(2, "lastBuildDate", d.Updated.Format(time.RFC1123Z))
	x.elem(2, "generator", generator)
	x.raw("\n  <atom:link href=\"")
	x.text(d.Self)
	x.raw(`" rel="self" type="application/rss+xml"></atom:link>`)
	return x.b
}

func (d doc) atomHead() []byte {
	x := xmlWriter{b: make([]byte, 0, 1024)}
	x.raw(xmlHeader + `<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="`)
	x.text(d.Lang)
	x.raw(`">`)
	x.elem(1, "id", d.ID)
	x.elem(1, "title", d.Title)
	x.elem(1, "updated", d.Updated.Format(time.RFC3339))
	x.link(1, "alternate", "text/html", d.Lang, d.Home)
	x.link(1, "self", "application/atom+xml", "", d.Self)
	x.raw("\n <author>")
	x.elem(2, "name", d.Author)
	x.raw("\n </author>")
	x.elem(1, "generator", generator)
	return x.b
}

// sizeHint is about what an item's XML takes, so that it is written into
// one buffer: escaping makes HTML some 15 % longer.
func (it item) sizeHint() int {
	return 512 + len(it.Title) + len(it.Summary) + len(it.HTML)*5/4
}

const xmlHeader = `<?xml version="1.0" encoding="UTF-8"?>` + "\n"

// xmlWriter appends XML to b.
type xmlWriter struct{ b []byte }

func (x *xmlWriter) raw(s string) { x.b = append(x.b, s...) }

// elem writes <name>text</name> on a new line, indented by depth spaces.
func (x *xmlWriter) elem(depth int, name, text string) {
	x.b = append(x.b, '\n')
	for range depth {
		x.b = append(x.b, ' ')
	}
	x.b = append(x.b, '<')
	x.b = append(x.b, name...)
	x.b = append(x.b, '>')
	x.text(text)
	x.b = append(x.b, "</"...)
	x.b = append(x.b, name...)
	x.b = append(x.b, '>')
}

// link writes an Atom link; type and hreflang are left out when empty.
func (x *xmlWriter) link(depth int, rel, typ, hreflang, href string) {
	x.b = append(x.b, '\n')
	for range depth {
		x.b = append(x.b, ' ')
	}
	x.raw(`<link rel="`)
	x.text(rel)
	if typ != "" {
		x.raw(`" type="`)
		x.text(typ)
	}
	if hreflang != "" {
		x.raw(`" hreflang="`)
		x.text(hreflang)
	}
	x.raw(`" href="`)
	x.text(href)
	x.raw(`"></link>`)
}

// xmlEscapes are the replacements of the ASCII bytes escaped, as
// encoding/xml escapes text and attribute values alike: markup, both
// quotes, and the white space a parser would normalise; the other control
// characters are not XML characters at all, and become U+FFFD.
var xmlEscapes = func() (e [128]string) {
	for c := range 0x20 {
		e[c] = "\uFFFD"
	}
	e['"'], e['\''], e['&'], e['<'], e['>'] = "&#34;", "&#39;", "&amp;", "&lt;", "&gt;"
	e['\t'], e['\n'], e['\r'] = "&#x9;", "&#xA;", "&#xD;"
	return e
}()

// text appends s escaped for XML text or a quoted attribute value. What
// is not a character XML allows (invalid UTF-8, U+FFFE, U+FFFF, control
// characters) becomes U+FFFD, so that the document stays well-formed
// whatever an entry holds.
func (x *xmlWriter) text(s string) {
	b, last := x.b, 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if esc := xmlEscapes[c]; esc != "" {
				b = append(b, s[last:i]...)
				b = append(b, esc...)
				last = i + 1
			}
			i++
			continue
		}
		r, width := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && width == 1) || (r > 0xD7FF && r < 0xE000) || r == 0xFFFE || r == 0xFFFF {
			b = append(b, s[last:i]...)
			b = append(b, "\uFFFD"...)
			last = i + width
		}
		i += width
	}
	x.b = append(b, s[last:]...)
}

// JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/).
type jsonDoc struct {
	Version     string       `json:"version"`
	Title       string       `json:"title"`
	HomePageURL string       `json:"home_page_url"`
	FeedURL     string       `json:"feed_url"`
	Language    string       `json:"language"`
	Authors     []jsonAuthor `json:"authors"`
	Items       []jsonItem   `json:"items"`
}

type jsonAuthor struct {
	Name string `json:"name"`
}

type jsonItem struct {
	ID            string `json:"id"`
	URL           string `json:"url"`
	Title         string `json:"title"`
	Summary       string `json:"summary,omitempty"`
	ContentHTML   string `json:"content_html"`
	DatePublished string `json:"date_published"`
	DateModified  string `json:"date_modified"`
	Language      string `json:"language"`
}

// jsonHead is the feed up to its items' array, as encoding/json indents
// it: the document with no items, cut before the array.
func (d doc) jsonHead() ([]byte, error) {
	j := jsonDoc{Version: "https://jsonfeed.org/version/1.1", Title: d.Title, HomePageURL: d.Home, FeedURL: d.Self,
		Language: d.Lang, Authors: []jsonAuthor{{Name: d.Author}}, Items: []jsonItem{}}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	if err := enc.Encode(j); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("[]\n}\n")), nil
}
