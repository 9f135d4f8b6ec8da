package content

import (
	"fmt"
	"html/template"
	"net/http"
	"testing"
	"time"

	"peerpress/internal/web"
)

// The home page written by Go (homePage.writeMain and the layout's
// RenderPublic) is what html/template wrote from testdata/public_home.html,
// byte for byte: with and without the areas' blocks, an empty site, right
// to left, and a hostile site name.
func TestHomeMainAsTheTemplateWritesIt(t *testing.T) {
	rd, bundle, reference := templateReference(t, "public_home")
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
		sameAsTemplate(t, rd, reference, fmt.Sprintf("page %d (%q)", i, d.Site), d, func(w http.ResponseWriter) error {
			return rd.RenderPublic(w, 200, &d.Page, d.writeMain)
		})
	}
}
