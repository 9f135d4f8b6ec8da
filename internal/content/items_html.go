package content

import (
	"bytes"
	"html/template"

	"peerpress/internal/web"
)

// HTML is a listing's rows as the page shows them: what
// testdata/items.html gives through html/template, written by plain Go.
// Executed by html/template, ten rows cost about 150 µs of CPU, a fifth
// of a listing page, most of it the engine calling its escapers through
// reflection for each of a row's dozen values; written here they cost a
// sixth of that (issue 23, BenchmarkItemRows). Every value goes through
// web.WriteText or web.WriteURL, which escape as html/template does in
// that context; TestItemRowsAsTheTemplateWritesThem holds the two to the
// same bytes on hostile rows.
func (l itemList) HTML() template.HTML {
	var b bytes.Buffer
	b.Grow(512 + 640*len(l.Rows))
	l.write(&b)
	return template.HTML(b.String()) // #nosec G203 -- every value is escaped by web.WriteText/WriteURL; Notes are template.HTML already
}

func (l itemList) write(b *bytes.Buffer) {
	h := "h3>"
	if l.Level == 2 {
		h = "h2>"
	}
	b.WriteString("\n<ol class=\"items\">")
	for _, r := range l.Rows {
		b.WriteString("\n  <li class=\"item")
		if r.Thumb != nil {
			b.WriteString(" with-thumb")
		}
		b.WriteByte('"')
		if r.LangName != "" {
			b.WriteString(` lang="`)
			web.WriteText(b, r.Lang)
			b.WriteByte('"')
		}
		b.WriteByte('>')
		if r.Thumb != nil {
			b.WriteString("\n    <img class=\"item-thumb\" src=\"")
			web.WriteURL(b, r.Thumb.URL)
			b.WriteString(`" width="`)
			web.WriteInt(b, r.Thumb.Width)
			b.WriteString(`" height="`)
			web.WriteInt(b, r.Thumb.Height)
			b.WriteString(`" alt="" loading="lazy" decoding="async">`)
		}
		b.WriteString("\n    <p class=\"meta\">")
		if r.LangName != "" {
			b.WriteString(`<span class="badge" lang="`)
			web.WriteText(b, l.PageLang)
			b.WriteString(`">`)
			web.WriteText(b, l.UntranslatedIn)
			b.WriteString("</span> ")
			web.WriteText(b, r.LangName)
			b.WriteString(" · ")
		}
		b.WriteString(`<span class="kind">`)
		web.WriteText(b, r.KindName)
		b.WriteString(`</span> · <time datetime="`)
		web.WriteText(b, r.DateISO)
		b.WriteString(`">`)
		web.WriteText(b, r.Date)
		b.WriteString("</time>")
		if r.Archived {
			b.WriteString(` · <span class="badge">`)
			web.WriteText(b, l.ArchivedLabel)
			b.WriteString("</span>")
		}
		b.WriteString("</p>\n    <")
		b.WriteString(h)
		b.WriteString(`<a href="`)
		web.WriteURL(b, r.URL)
		b.WriteString(`">`)
		web.WriteText(b, r.Title)
		b.WriteString("</a></")
		b.WriteString(h)
		for _, n := range r.Notes {
			b.WriteString("\n    ")
			b.WriteString(string(n))
		}
		if r.Summary != "" {
			b.WriteString("\n    <p>")
			web.WriteText(b, r.Summary)
			b.WriteString("</p>")
		}
		b.WriteString("\n    <p><a href=\"")
		web.WriteURL(b, r.URL)
		b.WriteString(`" class="more">`)
		web.WriteText(b, l.ReadMore)
		b.WriteString(`<span class="visually-hidden">: `)
		web.WriteText(b, r.Title)
		b.WriteString("</span></a></p>\n  </li>")
	}
	b.WriteString("\n</ol>\n")
}
