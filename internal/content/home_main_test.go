package content

import (
	"html/template"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"peerpress/internal/i18n"
	"peerpress/internal/web"
)

// The home page written by Go (homePage.writeMain and the layout's
// RenderPublic) is what html/template wrote from testdata/public_home.html,
// byte for byte: with and without the areas' blocks, an empty site, right
// to left, and a hostile site name.
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
	lead := []template.HTML{"<section class=\"feature\"><h2>Remember every name</h2><p>A campaign &amp; its wall.</p></section>"}
	side := []template.HTML{"<aside><h2>Upcoming</h2><ol><li>Webinar</li></ol></aside>", "<aside><p>Second</p></aside>"}
	var pages []homePage
	for _, code := range []string{"en", "ar"} {
		l := bundle.Localizer(code)
		page := web.Page{L: l, Lang: l.Lang, Site: "Peer Voices", Canonical: "/" + code + "/"}
		rows := benchRows()
		pages = append(pages,
			homePage{Page: page, Lead: lead, Side: side, Latest: make([]Item, len(rows.Rows)), LatestList: rows, Zone: time.UTC},
			homePage{Page: page, Side: side[:1], Latest: make([]Item, len(rows.Rows)), LatestList: rows},
			homePage{Page: page, Lead: lead},
			homePage{Page: page})
	}
	for _, s := range []string{`<script>alert("x")</script>`, `" onmouseover="alert(1)`, "Tom & Jerry &amp; C++", "\u202eevil\u202c", "nul\x00 and \xff bad utf-8", ""} {
		l := bundle.Localizer("en")
		for _, rows := range hostileRows(s) {
			pages = append(pages, homePage{Page: web.Page{L: l, Lang: l.Lang, Site: s, Title: s, Description: s, Canonical: s},
				Lead: lead, Side: side, Latest: make([]Item, len(rows.Rows)), LatestList: rows})
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
