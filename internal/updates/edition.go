package updates

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"regexp"
	"strings"
	texttemplate "text/template"
	"time"

	"peerpress/internal/content"
	"peerpress/internal/db"
	"peerpress/internal/i18n"
)

//go:embed mailtmpl
var mailTemplates embed.FS

var (
	htmlMail = htmltemplate.Must(htmltemplate.ParseFS(mailTemplates, "mailtmpl/edition.html"))
	textMail = texttemplate.Must(texttemplate.ParseFS(mailTemplates, "mailtmpl/edition.txt"))
)

// MaxHTML is the largest HTML part an edition may have: a mail read on a
// cheap phone over a metered connection.
const MaxHTML = 50 << 10

// Edition is one language's edition of an update: the update's
// translation in that language with its list of entries, the same for
// every subscriber who reads it but for their two private links.
type Edition struct {
	Lang      string
	Dir       string
	Site      string
	Title     string
	URL       string // the update's page in the archive
	Intro     htmltemplate.HTML
	IntroText string
	Items     []Item
	Others    []OtherLang // the languages the update also exists in
	L         *i18n.Localizer
}

// Item is a chosen entry as an edition lists it, in the edition's
// language (else the entry's own).
type Item struct {
	Kind     content.Kind
	KindName string
	Title    string
	Summary  string
	URL      string
}

// OtherLang is another edition of the same update.
type OtherLang struct {
	Code, Name, URL string
}

// Links are a subscriber's own links in an edition: the only thing in it
// that differs from one subscriber to the next.
type Links struct {
	Manage, Unsubscribe string
}

// editions builds an update's editions.
type editions struct {
	db      *db.DB
	entries *content.Store
	langs   *i18n.Bundle
	md      *content.Markdown
	site    func() string
}

// hasEdition reports whether the update has a translation in lang that
// may be sent (anything but a draft).
func hasEdition(e *content.Entry, lang string) bool {
	t, ok := e.Translation(lang)
	return ok && t.Status != content.Draft
}

// EditionLang is the edition a subscriber gets: their language, else
// their second choice, else the site's default, else the update's own
// language.
func EditionLang(e *content.Entry, sub Subscriber, def string) string {
	for _, l := range []string{sub.Lang, sub.Lang2, def} {
		if l != "" && hasEdition(e, l) {
			return l
		}
	}
	return e.SourceLang
}

// build makes the edition of update e in lang; drafts counts draft
// translations as editions (the admin's preview).
func (b *editions) build(ctx context.Context, e *content.Entry, lang, origin string, drafts bool) (*Edition, error) {
	t, ok := e.Translation(lang)
	if !ok {
		return nil, fmt.Errorf("updates: update %d has no %s edition", e.ID, lang)
	}
	l := b.langs.Localizer(lang)
	ed := &Edition{Lang: lang, Dir: "ltr", Site: b.site(), Title: t.Title, URL: origin + content.URL(Kind, lang, t.Slug), L: l,
		Intro: absolute(b.md.Render(t.Body), origin), IntroText: strings.ReplaceAll(strings.TrimSpace(t.Body), "](/", "]("+origin+"/")}
	if lg, ok := b.langs.Get(lang); ok && lg.RTL() {
		ed.Dir = "rtl"
	}
	for _, o := range e.Translations {
		if o.Lang == lang || (!drafts && o.Status == content.Draft) {
			continue
		}
		if lg, ok := b.langs.Get(o.Lang); ok {
			ed.Others = append(ed.Others, OtherLang{Code: o.Lang, Name: lg.Name, URL: origin + content.URL(Kind, o.Lang, o.Slug)})
		}
	}
	u, err := loadUpdate(ctx, b.db, e.ID)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	for _, id := range u.Picks {
		pe, err := b.entries.Entry(ctx, id)
		if err != nil {
			continue // deleted since it was chosen
		}
		pt, ok := pe.Translation(lang)
		if !ok || !pt.Visible(now) {
			if pt, ok = pe.Translation(pe.SourceLang); !ok || !pt.Visible(now) {
				continue
			}
		}
		ed.Items = append(ed.Items, Item{Kind: pe.Kind, KindName: l.T("kind." + string(pe.Kind)), Title: pt.Title, Summary: pt.Summary,
			URL: origin + content.URL(pe.Kind, pt.Lang, pt.Slug)})
	}
	return ed, nil
}

// mailData is an edition as one subscriber gets it.
type mailData struct {
	*Edition
	Items []Item
	Links
}

// Render writes the edition for one subscriber: only the entries of the
// topics they chose, and their two links. text is the plain-text part,
// html the HTML part ("" for a subscriber who wants plain text only).
func (ed *Edition) Render(sub Subscriber, links Links) (text, html string, err error) {
	d := mailData{Edition: ed, Links: links}
	for _, it := range ed.Items {
		if sub.Wants(it.Kind) {
			d.Items = append(d.Items, it)
		}
	}
	var tb bytes.Buffer
	if err := textMail.Execute(&tb, d); err != nil {
		return "", "", fmt.Errorf("updates: text edition: %w", err)
	}
	if sub.TextOnly {
		return tb.String(), "", nil
	}
	var hb bytes.Buffer
	if err := htmlMail.Execute(&hb, d); err != nil {
		return "", "", fmt.Errorf("updates: HTML edition: %w", err)
	}
	return tb.String(), hb.String(), nil
}

// relative finds the site's own addresses in rendered Markdown.
var relative = regexp.MustCompile(`(href|src)="/`)

// absolute makes the site's own links and images absolute: a mail has
// no address of its own.
func absolute(h htmltemplate.HTML, origin string) htmltemplate.HTML {
	return htmltemplate.HTML(relative.ReplaceAllString(string(h), `$1="`+origin+`/`)) // #nosec G203 -- sanitised Markdown, only the prefix of its own links changed
}
