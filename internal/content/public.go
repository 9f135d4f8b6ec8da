package content

import (
	"bytes"
	"context"
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"peerpress/internal/db"
	"peerpress/internal/i18n"
	"peerpress/internal/media"
	"peerpress/internal/sharecard"
	"peerpress/internal/web"
)

// MediaFinder finds uploaded files; the media package provides it.
type MediaFinder interface {
	ByID(ctx context.Context, id int64) (media.Media, error)
	// ByIDs returns those of the ids that exist, keyed by id, in one
	// query for a whole listing.
	ByIDs(ctx context.Context, ids []int64) (map[int64]media.Media, error)
}

// Public serves the public site's content pages.
type Public struct {
	store   *Store
	md      *Markdown
	rd      *web.Renderer
	media   MediaFinder
	zone    *time.Location
	tmpl    map[string]*template.Template
	PerPage int
	// IncludeUntranslated lists, in a language's archives, entries not
	// translated into it, in their source language and marked as such.
	IncludeUntranslated func() bool
	// Cards draws sharing images; nil: none are served.
	Cards CardDrawer
	// Panels add their parts to entry pages, in order.
	Panels []Panel
	// HomeBlocks compose the home page around the latest entries, in order.
	HomeBlocks []HomeBlock
	// NavLinkers add to the main navigation, after the sections.
	NavLinkers []NavLinker
	// Footers add to every public page's footer.
	Footers []FooterBlock
	// SitePages gives the entries chosen in the settings as the site's
	// about page and privacy notice, 0 where none is; the footer links
	// to them. Nil: no footer links.
	SitePages func() (about, privacy int64)
	footer    footerCache
}

// NewPublic parses the public templates.
func NewPublic(store *Store, md *Markdown, rd *web.Renderer, media MediaFinder, zone *time.Location) (*Public, error) {
	tmpl, err := rd.Templates(templates, "templates/public_*.html")
	if err != nil {
		return nil, err
	}
	return &Public{store: store, md: md, rd: rd, media: media, zone: zone, tmpl: tmpl, PerPage: itemsPerPage}, nil
}

// Nav lists the sections and the events archive for the main navigation.
func (p *Public) Nav(ctx context.Context, lang string) []web.NavLink {
	secs, err := p.store.Sections(ctx)
	if err != nil {
		slog.Error("nav: sections", "err", err)
	}
	loc := p.rd.I18n().Localizer(lang)
	out := make([]web.NavLink, 0, len(secs)+2)
	for _, s := range secs {
		out = append(out, web.NavLink{Name: s.Name(lang), URL: "/" + lang + "/section/" + s.Slug})
	}
	for _, n := range p.NavLinkers {
		out = append(out, n.NavLinks(lang)...)
	}
	return append(out, web.NavLink{Name: loc.T("kind.publication.plural"), URL: "/" + lang + "/" + Publication.Segment()})
}

// homePage is the data of the home page.
type homePage struct {
	web.Page
	Lead, Side []template.HTML // the areas' blocks (HomeBlock)
	Latest     []Item
	LatestList itemList
	Zone       *time.Location
}

// Home serves /{lang}/.
func (p *Public) Home(w http.ResponseWriter, r *http.Request) error {
	lang := web.Lang(r)
	ctx := r.Context()
	page := p.rd.PublicPage(r, lang)
	page.Canonical = "/" + lang + "/"
	for _, l := range p.rd.I18n().Enabled() {
		page.Alternates = append(page.Alternates, web.Alternate{Lang: l, URL: "/" + l.Code + "/", Current: l.Code == lang})
	}
	data := homePage{Page: page, Zone: p.zone}
	for _, b := range p.HomeBlocks {
		part, err := b.HomeBlock(r, lang)
		if err != nil {
			return err
		}
		switch {
		case part.HTML == "":
		case part.Lead:
			data.Lead = append(data.Lead, part.HTML)
		default:
			data.Side = append(data.Side, part.HTML)
		}
	}
	var err error
	// As the archives: with the setting, entries not yet in the reader's
	// language, in theirs and marked, so that a language with few
	// translations does not greet its readers with an empty page.
	f := ListFilter{Lang: lang, ExcludeArchived: true, IncludeUntranslated: p.IncludeUntranslated != nil && p.IncludeUntranslated()}
	if data.Latest, err = p.store.Latest(ctx, f, 8); err != nil {
		return err
	}
	p.itemLanguages(data.Latest, lang)
	p.itemThumbs(ctx, data.Latest)
	p.store.noteItems(data.Latest, page.L)
	data.LatestList = p.itemList(page.L, data.Latest, 3)
	return p.rd.RenderPublic(w, http.StatusOK, &data.Page, data.writeMain)
}

// entryPage is the data of an entry's page.
type entryPage struct {
	web.Page
	Kind          Kind
	T             Translation
	Body          template.HTML
	Videos        bool // the body shows a video's poster: load static/video.js
	Section       *Section
	Tags          []Tag
	Organisations []Organisation
	// CoauthorRole is what the organisations did: the words before
	// their names are entry.coauthor_role.<role>.
	CoauthorRole string
	Image        *media.Media
	Downloads    []attachmentView // the page's language first
	Zone         *time.Location
	// Outdated is set when this translation was made from an older
	// version of the source; SourceURL then leads to the source.
	Outdated   bool
	SourceLang i18n.Language
	SourceURL  string
	// A campaign's hashtags (without #) and the links that share it.
	Hashtags []string
	Sharing  []shareLink
	// Actions are what a visitor came for, from the page's own downloads
	// and from ActionPanels: first on a phone, the side column at desktop.
	// Panels is what other packages add after the body (see Panel).
	Actions []template.HTML
	Panels  []template.HTML
}

// Entry serves /{lang}/{kind}/{slug}, and /{lang}/{slug} for pages.
func (p *Public) Entry(kind Kind) web.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		lang := web.Lang(r)
		ctx := r.Context()
		slug := r.PathValue("slug")
		e, err := p.store.BySlug(ctx, lang, slug)
		if errors.Is(err, db.ErrNotFound) {
			return p.elsewhere(w, r, lang, slug)
		}
		if err != nil {
			return err
		}
		t, _ := e.Translation(lang)
		if e.Kind != kind {
			if !t.Visible(p.store.now()) {
				return web.NotFound()
			}
			http.Redirect(w, r, URL(e.Kind, lang, slug), http.StatusMovedPermanently) // #nosec G710 -- the entry's URL on this site, built from its kind, language and slug
			return nil
		}
		if !t.Visible(p.store.now()) {
			return web.NotFound()
		}
		data, err := p.entryData(r, e, t, kind, false)
		if err != nil {
			return err
		}
		return p.renderEntry(w, &data)
	}
}

// renderEntry answers with an entry's page, written by Go
// (entryPage.writeMain) around the layout.
func (p *Public) renderEntry(w http.ResponseWriter, data *entryPage) error {
	return p.rd.RenderPublic(w, http.StatusOK, &data.Page, func(b *bytes.Buffer) error {
		return data.writeMain(b, p.rd.Assets.URL)
	})
}

// entryData is the data of e's page in t's language. A preview (of an
// editor's unsaved form: e and t as typed) leaves out a panel that fails
// rather than failing: a half-written event must still show its text.
func (p *Public) entryData(r *http.Request, e *Entry, t Translation, kind Kind, preview bool) (entryPage, error) {
	ctx := r.Context()
	lang, slug := t.Lang, t.Slug
	page := p.rd.PublicPage(r, lang)
	page.Title, page.Description = t.Title, t.Summary
	page.Canonical = URL(kind, lang, slug)
	// The languages it is visible in: from the translations read with
	// it (as Store.VisibleLangs, without another query), or for a
	// preview, whose entry holds only what was typed, as stored.
	visible := map[string]string{}
	if preview {
		var err error
		if visible, err = p.store.VisibleLangs(ctx, e.ID); err != nil {
			return entryPage{}, err
		}
	} else {
		now := p.store.now()
		for _, tr := range e.Translations {
			if tr.Visible(now) {
				visible[tr.Lang] = tr.Slug
			}
		}
	}
	for _, l := range p.rd.I18n().Enabled() {
		if s, ok := visible[l.Code]; ok {
			page.Alternates = append(page.Alternates, web.Alternate{Lang: l, URL: URL(kind, l.Code, s), Current: l.Code == lang})
		}
	}
	data := entryPage{Page: page, Kind: kind, T: t, Zone: p.zone, CoauthorRole: e.Coauthors()}
	var images ImageFinder
	if f, ok := p.media.(ImageFinder); ok {
		images = f
	}
	body, err := p.md.RenderPage(ctx, t.Body, images)
	if err != nil {
		return entryPage{}, err
	}
	data.Body, data.Videos = VideoPosters(body, page.L)
	if src := e.Source(); lang != e.SourceLang && t.SourceRevision < src.Revision {
		data.Outdated = true
		if l, ok := p.rd.I18n().Get(e.SourceLang); ok && src.Visible(p.store.now()) {
			data.SourceLang, data.SourceURL = l, URL(kind, src.Lang, src.Slug)
		}
	}
	data.Crumbs = []web.Crumb{{Name: page.L.T("nav.home"), URL: "/" + lang + "/"}}
	if e.SectionID != 0 {
		if secs, err := p.store.Sections(ctx); err == nil {
			for i := range secs {
				if secs[i].ID == e.SectionID {
					data.Section = &secs[i]
					data.Crumbs = append(data.Crumbs, web.Crumb{Name: secs[i].Name(lang), URL: "/" + lang + "/section/" + secs[i].Slug})
				}
			}
		}
	}
	if kind != Page {
		data.Crumbs = append(data.Crumbs, web.Crumb{Name: page.L.T("kind." + string(kind) + ".plural"), URL: "/" + lang + "/" + kind.Segment()})
	}
	data.Crumbs = append(data.Crumbs, web.Crumb{Name: t.Title})
	// The entry's tag ids came with it; the tags themselves are kept.
	if data.Tags, err = p.store.TagsByID(ctx, e.TagIDs); err != nil {
		return entryPage{}, err
	}
	// Most entries have neither organisations nor files: loadRest
	// counted them, and a statement not sent is a round trip saved. A
	// preview asks: its entry is as typed, not as read.
	if preview || !e.linksRead || len(e.OrgIDs) > 0 {
		if data.Organisations, err = p.store.EntryOrganisations(ctx, e.ID); err != nil {
			return entryPage{}, err
		}
	}
	var atts []Attachment
	if preview || !e.linksRead || e.attachments > 0 {
		if atts, err = p.store.Attachments(ctx, e.ID); err != nil {
			return entryPage{}, err
		}
	}
	for _, at := range orderAttachments(atts, lang, p.rd.I18n().Enabled()) {
		// Each file is described in its own language, size included.
		data.Downloads = append(data.Downloads, newAttachmentView(p.rd.I18n(), p.rd.I18n().Localizer(at.Lang), at))
	}
	if e.FeaturedMediaID != 0 && p.media != nil {
		if m, err := p.media.ByID(ctx, e.FeaturedMediaID); err == nil {
			data.Image = &m
		}
	}
	if data.Share != nil {
		// Social networks show the featured image, or else a card
		// drawn with the title.
		data.Share.Type = "article"
		if m := data.Image; m != nil {
			data.Share.Image, data.Share.ImageAlt, data.Share.ImageSize = m.URL(), m.Alt, [2]int{m.Width, m.Height}
		} else if m := web.MirrorOf(r); m != nil && !m.EntryCards && p.rd.ShareImage != nil {
			// The mirror draws one card per language, not one per
			// entry (web.Mirror.EntryCards).
			path, w, h := p.rd.ShareImage(lang)
			data.Share.Image, data.Share.ImageAlt, data.Share.ImageSize = path, "", [2]int{w, h}
		} else if p.Cards != nil {
			data.Share.Image, data.Share.ImageAlt, data.Share.ImageSize = ShareImageURL(kind, lang, slug), "", [2]int{sharecard.Width, sharecard.Height}
		}
	}
	if kind == Campaign {
		data.Hashtags = Hashtags(t.Summary, t.Body)
		data.Sharing = p.shareLinks(data.Page, kind, t, data.Hashtags)
	}
	for _, panel := range p.Panels {
		if a, ok := panel.(ActionPanel); ok {
			html, err := a.EntryAction(r, e, lang)
			if err != nil && preview {
				slog.InfoContext(ctx, "content: preview without a panel", "err", err)
				continue
			}
			if err != nil {
				return entryPage{}, err
			}
			if html != "" {
				data.Actions = append(data.Actions, html)
			}
		}
		html, err := panel.EntryPanel(r, e, lang)
		if err != nil && preview {
			slog.InfoContext(ctx, "content: preview without a panel", "err", err)
			continue
		}
		if err != nil {
			return entryPage{}, err
		}
		if html != "" {
			data.Panels = append(data.Panels, html)
		}
	}
	return data, nil
}

// missingPage tells a reader the entry exists, but not in their language.
type missingPage struct {
	web.Page
	// Heading is the entry's title in the first language it exists in.
	// Not Title: a field of that name hid web.Page's from the layout,
	// whose <title> showed it instead of "Not available in …".
	Heading string
}

// elsewhere answers an address whose slug is not in this language: when the
// same slug names a visible entry in another language, the reader is told
// which languages it exists in (with a 404, since this address does not
// exist); otherwise the usual fallback.
func (p *Public) elsewhere(w http.ResponseWriter, r *http.Request, lang, slug string) error {
	ctx := r.Context()
	e, err := p.store.BySlugAnyLang(ctx, slug)
	if errors.Is(err, db.ErrNotFound) {
		return p.fallback(w, r)
	}
	if err != nil {
		return err
	}
	visible, err := p.store.VisibleLangs(ctx, e.ID)
	if err != nil {
		return err
	}
	page := p.rd.PublicPage(r, lang)
	page.NoIndex = true
	data := missingPage{Page: page}
	for _, l := range p.rd.I18n().Enabled() {
		if s, ok := visible[l.Code]; ok {
			page.Alternates = append(page.Alternates, web.Alternate{Lang: l, URL: URL(e.Kind, l.Code, s)})
			if data.Heading == "" {
				if t, ok := e.Translation(l.Code); ok {
					data.Heading = t.Title
				}
			}
		}
	}
	if len(page.Alternates) == 0 {
		return p.fallback(w, r)
	}
	data.Page = page
	data.Page.Title = page.L.T("entry.not_in_language", "Language", page.Lang.Name)
	return p.rd.Render(w, http.StatusNotFound, p.tmpl["public_missing"], data)
}

// fallback answers an address that matches no live page: a 301 when it
// used to lead to something that moved, a 410 when that was deleted, a
// 404 otherwise.
func (p *Public) fallback(w http.ResponseWriter, r *http.Request) error {
	to, err := p.store.OldPath(r.Context(), OldPathKey(r.URL.Path, r.URL.Query()))
	switch {
	case errors.Is(err, db.ErrNotFound):
		to, ok, err := p.withoutSlash(r)
		if err != nil {
			return err
		}
		if !ok {
			return web.NotFound()
		}
		http.Redirect(w, r, to, http.StatusMovedPermanently) // #nosec G710 -- a path of this site: withoutSlash only returns an existing entry's URL
		return nil
	case err != nil:
		return err
	case to == "":
		return web.Gone()
	}
	http.Redirect(w, r, to, http.StatusMovedPermanently)
	return nil
}

// withoutSlash is where an entry's address asked for with a trailing
// slash leads (/en/about/, as WordPress wrote its addresses): the address
// without it, when an entry is visible there. No old address can say so:
// an address that is an entry's own is not kept among the old ones, as a
// save takes it back from them.
func (p *Public) withoutSlash(r *http.Request) (string, bool, error) {
	path := r.URL.Path
	if len(path) < 3 || !strings.HasSuffix(path, "/") {
		return "", false, nil
	}
	trimmed := strings.TrimRight(path, "/")
	parts := strings.Split(strings.TrimPrefix(trimmed, "/"), "/")
	if len(parts) < 2 || len(parts) > 3 {
		return "", false, nil
	}
	lang, slug := parts[0], parts[len(parts)-1]
	if _, ok := p.rd.I18n().Get(lang); !ok || !ValidSlug(slug) {
		return "", false, nil
	}
	e, err := p.store.BySlug(r.Context(), lang, slug)
	if errors.Is(err, db.ErrNotFound) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	t, ok := e.Translation(lang)
	if !ok || !t.Visible(p.store.now()) || URL(e.Kind, lang, slug) != trimmed {
		return "", false, nil
	}
	if r.URL.RawQuery != "" {
		trimmed += "?" + r.URL.RawQuery
	}
	return trimmed, true, nil
}

// MovedQuery finds where an address of a site without pretty permalinks
// leads now (/?p=12 on an imported WordPress site): the root's handler
// asks before choosing a language. ok is false for anything else.
func (p *Public) MovedQuery(r *http.Request) (to string, ok bool) {
	key := OldPathKey(r.URL.Path, r.URL.Query())
	if !strings.Contains(key, "?") {
		return "", false
	}
	to, err := p.store.OldPath(r.Context(), key)
	return to, err == nil && to != ""
}

// NotFound is the catch-all handler: old addresses redirect, others 404.
func (p *Public) NotFound() web.HandlerFunc { return p.fallback }

// archivePage is the data of a listing page.
type archivePage struct {
	web.Page
	Heading string
	Intro   string
	Items   []Item
	List    itemList
	Total   int
	Pager   web.Pager
	Zone    *time.Location
}

// writeMain writes an archive page's "main": what
// testdata/public_archive.html gave through html/template, whose engine
// was a tenth of a listing page's CPU (issue 23);
// TestArchiveMainAsTheTemplateWritesIt holds the two to the same bytes.
func (a *archivePage) writeMain(b *bytes.Buffer) error {
	b.WriteString("\n<h1>")
	web.WriteText(b, a.Title)
	b.WriteString("</h1>\n")
	if len(a.Items) == 0 {
		b.WriteString("<p>")
		web.WriteText(b, a.L.T("archive.empty"))
		b.WriteString("</p>\n")
		return nil
	}
	b.WriteString("\n")
	a.List.write(b)
	b.WriteString("\n")
	if err := web.WritePager(b, a.L, a.Pager); err != nil {
		return err
	}
	b.WriteString("\n\n")
	return nil
}

// itemList is what the "items" partial shows of a listing, worked out
// here rather than in the template: each row's words and dates as plain
// fields of structs that embed nothing. A template reading a field the
// page embeds (web.Page's L, Lang) pays a search through the embedded
// structs by name on every read, and each call through reflection
// allocates; with ten rows that was a fifth of a listing page's allocations
// (issue 23). The template still escapes every value.
type itemList struct {
	Level    int    // the rows' heading level, 2 or 3, to keep the outline
	PageLang string // the page's language, for the badge on an untranslated row
	// The page's words, the same on every row.
	UntranslatedIn, ArchivedLabel, ReadMore string
	Rows                                    []itemRow
}

// itemRow is one item of a listing as shown.
type itemRow struct {
	URL, Title, Summary string
	Lang                string
	LangName            string // set when the item is not in the page's language
	KindName            string
	Date, DateISO       string // the publication day, in words and as YYYY-MM-DD
	Archived            bool
	Thumb               *Thumb
	Notes               []template.HTML
}

// itemList prepares items for the "items" partial, their dates in the
// site's time zone.
func (p *Public) itemList(l *i18n.Localizer, items []Item, level int) itemList {
	out := itemList{Level: level, PageLang: l.Lang.Code, Rows: make([]itemRow, len(items)),
		UntranslatedIn: l.T("entry.untranslated_in"), ArchivedLabel: l.T("status.archived"), ReadMore: l.T("entry.read_more")}
	kinds := map[Kind]string{}
	for i, it := range items {
		name, ok := kinds[it.Kind]
		if !ok {
			name = l.T("kind." + string(it.Kind))
			kinds[it.Kind] = name
		}
		out.Rows[i] = itemRow{URL: it.URL, Title: it.Title, Summary: it.Summary, Lang: it.Lang, LangName: it.LangName,
			KindName: name, Date: l.Date(it.PublishAt.In(p.zone)), DateISO: it.PublishAt.Format("2006-01-02"),
			Archived: it.Status == Archived, Thumb: it.Thumb, Notes: it.Notes}
	}
	return out
}

// thumbMaxWidth is the widest copy a listing shows beside an item: the
// smallest variant (480 px, for a 6rem box on screens of up to 5× density
// and enough for 3×); an image not yet copied that is wider shows none
// until its copies are made, so a listing never pulls a full photo.
const thumbMaxWidth = 480

// itemThumbs gives the items that have a featured image its smallest
// copy, looked up together: one by one was two queries an item (the
// image, its copies), twenty round trips for a listing of pictures.
func (p *Public) itemThumbs(ctx context.Context, items []Item) {
	if p.media == nil {
		return
	}
	var ids []int64
	for i := range items {
		if items[i].MediaID != 0 {
			ids = append(ids, items[i].MediaID)
		}
	}
	if len(ids) == 0 {
		return
	}
	found, err := p.media.ByIDs(ctx, ids)
	if err != nil {
		slog.Error("listing: thumbnails", "err", err)
		return // a listing does well without its pictures
	}
	for i := range items {
		m, ok := found[items[i].MediaID]
		if !ok || !strings.HasPrefix(m.MIME, "image/") || m.Width == 0 {
			continue
		}
		th := &Thumb{URL: m.URL(), Width: m.Width, Height: m.Height}
		if len(m.Variants) > 0 && m.Variants[0].Width < m.Width {
			v := m.Variants[0]
			th.URL, th.Width, th.Height = v.URL(), v.Width, v.Height
		}
		if th.Width > thumbMaxWidth {
			continue
		}
		items[i].Thumb = th
	}
}

// itemLanguages names an item's language when it differs from the
// page's: an untranslated entry listed in its source language.
func (p *Public) itemLanguages(items []Item, lang string) {
	for i := range items {
		if items[i].Lang != lang {
			if l, ok := p.rd.I18n().Get(items[i].Lang); ok {
				items[i].LangName = l.Name
			}
		}
	}
}

// pageNumber reads {n} from /page/{n}; 0 when it is not a page number.
func pageNumber(r *http.Request) int {
	s := r.PathValue("n")
	if s == "" {
		return 1
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || strconv.Itoa(n) != s {
		return 0
	}
	return n
}

// archive renders one page of a listing whose first page lives at base.
func (p *Public) archive(w http.ResponseWriter, r *http.Request, lang, base, heading string, f ListFilter, crumbs []web.Crumb, altBase func(lang string) string) error {
	n := pageNumber(r)
	if n == 0 {
		return web.NotFound()
	}
	if n == 1 && r.PathValue("n") != "" {
		http.Redirect(w, r, base, http.StatusMovedPermanently) // #nosec G710 -- the listing's own first page, a path of this site
		return nil
	}
	f.Lang = lang
	f.IncludeUntranslated = p.IncludeUntranslated != nil && p.IncludeUntranslated()
	items, total, err := p.store.List(r.Context(), f, n, p.PerPage)
	if err != nil {
		return err
	}
	p.itemLanguages(items, lang)
	p.itemThumbs(r.Context(), items)
	p.store.noteItems(items, p.rd.I18n().Localizer(lang))
	pages := max(1, (total+p.PerPage-1)/p.PerPage)
	if n > pages {
		return web.NotFound()
	}
	page := p.rd.PublicPage(r, lang)
	page.Title = heading
	if n > 1 {
		page.Title = page.L.T("pager.title", "Title", heading, "Page", page.L.Number(n))
	}
	page.Canonical = r.URL.Path
	if (f.Kind != "" || f.SectionID != 0 || f.TagID != 0) && p.rd.Feeds != nil {
		// The listing's own feeds, after the language's.
		page.Feeds = append(page.Feeds, p.rd.Feeds(base, page.L.T("archive.feed_title", "Site", page.Site, "Name", heading))...)
	}
	page.Crumbs = append([]web.Crumb{{Name: page.L.T("nav.home"), URL: "/" + lang + "/"}}, crumbs...)
	for _, l := range p.rd.I18n().Enabled() {
		page.Alternates = append(page.Alternates, web.Alternate{Lang: l, URL: altBase(l.Code), Current: l.Code == lang})
	}
	pager := web.Pager{Page: n, Pages: pages, URL: func(k int) string {
		if k == 1 {
			return base
		}
		return base + "/page/" + strconv.Itoa(k)
	}}
	list := p.itemList(page.L, items, 2)
	data := archivePage{Page: page, Heading: heading, Items: items, List: list, Total: total, Pager: pager, Zone: p.zone}
	return p.rd.RenderPublic(w, http.StatusOK, &data.Page, data.writeMain)
}

// KindArchive serves /{lang}/{kind} and its numbered pages.
func (p *Public) KindArchive(kind Kind) web.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		lang := web.Lang(r)
		loc := p.rd.I18n().Localizer(lang)
		heading := loc.T("kind." + string(kind) + ".plural")
		base := func(l string) string { return "/" + l + "/" + kind.Segment() }
		return p.archive(w, r, lang, base(lang), heading, ListFilter{Kind: kind}, []web.Crumb{{Name: heading}}, base)
	}
}

// SectionArchive serves /{lang}/section/{slug} and its numbered pages.
func (p *Public) SectionArchive(w http.ResponseWriter, r *http.Request) error {
	lang := web.Lang(r)
	sec, err := p.store.SectionBySlug(r.Context(), r.PathValue("slug"))
	if errors.Is(err, db.ErrNotFound) {
		return web.NotFound()
	}
	if err != nil {
		return err
	}
	heading := sec.Name(lang)
	base := func(l string) string { return "/" + l + "/section/" + sec.Slug }
	return p.archive(w, r, lang, base(lang), heading, ListFilter{SectionID: sec.ID}, []web.Crumb{{Name: heading}}, base)
}

// TagArchive serves /{lang}/tag/{slug} and its numbered pages.
func (p *Public) TagArchive(w http.ResponseWriter, r *http.Request) error {
	lang := web.Lang(r)
	tag, err := p.store.TagBySlug(r.Context(), r.PathValue("slug"))
	if errors.Is(err, db.ErrNotFound) {
		return web.NotFound()
	}
	if err != nil {
		return err
	}
	loc := p.rd.I18n().Localizer(lang)
	heading := loc.T("tag.heading", "Name", tag.Name(lang))
	base := func(l string) string { return "/" + l + "/tag/" + tag.Slug }
	return p.archive(w, r, lang, base(lang), heading, ListFilter{TagID: tag.ID}, []web.Crumb{{Name: heading}}, base)
}
