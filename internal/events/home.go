package events

import (
	"bytes"
	"html/template"
	"net/http"

	"peerpress/internal/content"
	"peerpress/internal/i18n"
	"peerpress/internal/web"
)

// homeEvents is how many upcoming events the home page lists.
const homeEvents = 3

// HomeBlock lists the next events beside the home page's latest entries
// (content.HomeBlock).
//
// The block is kept until the next write or the next moment it could
// change without one: the first listed event's end, or the next
// translation's publish time (a scheduled event joining the list, or an
// event's translation replacing its source language's). It was half of
// a home page's CPU without the page cache (issue 23).
func (h *Handlers) HomeBlock(r *http.Request, lang string) (content.HomePart, error) {
	now := h.store.Now()
	if kept, ok := h.homes.Get(lang); ok && now.Unix() < kept.until {
		return content.HomePart{HTML: kept.html}, nil
	}
	at := h.homes.Version()
	items, err := h.store.Upcoming(r.Context(), lang, homeEvents)
	if err != nil {
		return content.HomePart{}, err
	}
	until, err := h.content.NextPublication(r.Context(), now)
	if err != nil {
		return content.HomePart{}, err
	}
	for _, it := range items {
		// Listed while its end is not before now (Upcoming).
		until = min(until, it.Info.StartsAt.Unix()+int64(it.Info.DurationMinutes)*60+1)
	}
	var buf bytes.Buffer
	buf.Grow(1024)
	writeHome(&buf, h.rd.I18n().Localizer(lang), lang, h.listViews(lang, items))
	html := template.HTML(buf.String()) // #nosec G203 -- written with web's escapers, as html/template would (writeHome)
	if _, ok := h.rd.I18n().Get(lang); ok {
		h.homes.Put(at, lang, homeBlock{html: html, until: until})
	}
	return content.HomePart{HTML: html}, nil
}

// homeBlock is a language's block of upcoming events as written, valid
// until the Unix second until (HomeBlock).
type homeBlock struct {
	html  template.HTML
	until int64
}

// writeHome writes the block in Go: the bytes html/template wrote from
// testdata/home.html (TestHomeBlockAsTheTemplateWritesIt), with the same
// escapers, without the template engine's reflection on every home page
// (issue 23).
func writeHome(b *bytes.Buffer, l *i18n.Localizer, lang string, items []listedView) {
	b.WriteString(`<section aria-labelledby="upcoming-title" class="upcoming">` + "\n  " + `<h2 id="upcoming-title">`)
	web.WriteText(b, l.T("home.upcoming_events"))
	b.WriteString("</h2>\n  ")
	if len(items) == 0 {
		b.WriteString("<p>")
		web.WriteText(b, l.T("home.no_events"))
		b.WriteString("</p>")
	} else {
		b.WriteString("\n  " + `<ul class="events">`)
		for _, it := range items {
			b.WriteString("\n    <li")
			if it.LangName != "" {
				b.WriteString(` lang="`)
				web.WriteText(b, it.Lang)
				b.WriteByte('"')
			}
			b.WriteString(`><a href="`)
			web.WriteURL(b, it.URL())
			b.WriteString(`">`)
			web.WriteText(b, it.Title)
			b.WriteString("</a>")
			if it.LangName != "" {
				b.WriteString(` <span class="badge" lang="`)
				web.WriteText(b, lang)
				b.WriteString(`">`)
				web.WriteText(b, l.T("entry.untranslated_in"))
				b.WriteByte(' ')
				web.WriteText(b, it.LangName)
				b.WriteString("</span>")
			}
			b.WriteString("<br>\n      " + `<time datetime="`)
			web.WriteText(b, it.Datetime)
			b.WriteString(`">`)
			web.WriteText(b, it.When)
			b.WriteString(`</time> <span class="small">(`)
			web.WriteText(b, it.Zone)
			b.WriteString(")</span></li>")
		}
		b.WriteString("\n  </ul>\n  ")
	}
	b.WriteString("\n  " + `<p><a href="`)
	web.WriteURL(b, "/"+lang+"/events")
	b.WriteString(`">`)
	web.WriteText(b, l.T("home.all_events"))
	b.WriteString("</a></p>\n</section>\n")
}

// NavLinks puts the events in the main navigation (content.NavLinker):
// the upcoming ones, which a visitor comes for, not every event by date
// of publication; the link is current on every events page.
func (h *Handlers) NavLinks(lang string) []web.NavLink {
	base := "/" + lang + "/" + content.Event.Segment()
	return []web.NavLink{{Name: h.rd.I18n().Localizer(lang).T("kind.event.plural"), URL: base + "/upcoming", Match: base}}
}
