package content

import (
	"html/template"
	"net/http/httptest"
	"os"
	"testing"

	"peerpress/internal/i18n"
	"peerpress/internal/web"
)

// A home page written by Go (homePage.writeMain and the layout's
// RenderPublic) is what html/template wrote from
// testdata/public_home.html, byte for byte: with and without the areas'
// blocks, an empty site, right to left, and hostile names and rows.
func TestHomeMainAsTheTemplateWritesIt(t *testing.T) {
	assets, err := web.NewAssets()
	if err != nil {
		t.Fatal(err)
	}
	bundle, err := i18n.New([]string{"en", "ru", "ar"})
	if err != nil {
		t.Fatal(err)
	}
	rd, err := web.NewRenderer("Peer Voices", func() *i18n.Bundle { return bundle }, nil, assets)
	if err != nil {
		t.Fatal(err)
	}
	tmpl, err := rd.Templates(os.DirFS("testdata"), "public_home.html")
	if err != nil {
		t.Fatal(err)
	}
	reference := tmpl["public_home"]
	if reference == nil {
		t.Fatalf("no reference template among %v", tmpl)
	}
	lead := []template.HTML{`<section class="campaign-lead"><h2>Remember every name</h2></section>`}
	side := []template.HTML{`<section><h2>Events</h2><p>Soon</p></section>`, "\n<aside>2</aside>\n"}
	var pages []homePage
	for _, code := range []string{"en", "ar"} {
		l := bundle.Localizer(code)
		page := web.Page{L: l, Lang: l.Lang, Site: "Peer Voices", Canonical: "/" + code + "/"}
		list := benchRows()
		list.Level = 3
		pages = append(pages,
			homePage{Page: page, Lead: lead, Side: side, Latest: make([]Item, 8), LatestList: list},
			homePage{Page: page, Latest: make([]Item, 8), LatestList: list},
			homePage{Page: page, Side: side},
			homePage{Page: page})
	}
	for _, s := range []string{`<script>alert("x")</script>`, `" onmouseover="alert(1)`, "Tom & Jerry &amp; C++", "\u202eevil\u202c", "nul\x00 and \xff bad utf-8", ""} {
		l := bundle.Localizer("en")
		for _, rows := range hostileRows(s) {
			pages = append(pages, homePage{Page: web.Page{L: l, Lang: l.Lang, Site: s, Title: s, Description: s, Canonical: s},
				Latest: make([]Item, len(rows.Rows)), LatestList: rows, Side: side})
		}
	}
	for i, d := range pages {
		want, got := httptest.NewRecorder(), httptest.NewRecorder()
		if err := rd.Render(want, 200, reference, d); err != nil {
			t.Fatal(err)
		}
		if err := rd.RenderPublic(got, 200, &d.Page, d.writeMain); err != nil {
			t.Fatal(err)
		}
		if got.Body.String() != want.Body.String() {
			t.Errorf("page %d (%q): written by Go:\n%s\n--- template:\n%s", i, d.Site, got.Body.String(), want.Body.String())
		}
		if got.Header().Get("Content-Type") != want.Header().Get("Content-Type") {
			t.Errorf("page %d: Content-Type %q, the template's %q", i, got.Header().Get("Content-Type"), want.Header().Get("Content-Type"))
		}
	}
}
