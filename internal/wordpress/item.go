package wordpress

import (
	"context"
	"errors"
	"fmt"
	"html"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"peerpress/internal/content"
	"peerpress/internal/db"
	"peerpress/internal/events"
)

// importStatus maps a post's status; ok is false for those not imported
// (trash, auto-draft, inherit).
func importStatus(s string) (content.Status, bool) {
	switch s {
	case "publish":
		return content.Published, true
	case "future":
		return content.Scheduled, true
	case "draft", "pending", "private":
		return content.Draft, true
	}
	return "", false
}

// Limits of the editor's form (content.CheckTranslation) that an import
// shortens to rather than refusing a post.
const (
	maxTitle   = 300
	maxSummary = 1000
)

// item imports one item. force saves a translation whose source has not
// come as an entry of its own.
func (st *state) item(ctx context.Context, b *content.Batch, it *Item, force bool) error {
	st.rep.skip("comments (not imported)", it.Comments)
	if it.Type == "attachment" { // brought in before the posts (uploads)
		return nil
	}
	kind, ok := st.im.opt.Mapping.kind(it, st.sameTerm)
	switch {
	case !ok && it.Type == "tribe_venue":
		st.rep.skip("venues of The Events Calendar (each became its events' venue)", 1)
		return nil
	case !ok && it.Type == "tribe_organizer":
		st.rep.skip("organisers of The Events Calendar (each became its events' co-author organisation)", 1)
		return nil
	}
	if !ok {
		st.rep.skip("items of post type "+it.Type, 1)
		return nil
	}
	status, ok := importStatus(it.Status)
	if !ok {
		st.rep.skip(fmt.Sprintf("%ss with status %q", it.Type, it.Status), 1)
		return nil
	}
	label := it.Type + " " + it.Label()
	lang := st.lang
	if refs := it.Terms("language"); len(refs) > 0 {
		lang = strings.ToLower(refs[0].Slug)
	} else if l := it.MetaValue("_wpml_language"); l != "" {
		lang = strings.ToLower(l)
	}
	conv := it.converted
	if conv == nil {
		return errors.New("content not converted") // read converts every item but attachments
	}
	tr := content.TranslationInput{Lang: lang, Title: truncate(plainTitle(it.Title), maxTitle), Summary: summary(it.Excerpt),
		Body: conv.Markdown, Status: status, PublishAt: st.postTime(it)}
	var notes []string
	if tr.Title == "" {
		tr.Title = "Untitled"
		notes = append(notes, "had no title")
	}
	switch it.Status {
	case "private":
		notes = append(notes, "was private in WordPress; it is a draft here")
	case "pending":
		notes = append(notes, "was pending review in WordPress; it is a draft here")
	}
	if it.Password {
		tr.Status = content.Draft
		notes = append(notes, "was password-protected in WordPress; it is a draft here")
	}
	notes = append(notes, conv.Notes...)
	if len(conv.Unknown) > 0 {
		notes = append(notes, "unknown shortcodes kept as text: ["+strings.Join(conv.Unknown, "], [")+"]")
	}
	in := content.EntryInput{Kind: kind, Featured: it.Sticky}
	var event events.Info
	if kind == content.Event {
		var enotes []string
		if event, enotes, ok = st.event(it, label); !ok {
			return nil
		}
		notes = append(notes, enotes...)
		in.Ext = events.Ext(event)
		var onotes []string
		in.NewOrgs, onotes = st.organisers(it)
		notes = append(notes, onotes...)
		if extra := eventExtras(it, st.im.i18n.Localizer(lang)); extra != "" {
			tr.Body = strings.TrimRight(tr.Body, "\n") + "\n\n" + extra + "\n"
		}
	}
	want := postSlug(it, tr.Title)
	sections := 0
	for _, ref := range it.Terms("category") {
		if id := st.term("category", ref); id != 0 {
			if in.SectionID == 0 {
				in.SectionID = id
			}
			sections++
		}
	}
	for _, ref := range it.Terms("post_tag") {
		if id := st.term("post_tag", ref); id != 0 {
			in.TagIDs = append(in.TagIDs, id)
		}
	}
	var featured int64
	if id, ok := it.featured(); ok {
		if s, ok := st.stored[id]; ok {
			featured = s.id
		} else {
			notes = append(notes, "its featured image was not brought in (see the attachments in the report)")
		}
	}
	author := st.users[it.Creator]
	sum := digest(in.Kind, in.SectionID, in.TagIDs, in.Featured, featured, author, tr.Lang, tr.Title, want, tr.Summary, tr.Body, tr.Status, tr.PublishAt.Unix(),
		event.StartsAt.Unix(), event.TimeZone, event.DurationMinutes, event.Mode, event.Venue)
	if orgs := orgNames(in.NewOrgs); orgs != "" {
		// Only posts with organisers: an earlier import's digests of the
		// others stay valid, so upgrading rewrites nothing.
		sum = digest(sum, orgs)
	}
	wpID := strconv.FormatInt(it.ID, 10)
	// What the report counts of the post, once it is done with (not when
	// it waits for its source).
	tally := func() {
		for _, name := range conv.Unknown {
			st.rep.Shortcodes[name]++
		}
		if sections > 1 {
			st.manyCategories++
		}
		if it.Type == "page" && it.Parent != 0 {
			st.childPages++
		}
	}

	// Which entry: the one this post became last time, or its
	// translation group's, or a new one.
	o, found, err := st.object(ctx, b, "post", wpID, it.GUID, lang)
	if err != nil {
		return err
	}
	entryID, isSource := int64(0), true
	if found {
		entryKind, sourceLang, err := b.EntryKind(ctx, o.localID)
		if errors.Is(err, db.ErrNotFound) {
			st.rep.skip("posts deleted here since an earlier import", 1)
			return nil
		}
		if err != nil {
			return err
		}
		if o.digest == sum {
			tally()
			st.rep.count(string(kind)).Unchanged++
			return st.flushDeferred(ctx, b, it)
		}
		rev, err := b.Revision(ctx, o.localID, lang)
		if err != nil {
			return err
		}
		if rev != o.revision {
			tally()
			st.rep.review(label, "changed both here and in WordPress since the last import; the export's version was not applied", "")
			st.rep.count(string(kind)).Unchanged++
			return st.flushDeferred(ctx, b, it)
		}
		entryID, isSource = o.localID, sourceLang == lang
		if !isSource {
			kind = entryKind
		}
	} else if src, ok := st.group(it); ok && src != it.ID {
		so, sfound, err := st.object(ctx, b, "post", strconv.FormatInt(src, 10), "", "")
		if err != nil {
			return err
		}
		var srcKind content.Kind
		var srcLang string
		if sfound {
			srcKind, srcLang, err = b.EntryKind(ctx, so.localID)
			if err != nil && !errors.Is(err, db.ErrNotFound) {
				return err
			}
		}
		switch {
		case srcLang != "" && srcLang != lang:
			entryID, isSource, kind = so.localID, false, srcKind
		case !sfound && st.ex.importable[src] && !force:
			// The source comes later in the file: this waits for it.
			st.deferred[src] = append(st.deferred[src], it)
			return nil
		}
	}

	if tr.Slug, err = st.freeSlug(ctx, b, lang, want, entryID); err != nil {
		return err
	}
	errs := content.FieldErrors{}
	content.CheckTranslation(&tr, errs)
	if errs["slug"] != "" { // a slug the site keeps for itself (events, search)
		errs = content.FieldErrors{}
		if tr.Slug, err = st.freeSlug(ctx, b, lang, want+"-"+wpID, entryID); err != nil {
			return err
		}
		content.CheckTranslation(&tr, errs)
	}
	if isSource {
		content.CheckEntry(&in, errs, st.known, st.tagIDs, nil)
		st.im.store.CheckExtensions(in, errs)
	}
	if errs.Any() {
		st.rep.skip("posts the editor would refuse (see needs review)", 1)
		st.rep.review(label, fmt.Sprintf("not imported: %v", map[string]string(errs)), "")
		return nil
	}
	if tr.Slug != want {
		notes = append(notes, fmt.Sprintf("its slug %q was taken; it is %q here", want, tr.Slug))
	}

	// The revision the save leaves, known without asking: a new
	// translation's first, or the one after the unchanged one found.
	rev := o.revision + 1
	if isSource {
		entryID, err = b.SaveEntry(ctx, entryID, in, tr, author)
		if !found {
			rev = 1
		}
		if err == nil && featured != 0 {
			err = b.SetFeaturedMedia(ctx, entryID, featured)
		}
	} else {
		var saved content.Translation
		saved, err = b.SaveTranslation(ctx, entryID, tr, author)
		rev = saved.Revision
	}
	if err != nil {
		return err
	}
	tally()
	if kind == content.Event && isSource && !found {
		st.eventModes++
	}
	if c := st.rep.count(string(kind)); found {
		c.Updated++
	} else {
		c.Imported++
	}
	if !slices.Contains(st.im.opt.Languages, lang) {
		st.otherLangs[lang]++
	}
	newURL := content.URL(kind, lang, tr.Slug)
	for _, n := range notes {
		st.rep.review(label, n, newURL)
	}
	if err := st.putObject(ctx, b, "post", wpID, it.GUID, object{localID: entryID, lang: lang, digest: sum, revision: rev}); err != nil {
		return err
	}
	if err := st.oldPaths(ctx, b, it, entryID, lang, newURL); err != nil {
		return err
	}
	return st.flushDeferred(ctx, b, it)
}

// event is the time and place of a post that becomes an event; ok is
// false when it has none to read, which the report says.
func (st *state) event(it *Item, label string) (events.Info, []string, bool) {
	if !st.eventsOn {
		st.rep.skip("events (this site has no events area)", 1)
		return events.Info{}, nil, false
	}
	if !hasEventMeta(it) {
		st.rep.skip("posts mapped to event without The Events Calendar's start date (see needs review)", 1)
		st.rep.review(label, "not imported: it is mapped to event, but has no _EventStartDate (The Events Calendar's meta); an event needs its time", "")
		return events.Info{}, nil, false
	}
	info, notes, ok := st.eventInfo(it)
	if !ok {
		st.rep.skip("events whose start could not be read (see needs review)", 1)
		st.rep.review(label, fmt.Sprintf("not imported: its start %q is not a date and time", it.MetaValue("_EventStartDate")), "")
	}
	return info, notes, ok
}

// flushDeferred imports the translations that waited for this post.
func (st *state) flushDeferred(ctx context.Context, b *content.Batch, it *Item) error {
	waiting := st.deferred[it.ID]
	delete(st.deferred, it.ID)
	for _, w := range waiting {
		if err := st.item(ctx, b, w, true); err != nil {
			return fmt.Errorf("item %s: %w", w.Label(), err)
		}
	}
	return nil
}

// group is the source post of the item's Polylang translation group: the
// one in the default language, else the first listed.
func (st *state) group(it *Item) (int64, bool) {
	var key string
	if refs := it.Terms("post_translations"); len(refs) > 0 {
		key = refs[0].Slug
	} else if trid := it.MetaValue("_wpml_trid"); trid != "" {
		key = "wpml:" + trid
	}
	members := st.ex.postGroups[key]
	if len(members) == 0 {
		return 0, false
	}
	pick := members[0]
	for _, m := range members {
		if strings.EqualFold(m[0], st.lang) {
			pick = m
			break
		}
	}
	id, err := strconv.ParseInt(pick[1], 10, 64)
	return id, err == nil
}

// oldPaths records the post's old addresses: its link, ?p=ID, and
// ?page_id=ID for pages.
func (st *state) oldPaths(ctx context.Context, b *content.Batch, it *Item, entryID int64, lang, newURL string) error {
	var keys []string
	if u, err := url.Parse(it.Link); err == nil && it.Link != "" {
		keys = append(keys, content.OldPathKey(u.Path, u.Query()))
	}
	base := cmpOr(st.ex.basePath, "/")
	id := strconv.FormatInt(it.ID, 10)
	keys = append(keys, content.OldPathKey(base, url.Values{"p": {id}}))
	if it.Type == "page" {
		keys = append(keys, content.OldPathKey(base, url.Values{"page_id": {id}}))
	}
	keys = slices.DeleteFunc(keys, func(k string) bool { return k == newURL || k == "/" })
	return b.KeepOldPaths(ctx, keys, entryID, lang)
}

// freeSlug is want, or want-2, want-3… when another entry has it in lang.
func (st *state) freeSlug(ctx context.Context, b *content.Batch, lang, want string, entryID int64) (string, error) {
	s := want
	for i := 2; ; i++ {
		free, err := b.SlugFree(ctx, lang, s, entryID)
		if err != nil || free {
			return s, err
		}
		s = fmt.Sprintf("%s-%d", want, i)
	}
}

// media finds an attachment of the export, for galleries: its address
// here when it was brought in, else its old one.
func (st *state) media(id int64) (string, string, bool) {
	a, ok := st.ex.attachments[id]
	if s, in := st.stored[id]; in {
		return s.url, unescapeText(a.title), true
	}
	return a.url, unescapeText(a.title), ok && a.url != ""
}

// featured is the post's featured image's attachment id.
func (it *Item) featured() (int64, bool) {
	id, err := strconv.ParseInt(strings.TrimSpace(it.MetaValue("_thumbnail_id")), 10, 64)
	return id, err == nil && id > 0
}

const wpTime = "2006-01-02 15:04:05"

// postTime is the post's instant: its GMT date, else its date in the
// site's zone (drafts have no GMT date); zero when it has neither.
func (st *state) postTime(it *Item) time.Time {
	if t, err := time.Parse(wpTime, it.DateGMT); err == nil && t.Year() > 1 {
		return t
	}
	if t, err := time.ParseInLocation(wpTime, it.Date, st.im.opt.Zone); err == nil && t.Year() > 1 {
		return t
	}
	return time.Time{}
}

// postSlug is the post's slug as peerpress accepts it: WordPress keeps
// non-Latin slugs percent-encoded.
func postSlug(it *Item, title string) string {
	s, err := url.PathUnescape(it.Name)
	if err != nil || !content.ValidSlug(s) {
		s = content.Slugify(cmpOr(s, title))
	}
	if s == "" {
		s = "post-" + strconv.FormatInt(it.ID, 10)
	}
	return s
}

var (
	tags   = regexp.MustCompile(`(?s)<[^>]*>`)
	spaces = regexp.MustCompile(`\s+`)
)

// plainTitle is a title as text: WordPress allows markup in titles
// ("Title <em>with</em> emphasis"), which a title here shows as typed.
func plainTitle(s string) string {
	return strings.TrimSpace(spaces.ReplaceAllString(unescapeText(tags.ReplaceAllString(s, "")), " "))
}

// unescapeText is a title or a name as text: exports keep &amp; and the
// like escaped.
func unescapeText(s string) string { return strings.TrimSpace(html.UnescapeString(s)) }

// summary is an excerpt as plain text, within the editor's limit.
func summary(excerpt string) string {
	s := html.UnescapeString(tags.ReplaceAllString(excerpt, " "))
	return truncate(strings.TrimSpace(spaces.ReplaceAllString(s, " ")), maxSummary)
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}
