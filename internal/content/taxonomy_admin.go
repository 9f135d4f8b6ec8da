package content

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"peerpress/internal/i18n"
	"peerpress/internal/web"
)

// taxonomyPage is the data of the sections and tags pages:
// a list, and a form for a new or the chosen item.
type taxonomyPage struct {
	web.Page
	What      string // "sections", "tags"
	Languages []i18n.Language
	Sections  []Section
	Tags      []Tag
	// The form, as typed.
	EditID   int64
	Slug     string
	Position string
	Names    map[string]string
	Errors   FieldErrors
}

func (a *Admin) taxonomyPage(r *http.Request, what string) (taxonomyPage, error) {
	p := taxonomyPage{Page: a.page(r, "admin."+what), What: what, Languages: a.rd.I18n().Enabled(), Names: map[string]string{}}
	var err error
	switch what {
	case "sections":
		p.Sections, err = a.store.Sections(r.Context())
	case "tags":
		p.Tags, err = a.store.Tags(r.Context())
	}
	if id, perr := strconv.ParseInt(r.URL.Query().Get("edit"), 10, 64); perr == nil {
		p.fill(id)
	}
	switch {
	case r.URL.Query().Get("saved") != "":
		p.Flash = p.L.T("admin.saved")
	case r.URL.Query().Get("deleted") != "":
		p.Flash = p.L.T("admin.deleted")
	}
	return p, err
}

// fill puts the stored item with this id into the form.
func (p *taxonomyPage) fill(id int64) {
	for _, s := range p.Sections {
		if s.ID == id {
			p.EditID, p.Slug, p.Position, p.Names = id, s.Slug, strconv.Itoa(s.Position), s.Names
		}
	}
	for _, t := range p.Tags {
		if t.ID == id {
			p.EditID, p.Slug, p.Names = id, t.Slug, t.Names
		}
	}
}

// Taxonomy serves GET /admin/{sections,tags}.
func (a *Admin) Taxonomy(what string) web.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		p, err := a.taxonomyPage(r, what)
		if err != nil {
			return err
		}
		return a.rd.Render(w, http.StatusOK, a.tmpl["admin_taxonomy"], p)
	}
}

// readNames reads name_<lang> fields for every enabled language.
func (a *Admin) readNames(form url.Values, errs FieldErrors) map[string]string {
	names := map[string]string{}
	for _, l := range a.rd.I18n().Enabled() {
		n := strings.TrimSpace(form.Get("name_" + l.Code))
		if utf8.RuneCountInString(n) > 100 {
			errs["name_"+l.Code] = "form.too_long"
		}
		names[l.Code] = n
	}
	if names[a.rd.I18n().Default().Code] == "" {
		errs["name_"+a.rd.I18n().Default().Code] = "form.required"
	}
	return names
}

// SaveTaxonomy serves POST /admin/{sections,tags}: create,
// or update when the form carries an id; with delete=1, delete.
func (a *Admin) SaveTaxonomy(what string) web.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := r.ParseForm(); err != nil {
			return web.BadRequest("form.unreadable")
		}
		ctx := r.Context()
		var id int64
		if s := r.PostForm.Get("id"); s != "" {
			var err error
			if id, err = strconv.ParseInt(s, 10, 64); err != nil || id <= 0 {
				return web.BadRequest("form.invalid_choice")
			}
		}
		back := "/admin/" + what
		if r.PostForm.Get("delete") != "" && id != 0 {
			var err error
			switch what {
			case "sections":
				err = a.store.DeleteSection(ctx, id)
			case "tags":
				err = a.store.DeleteTag(ctx, id)
			}
			if err != nil {
				return err
			}
			http.Redirect(w, r, back+"?deleted=1", http.StatusSeeOther)
			return nil
		}

		errs := FieldErrors{}
		slug := strings.TrimSpace(r.PostForm.Get("slug"))
		var saveErr error
		p, err := a.taxonomyPage(r, what)
		if err != nil {
			return err
		}
		p.EditID, p.Errors = id, errs
		switch what {
		case "sections", "tags":
			names := a.readNames(r.PostForm, errs)
			if slug == "" {
				slug = Slugify(names[a.rd.I18n().Default().Code])
			}
			pos, perr := strconv.Atoi(strings.TrimSpace(r.PostForm.Get("position")))
			if what == "sections" && r.PostForm.Get("position") != "" && (perr != nil || pos < 0 || pos > 10000) {
				errs["position"] = "form.invalid_number"
			}
			p.Slug, p.Names, p.Position = slug, names, r.PostForm.Get("position")
			if !ValidSlug(slug) || utf8.RuneCountInString(slug) > 80 {
				errs["slug"] = "entry.slug_invalid"
			}
			if errs.Any() {
				break
			}
			if what == "sections" {
				_, saveErr = a.store.SaveSection(ctx, Section{ID: id, Slug: slug, Position: pos, Names: names})
			} else {
				_, saveErr = a.store.SaveTag(ctx, Tag{ID: id, Slug: slug, Names: names})
			}
		}
		if errors.Is(saveErr, ErrSlugTaken) {
			errs["slug"] = "entry.slug_taken"
		} else if saveErr != nil {
			return saveErr
		}
		if errs.Any() {
			p.Flash = p.L.T("form.has_errors")
			return a.rd.Render(w, http.StatusUnprocessableEntity, a.tmpl["admin_taxonomy"], p)
		}
		http.Redirect(w, r, back+"?saved=1", http.StatusSeeOther)
		return nil
	}
}
