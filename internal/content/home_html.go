package content

import (
	"bytes"

	"peerpress/internal/web"
)

// writeMain writes the home page's "main": what testdata/public_home.html
// gave through html/template, written by plain Go as the archive and
// entry pages are (web.Renderer.RenderPublic). The home page was the last
// cold page of issue 23's list still executed by the template engine.
// The areas' blocks (Lead, Side) are HTML their packages escaped;
// TestHomeMainAsTheTemplateWritesIt holds the two to the same bytes.
func (h *homePage) writeMain(b *bytes.Buffer) error {
	b.WriteString("\n<h1 class=\"visually-hidden\">")
	web.WriteText(b, h.Site)
	b.WriteString("</h1>\n")
	for _, block := range h.Lead {
		b.WriteString(string(block))
	}
	b.WriteString("\n<div class=\"home-grid\">\n<section aria-labelledby=\"latest-title\">\n  <h2 id=\"latest-title\">")
	web.WriteText(b, h.L.T("home.latest"))
	b.WriteString("</h2>\n  ")
	if len(h.Latest) > 0 {
		h.LatestList.write(b)
	} else {
		b.WriteString("<p>")
		web.WriteText(b, h.L.T("archive.empty"))
		b.WriteString("</p>")
	}
	b.WriteString("\n</section>\n")
	for _, block := range h.Side {
		b.WriteString(string(block))
	}
	b.WriteString("\n</div>\n")
	return nil
}
