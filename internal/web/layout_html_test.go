package web

import (
	"bytes"
	"html/template"
	"strconv"
	"strings"
	"testing"

	"peerpress/internal/i18n"
)

// layoutMain is a page's "main" for the layout tests: the page's title
// and its pager, as an archive shows them.
const layoutMain = `{{define "main"}}<h1>{{.Title}}</h1>{{template "pager" .}}{{end}}`

// layoutData is a public page's data: web.Page embedded, as every
// domain's page types do, and a listing's pager.
type layoutData struct {
	Page
	Pager Pager
}

// layoutTemplates are the public layout as html/template executed it
// until it was written in Go (testdata/layout.html over the served
// layouts, whose "head" the admin still executes), the reference, and the
// layout as served, each with the same "main".
func layoutTemplates(t testing.TB) (reference, served *template.Template) {
	t.Helper()
	assets, err := NewAssets()
	if err != nil {
		t.Fatal(err)
	}
	rd, err := NewRenderer("Site", func() *i18n.Bundle { return nil }, nil, assets)
	if err != nil {
		t.Fatal(err)
	}
	reference = template.Must(template.Must(template.Must(rd.base.Clone()).ParseFiles("testdata/layout.html")).Parse(layoutMain))
	served = template.Must(template.Must(rd.base.Clone()).Parse(layoutMain))
	return reference, served
}

func executeLayout(t testing.TB, tmpl *template.Template, d layoutData) string {
	t.Helper()
	var b bytes.Buffer
	if err := tmpl.ExecuteTemplate(&b, "public", d); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func layoutBundle(t testing.TB) *i18n.Bundle {
	t.Helper()
	b, err := i18n.New([]string{"en", "ru", "ar"})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// ordinaryLayout is a listing page with everything the layout shows:
// feeds, a sharing card with its picture, the switcher, navigation,
// breadcrumbs, a notice, footer blocks and links, and a long pager.
func ordinaryLayout(l *i18n.Localizer, langs []i18n.Language, page int) layoutData {
	d := layoutData{Page: Page{L: l, Lang: l.Lang, Langs: langs, Site: "Peer Network", BaseURL: "https://peers.example.org",
		Title: "News & views", Description: `The network's "news", page ` + strconv.Itoa(page), Path: "/" + l.Lang.Code + "/section/news",
		Canonical: "/" + l.Lang.Code + "/section/news", Origin: "https://peers.example.org",
		Feeds: []FeedLink{{Type: "application/rss+xml", Title: "Peer Network: News", URL: "/" + l.Lang.Code + "/section/news/feed.xml"},
			{Type: "application/feed+json", Title: "Peer Network: News", URL: "/" + l.Lang.Code + "/section/news/feed.json"}},
		Share:        &Share{Type: "website", Locale: "en_US", Image: "/static/share-1a2b.png", ImageAlt: "The network's logo", ImageSize: [2]int{1200, 630}},
		Nav:          []NavLink{{Name: "News", URL: "/" + l.Lang.Code + "/section/news", Current: true}, {Name: "Events", URL: "/" + l.Lang.Code + "/events/upcoming"}},
		Footer:       []NavLink{{Name: "About us", URL: "/" + l.Lang.Code + "/about"}, {Name: "Privacy", URL: "/" + l.Lang.Code + "/privacy"}},
		FooterBlocks: []template.HTML{`<form class="subscribe" action="/en/updates"><button>Subscribe</button></form>`},
		Crumbs:       []Crumb{{Name: "Home", URL: "/" + l.Lang.Code + "/"}, {Name: "News"}},
		Flash:        "Saved.",
	}}
	for _, lang := range langs {
		d.Alternates = append(d.Alternates, Alternate{Lang: lang, URL: "/" + lang.Code + "/section/news", Current: lang.Code == l.Lang.Code})
	}
	d.Pager = Pager{Page: page, Pages: 40, URL: func(n int) string { return d.Canonical + "/page/" + strconv.Itoa(n) }}
	return d
}

// hostileLayout puts s in every string the layout shows that is not a
// translation of the code's own words, with the optional parts shown.
func hostileLayout(l *i18n.Localizer, s string, mirror bool) layoutData {
	lang := i18n.Language{Code: s, Name: s, Dir: s}
	d := layoutData{Page: Page{L: l, Lang: lang, Site: s, BaseURL: s, Title: s, Description: s, Path: s, Canonical: s, NoIndex: true,
		Origin: s, Feeds: []FeedLink{{Type: s, Title: s, URL: s}},
		Share: &Share{Type: s, Locale: s, Image: s, ImageAlt: s, ImageSize: [2]int{len(s), -len(s)}},
		Nav:   []NavLink{{Name: s, URL: s, Current: true}, {Name: s, URL: s}}, Footer: []NavLink{{Name: s, URL: s}},
		Crumbs: []Crumb{{Name: s, URL: s}, {Name: s}}, Flash: s,
		Alternates: []Alternate{{Lang: lang, URL: s, Current: true}, {Lang: lang, URL: s}},
	}}
	if mirror {
		d.Mirror = &MirrorNotice{L: l, Live: s, Onion: s}
	}
	d.Pager = Pager{Page: 2, Pages: 9, URL: func(n int) string { return s + strconv.Itoa(n) }}
	return d
}

// The public layout and the pager written by Go must be the bytes
// html/template wrote from testdata/layout.html: for ordinary pages in a
// left-to-right and a right-to-left language, for a bare page, for the
// static mirror's, and with every value hostile (markup, quotes,
// entities, unsafe and odd URLs, right-to-left overrides, bad UTF-8).
func TestPublicLayoutAsTheTemplateWritesIt(t *testing.T) {
	reference, served := layoutTemplates(t)
	bundle := layoutBundle(t)
	en, ar := bundle.Localizer("en"), bundle.Localizer("ar")
	pages := []layoutData{
		ordinaryLayout(en, bundle.Enabled(), 1),
		ordinaryLayout(en, bundle.Enabled(), 20),
		ordinaryLayout(ar, bundle.Enabled(), 40),
		{Page: Page{L: en, Lang: en.Lang}},
		{Page: Page{L: ar, Lang: ar.Lang, Site: "شبكة الأقران", Share: &Share{Type: "website"}, Mirror: &MirrorNotice{L: ar, Live: "https://peers.example.org/ar/"}}},
	}
	bare := ordinaryLayout(en, bundle.Enabled(), 3)
	bare.Share.Image, bare.Title, bare.Description, bare.Canonical = "", "", "", ""
	bare.Pager.Pages = 1
	pages = append(pages, bare)
	for _, s := range append(hostile, "\u202eevil\u202c", "http://example.org/?q=<a>&b='c'#\"d\"") {
		pages = append(pages, hostileLayout(en, s, false), hostileLayout(ar, s, true))
	}
	for i, d := range pages {
		want := executeLayout(t, reference, d)
		if got := executeLayout(t, served, d); got != want {
			t.Errorf("page %d (%q): the written layout differs from the template's:\n%s\n--- template:\n%s", i, d.Title, got, want)
		}
	}
	// The comparison can fail: an unsafe address is defanged.
	got := executeLayout(t, served, hostileLayout(en, "javascript:alert(1)", false))
	if !strings.Contains(got, `<link rel="canonical" href="#ZgotmplZ#ZgotmplZ">`) || strings.Contains(got, `href="javascript`) {
		t.Errorf("a javascript: address was not defanged:\n%s", got)
	}
}

// Data that does not embed web.Page fails to render rather than
// rendering a page without its layout's words.
func TestPublicLayoutNeedsAPage(t *testing.T) {
	_, served := layoutTemplates(t)
	var b bytes.Buffer
	if err := served.ExecuteTemplate(&b, "public", struct{ Title string }{"x"}); err == nil {
		t.Error("a page without web.Page rendered")
	}
	if err := served.ExecuteTemplate(&b, "public", layoutData{}); err == nil {
		t.Error("a page without a localizer rendered")
	}
}

// go test ./internal/web -run '^$' -fuzz FuzzPublicLayout -fuzztime 30s
func FuzzPublicLayout(f *testing.F) {
	for _, s := range []string{"", "a & b", `"><script>`, "javascript:x", "/a%2", "\xff", "حقوق"} {
		f.Add(s, s, false)
	}
	reference, served := layoutTemplates(f)
	l := layoutBundle(f).Localizer("en")
	f.Fuzz(func(t *testing.T, a, b string, mirror bool) {
		d := hostileLayout(l, a, mirror)
		d.Title, d.Canonical, d.Nav[1].URL, d.Alternates[1].URL, d.Crumbs[0].URL, d.Share.Image = b, b, b, b, b, b
		if want, got := executeLayout(t, reference, d), executeLayout(t, served, d); got != want {
			t.Errorf("layouts differ:\n%q\n--- template:\n%q", got, want)
		}
	})
}
