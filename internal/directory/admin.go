package directory

import (
	"errors"
	"net/http"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"peerpress/internal/content"
	"peerpress/internal/db"
	"peerpress/internal/i18n"
	"peerpress/internal/web"
)

// Limits of a profile's fields.
const (
	maxName        = 200
	maxShortName   = 40
	maxDescription = 5000
	maxFocalRoles  = 1000
	maxAddress     = 500
)

// reservedSlug reports whether slug is a page of the directory's own
// (/{lang}/directory/apply), which an organisation's page would hide
// behind.
func reservedSlug(slug string) bool { return slug == "apply" }

// adminListPage is the data of /admin/organisations.
type adminListPage struct {
	web.Page
	Rows []orgRow
}

// adminList serves GET /admin/organisations.
func (h *Handlers) adminList(w http.ResponseWriter, r *http.Request) error {
	orgs, err := h.store.All(r.Context())
	if err != nil {
		return err
	}
	p := adminListPage{Page: h.rd.AdminPage(r)}
	p.Title = p.L.T("admin.organisations")
	switch {
	case r.URL.Query().Get("saved") != "":
		p.Flash = p.L.T("directory.saved")
	case r.URL.Query().Get("deleted") != "":
		p.Flash = p.L.T("directory.deleted")
	}
	for _, o := range orgs {
		p.Rows = append(p.Rows, h.row(o, p.Lang.Code))
	}
	return h.rd.Render(w, http.StatusOK, h.tmpl["admin_list"], p)
}

// formPage is the data of an organisation's form.
type formPage struct {
	web.Page
	Org                       Organisation
	Year                      string // as typed
	Errors                    content.FieldErrors
	Languages                 []i18n.Language // the site's, for the texts
	Types, Memberships, Works []option
	Countries                 []i18n.Country
	LogoURL                   string // the current logo; "" for none
}

func (h *Handlers) form(r *http.Request, o Organisation, year string, errs content.FieldErrors) formPage {
	p := formPage{Page: h.rd.AdminPage(r), Org: o, Year: year, Errors: errs, Languages: h.rd.I18n().Enabled()}
	p.Title = p.L.T("directory.new")
	if o.ID != 0 {
		p.Title = p.L.T("directory.edit", "Name", o.Name)
	}
	for _, t := range Types {
		p.Types = append(p.Types, option{Value: t.Value, Name: p.L.T(t.Key), Selected: t.Value == o.Type})
	}
	for _, m := range Memberships {
		p.Memberships = append(p.Memberships, option{Value: m.Value, Name: p.L.T(m.Key), Selected: m.Value == o.Membership})
	}
	for _, l := range WorkLanguages {
		sel := false
		for _, have := range o.Languages {
			sel = sel || have == l
		}
		p.Works = append(p.Works, option{Value: l, Name: LanguageName(l, p.Lang.Code), Selected: sel})
	}
	p.Countries = i18n.Countries(p.Lang.Code)
	if o.LogoID != 0 {
		if logos, err := h.logos(r.Context(), o); err == nil {
			p.LogoURL = logos[o.LogoID].URL()
		}
	}
	if r.URL.Query().Get("logo") != "" {
		p.Flash = p.L.T("directory.logo_saved")
	}
	return p
}

// adminNew serves GET /admin/organisations/new.
func (h *Handlers) adminNew(w http.ResponseWriter, r *http.Request) error {
	o := Organisation{Type: "national", Membership: "member", Texts: map[string]Text{}}
	return h.rd.Render(w, http.StatusOK, h.tmpl["admin_form"], h.form(r, o, "", content.FieldErrors{}))
}

// byPathID loads the organisation of /admin/organisations/{id}.
func (h *Handlers) byPathID(r *http.Request) (Organisation, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return Organisation{}, web.NotFound()
	}
	o, err := h.store.ByID(r.Context(), id)
	if errors.Is(err, db.ErrNotFound) {
		return o, web.NotFound()
	}
	return o, err
}

// adminEdit serves GET /admin/organisations/{id}.
func (h *Handlers) adminEdit(w http.ResponseWriter, r *http.Request) error {
	o, err := h.byPathID(r)
	if err != nil {
		return err
	}
	return h.rd.Render(w, http.StatusOK, h.tmpl["admin_form"], h.form(r, o, yearText(o.YearJoined), content.FieldErrors{}))
}

// readForm reads and checks an organisation's form: what was typed, and
// the message key of each field's problem.
func (h *Handlers) readForm(form url.Values) (Organisation, string, content.FieldErrors) {
	errs := content.FieldErrors{}
	field := func(name string) string { return strings.TrimSpace(form.Get(name)) }
	o := Organisation{Name: field("name"), ShortName: field("short_name"), Slug: field("slug"), Type: field("type"),
		Membership: field("membership"), Country: strings.ToUpper(field("country")), Website: field("website"),
		Contact: field("contact"), ContactAgreed: form.Get("contact_agreed") != "", Texts: map[string]Text{}}
	if o.Slug == "" {
		o.Slug = content.Slugify(o.Name)
	}
	switch n := utf8.RuneCountInString(o.Name); {
	case n == 0:
		errs["name"] = "form.required"
	case n > maxName:
		errs["name"] = "form.too_long"
	}
	if utf8.RuneCountInString(o.ShortName) > maxShortName {
		errs["short_name"] = "form.too_long"
	}
	if !content.ValidSlug(o.Slug) || utf8.RuneCountInString(o.Slug) > 80 {
		errs["slug"] = "entry.slug_invalid"
	} else if reservedSlug(o.Slug) {
		errs["slug"] = "entry.slug_taken"
	}
	if !validChoice(Types, o.Type) {
		errs["type"] = "form.invalid_choice"
	}
	if !validChoice(Memberships, o.Membership) {
		errs["membership"] = "form.invalid_choice"
	}
	if o.Country != "" && !i18n.ValidCountry(o.Country) {
		errs["country"] = "form.unknown_country"
	}
	for _, l := range form["language"] {
		if !validWorkLanguage(l) {
			errs["language"] = "form.invalid_choice"
			continue
		}
		if !strings.Contains(" "+strings.Join(o.Languages, " ")+" ", " "+l+" ") {
			o.Languages = append(o.Languages, l)
		}
	}
	if o.Website != "" {
		if u, err := url.Parse(o.Website); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(o.Website) > maxAddress {
			errs["website"] = "form.invalid_url"
		}
	}
	if o.Contact != "" {
		if a, err := mail.ParseAddress(o.Contact); err != nil || a.Address != o.Contact || len(o.Contact) > maxAddress {
			errs["contact"] = "directory.err_contact"
		} else if !o.ContactAgreed {
			// Published only with the organisation's word; without it,
			// not kept at all.
			errs["contact_agreed"] = "directory.err_contact_agreed"
		}
	}
	year := field("year_joined")
	if year != "" {
		y, err := strconv.Atoi(year)
		if err != nil || y < 1900 || y > time.Now().Year() {
			errs["year_joined"] = "directory.err_year"
		} else {
			o.YearJoined = y
		}
	}
	for _, l := range h.rd.I18n().Enabled() {
		t := Text{Description: strings.TrimSpace(form.Get("description_" + l.Code)),
			FocalRoles: strings.TrimSpace(strings.ReplaceAll(form.Get("focal_roles_"+l.Code), "\r\n", "\n"))}
		if utf8.RuneCountInString(t.Description) > maxDescription {
			errs["description_"+l.Code] = "form.too_long"
		}
		if utf8.RuneCountInString(t.FocalRoles) > maxFocalRoles {
			errs["focal_roles_"+l.Code] = "form.too_long"
		}
		o.Texts[l.Code] = t
	}
	return o, year, errs
}

// adminSave serves POST /admin/organisations: a new organisation, or
// changes to one when the form carries its id.
func (h *Handlers) adminSave(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return web.BadRequest("form.unreadable")
	}
	var id int64
	if s := r.PostForm.Get("id"); s != "" {
		var err error
		if id, err = strconv.ParseInt(s, 10, 64); err != nil || id <= 0 {
			return web.BadRequest("form.invalid_choice")
		}
	}
	o, year, errs := h.readForm(r.PostForm)
	o.ID = id
	if id != 0 {
		old, err := h.store.ByID(r.Context(), id)
		if errors.Is(err, db.ErrNotFound) {
			return web.NotFound()
		}
		if err != nil {
			return err
		}
		o.LogoID = old.LogoID // changed by its own form
		// Texts in languages the site no longer offers are kept.
		for lang, t := range old.Texts {
			if _, ok := o.Texts[lang]; !ok {
				o.Texts[lang] = t
			}
		}
	}
	if !errs.Any() {
		saved, err := h.store.Save(r.Context(), o)
		switch {
		case errors.Is(err, ErrSlugTaken):
			errs["slug"] = "entry.slug_taken"
		case errors.Is(err, db.ErrNotFound):
			return web.NotFound()
		case err != nil:
			return err
		default:
			http.Redirect(w, r, "/admin/organisations?saved="+strconv.FormatInt(saved, 10), http.StatusSeeOther)
			return nil
		}
	}
	p := h.form(r, o, year, errs)
	p.Flash = p.L.T("form.has_errors")
	return h.rd.Render(w, http.StatusUnprocessableEntity, h.tmpl["admin_form"], p)
}

// deletePage is the data of the confirmation before a delete.
type deletePage struct {
	web.Page
	Org        Organisation
	Coauthored int
}

// adminConfirmDelete serves GET /admin/organisations/{id}/delete.
func (h *Handlers) adminConfirmDelete(w http.ResponseWriter, r *http.Request) error {
	o, err := h.byPathID(r)
	if err != nil {
		return err
	}
	p := deletePage{Page: h.rd.AdminPage(r), Org: o}
	p.Title = p.L.T("directory.delete_title", "Name", o.Name)
	if p.Coauthored, err = h.store.Coauthored(r.Context(), o.ID); err != nil {
		return err
	}
	return h.rd.Render(w, http.StatusOK, h.tmpl["admin_delete"], p)
}

// adminDelete serves POST /admin/organisations/{id}/delete.
func (h *Handlers) adminDelete(w http.ResponseWriter, r *http.Request) error {
	o, err := h.byPathID(r)
	if err != nil {
		return err
	}
	if err := h.store.Delete(r.Context(), o.ID); err != nil {
		return err
	}
	if o.LogoID != 0 {
		if err := h.media.Delete(r.Context(), o.LogoID); err != nil && !errors.Is(err, db.ErrNotFound) {
			return err
		}
	}
	http.Redirect(w, r, "/admin/organisations?deleted=1", http.StatusSeeOther)
	return nil
}
