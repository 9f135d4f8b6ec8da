package feed

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"io"
	"testing"
	"time"
	"unicode/utf8"

	"peerpress/internal/content"
	"peerpress/internal/db"
	"peerpress/internal/db/dbtest"
)

// The hand-written RSS and Atom are the bytes encoding/xml wrote, for
// every feed of the demo in two languages.
func TestFeedXMLAsEncodingXMLWroteIt(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		h := newHandlers(t, d, []string{"en", "ru"})
		ctx := context.Background()
		secs, err := h.store.Sections(ctx)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, lang := range []string{"en", "ru"} {
			filters := []content.ListFilter{{Lang: lang}}
			for _, k := range content.Kinds() {
				filters = append(filters, content.ListFilter{Lang: lang, Kind: k})
			}
			for _, s := range secs {
				filters = append(filters, content.ListFilter{Lang: lang, SectionID: s.ID})
			}
			for _, f := range filters {
				doc := referenceDoc(t, h, "https://peers.example", lang, f)
				n += len(doc.Items)
				sameXML(t, doc)
				sameJSON(t, doc)
				// What the handlers serve, from the items they keep, is
				// the document written whole.
				for _, format := range Formats {
					for range 2 { // the second time from the items kept
						served, segs, err := h.build(ctx, format, "https://peers.example", lang, "/"+lang, "Feed", f)
						if err != nil {
							t.Fatal(err)
						}
						got, err := served.splice(format, segs)
						if err != nil {
							t.Fatal(err)
						}
						doc.Self, doc.ID = served.Self, served.ID
						want, err := doc.write(format)
						if err != nil {
							t.Fatal(err)
						}
						if !bytes.Equal(got.Bytes(), want) {
							t.Fatalf("%s %+v: served %s differs:\n%s\n%s", lang, f, format.File, got.Bytes(), want)
						}
					}
				}
			}
		}
		if n < 50 {
			t.Fatalf("only %d entries in the demo's feeds: the test needs more", n)
		}
	})
}

// referenceDoc is the feed of f as it was built before items were kept:
// every text read whole.
func referenceDoc(t *testing.T, h *Handlers, origin, lang string, f content.ListFilter) doc {
	t.Helper()
	texts, err := h.store.LatestTexts(context.Background(), f, h.PerFeed)
	if err != nil {
		t.Fatal(err)
	}
	d := doc{Title: "Feed", Lang: lang, Home: origin + "/" + lang + "/", Author: h.rd.SiteName}
	for _, x := range texts {
		it := h.item(origin, lang, x)
		d.Items = append(d.Items, it)
		if it.Updated.After(d.Updated) {
			d.Updated = it.Updated
		}
	}
	if d.Updated.IsZero() {
		d.Updated = time.Unix(0, 0).UTC()
	}
	return d
}

// Whatever an entry holds, the feeds are what encoding/xml wrote, and
// well-formed XML.
func TestFeedXMLHostile(t *testing.T) {
	for _, s := range []string{
		"",
		`<script>alert("x")</script> & 'quotes' "too"`,
		"]]> <![CDATA[ x ]]>",
		"tab\there\nnew line\r\ncarriage",
		"nul\x00 bell\x07 esc\x1b del\x7f c1\u0085",
		"invalid \xff\xfe utf-8 \xc3 cut \xe2\x82",
		"surrogate \xed\xa0\x80 noncharacters \uFFFE \uFFFF replacement \uFFFD",
		"right-to-left \u202e override \u200f and emoji 🏳️‍🌈 and 𝔘",
		"&amp; &#34; &lt;already&gt; escaped",
		"<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>&e;",
	} {
		sameXML(t, hostileDoc(s))
		sameJSON(t, hostileDoc(s))
	}
	d := hostileDoc("x")
	d.Items = nil
	sameXML(t, d)
	sameJSON(t, d)
	d = hostileDoc("x")
	d.Items = d.Items[:1]
	sameXML(t, d)
	sameJSON(t, d)
}

// hostileDoc is a feed with s in every string it carries.
func hostileDoc(s string) doc {
	when := time.Date(2026, 12, 4, 10, 30, 0, 0, time.UTC)
	it := item{ID: "tag:" + s, URL: "https://peers.example/" + s, Title: s, Summary: s, HTML: "<p>" + s + "</p>", Published: when, Updated: when}
	noSummary := it
	noSummary.Summary = ""
	return doc{ID: s, Title: s, Lang: s, Home: s, Self: s, Author: s, Updated: when, Items: []item{it, noSummary}}
}

// FuzzFeedXML holds the hand-written feeds to encoding/xml's bytes and to
// well-formed XML for any strings.
func FuzzFeedXML(f *testing.F) {
	f.Add("Title", "<p>body &amp; more</p>", "summary", "en")
	f.Add("]]>\x00", "\xff\xfe", "\uFFFE", "")
	f.Add("\r\n\t", "'\"<>&", "\u2028", "ru")
	f.Fuzz(func(t *testing.T, title, html, summary, lang string) {
		when := time.Date(2026, 12, 4, 10, 30, 0, 0, time.UTC)
		sameXML(t, doc{ID: lang + title, Title: title, Lang: lang, Home: "https://peers.example/" + lang, Self: summary, Author: title, Updated: when,
			Items: []item{{ID: "tag:" + title, URL: html, Title: title, Summary: summary, HTML: html, Published: when, Updated: when}}})
		sameJSON(t, doc{ID: lang + title, Title: title, Lang: lang, Home: "https://peers.example/" + lang, Self: summary, Author: title, Updated: when,
			Items: []item{{ID: "tag:" + title, URL: html, Title: title, Summary: summary, HTML: html, Published: when, Updated: when}}})
	})
}

// sameXML fails unless d's RSS and Atom are encoding/xml's bytes and
// parse as XML to their end.
func sameXML(t *testing.T, d doc) {
	t.Helper()
	for _, f := range []struct {
		name      string
		now, then func() ([]byte, error)
	}{{"rss", d.rss, d.rssEncodingXML}, {"atom", d.atom, d.atomEncodingXML}} {
		got, err := f.now()
		if err != nil {
			t.Fatal(err)
		}
		want, err := f.then()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			i := 0
			for i < len(got) && i < len(want) && got[i] == want[i] {
				i++
			}
			t.Fatalf("%s: differs at byte %d:\n got %q\nwant %q", f.name, i, got[max(0, i-40):min(len(got), i+40)], want[max(0, i-40):min(len(want), i+40)])
		}
		if !utf8.Valid(got) {
			t.Fatalf("%s: not UTF-8", f.name)
		}
		dec := xml.NewDecoder(bytes.NewReader(got))
		for {
			_, err := dec.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("%s: not well-formed: %v\n%s", f.name, err, got)
			}
		}
	}
}

// sameJSON fails unless d's JSON Feed is what encoding/json wrote of the
// whole document, items and all, before items were kept apart.
func sameJSON(t *testing.T, d doc) {
	t.Helper()
	got, err := d.json()
	if err != nil {
		t.Fatal(err)
	}
	j := jsonDoc{Version: "https://jsonfeed.org/version/1.1", Title: d.Title, HomePageURL: d.Home, FeedURL: d.Self,
		Language: d.Lang, Authors: []jsonAuthor{{Name: d.Author}}, Items: []jsonItem{}}
	for _, it := range d.Items {
		j.Items = append(j.Items, jsonItem{ID: it.ID, URL: it.URL, Title: it.Title, Summary: it.Summary, ContentHTML: it.HTML,
			DatePublished: it.Published.Format(time.RFC3339), DateModified: it.Updated.Format(time.RFC3339), Language: d.Lang})
	}
	var want bytes.Buffer
	enc := json.NewEncoder(&want)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	if err := enc.Encode(j); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want.Bytes()) {
		t.Fatalf("JSON Feed differs:\n got %s\nwant %s", got, want.Bytes())
	}
}

// The feeds as encoding/xml wrote them before rss and atom (the
// reference the hand-written XML is held to).
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

func (d doc) rssEncodingXML() ([]byte, error) {
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

func (d doc) atomEncodingXML() ([]byte, error) {
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
