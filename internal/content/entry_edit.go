package content

import (
	"context"
	"errors"
	"html/template"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"peerpress/internal/auth"
	"peerpress/internal/db"
	"peerpress/internal/i18n"
	"peerpress/internal/media"
	"peerpress/internal/web"
)

// editPage is the data of the entry form (new and edit).
type editPage struct {
	web.Page
	// SiteZone is the zone publish times are typed in, named in the
	// staff's language ("Moscou · heure de Moscou").
	SiteZone      string
	Entry         *Entry       // nil for a new entry
	Links         []EditorLink // other packages' pages about the entry
	Form          entryForm
	Errors        FieldErrors
	Preview       template.HTML
	Kinds         []Kind
	Statuses      []Status
	Sections      []Section
	Tags          []Tag
	Organisations []Organisation
	Languages     []i18n.Language
	Image         *media.Media
	Attachments   []attachmentView
	// AttachmentForm is the attachment upload form, as typed when an
	// upload was refused.
	AttachmentForm attachmentForm
	Translations   []translationState
	Action         string
	LiveURL        string // the source's public address, once readers can see it
	// Extensions are the fields extensions add to entries, as typed:
	// every kind's, those of other kinds than the form's hidden.
	Extensions []fieldSetView
	// ErrorList sums up Errors at the top of the form, each linked to
	// its field, in the form's order.
	ErrorList     []errorLink
	CoauthorRoles []string
	// Coauthors are the organisations the form names, in order.
	Coauthors []Organisation
	NewOrgs   []newOrgRow // the rows for naming more, as typed
	Countries []i18n.Country
	// Extra is how many empty rows "more rows" added, kept in the form
	// so that pressing it again adds more.
	Extra int
	// Staged are the files added to a new entry, waiting for its first save.
	Staged []stagedView
	// Snippet is the Markdown that places the image just added, for an
	// editor without JavaScript to copy into the text.
	Snippet string
}

// errorLink is one line of the summary of a form's errors.
type errorLink struct {
	ID      string // the field's element
	Label   string // translated
	Message string // translated
}

// kindChoice is a kind offered when an entry is started.
type kindChoice struct {
	Kind Kind
	// Fields are the legends (message keys) of the fields the kind
	// adds, such as an event's time and place.
	Fields []string
}

// newEntryPage lets the editor choose the kind of a new entry first, so
// that its form shows the kind's fields from the start, with or without
// JavaScript.
type newEntryPage struct {
	web.Page
	Kinds []kindChoice
}

// translationState is one language's row in the entry's translation table.
type translationState struct {
	Lang     i18n.Language
	T        *Translation
	Outdated bool
	IsSource bool
}

// newEditPage is the entry form's data; extraRows are the empty rows its
// lists offer beyond the usual, after "more rows".
func (a *Admin) newEditPage(r *http.Request, e *Entry, f entryForm, errs FieldErrors, extraRows int) (editPage, error) {
	ctx := r.Context()
	title := "admin.new_entry"
	if e != nil {
		title = "admin.edit_entry"
	}
	p := editPage{Page: a.page(r, title), Entry: e, Form: f, Errors: errs, Kinds: Kinds(), Statuses: Statuses,
		Languages: a.rd.I18n().Enabled(), Action: "/admin/entries", CoauthorRoles: CoauthorRoles}
	p.SiteZone = i18n.ZoneName(a.zone.String(), p.L.Lang.Code)
	p.Extensions = extensionViews(a.store.Extensions(), Kind(f.Kind), f.Ext, p.Lang.Code, p.Languages, extraRows)
	p.Countries = i18n.Countries(p.Lang.Code)
	p.NewOrgs = slices.Clone(f.NewOrgs)
	for len(p.NewOrgs) < newOrgRows {
		p.NewOrgs = append(p.NewOrgs, newOrgRow{})
	}
	var err error
	if p.Sections, err = a.store.Sections(ctx); err != nil {
		return p, err
	}
	if p.Tags, err = a.store.Tags(ctx); err != nil {
		return p, err
	}
	if p.Organisations, err = a.store.Organisations(ctx); err != nil {
		return p, err
	}
	for _, id := range f.OrgOrder {
		if i := slices.IndexFunc(p.Organisations, func(o Organisation) bool { return o.ID == id }); i >= 0 {
			p.Coauthors = append(p.Coauthors, p.Organisations[i])
		}
	}
	p.ErrorList = errorList(p.L, errs, p.Extensions)
	if e == nil {
		if !validStageToken(p.Form.Stage) {
			p.Form.Stage = NewStageToken()
		}
		p.Staged, err = a.stagedViews(ctx, p.Form.Stage, currentUser(r).ID)
		return p, err
	}
	p.Action = "/admin/entries/" + strconv.FormatInt(e.ID, 10)
	for _, l := range a.Linkers {
		p.Links = append(p.Links, l.EditorLinks(r, e)...)
	}
	if e.FeaturedMediaID != 0 {
		if m, err := a.media.ByID(ctx, e.FeaturedMediaID); err == nil {
			p.Image = &m
		}
	}
	atts, err := a.store.Attachments(ctx, e.ID)
	if err != nil {
		return p, err
	}
	for _, at := range atts {
		p.Attachments = append(p.Attachments, newAttachmentView(a.rd.I18n(), p.L, at))
	}
	p.AttachmentForm = attachmentForm{Lang: e.SourceLang}
	src := e.Source()
	if src.Visible(a.store.now()) {
		p.LiveURL = URL(e.Kind, src.Lang, src.Slug)
	}
	for _, l := range a.rd.I18n().Enabled() {
		st := translationState{Lang: l, IsSource: l.Code == e.SourceLang}
		if t, ok := e.Translation(l.Code); ok {
			st.T = &t
			st.Outdated = !st.IsSource && t.SourceRevision < src.Revision
		}
		p.Translations = append(p.Translations, st)
	}
	return p, nil
}

// New serves GET /admin/entries/new, where the editor chooses the kind,
// and GET /admin/entries/new?kind=…, the form for that kind with its
// fields.
func (a *Admin) New(w http.ResponseWriter, r *http.Request) error {
	if !currentUser(r).Role.CanWrite() {
		return web.Forbidden()
	}
	kind := Kind(r.URL.Query().Get("kind"))
	if !kind.Valid() {
		p := newEntryPage{Page: a.page(r, "admin.new_entry")}
		for _, k := range Kinds() {
			c := kindChoice{Kind: k}
			for _, x := range a.store.Extensions() {
				if x.ExtendsKind(k) {
					c.Fields = append(c.Fields, x.EditorFields().Legend)
				}
			}
			p.Kinds = append(p.Kinds, c)
		}
		status := http.StatusOK
		if r.URL.Query().Has("kind") {
			status = http.StatusNotFound
			p.Flash = p.L.T("entry.unknown_kind")
		}
		return a.rd.Render(w, status, a.tmpl["admin_new"], p)
	}
	f := entryForm{Kind: string(kind), Lang: a.rd.I18n().Default().Code, Status: string(Draft), Ext: url.Values{},
		CoauthorRole: DefaultCoauthorRole(kind), Stage: NewStageToken()}
	for _, x := range a.store.Extensions() {
		maps.Copy(f.Ext, x.FormValues(nil))
	}
	p, err := a.newEditPage(r, nil, f, nil, 0)
	if err != nil {
		return err
	}
	return a.rd.Render(w, http.StatusOK, a.tmpl["admin_entry"], p)
}

// Edit serves GET /admin/entries/{id}. A translator is taken to the
// entry's translation into their first language instead.
func (a *Admin) Edit(w http.ResponseWriter, r *http.Request) error {
	if u := currentUser(r); u.Role == auth.RoleTranslator {
		for _, l := range u.Languages {
			if _, ok := a.rd.I18n().Get(l); ok {
				http.Redirect(w, r, "/admin/entries/"+r.PathValue("id")+"/translations/"+l, http.StatusSeeOther) // #nosec G710 -- a path of this site under /admin/entries/
				return nil
			}
		}
		return web.Forbidden()
	}
	e, err := a.loadEntry(r)
	if err != nil {
		return err
	}
	p, err := a.newEditPage(r, e, formFromEntry(e, e.Source(), a.zone, a.store.Extensions()), nil, 0)
	if err != nil {
		return err
	}
	if r.URL.Query().Get("saved") != "" {
		p.Flash = p.L.T("admin.saved")
	}
	return a.rd.Render(w, http.StatusOK, a.tmpl["admin_entry"], p)
}

// Save serves POST /admin/entries (create) and POST /admin/entries/{id}
// (update): it validates, previews or saves, and on any problem shows the
// form again as typed with the reasons.
func (a *Admin) Save(w http.ResponseWriter, r *http.Request) error {
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
	if err := r.ParseForm(); err != nil {
		return web.BadRequest("form.unreadable")
	}
	exts := a.store.Extensions()
	f, errs := readEntryForm(r.PostForm, exts)
	if e != nil {
		f.Lang = e.SourceLang
	} else if _, ok := a.rd.I18n().Get(f.Lang); !ok {
		errs["lang"] = "form.invalid_choice"
	}
	if action := r.PostFormValue("action"); action == "more_rows" {
		// More empty rows, with everything as typed; nothing is checked
		// or saved yet.
		extra, _ := strconv.Atoi(r.PostFormValue("rows"))
		extra = min(max(extra, 0), 20) + moreRows
		p, err := a.newEditPage(r, e, f, nil, extra)
		if err != nil {
			return err
		}
		p.Extra = extra
		return a.rd.Render(w, http.StatusOK, a.tmpl["admin_entry"], p)
	}
	// Files chosen in the form but not added with their buttons (Save
	// pressed instead) are added first rather than dropped; an image for
	// the text goes at its end.
	for _, role := range []string{UploadInline, UploadFeatured, UploadAttachment} {
		if !fileChosen(r, role) || e != nil && role != UploadInline {
			continue
		}
		snippet, key, err := a.addFile(r, e, f, role, f.Lang)
		if err != nil {
			return err
		}
		if key != "" {
			errs[uploadFields[role]] = key
		}
		if snippet != "" {
			f.Body = strings.TrimRight(f.Body, "\n") + "\n\n" + snippet + "\n"
		}
	}
	tr := f.validTranslation(errs, a.zone)
	choices, err := a.entryChoices(r.Context())
	if err != nil {
		return err
	}
	in := f.validEntry(errs, choices, exts)
	render := func(status int) error {
		p, err := a.newEditPage(r, e, f, errs, 0)
		if err != nil {
			return err
		}
		if isPreview(r) {
			p.Preview = a.md.Render(f.Body)
		}
		return a.rd.Render(w, status, a.tmpl["admin_entry"], p)
	}
	if isPreview(r) {
		return render(http.StatusOK)
	}
	if errs.Any() {
		return render(http.StatusUnprocessableEntity)
	}
	var id int64
	if e != nil {
		id = e.ID
	}
	id, err = a.store.SaveEntry(r.Context(), id, in, tr, currentUser(r).ID)
	var refused FieldErrors
	switch {
	case errors.Is(err, ErrSlugTaken):
		errs["slug"] = "entry.slug_taken"
	case errors.As(err, &refused):
		maps.Copy(errs, refused)
	}
	if errs.Any() {
		return render(http.StatusUnprocessableEntity)
	}
	if errors.Is(err, db.ErrNotFound) {
		return web.NotFound()
	}
	if err != nil {
		return err
	}
	a.recordPublish(r, e, id, tr)
	http.Redirect(w, r, "/admin/entries/"+strconv.FormatInt(id, 10)+"?saved=1", http.StatusSeeOther)
	return nil
}

// confirmPage asks before something that cannot be undone.
type confirmPage struct {
	web.Page
	Entry *Entry
	Title string
}

// ConfirmDelete serves GET /admin/entries/{id}/delete.
func (a *Admin) ConfirmDelete(w http.ResponseWriter, r *http.Request) error {
	e, err := a.loadEntry(r)
	if err != nil {
		return err
	}
	return a.rd.Render(w, http.StatusOK, a.tmpl["admin_delete"], confirmPage{Page: a.page(r, "admin.delete_entry"), Entry: e, Title: e.Source().Title})
}

// Delete serves POST /admin/entries/{id}/delete.
func (a *Admin) Delete(w http.ResponseWriter, r *http.Request) error {
	e, err := a.loadEntry(r)
	if err != nil {
		return err
	}
	orphans, err := a.store.DeleteEntry(r.Context(), e.ID)
	if err != nil {
		return err
	}
	a.deleteMedia(r.Context(), orphans...)
	http.Redirect(w, r, "/admin/entries?deleted=1", http.StatusSeeOther)
	return nil
}

// UploadImage serves POST /admin/entries/{id}/image: a new featured image
// (re-encoded without metadata) or, with remove=1, none.
func (a *Admin) UploadImage(w http.ResponseWriter, r *http.Request) error {
	e, err := a.loadEntry(r)
	if err != nil {
		return err
	}
	back := "/admin/entries/" + strconv.FormatInt(e.ID, 10)
	if r.FormValue("remove") != "" {
		orphan, err := a.store.SetFeaturedMedia(r.Context(), e.ID, 0)
		if err != nil {
			return err
		}
		a.deleteMedia(r.Context(), orphan)
		http.Redirect(w, r, back+"?saved=1", http.StatusSeeOther)
		return nil
	}
	showError := func(key string) error {
		p, err := a.newEditPage(r, e, formFromEntry(e, e.Source(), a.zone, a.store.Extensions()), FieldErrors{"image": key}, 0)
		if err != nil {
			return err
		}
		return a.rd.Render(w, http.StatusUnprocessableEntity, a.tmpl["admin_entry"], p)
	}
	if web.FileTooLarge(r, "image") {
		return showError("media.too_large")
	}
	file, _, err := r.FormFile("image")
	if err != nil {
		return showError("media.missing")
	}
	defer file.Close()
	alt := strings.TrimSpace(r.FormValue("alt"))
	if !utf8.ValidString(alt) || strings.ContainsRune(alt, 0) {
		return showError("form.invalid_text")
	}
	if utf8.RuneCountInString(alt) > 300 {
		return showError("form.too_long")
	}
	m, err := a.media.SaveImage(r.Context(), file, alt, "", media.DefaultLimits())
	switch {
	case errors.Is(err, media.ErrTooLarge):
		return showError("media.too_large")
	case errors.Is(err, media.ErrTooManyPixels):
		return showError("media.too_many_pixels")
	case errors.Is(err, media.ErrUnsupported):
		return showError("media.unsupported")
	case errors.Is(err, media.ErrCorrupt):
		return showError("media.corrupt")
	case err != nil:
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return showError("media.too_large")
		}
		return err
	}
	orphan, err := a.store.SetFeaturedMedia(r.Context(), e.ID, m.ID)
	if err != nil {
		return err
	}
	a.deleteMedia(r.Context(), orphan)
	http.Redirect(w, r, back+"?saved=1", http.StatusSeeOther)
	return nil
}

// deleteMedia deletes media nothing uses any more, files included, so that
// a removed photo or report stops being served. A failure is logged: the
// change the editor asked for is already saved.
func (a *Admin) deleteMedia(ctx context.Context, ids ...int64) {
	for _, id := range ids {
		if id == 0 {
			continue
		}
		if err := a.media.Delete(context.WithoutCancel(ctx), id); err != nil && !errors.Is(err, db.ErrNotFound) {
			slog.Error("delete unused media", "media_id", id, "err", err)
		}
	}
}
