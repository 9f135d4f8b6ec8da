package content

import (
	"fmt"
	"net/http"
	"testing"

	"peerpress/internal/web"
)

// An archive page written by Go (archivePage.writeMain and the layout's
// RenderPublic) is what html/template wrote from
// testdata/public_archive.html, byte for byte: full and single pages,
// an empty listing, right to left, and hostile titles and rows.
func TestArchiveMainAsTheTemplateWritesIt(t *testing.T) {
	rd, bundle, reference := templateReference(t, "public_archive")
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
		sameAsTemplate(t, rd, reference, fmt.Sprintf("page %d (%q)", i, d.Title), d, func(w http.ResponseWriter) error {
			return rd.RenderPublic(w, 200, &d.Page, d.writeMain)
		})
	}
}
