package content

import (
	"net/http/httptest"
	"os"
	"testing"

	"peerpress/internal/i18n"
	"peerpress/internal/web"
)

// An archive page written by Go (archivePage.writeMain and the layout's
// RenderPublic) is what html/template wrote from
// testdata/public_archive.html, byte for byte: full and single pages,
// an empty listing, right to left, and hostile titles and rows.
func TestArchiveMainAsTheTemplateWritesIt(t *testing.T) {
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
	tmpl, err := rd.Templates(os.DirFS("testdata"), "public_archive.html")
	if err != nil {
		t.Fatal(err)
	}
	reference := tmpl["public_archive"]
	if reference == nil {
		t.Fatalf("no reference template among %v", tmpl)
	}
	pager := func(page, pages int) web.Pager {
		return web.Pager{Page: page, Pages: pages, URL: func(k int) string { return "/en/articles/page/" + string(rune('0'+k%10)) }}
	}
	var pages []archivePage
	for _, code := range []string{"en", "ar"} {
		l := bundle.Localizer(code)
		page := web.Page{L: l, Lang: l.Lang, Site: "Peer Voices", Title: "Articles", Canonical: "/" + code + "/articles"}
		pages = append(pages,
			archivePage{Page: page, Heading: "Articles", Items: make([]Item, 10), List: benchRows(), Pager: pager(1, 40)},
			archivePage{Page: page, Heading: "Articles", Items: make([]Item, 10), List: benchRows(), Pager: pager(17, 40)},
			archivePage{Page: page, Heading: "Articles", Items: make([]Item, 1), List: benchRows(), Pager: pager(1, 1)},
			archivePage{Page: page, Heading: "Articles", Pager: pager(1, 1)})
	}
	for _, s := range []string{`<script>alert("x")</script>`, `" onmouseover="alert(1)`, "Tom & Jerry &amp; C++", "javascript:alert(1)",
		"\u202eevil\u202c", "nul\x00 and \xff bad utf-8", ""} {
		l := bundle.Localizer("en")
		for _, rows := range hostileRows(s) {
			pages = append(pages, archivePage{Page: web.Page{L: l, Lang: l.Lang, Site: s, Title: s, Description: s, Canonical: s},
				Heading: s, Items: make([]Item, len(rows.Rows)), List: rows, Pager: pager(2, 3)})
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
			t.Errorf("page %d (%q): written by Go:\n%s\n--- template:\n%s", i, d.Title, got.Body.String(), want.Body.String())
		}
		if got.Header().Get("Content-Type") != want.Header().Get("Content-Type") {
			t.Errorf("page %d: Content-Type %q, the template's %q", i, got.Header().Get("Content-Type"), want.Header().Get("Content-Type"))
		}
	}
}
