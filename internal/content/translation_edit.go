package content

import (
	"errors"
	"html/template"
	"net/http"
	"strconv"

	"peerpress/internal/db"
	"peerpress/internal/i18n"
	"peerpress/internal/web"
)

// translationPage is the data of the side-by-side translation form.
type translationPage struct {
	web.Page
	SiteZone   string // as editPage's
	Entry      *Entry
	Source     Translation
	SourceHTML template.HTML
	Lang       i18n.Language
	Exists     bool
	Outdated   bool
	Form       entryForm
	Errors     FieldErrors
	ErrorList  []errorLink // Errors summed up at the top, linked to their fields
	Preview    template.HTML
	Statuses   []Status
	Action     string
	// Changes shows what changed in the source since this translation was
	// made from it, when it is outdated.
	Changes template.HTML
}

// loadTranslationTarget resolves {id} and {lang} for the translation
// pages, and checks the user may translate that entry into that language.
func (a *Admin) loadTranslationTarget(r *http.Request) (*Entry, i18n.Language, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return nil, i18n.Language{}, web.NotFound()
	}
	lang, ok := a.rd.I18n().Get(r.PathValue("lang"))
	if !ok {
		return nil, i18n.Language{}, web.NotFound()
	}
	e, err := a.store.Entry(r.Context(), id)
	if errors.Is(err, db.ErrNotFound) {
		return nil, i18n.Language{}, web.NotFound()
	}
	if err != nil {
		return nil, i18n.Language{}, err
	}
	if !canTranslate(currentUser(r), e, lang.Code) {
		return nil, i18n.Language{}, web.Forbidden()
	}
	return e, lang, nil
}

func (a *Admin) newTranslationPage(r *http.Request, e *Entry, lang i18n.Language, f entryForm, errs FieldErrors) (translationPage, error) {
	src := e.Source()
	t, exists := e.Translation(lang.Code)
	p := translationPage{
		Page: a.page(r, "admin.translation"), Entry: e, Source: src, SourceHTML: a.md.Render(src.Body), Lang: lang,
		Exists: exists, Outdated: exists && lang.Code != e.SourceLang && t.SourceRevision < src.Revision,
		Form: f, Errors: errs, Statuses: Statuses,
		Action: "/admin/entries/" + strconv.FormatInt(e.ID, 10) + "/translations/" + lang.Code,
	}
	p.SiteZone = i18n.ZoneName(a.zone.String(), p.L.Lang.Code)
	p.Title = p.L.T("admin.translation_into", "Language", lang.Name)
	if p.Outdated {
		before, err := a.store.RevisionByNumber(r.Context(), src.ID, t.SourceRevision)
		if err != nil && !errors.Is(err, db.ErrNotFound) {
			return p, err
		}
		if err == nil {
			p.Changes = sourceChanges(before.Title+"\n\n"+before.Summary+"\n\n"+before.Body, src.Title+"\n\n"+src.Summary+"\n\n"+src.Body)
		}
	}
	return p, nil
}

// EditTranslation serves GET /admin/entries/{id}/translations/{lang}.
func (a *Admin) EditTranslation(w http.ResponseWriter, r *http.Request) error {
	e, lang, err := a.loadTranslationTarget(r)
	if err != nil {
		return err
	}
	if lang.Code == e.SourceLang {
		if !canEdit(currentUser(r), e) {
			return web.Forbidden()
		}
		http.Redirect(w, r, "/admin/entries/"+strconv.FormatInt(e.ID, 10), http.StatusSeeOther)
		return nil
	}
	var f entryForm
	if t, ok := e.Translation(lang.Code); ok {
		f = formFromEntry(e, t, a.zone, nil) // a translation has no extension fields
	} else {
		src := e.Source()
		f = entryForm{Lang: lang.Code, Status: string(Draft), Kind: string(e.Kind)}
		if !src.PublishAt.IsZero() {
			f.PublishAt = src.PublishAt.In(a.zone).Format(formTimeLayout)
		}
	}
	p, err := a.newTranslationPage(r, e, lang, f, nil)
	if err != nil {
		return err
	}
	if r.URL.Query().Get("saved") != "" {
		p.Flash = p.L.T("admin.saved")
	}
	return a.rd.Render(w, http.StatusOK, a.tmpl["admin_translation"], p)
}

// SaveTranslation serves POST /admin/entries/{id}/translations/{lang}.
func (a *Admin) SaveTranslation(w http.ResponseWriter, r *http.Request) error {
	e, lang, err := a.loadTranslationTarget(r)
	if err != nil {
		return err
	}
	if lang.Code == e.SourceLang {
		return web.BadRequest("admin.source_in_entry_form")
	}
	if err := r.ParseForm(); err != nil {
		return web.BadRequest("form.unreadable")
	}
	f, errs := readEntryForm(r.PostForm, nil)
	f.Lang, f.Kind = lang.Code, string(e.Kind)
	tr := f.validTranslation(errs, a.zone)
	p, err := a.newTranslationPage(r, e, lang, f, errs)
	if err != nil {
		return err
	}
	p.Form = f
	if isPreview(r) {
		p.Preview = a.md.Render(f.Body)
		return a.rd.Render(w, http.StatusOK, a.tmpl["admin_translation"], p)
	}
	if errs.Any() {
		p.ErrorList = errorList(p.L, errs, nil)
		return a.rd.Render(w, http.StatusUnprocessableEntity, a.tmpl["admin_translation"], p)
	}
	_, err = a.store.SaveTranslation(r.Context(), e.ID, tr, currentUser(r).ID)
	if errors.Is(err, ErrSlugTaken) {
		errs["slug"] = "entry.slug_taken"
		p.ErrorList = errorList(p.L, errs, nil)
		return a.rd.Render(w, http.StatusUnprocessableEntity, a.tmpl["admin_translation"], p)
	}
	if err != nil {
		return err
	}
	a.recordPublish(r, e, e.ID, tr)
	http.Redirect(w, r, p.Action+"?saved=1", http.StatusSeeOther)
	return nil
}

// revisionsPage lists a translation's revisions.
type revisionsPage struct {
	web.Page
	Entry     *Entry
	T         Translation
	Revisions []Revision
}

// Revisions serves GET /admin/entries/{id}/translations/{lang}/revisions.
func (a *Admin) Revisions(w http.ResponseWriter, r *http.Request) error {
	e, lang, err := a.loadTranslationTarget(r)
	if err != nil {
		return err
	}
	t, ok := e.Translation(lang.Code)
	if !ok {
		return web.NotFound()
	}
	revs, err := a.store.Revisions(r.Context(), t.ID)
	if err != nil {
		return err
	}
	p := revisionsPage{Page: a.page(r, "admin.revisions"), Entry: e, T: t, Revisions: revs}
	if r.URL.Query().Get("restored") != "" {
		p.Flash = p.L.T("admin.restored")
	}
	return a.rd.Render(w, http.StatusOK, a.tmpl["admin_revisions"], p)
}

// revisionPage shows one revision.
type revisionPage struct {
	web.Page
	Entry    *Entry
	T        Translation
	Revision Revision
	Body     template.HTML
}

// loadRevision resolves {id}, {lang} and {rev}, checking that the revision
// belongs to that translation.
func (a *Admin) loadRevision(r *http.Request) (*Entry, Translation, Revision, error) {
	e, lang, err := a.loadTranslationTarget(r)
	if err != nil {
		return nil, Translation{}, Revision{}, err
	}
	t, ok := e.Translation(lang.Code)
	revID, perr := strconv.ParseInt(r.PathValue("rev"), 10, 64)
	if !ok || perr != nil {
		return nil, Translation{}, Revision{}, web.NotFound()
	}
	rev, err := a.store.RevisionByID(r.Context(), revID)
	if errors.Is(err, db.ErrNotFound) || (err == nil && rev.TranslationID != t.ID) {
		return nil, Translation{}, Revision{}, web.NotFound()
	}
	return e, t, rev, err
}

// Revision serves GET /admin/entries/{id}/translations/{lang}/revisions/{rev}.
func (a *Admin) Revision(w http.ResponseWriter, r *http.Request) error {
	e, t, rev, err := a.loadRevision(r)
	if err != nil {
		return err
	}
	p := revisionPage{Page: a.page(r, "admin.revision"), Entry: e, T: t, Revision: rev, Body: a.md.Render(rev.Body)}
	p.Title = p.L.T("admin.revision_n", "Number", rev.Number)
	return a.rd.Render(w, http.StatusOK, a.tmpl["admin_revision"], p)
}

// RestoreRevision serves POST …/revisions/{rev}/restore: the revision's
// content is saved again as a new revision, so nothing is lost.
func (a *Admin) RestoreRevision(w http.ResponseWriter, r *http.Request) error {
	e, t, rev, err := a.loadRevision(r)
	if err != nil {
		return err
	}
	in := TranslationInput{Lang: t.Lang, Title: rev.Title, Slug: rev.Slug, Summary: rev.Summary, Body: rev.Body, Status: rev.Status, PublishAt: rev.PublishAt}
	base := "/admin/entries/" + strconv.FormatInt(e.ID, 10) + "/translations/" + t.Lang + "/revisions"
	if _, err := a.store.SaveTranslation(r.Context(), e.ID, in, currentUser(r).ID); errors.Is(err, ErrSlugTaken) {
		p := revisionPage{Page: a.page(r, "admin.revision"), Entry: e, T: t, Revision: rev, Body: a.md.Render(rev.Body)}
		p.Flash = p.L.T("entry.slug_taken")
		return a.rd.Render(w, http.StatusConflict, a.tmpl["admin_revision"], p)
	} else if err != nil {
		return err
	}
	http.Redirect(w, r, base+"?restored=1", http.StatusSeeOther)
	return nil
}
