package content

import (
	"net/http"
	"slices"
	"strings"

	"peerpress/internal/web"
)

// Preview serves POST /admin/entries/preview and POST
// /admin/entries/{id}/preview: the page as readers will see it — the
// public template, the site's header and footer, the entry's language and
// direction — made from the form as typed, unsaved. The editor's form
// posts it into a frame of its page (a button's formtarget, with or
// without JavaScript); like every admin answer it is never cached.
func (a *Admin) Preview(w http.ResponseWriter, r *http.Request) error {
	if !currentUser(r).Role.CanWrite() {
		return web.Forbidden()
	}
	var e *Entry
	if r.PathValue("id") != "" {
		var err error
		if e, err = a.loadEntry(r); err != nil {
			return err
		}
	}
	exts := a.store.Extensions()
	f, errs := readEntryForm(r.PostForm, exts)
	pe := &Entry{Kind: Kind(f.Kind), SourceLang: f.Lang}
	if e != nil {
		copied := *e
		pe = &copied
		pe.Kind = Kind(f.Kind)
		f.Lang = e.SourceLang
	}
	if !pe.Kind.Valid() {
		pe.Kind = Kinds()[0]
	}
	if _, ok := a.rd.I18n().Get(f.Lang); !ok {
		f.Lang = a.rd.I18n().Default().Code
		pe.SourceLang = f.Lang
	}
	tr := f.validTranslation(errs, a.zone)
	choices, err := a.entryChoices(r.Context())
	if err != nil {
		return err
	}
	in := f.validEntry(errs, choices, exts)
	tags, orgs := choices.tags, choices.orgs
	pe.SectionID, pe.Featured, pe.Ext, pe.CoauthorRole = in.SectionID, in.Featured, in.Ext, in.CoauthorRole
	if pe.SectionID != 0 && errs["section_id"] != "" {
		pe.SectionID = 0
	}
	if e == nil {
		// The featured image added before the first save shows too.
		staged, err := a.store.StagedUploads(r.Context(), f.Stage, currentUser(r).ID)
		if err != nil {
			return err
		}
		for _, st := range staged {
			if st.Role == UploadFeatured {
				pe.FeaturedMediaID = st.MediaID
			}
		}
	}
	t := Translation{EntryID: pe.ID, Lang: tr.Lang, Title: tr.Title, Slug: tr.Slug, Summary: tr.Summary, Body: tr.Body,
		Status: tr.Status, PublishAt: tr.PublishAt}
	pe.Translations = slices.DeleteFunc(slices.Clone(pe.Translations), func(x Translation) bool { return x.Lang == t.Lang })
	pe.Translations = append(pe.Translations, t)
	return a.renderPreview(w, r, pe, t, func(data *entryPage) {
		data.Tags = data.Tags[:0]
		for _, tag := range tags {
			if f.TagIDs[tag.ID] {
				data.Tags = append(data.Tags, tag)
			}
		}
		data.Organisations = data.Organisations[:0]
		for _, id := range in.OrgIDs {
			if i := slices.IndexFunc(orgs, func(o Organisation) bool { return o.ID == id }); i >= 0 {
				data.Organisations = append(data.Organisations, orgs[i])
			}
		}
		data.Organisations = append(data.Organisations, in.NewOrgs...)
	})
}

// PreviewTranslation serves POST
// /admin/entries/{id}/translations/{lang}/preview: a translation's page
// as readers will see it, from the translator's form as typed.
func (a *Admin) PreviewTranslation(w http.ResponseWriter, r *http.Request) error {
	e, lang, err := a.loadTranslationTarget(r)
	if err != nil {
		return err
	}
	f, errs := readEntryForm(r.PostForm, nil)
	f.Lang = lang.Code
	tr := f.validTranslation(errs, a.zone)
	old, _ := e.Translation(lang.Code)
	t := old
	t.Lang, t.Title, t.Slug, t.Summary, t.Body, t.Status, t.PublishAt = tr.Lang, tr.Title, tr.Slug, tr.Summary, tr.Body, tr.Status, tr.PublishAt
	// As saved, a translation is made from the source as it is now.
	t.SourceRevision = e.Source().Revision
	pe := *e
	pe.Translations = slices.DeleteFunc(slices.Clone(e.Translations), func(x Translation) bool { return x.Lang == t.Lang })
	pe.Translations = append(pe.Translations, t)
	return a.renderPreview(w, r, &pe, t, nil)
}

// renderPreview renders e's page in t's language into the editor's frame;
// adjust changes what the form shows otherwise than the database.
func (a *Admin) renderPreview(w http.ResponseWriter, r *http.Request, e *Entry, t Translation, adjust func(*entryPage)) error {
	if a.Public == nil {
		return web.NotFound()
	}
	data, err := a.Public.entryData(r, e, t, e.Kind, true)
	if err != nil {
		return err
	}
	if adjust != nil {
		adjust(&data)
	}
	data.NoIndex = true
	// This one answer may be shown in a frame, of this site's pages only.
	h := w.Header()
	h.Set("X-Frame-Options", "SAMEORIGIN")
	h.Set("Content-Security-Policy", strings.Replace(h.Get("Content-Security-Policy"), "frame-ancestors 'none'", "frame-ancestors 'self'", 1))
	return a.Public.renderEntry(w, &data)
}
