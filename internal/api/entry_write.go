package api

import (
	"context"
	"errors"
	"maps"
	"net/http"
	"strconv"
	"strings"
	"time"

	"peerpress/internal/auth"
	"peerpress/internal/content"
	"peerpress/internal/db"
)

// entryBody is what POST /api/v1/entries and PATCH /api/v1/entries/{id}
// read. A field left out of a PATCH keeps its value. Lang is the language
// written: the entry's source language when creating; any language when
// changing, the source's when left out. Entry-wide fields (kind, section,
// tags, organisations, coauthor_role, featured, event) go with the source
// language only.
type entryBody struct {
	Lang          *string    `json:"lang"`
	Kind          *string    `json:"kind"`
	Title         *string    `json:"title"`
	Slug          *string    `json:"slug"`
	Summary       *string    `json:"summary"`
	Body          *string    `json:"body"`
	Status        *string    `json:"status"`
	PublishAt     *string    `json:"publish_at"` // RFC 3339; "" for now
	Section       *string    `json:"section"`    // slug; "" for none
	Tags          *[]string  `json:"tags"`       // slugs
	Organisations *[]string  `json:"organisations"`
	CoauthorRole  *string    `json:"coauthor_role"` // content.CoauthorRoles
	Featured      *bool      `json:"featured"`
	Event         *EventBody `json:"event"`
}

// EventBody is an event's time and place as a request gives them:
// starts_at in RFC 3339, and the IANA zone it is shown in.
type EventBody struct {
	StartsAt        string `json:"starts_at"`
	TimeZone        string `json:"time_zone"`
	DurationMinutes int    `json:"duration_minutes"`
	Mode            string `json:"mode"`
	Venue           string `json:"venue"`
}

func (b entryBody) entryWide() bool {
	return b.Kind != nil || b.Section != nil || b.Tags != nil || b.Organisations != nil || b.CoauthorRole != nil || b.Featured != nil || b.Event != nil
}

// fieldNames maps the editor's field names, which validation speaks, to
// the API's; the event's fields are named by their path in the body.
var fieldNames = map[string]string{
	"section_id": "section", "event_start": eventField("starts_at"), "event_zone": eventField("time_zone"),
	"event_duration": eventField("duration_minutes"), "event_mode": eventField("mode"), "event_venue": eventField("venue"),
}

func eventField(name string) string { return "event." + name }

// invalid turns the editor's field errors into a 422, each message in
// the site's default language (English when it is enabled).
func (a *API) invalid(errs content.FieldErrors) error {
	loc := a.langs().Localizer("en")
	e := &Error{Status: http.StatusUnprocessableEntity, Code: "validation_failed", Message: "Some fields are not valid; see fields.", Fields: map[string]FieldError{}}
	for field, key := range errs {
		if n, ok := fieldNames[field]; ok {
			field = n
		}
		e.Fields[field] = FieldError{Code: key, Message: loc.T(key)}
	}
	return e
}

// translation overlays the body's text fields on t.
func (b entryBody) translation(t content.TranslationInput, errs content.FieldErrors) content.TranslationInput {
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = strings.TrimSpace(*src)
		}
	}
	set(&t.Title, b.Title)
	set(&t.Slug, b.Slug)
	set(&t.Summary, b.Summary)
	if b.Body != nil {
		t.Body = strings.ReplaceAll(*b.Body, "\r\n", "\n")
	}
	if b.Status != nil {
		t.Status = content.Status(*b.Status)
	}
	if b.PublishAt != nil {
		t.PublishAt = time.Time{}
		if *b.PublishAt != "" {
			at, err := time.Parse(time.RFC3339, *b.PublishAt)
			if err != nil {
				errs["publish_at"] = "form.invalid_time"
			}
			t.PublishAt = at
		}
	}
	return t
}

// entry overlays the body's entry-wide fields on in, resolving slugs.
func (a *API) entry(ctx context.Context, b entryBody, in content.EntryInput, errs content.FieldErrors) (content.EntryInput, error) {
	sections, err := a.store.Sections(ctx)
	if err != nil {
		return in, err
	}
	tags, err := a.store.Tags(ctx)
	if err != nil {
		return in, err
	}
	orgs, err := a.store.Organisations(ctx)
	if err != nil {
		return in, err
	}
	if b.Kind != nil {
		in.Kind = content.Kind(*b.Kind)
	}
	if b.Featured != nil {
		in.Featured = *b.Featured
	}
	if b.Section != nil {
		in.SectionID = 0
		if *b.Section != "" {
			in.SectionID = -1 // unknown: CheckEntry refuses it
			for _, s := range sections {
				if s.Slug == *b.Section {
					in.SectionID = s.ID
				}
			}
		}
	}
	if b.Tags != nil {
		in.TagIDs = idsBySlug(*b.Tags, tags, func(t content.Tag) (string, int64) { return t.Slug, t.ID })
	}
	if b.Organisations != nil {
		in.OrgIDs = idsBySlug(*b.Organisations, orgs, func(o content.Organisation) (string, int64) { return o.Slug, o.ID })
	}
	if b.CoauthorRole != nil {
		// The editor's "" keeps the role saved; a request names one.
		if in.CoauthorRole = *b.CoauthorRole; in.CoauthorRole == "" {
			errs["coauthor_role"] = "form.invalid_choice"
		}
	}
	// The event is saved through its extension, in the entry's
	// transaction, as the editor saves it.
	if f := a.eventField(); f != nil && b.Event != nil {
		in.Ext = maps.Clone(in.Ext)
		if in.Ext == nil {
			in.Ext = map[string]any{}
		}
		in.Ext[f.ExtensionName()] = f.EventValue(*b.Event, errs)
	}
	content.CheckEntry(&in, errs, sections, tags, orgs)
	a.store.CheckExtensions(in, errs)
	return in, nil
}

// createEntry serves POST /api/v1/entries: a new entry with its source
// translation, authored by the token's user.
func (a *API) createEntry(w http.ResponseWriter, r *http.Request, u auth.User) error {
	if !u.Role.CanWrite() {
		return errForbidden
	}
	var b entryBody
	if err := decode(w, r, &b); err != nil {
		return err
	}
	errs := content.FieldErrors{}
	lang := a.langs().Default().Code
	if b.Lang != nil {
		lang = *b.Lang
	}
	if _, ok := a.langs().Get(lang); !ok {
		errs["lang"] = "form.invalid_choice"
	}
	tr := b.translation(content.TranslationInput{Lang: lang, Status: content.Draft}, errs)
	content.CheckTranslation(&tr, errs)
	in, err := a.entry(r.Context(), b, content.EntryInput{}, errs)
	if err != nil {
		return err
	}
	if b.Kind == nil {
		errs["kind"] = "form.required"
	}
	if len(errs) > 0 {
		return a.invalid(errs)
	}
	id, err := a.store.SaveEntry(r.Context(), 0, in, tr, u.ID)
	if err != nil {
		return a.saveErr(err)
	}
	return a.written(w, r, id, http.StatusCreated)
}

// updateEntry serves PATCH /api/v1/entries/{id}: a change to the entry
// and its source text, or to (or a new) translation, with the rights the
// token's user has in the editor.
func (a *API) updateEntry(w http.ResponseWriter, r *http.Request, u auth.User) error {
	e, err := a.entryParam(r)
	if err != nil {
		return err
	}
	var b entryBody
	if err := decode(w, r, &b); err != nil {
		return err
	}
	lang := e.SourceLang
	if b.Lang != nil {
		lang = *b.Lang
	}
	if _, ok := a.langs().Get(lang); !ok {
		return a.invalid(content.FieldErrors{"lang": "form.invalid_choice"})
	}
	source := lang == e.SourceLang
	if (source && !content.CanEdit(u, e)) || (!source && !content.CanTranslate(u, e, lang)) {
		return errForbidden
	}
	if !source && b.entryWide() {
		return badRequest("source_only", "kind, section, tags, organisations, coauthor_role, featured and event change with the source language only.")
	}
	errs := content.FieldErrors{}
	current := content.TranslationInput{Lang: lang, Status: content.Draft}
	if t, ok := e.Translation(lang); ok {
		current = content.TranslationInput{Lang: lang, Title: t.Title, Slug: t.Slug, Summary: t.Summary, Body: t.Body, Status: t.Status, PublishAt: t.PublishAt}
	}
	tr := b.translation(current, errs)
	content.CheckTranslation(&tr, errs)
	if !source {
		if len(errs) > 0 {
			return a.invalid(errs)
		}
		if _, err := a.store.SaveTranslation(r.Context(), e.ID, tr, u.ID); err != nil {
			return a.saveErr(err)
		}
		return a.written(w, r, e.ID, http.StatusOK)
	}
	in, err := a.entry(r.Context(), b, content.EntryInput{Kind: e.Kind, SectionID: e.SectionID, Featured: e.Featured,
		TagIDs: e.TagIDs, OrgIDs: e.OrgIDs, Ext: e.Ext}, errs)
	if err != nil {
		return err
	}
	if len(errs) > 0 {
		return a.invalid(errs)
	}
	if _, err := a.store.SaveEntry(r.Context(), e.ID, in, tr, u.ID); err != nil {
		return a.saveErr(err)
	}
	return a.written(w, r, e.ID, http.StatusOK)
}

func (a *API) saveErr(err error) error {
	var refused content.FieldErrors
	switch {
	case errors.As(err, &refused):
		return a.invalid(refused)
	case errors.Is(err, content.ErrSlugTaken):
		return a.invalid(content.FieldErrors{"slug": "entry.slug_taken"})
	case errors.Is(err, db.ErrNotFound):
		return errNotFound
	}
	return err
}

// written answers a write with the entry as saved, every translation
// included.
func (a *API) written(w http.ResponseWriter, r *http.Request, id int64, status int) error {
	e, err := a.store.Entry(r.Context(), id)
	if err != nil {
		return err
	}
	out, _, err := a.entryView(r, e, true)
	if err != nil {
		return err
	}
	if status == http.StatusCreated {
		w.Header().Set("Location", "/api/v1/entries/"+strconv.FormatInt(id, 10))
	}
	w.Header().Set("Cache-Control", "no-store")
	return writeJSON(w, status, out)
}

// idsBySlug maps slugs to the ids of the items that have them; an unknown
// slug maps to -1, which the entry checks refuse as an invalid choice.
func idsBySlug[T any](slugs []string, items []T, key func(T) (string, int64)) []int64 {
	out := make([]int64, 0, len(slugs))
	for _, slug := range slugs {
		id := int64(-1)
		for _, it := range items {
			if s, i := key(it); s == slug {
				id = i
			}
		}
		out = append(out, id)
	}
	return out
}
