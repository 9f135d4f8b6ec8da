package feed

import (
	"bytes"
	"context"
	"encoding/xml"
	"io"
	"net/http"
	"testing"
	"time"
	"unicode/utf8"

	"peerpress/internal/content"
	"peerpress/internal/db"
	"peerpress/internal/db/dbtest"
)

// Every sitemap part and the index are the bytes encoding/xml wrote
// from the parts' addresses found by place (OFFSET, as before keyset
// paging), for the demo in two languages with entries untranslated,
// scheduled, drafted and deleted: the parts list the same addresses
// after SitemapAfter and SitemapURLs' keyset as before.
func TestSitemapXMLAsEncodingXMLWroteIt(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		h := newHandlers(t, d, []string{"en", "ru"})
		h.PerSitemap = 7
		en, err := h.store.VisibleIDs(ctx, "en")
		if err != nil {
			t.Fatal(err)
		}
		ru, err := h.store.VisibleIDs(ctx, "ru")
		if err != nil {
			t.Fatal(err)
		}
		if len(en) == len(ru) {
			t.Fatal("the demo has no entry untranslated in Russian: the test needs one")
		}
		// Scheduled in English, drafted in Russian.
		if _, err := d.ExecContext(ctx, `UPDATE translations SET publish_at = ? WHERE entry_id = ? AND lang = 'en'`, time.Now().Add(24*time.Hour).Unix(), en[3]); err != nil {
			t.Fatal(err)
		}
		if _, err := d.ExecContext(ctx, `UPDATE translations SET status = 'draft' WHERE entry_id = ? AND lang = 'ru'`, ru[5]); err != nil {
			t.Fatal(err)
		}
		if _, err := h.store.DeleteEntry(ctx, en[10]); err != nil {
			t.Fatal(err)
		}
		parts := 0
		for _, lang := range []string{"en", "ru"} {
			n, ls, err := h.parts(ctx, lang)
			if err != nil {
				t.Fatal(err)
			}
			visible, err := h.store.VisibleIDs(ctx, lang)
			if err != nil {
				t.Fatal(err)
			}
			for p := 1; p <= n+1; p++ {
				got, _, err := h.renderSitemapPart(ctx, "https://peers.example", lang, p, ls)
				if err != nil {
					t.Fatal(err)
				}
				want := referencePart(t, h, lang, p, ls, visible)
				sameBytes(t, lang+" part", got, want)
				parts++
			}
		}
		if parts < 10 {
			t.Fatalf("only %d parts: the test needs more", parts)
		}
		mux := http.NewServeMux()
		mux.Handle("GET /sitemap.xml", h.rd.Handle(h.SitemapIndex))
		got := get(t, mux, "/sitemap.xml").Body.Bytes()
		idx := sitemapIndex{NS: sitemapNS}
		for _, lang := range []string{"en", "ru"} {
			n, ls, err := h.parts(ctx, lang)
			if err != nil {
				t.Fatal(err)
			}
			for p := 1; p <= n; p++ {
				idx.Sitemaps = append(idx.Sitemaps, sitemapRef{Loc: "https://peers.example" + sitemapName(lang, p, n), LastMod: lastmod(ls[0].Modified)})
			}
		}
		want, err := marshalXML(idx)
		if err != nil {
			t.Fatal(err)
		}
		sameBytes(t, "index", got, want)
	})
}

// referencePart is part p of lang's sitemap as it was written before:
// the entries at their places in visible, encoding/xml.
func referencePart(t *testing.T, h *Handlers, lang string, p int, ls []content.PublicPage, visible []int64) []byte {
	t.Helper()
	const origin = "https://peers.example"
	set := urlSet{NS: sitemapNS, XHTML: xhtmlNS}
	langs := []string{"en", "ru"}
	start, end := (p-1)*h.PerSitemap, p*h.PerSitemap
	for i := start; i < min(end, len(ls)); i++ {
		u := sitemapURL{Loc: origin + ls[i].Path(lang), LastMod: lastmod(ls[i].Modified)}
		for _, l := range langs {
			if path := ls[i].Path(l); path != "" {
				u.Links = append(u.Links, xhtmlLink{Rel: "alternate", Hreflang: l, Href: origin + path})
			}
		}
		set.URLs = append(set.URLs, u)
	}
	from, to := min(len(visible), max(0, start-len(ls))), min(len(visible), max(0, end-len(ls)))
	if ids := visible[from:to]; len(ids) > 0 {
		reach, err := h.store.Reaches(context.Background(), `SELECT id FROM entries WHERE id BETWEEN ? AND ?`, ids[0], ids[len(ids)-1])
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range ids {
			r := reach[id]
			u := sitemapURL{Loc: origin + r.URL(lang), LastMod: lastmod(r.Modified[lang])}
			for _, l := range langs {
				if path := r.URL(l); path != "" {
					u.Links = append(u.Links, xhtmlLink{Rel: "alternate", Hreflang: l, Href: origin + path})
				}
			}
			set.URLs = append(set.URLs, u)
		}
	}
	if len(set.URLs) == 0 {
		return nil
	}
	b, err := marshalXML(set)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Whatever an address, a language code or the origin holds, the
// sitemaps are what encoding/xml wrote, and well-formed XML.
func TestSitemapXMLHostile(t *testing.T) {
	for _, s := range hostileStrings {
		sameSitemap(t, s, s, s)
	}
	when := time.Date(2026, 12, 4, 10, 30, 0, 0, time.FixedZone("x", 3600))
	var x sitemapWriter
	x.raw(urlSetOpen)
	sameBytes(t, "empty urlset", x.close(urlSetClose), mustMarshal(t, urlSet{NS: sitemapNS, XHTML: xhtmlNS}))
	x = sitemapWriter{}
	x.raw(indexOpen)
	x.sitemapRef("a", time.Time{})
	x.sitemapRef("b", when)
	sameBytes(t, "index", x.close(indexClose), mustMarshal(t, sitemapIndex{NS: sitemapNS, Sitemaps: []sitemapRef{{Loc: "a"}, {Loc: "b", LastMod: lastmod(when)}}}))
}

var hostileStrings = []string{
	"",
	`<script>alert("x")</script> & 'quotes' "too"`,
	"]]> <![CDATA[ x ]]>",
	"tab\there\nnew line\r\ncarriage",
	"nul\x00 bell\x07 esc\x1b del\x7f c1\u0085",
	"invalid \xff\xfe utf-8 \xc3 cut \xe2\x82",
	"cut at the end \xe2\x82",
	"surrogate \xed\xa0\x80 noncharacters \uFFFE \uFFFF replacement \uFFFD",
	"right-to-left \u202e override \u200f and emoji 🏳️‍🌈 and 𝔘",
	"&amp; &#34; &lt;already&gt; escaped",
}

// FuzzSitemapXML holds the hand-written sitemaps to encoding/xml's bytes
// and to well-formed XML for any strings.
func FuzzSitemapXML(f *testing.F) {
	f.Add("https://peers.example", "/en/post/x", "en")
	f.Add("\xe2\x82", "/\x82]]>", "\uFFFE")
	f.Add("\r\n\t", "/'\"<>&", "")
	f.Fuzz(func(t *testing.T, origin, path, lang string) {
		sameSitemap(t, origin, "/"+path, lang)
	})
}

// sameSitemap writes a urlset and an index with the strings in every
// place they go, by hand and with encoding/xml.
func sameSitemap(t *testing.T, origin, path, lang string) {
	t.Helper()
	when := time.Date(2026, 12, 4, 10, 30, 0, 0, time.UTC)
	var x sitemapWriter
	x.raw(urlSetOpen)
	x.url(origin, path, when)
	x.link(lang, origin, path)
	x.link("en", origin, path)
	x.end()
	x.url("", path, time.Time{})
	x.end()
	want := mustMarshal(t, urlSet{NS: sitemapNS, XHTML: xhtmlNS, URLs: []sitemapURL{
		{Loc: origin + path, LastMod: lastmod(when), Links: []xhtmlLink{{"alternate", lang, origin + path}, {"alternate", "en", origin + path}}},
		{Loc: path},
	}})
	sameBytes(t, "urlset", x.close(urlSetClose), want)
	x = sitemapWriter{}
	x.raw(indexOpen)
	x.sitemapRef(origin+path, when)
	sameBytes(t, "index", x.close(indexClose), mustMarshal(t, sitemapIndex{NS: sitemapNS, Sitemaps: []sitemapRef{{Loc: origin + path, LastMod: lastmod(when)}}}))
}

// marshalXML writes v as the sitemaps and feeds were written before they
// were written by hand.
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

func mustMarshal(t *testing.T, v any) []byte {
	t.Helper()
	b, err := marshalXML(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// sameBytes fails unless got is want and parses as XML to its end.
func sameBytes(t *testing.T, name string, got, want []byte) {
	t.Helper()
	if !bytes.Equal(got, want) {
		i := 0
		for i < len(got) && i < len(want) && got[i] == want[i] {
			i++
		}
		t.Fatalf("%s: differs at byte %d:\n got %q\nwant %q", name, i, got[max(0, i-60):min(len(got), i+60)], want[max(0, i-60):min(len(want), i+60)])
	}
	if got == nil {
		return
	}
	if !utf8.Valid(got) {
		t.Fatalf("%s: not UTF-8", name)
	}
	dec := xml.NewDecoder(bytes.NewReader(got))
	for {
		_, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("%s: not well-formed: %v\n%s", name, err, got)
		}
	}
}

// The sitemaps as encoding/xml wrote them before sitemapWriter (the
// reference the hand-written XML is held to).
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

func lastmod(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
