package api

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"peerpress/internal/content"
	"peerpress/internal/db"
)

// Listing limits.
const (
	defaultLimit = 20
	maxLimit     = 100
)

// entrySummary is an entry in one language, as listings show it.
type entrySummary struct {
	ID          int64      `json:"id"`
	Kind        string     `json:"kind"`
	Lang        string     `json:"lang"`
	Title       string     `json:"title"`
	Slug        string     `json:"slug"`
	Summary     string     `json:"summary"`
	URL         string     `json:"url"`
	PublishedAt string     `json:"published_at"`
	Section     string     `json:"section,omitempty"` // slug
	Event       *EventTime `json:"event,omitempty"`
}

// EventTime is when and where an event happens: its start in its own
// zone (RFC 3339, with that zone's offset then) and the zone's name.
type EventTime struct {
	StartsAt        string `json:"starts_at"`
	EndsAt          string `json:"ends_at"`
	TimeZone        string `json:"time_zone"`
	DurationMinutes int    `json:"duration_minutes"`
	Mode            string `json:"mode"`
	Venue           string `json:"venue"`
}

// EventField is the content extension that keeps events' time and
// place (the events package's): the API shows and takes it as an entry's
// "event". The API finds it among the content store's extensions.
type EventField interface {
	content.Extension
	// EventTime is v as the API shows it; nil when v holds no event.
	EventTime(v any) *EventTime
	// EventValue reads a body's event into the extension's value;
	// problems go into errs by the editor's field names (event_start).
	EventValue(b EventBody, errs content.FieldErrors) any
}

// eventField is the content store's EventField, nil when it has none.
func (a *API) eventField() EventField {
	for _, x := range a.store.Extensions() {
		if f, ok := x.(EventField); ok {
			return f
		}
	}
	return nil
}

// eventTime is the event among values (an entry's or an item's), nil
// when there is none.
func (a *API) eventTime(values map[string]any) *EventTime {
	f := a.eventField()
	if f == nil {
		return nil
	}
	if v, ok := values[f.ExtensionName()]; ok {
		return f.EventTime(v)
	}
	return nil
}

// cursor is the opaque position a listing's next page starts after:
// base64 of "kind:unix-seconds:entry-id".
func encodeCursor(kind string, c content.Cursor) string {
	return base64.RawURLEncoding.EncodeToString([]byte(kind + ":" + strconv.FormatInt(c.At.Unix(), 10) + ":" + strconv.FormatInt(c.EntryID, 10)))
}

func decodeCursor(kind, s string) (*content.Cursor, error) {
	if s == "" {
		return nil, nil
	}
	bad := badRequest("invalid_cursor", "The cursor is not one this listing gave out.")
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, bad
	}
	parts := strings.Split(string(raw), ":")
	if len(parts) != 3 || parts[0] != kind {
		return nil, bad
	}
	at, err1 := strconv.ParseInt(parts[1], 10, 64)
	id, err2 := strconv.ParseInt(parts[2], 10, 64)
	if err1 != nil || err2 != nil || id <= 0 || at < 0 {
		return nil, bad
	}
	return &content.Cursor{At: time.Unix(at, 0).UTC(), EntryID: id}, nil
}

// listing is what a listing's page was asked for: the language, how
// many items, and where the page before ended (nil for the first), by a
// cursor of the listing's kind ("e" for entries, "v" for events).
type listing struct {
	kind  string
	lang  string
	limit int
	after *content.Cursor
}

// listingParams reads a listing's ?lang=, ?limit= and ?cursor=.
func (a *API) listingParams(r *http.Request, kind string) (listing, error) {
	p := listing{kind: kind}
	var err error
	if p.lang, err = a.langParam(r); err != nil {
		return p, err
	}
	if p.limit, err = limitParam(r); err != nil {
		return p, err
	}
	p.after, err = decodeCursor(kind, r.URL.Query().Get("cursor"))
	return p, err
}

// nextPage cuts items, read one more than p asked for to tell whether
// there is a next page, to the page, and gives the cursor of the next
// one (nil for none) from the last item's position.
func nextPage[T any](p listing, items []T, at func(T) content.Cursor) ([]T, *string) {
	if len(items) <= p.limit {
		return items, nil
	}
	items = items[:p.limit]
	c := encodeCursor(p.kind, at(items[p.limit-1]))
	return items, &c
}

// limitParam reads ?limit=, 1 to 100, 20 when absent.
func limitParam(r *http.Request) (int, error) {
	s := r.URL.Query().Get("limit")
	if s == "" {
		return defaultLimit, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > maxLimit {
		return 0, badRequest("invalid_limit", "limit must be a whole number from 1 to 100.")
	}
	return n, nil
}

// langParam reads ?lang=, an enabled language; the site's default when absent.
func (a *API) langParam(r *http.Request) (string, error) {
	lang := r.URL.Query().Get("lang")
	if lang == "" {
		return a.langs().Default().Code, nil
	}
	if _, ok := a.langs().Get(lang); !ok {
		return "", badRequest("invalid_lang", "lang must be one of the site's languages.")
	}
	return lang, nil
}

// sectionSlugs maps section ids to slugs.
func (a *API) sectionSlugs(ctx context.Context) (map[int64]string, error) {
	secs, err := a.store.Sections(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]string, len(secs))
	for _, s := range secs {
		out[s.ID] = s.Slug
	}
	return out, nil
}

func (a *API) summaries(r *http.Request, items []content.Item) ([]entrySummary, error) {
	sections, err := a.sectionSlugs(r.Context())
	if err != nil {
		return nil, err
	}
	origin := a.origin(r)
	out := make([]entrySummary, 0, len(items))
	for _, it := range items {
		out = append(out, entrySummary{ID: it.EntryID, Kind: string(it.Kind), Lang: it.Lang, Title: it.Title, Slug: it.Slug,
			Summary: it.Summary, URL: origin + it.URL, PublishedAt: it.PublishAt.Format(time.RFC3339),
			Section: sections[it.SectionID], Event: a.eventTime(it.Ext)})
	}
	return out, nil
}

// listEntries serves GET /api/v1/entries?lang=&kind=&section=&tag=&cursor=&limit=:
// visible entries in one language, newest first.
func (a *API) listEntries(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	q := r.URL.Query()
	p, err := a.listingParams(r, "e")
	if err != nil {
		return err
	}
	f := content.ListFilter{Lang: p.lang, Kind: content.Kind(q.Get("kind"))}
	if f.Kind != "" && !f.Kind.Valid() {
		return badRequest("invalid_kind", "kind must be one of article, event, publication, statement, campaign, page.")
	}
	if s := q.Get("section"); s != "" {
		sec, err := a.store.SectionBySlug(ctx, s)
		if errors.Is(err, db.ErrNotFound) {
			return badRequest("invalid_section", "There is no section with this slug.")
		}
		if err != nil {
			return err
		}
		f.SectionID = sec.ID
	}
	if s := q.Get("tag"); s != "" {
		tag, err := a.store.TagBySlug(ctx, s)
		if errors.Is(err, db.ErrNotFound) {
			return badRequest("invalid_tag", "There is no tag with this slug.")
		}
		if err != nil {
			return err
		}
		f.TagID = tag.ID
	}
	items, err := a.store.ListAfter(ctx, f, p.after, p.limit+1)
	if err != nil {
		return err
	}
	items, next := nextPage(p, items, func(it content.Item) content.Cursor { return content.Cursor{At: it.PublishAt, EntryID: it.EntryID} })
	out, err := a.summaries(r, items)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"entries": out, "next_cursor": next})
}

// entryJSON is an entry with its translations.
type entryJSON struct {
	ID            int64             `json:"id"`
	Kind          string            `json:"kind"`
	SourceLang    string            `json:"source_lang"`
	Section       string            `json:"section,omitempty"`
	Tags          []string          `json:"tags"`
	Organisations []string          `json:"organisations"`
	CoauthorRole  string            `json:"coauthor_role"` // what the organisations did: content.CoauthorRoles
	Featured      bool              `json:"featured"`
	ImageURL      string            `json:"image_url,omitempty"`
	CreatedAt     string            `json:"created_at"`
	UpdatedAt     string            `json:"updated_at"`
	Event         *EventTime        `json:"event,omitempty"`
	Translations  []translationJSON `json:"translations"`
}

type translationJSON struct {
	Lang        string `json:"lang"`
	Title       string `json:"title"`
	Slug        string `json:"slug"`
	Summary     string `json:"summary"`
	Body        string `json:"body"`      // Markdown
	BodyHTML    string `json:"body_html"` // rendered and sanitized
	Status      string `json:"status"`
	PublishedAt string `json:"published_at"`
	UpdatedAt   string `json:"updated_at"`
	Revision    int    `json:"revision"`
	URL         string `json:"url,omitempty"` // absent while readers cannot see it
}

// entryView turns an entry into its JSON: its visible translations, or
// all of them for whoever may change it (the answer to a write).
func (a *API) entryView(r *http.Request, e *content.Entry, all bool) (entryJSON, bool, error) {
	ctx := r.Context()
	sections, err := a.sectionSlugs(ctx)
	if err != nil {
		return entryJSON{}, false, err
	}
	tags, err := a.store.EntryTags(ctx, e.ID)
	if err != nil {
		return entryJSON{}, false, err
	}
	orgs, err := a.store.EntryOrganisations(ctx, e.ID)
	if err != nil {
		return entryJSON{}, false, err
	}
	origin := a.origin(r)
	out := entryJSON{ID: e.ID, Kind: string(e.Kind), SourceLang: e.SourceLang, Section: sections[e.SectionID], Tags: []string{},
		Organisations: []string{}, CoauthorRole: e.Coauthors(), Featured: e.Featured, CreatedAt: e.CreatedAt.Format(time.RFC3339),
		UpdatedAt: e.UpdatedAt.Format(time.RFC3339), Event: a.eventTime(e.Ext), Translations: []translationJSON{}}
	for _, t := range tags {
		out.Tags = append(out.Tags, t.Slug)
	}
	for _, o := range orgs {
		out.Organisations = append(out.Organisations, o.Slug)
	}
	now := time.Now()
	for _, t := range e.Translations {
		visible := t.Visible(now)
		if _, enabled := a.langs().Get(t.Lang); !all && (!visible || !enabled) {
			continue
		}
		tj := translationJSON{Lang: t.Lang, Title: t.Title, Slug: t.Slug, Summary: t.Summary, Body: t.Body, BodyHTML: string(a.md.Render(t.Body)),
			Status: string(t.Status), PublishedAt: t.PublishAt.Format(time.RFC3339), UpdatedAt: t.UpdatedAt.Format(time.RFC3339), Revision: t.Revision}
		if visible {
			tj.URL = origin + content.URL(e.Kind, t.Lang, t.Slug)
		}
		out.Translations = append(out.Translations, tj)
	}
	if e.FeaturedMediaID != 0 && a.media != nil {
		if m, err := a.media.ByID(ctx, e.FeaturedMediaID); err == nil {
			out.ImageURL = origin + m.URL()
		}
	}
	return out, len(out.Translations) > 0, nil
}

// entryParam loads the entry named by {id}.
func (a *API) entryParam(r *http.Request) (*content.Entry, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return nil, errNotFound
	}
	e, err := a.store.Entry(r.Context(), id)
	if errors.Is(err, db.ErrNotFound) {
		return nil, errNotFound
	}
	return e, err
}

// getEntry serves GET /api/v1/entries/{id}: the entry with every
// translation readers can see; 404 when they can see none.
func (a *API) getEntry(w http.ResponseWriter, r *http.Request) error {
	e, err := a.entryParam(r)
	if err != nil {
		return err
	}
	out, any, err := a.entryView(r, e, false)
	if err != nil {
		return err
	}
	if !any {
		return errNotFound
	}
	return writeJSON(w, http.StatusOK, out)
}
