package content

import (
	"bytes"

	"peerpress/internal/web"
)

// writeMain writes an entry page's "main": what
// testdata/public_entry.html gave through html/template, whose engine was
// about a quarter of an entry page's CPU (issue 23). Every value goes
// through web's escapers for its context (WriteText, WriteURL,
// WriteURLPart, WriteSrcSet), as html/template escaped it; the body, the
// actions and the panels are template.HTML already and are written as
// they are, as the template wrote them. asset is the layout's asset
// function (static/video.js). TestEntryMainAsTheTemplateWritesIt holds
// the two to the same bytes.
func (e *entryPage) writeMain(b *bytes.Buffer, asset func(string) (string, error)) error {
	lang := e.Lang.Code
	b.WriteString("\n<article class=\"entry entry-")
	web.WriteText(b, string(e.Kind))
	withActions := len(e.Actions) > 0 || len(e.Downloads) > 0
	if withActions {
		b.WriteString(" with-actions")
	}
	b.WriteString(`" lang="`)
	web.WriteText(b, e.T.Lang)
	b.WriteString("\">\n  <header>")
	if e.Kind != "page" {
		b.WriteString("\n    <p class=\"meta\"><span class=\"kind\">")
		web.WriteText(b, e.L.T("kind."+string(e.Kind)))
		b.WriteString(`</span> · <time datetime="`)
		web.WriteText(b, e.T.PublishAt.Format("2006-01-02"))
		b.WriteString(`">`)
		web.WriteText(b, e.L.Date(e.T.PublishAt.In(e.Zone)))
		b.WriteString("</time>")
		if s := e.Section; s != nil {
			b.WriteString(` · <a href="/`)
			web.WriteURLPart(b, lang)
			b.WriteString("/section/")
			web.WriteURLPart(b, s.Slug)
			b.WriteString(`">`)
			web.WriteText(b, s.Name(lang))
			b.WriteString("</a>")
		}
		b.WriteString("</p>")
	}
	b.WriteString("\n    <h1>")
	web.WriteText(b, e.T.Title)
	b.WriteString("</h1>")
	if len(e.Organisations) > 0 {
		b.WriteString("\n    <p class=\"coauthors\">")
		web.WriteText(b, e.L.T("entry.coauthor_role."+e.CoauthorRole))
		b.WriteByte(' ')
		for i, o := range e.Organisations {
			if i > 0 {
				b.WriteString(", ")
			}
			if o.Website != "" {
				b.WriteString(`<a href="`)
				web.WriteURL(b, o.Website)
				b.WriteString(`" rel="noreferrer">`)
				web.WriteText(b, o.Name)
				b.WriteString("</a>")
			} else {
				web.WriteText(b, o.Name)
			}
		}
		b.WriteString("</p>")
	}
	if e.Outdated {
		b.WriteString("\n    <p class=\"notice\">")
		web.WriteText(b, e.L.T("entry.outdated_notice"))
		if e.SourceURL != "" {
			b.WriteString(` <a href="`)
			web.WriteURL(b, e.SourceURL)
			b.WriteString(`" hreflang="`)
			web.WriteText(b, e.SourceLang.Code)
			b.WriteString(`" lang="`)
			web.WriteText(b, e.SourceLang.Code)
			b.WriteString(`">`)
			web.WriteText(b, e.SourceLang.Name)
			b.WriteString("</a>")
		}
		b.WriteString("</p>")
	}
	if e.T.Status == Archived {
		b.WriteString("\n    <p class=\"notice\">")
		web.WriteText(b, e.L.T("entry.archived_notice"))
		b.WriteString("</p>")
	}
	b.WriteString("\n  </header>")
	if withActions {
		b.WriteString("\n  <div class=\"entry-actions\">")
		for _, a := range e.Actions {
			b.WriteString("\n  ")
			b.WriteString(string(a))
		}
		if len(e.Downloads) > 0 {
			b.WriteString("\n    <section class=\"downloads\" aria-labelledby=\"downloads-title\">\n      <h2 id=\"downloads-title\">")
			web.WriteText(b, e.L.T("entry.downloads"))
			b.WriteString("</h2>\n      <ul>")
			for _, d := range e.Downloads {
				b.WriteString("\n        <li lang=\"")
				web.WriteText(b, d.Lang)
				b.WriteString(`" dir="`)
				web.WriteText(b, d.Language.Dir)
				b.WriteString(`"><a href="`)
				web.WriteURL(b, d.URL())
				b.WriteString(`" hreflang="`)
				web.WriteText(b, d.Lang)
				b.WriteString(`" type="`)
				web.WriteText(b, d.MIME)
				b.WriteString(`" download="`)
				web.WriteText(b, d.FileName)
				b.WriteString(`">`)
				web.WriteText(b, d.Title)
				b.WriteString("</a>\n          <span class=\"meta\">")
				web.WriteText(b, d.Language.Name)
				b.WriteString(" · ")
				web.WriteText(b, d.Type)
				b.WriteString(" · ")
				web.WriteText(b, d.Size)
				b.WriteString("</span></li>")
			}
			b.WriteString("\n      </ul>\n    </section>")
		}
		b.WriteString("\n  </div>")
	}
	b.WriteString("\n  <div class=\"entry-main\">")
	if e.T.Summary != "" {
		b.WriteString("\n  <p class=\"summary\">")
		web.WriteText(b, e.T.Summary)
		b.WriteString("</p>")
	}
	if m := e.Image; m != nil {
		b.WriteString("\n  <figure class=\"featured-image\"><img src=\"")
		web.WriteURL(b, m.URL())
		b.WriteByte('"')
		if set := m.SrcSet(); set != "" {
			b.WriteString(` srcset="`)
			web.WriteSrcSet(b, set)
			b.WriteString(`" sizes="(min-width: 48rem) 46rem, 100vw"`)
		}
		b.WriteString(` width="`)
		web.WriteInt(b, m.Width)
		b.WriteString(`" height="`)
		web.WriteInt(b, m.Height)
		b.WriteString(`" alt="`)
		web.WriteText(b, m.Alt)
		b.WriteString(`" loading="lazy" decoding="async"></figure>`)
	}
	b.WriteString("\n  <div class=\"body\">")
	b.WriteString(string(e.Body))
	b.WriteString("</div>")
	if e.Videos {
		src, err := asset("video.js")
		if err != nil {
			return err
		}
		b.WriteString("\n  <script src=\"")
		web.WriteURL(b, src)
		b.WriteString(`" defer></script>`)
	}
	for _, p := range e.Panels {
		b.WriteString("\n  ")
		b.WriteString(string(p))
	}
	if len(e.Sharing) > 0 {
		b.WriteString("\n  <section class=\"share\" aria-labelledby=\"share-title\">\n    <h2 id=\"share-title\">")
		web.WriteText(b, e.L.T("entry.share_campaign"))
		b.WriteString("</h2>")
		if len(e.Hashtags) > 0 {
			b.WriteString("\n    <p class=\"hashtags\">")
			for i, t := range e.Hashtags {
				if i > 0 {
					b.WriteByte(' ')
				}
				b.WriteString("<bdi>#")
				web.WriteText(b, t)
				b.WriteString("</bdi>")
			}
			b.WriteString("</p>")
		}
		b.WriteString("\n    <ul class=\"tags\">")
		for _, s := range e.Sharing {
			b.WriteString(`<li><a href="`)
			web.WriteURL(b, s.URL)
			b.WriteString(`" rel="nofollow">`)
			web.WriteText(b, s.Name)
			b.WriteString("</a></li>")
		}
		b.WriteString("</ul>\n  </section>")
	}
	if len(e.Tags) > 0 {
		b.WriteString("\n  <footer>\n    <h2 class=\"visually-hidden\">")
		web.WriteText(b, e.L.T("entry.tags"))
		b.WriteString("</h2>\n    <ul class=\"tags\">")
		for _, t := range e.Tags {
			b.WriteString(`<li><a href="/`)
			web.WriteURLPart(b, lang)
			b.WriteString("/tag/")
			web.WriteURLPart(b, t.Slug)
			b.WriteString(`" rel="tag">`)
			web.WriteText(b, t.Name(lang))
			b.WriteString("</a></li>")
		}
		b.WriteString("</ul>\n  </footer>")
	}
	b.WriteString("\n  </div>\n</article>\n")
	return nil
}
