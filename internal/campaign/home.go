package campaign

import (
	"bytes"
	"errors"
	"html/template"
	"net/http"
	"time"

	"peerpress/internal/content"
	"peerpress/internal/db"
	"peerpress/internal/i18n"
	"peerpress/internal/web"
)

// HomeBlock puts the newest featured campaign at the top of the home page
// (content.HomeBlock); none featured, nothing. The block is kept until
// the next write, or the next publication, which may bring a newer
// campaign: a tenth of a home page's CPU without the page cache (issue
// 23).
func (h *Handlers) HomeBlock(r *http.Request, lang string) (content.HomePart, error) {
	now := time.Now()
	if kept, ok := h.homes.Get(lang); ok && now.Unix() < kept.until {
		return kept.part, nil
	}
	at := h.homes.Version()
	until, err := h.entries.NextPublication(r.Context(), now)
	if err != nil {
		return content.HomePart{}, err
	}
	var part content.HomePart
	item, err := h.entries.Featured(r.Context(), lang, content.Campaign)
	switch {
	case errors.Is(err, db.ErrNotFound):
	case err != nil:
		return content.HomePart{}, err
	default:
		var buf bytes.Buffer
		buf.Grow(768)
		writeHome(&buf, h.rd.I18n().Localizer(lang), item)
		part = content.HomePart{Lead: true, HTML: template.HTML(buf.String())} // #nosec G203 -- written with web's escapers, as html/template would (writeHome)
	}
	if _, ok := h.rd.I18n().Get(lang); ok {
		h.homes.Put(at, lang, homeBlock{part: part, until: until})
	}
	return part, nil
}

// homeBlock is a language's featured campaign block as written, valid
// until the Unix second until.
type homeBlock struct {
	part  content.HomePart
	until int64
}

// writeHome writes the block in Go: the bytes html/template wrote from
// testdata/home.html (TestHomeBlockAsTheTemplateWritesIt), with the same
// escapers, without the template engine's reflection on every home page
// (issue 23).
func writeHome(b *bytes.Buffer, l *i18n.Localizer, item content.Item) {
	url := item.URL
	b.WriteString(`<section class="featured" aria-labelledby="featured-title">` + "\n  " + `<p class="kicker">`)
	web.WriteText(b, l.T("home.featured_campaign"))
	b.WriteString("</p>\n  " + `<h2 id="featured-title"><a href="`)
	web.WriteURL(b, url)
	b.WriteString(`">`)
	web.WriteText(b, item.Title)
	b.WriteString("</a></h2>\n  ")
	if item.Summary != "" {
		b.WriteString("<p>")
		web.WriteText(b, item.Summary)
		b.WriteString("</p>")
	}
	b.WriteString("\n  " + `<p><a class="button" href="`)
	web.WriteURL(b, url)
	b.WriteString(`">`)
	web.WriteText(b, l.T("entry.read_more"))
	b.WriteString(`<span class="visually-hidden">: `)
	web.WriteText(b, item.Title)
	b.WriteString("</span></a></p>\n</section>\n")
}
