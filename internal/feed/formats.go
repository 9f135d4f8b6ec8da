// Package feed serves what other programs read to follow and index the
// site: RSS 2.0, Atom and JSON Feed 1.1 feeds per language, section and
// kind, the sitemap (an index of one sitemap per language, in parts of at
// most 10,000 addresses, with each entry's translations as hreflang
// alternates) and robots.txt. The formats are written with the standard
// library's encoding/xml and encoding/json: three small documents do not
// need a dependency.
package feed

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"time"
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

// write encodes d in format f.
func (d doc) write(f Format) ([]byte, error) {
	switch f.File {
	case "feed.xml":
		return d.rss()
	case "atom.xml":
		return d.atom()
	default:
		return d.json()
	}
}

func marshalXML(v any) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", " ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}

// RSS 2.0 (https://www.rssboard.org/rss-specification), with the body in
// content:encoded and an atom:link to itself, as validators expect.
type rssDoc struct {
	XMLName   xml.Name   `xml:"rss"`
	Version   string     `xml:"version,attr"`
	AtomNS    string     `xml:"xmlns:atom,attr"`
	ContentNS string     `xml:"xmlns:content,attr"`
	Channel   rssChannel `xml:"channel"`
}

type rssChannel struct {
	Title         string    `xml:"title"`
	Link          string    `xml:"link"`
	Description   string    `xml:"description"`
	Language      string    `xml:"language"`
	LastBuildDate string    `xml:"lastBuildDate"`
	Generator     string    `xml:"generator"`
	Self          rssLink   `xml:"atom:link"`
	Items         []rssItem `xml:"item"`
}

type rssLink struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr"`
}

type rssItem struct {
	Title       string  `xml:"title"`
	Link        string  `xml:"link"`
	GUID        rssGUID `xml:"guid"`
	PubDate     string  `xml:"pubDate"`
	Description string  `xml:"description"`
	Content     string  `xml:"content:encoded"`
}

type rssGUID struct {
	IsPermaLink bool   `xml:"isPermaLink,attr"`
	Value       string `xml:",chardata"`
}

func (d doc) rss() ([]byte, error) {
	ch := rssChannel{Title: d.Title, Link: d.Home, Description: d.Title, Language: d.Lang,
		LastBuildDate: d.Updated.Format(time.RFC1123Z), Generator: generator,
		Self: rssLink{Href: d.Self, Rel: "self", Type: "application/rss+xml"}}
	for _, it := range d.Items {
		ch.Items = append(ch.Items, rssItem{Title: it.Title, Link: it.URL, GUID: rssGUID{Value: it.ID},
			PubDate: it.Published.Format(time.RFC1123Z), Description: it.Summary, Content: it.HTML})
	}
	return marshalXML(rssDoc{Version: "2.0", AtomNS: "http://www.w3.org/2005/Atom", ContentNS: "http://purl.org/rss/1.0/modules/content/", Channel: ch})
}

// Atom (RFC 4287).
type atomDoc struct {
	XMLName   xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Lang      string      `xml:"xml:lang,attr"`
	ID        string      `xml:"id"`
	Title     string      `xml:"title"`
	Updated   string      `xml:"updated"`
	Links     []atomLink  `xml:"link"`
	Author    atomPerson  `xml:"author"`
	Generator string      `xml:"generator"`
	Entries   []atomEntry `xml:"entry"`
}

type atomLink struct {
	Rel      string `xml:"rel,attr"`
	Type     string `xml:"type,attr,omitempty"`
	Hreflang string `xml:"hreflang,attr,omitempty"`
	Href     string `xml:"href,attr"`
}

type atomPerson struct {
	Name string `xml:"name"`
}

type atomText struct {
	Type  string `xml:"type,attr"`
	Value string `xml:",chardata"`
}

type atomEntry struct {
	ID        string    `xml:"id"`
	Title     string    `xml:"title"`
	Link      atomLink  `xml:"link"`
	Published string    `xml:"published"`
	Updated   string    `xml:"updated"`
	Summary   *atomText `xml:"summary,omitempty"`
	Content   atomText  `xml:"content"`
}

func (d doc) atom() ([]byte, error) {
	a := atomDoc{Lang: d.Lang, ID: d.ID, Title: d.Title, Updated: d.Updated.Format(time.RFC3339), Author: atomPerson{Name: d.Author},
		Generator: generator, Links: []atomLink{
			{Rel: "alternate", Type: "text/html", Hreflang: d.Lang, Href: d.Home},
			{Rel: "self", Type: "application/atom+xml", Href: d.Self},
		}}
	for _, it := range d.Items {
		e := atomEntry{ID: it.ID, Title: it.Title, Link: atomLink{Rel: "alternate", Type: "text/html", Href: it.URL},
			Published: it.Published.Format(time.RFC3339), Updated: it.Updated.Format(time.RFC3339),
			Content: atomText{Type: "html", Value: it.HTML}}
		if it.Summary != "" {
			e.Summary = &atomText{Type: "text", Value: it.Summary}
		}
		a.Entries = append(a.Entries, e)
	}
	return marshalXML(a)
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

func (d doc) json() ([]byte, error) {
	j := jsonDoc{Version: "https://jsonfeed.org/version/1.1", Title: d.Title, HomePageURL: d.Home, FeedURL: d.Self,
		Language: d.Lang, Authors: []jsonAuthor{{Name: d.Author}}, Items: []jsonItem{}}
	for _, it := range d.Items {
		j.Items = append(j.Items, jsonItem{ID: it.ID, URL: it.URL, Title: it.Title, Summary: it.Summary, ContentHTML: it.HTML,
			DatePublished: it.Published.Format(time.RFC3339), DateModified: it.Updated.Format(time.RFC3339), Language: d.Lang})
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	if err := enc.Encode(j); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
