package campaign

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"peerpress/internal/content"
	"peerpress/internal/db"
	"peerpress/internal/i18n"
	"peerpress/internal/web"
)

// detailsForm is the details page's form as typed.
type detailsForm struct {
	StartsOn, EndsOn string
	WallOpen         bool
	Texts            Texts
	Links            []int64
}

// Linked reports whether the form links the entry id.
func (f detailsForm) Linked(id int64) bool { return slices.Contains(f.Links, id) }

// textField is one of the texts' textareas.
type textField struct {
	Name, Label, Value, Error string
	Rows                      int
}

// TextFields lists the texts' textareas in order.
func (p detailsPage) TextFields() []textField {
	t := p.Form.Texts
	return []textField{
		{Name: "primary_objective", Label: "campaign.primary_objective", Value: t.PrimaryObjective, Error: p.Errors["primary_objective"], Rows: 2},
		{Name: "secondary_objectives", Label: "campaign.secondary_objectives", Value: t.SecondaryObjectives, Error: p.Errors["secondary_objectives"], Rows: 4},
		{Name: "asks", Label: "campaign.asks", Value: t.Asks, Error: p.Errors["asks"], Rows: 4},
		{Name: "ways", Label: "campaign.ways", Value: t.Ways, Error: p.Errors["ways"], Rows: 4},
	}
}

// detailsPage edits a campaign's details and texts in one language.
type detailsPage struct {
	web.Page
	Entry     *content.Entry
	EntryLang string // the language whose texts are edited
	Languages []i18n.Language
	Form      detailsForm
	Errors    map[string]string
	Linkable  []Linkable
	Waiting   int
	Approved  int
}

// maxText bounds each text field of the details.
const maxText = 4000

// loadCampaign loads {id} for a user who may edit it; moderators and
// translators may not.
func (h *Handlers) loadCampaign(r *http.Request) (*content.Entry, error) {
	id, err := entryID(r)
	if err != nil {
		return nil, err
	}
	e, err := h.entries.Entry(r.Context(), id)
	if errors.Is(err, db.ErrNotFound) {
		return nil, web.NotFound()
	}
	if err != nil {
		return nil, err
	}
	if e.Kind != content.Campaign {
		return nil, web.NotFound()
	}
	if !content.CanEdit(currentUser(r), e) {
		return nil, web.Forbidden()
	}
	return e, nil
}

// detailsLang is the language of the texts edited: ?lang=, or the entry's
// source language.
func (h *Handlers) detailsLang(r *http.Request, e *content.Entry) string {
	if l := r.FormValue("lang"); l != "" {
		if _, ok := h.rd.I18n().Get(l); ok {
			return l
		}
	}
	return e.SourceLang
}

func (h *Handlers) detailsPage(r *http.Request, e *content.Entry, lang string, f detailsForm, errs map[string]string) (detailsPage, error) {
	ctx := r.Context()
	p := detailsPage{Page: h.adminPage(r, "campaign.admin.title"), Entry: e, EntryLang: lang, Languages: h.rd.I18n().Enabled(), Form: f, Errors: errs}
	var err error
	if p.Linkable, err = h.store.Linkable(ctx, 500); err != nil {
		return p, err
	}
	if p.Waiting, err = h.store.CountWaiting(ctx, e.ID); err != nil {
		return p, err
	}
	p.Approved, err = h.store.CountApproved(ctx, e.ID)
	return p, err
}

// editDetails serves GET /admin/entries/{id}/campaign?lang=….
func (h *Handlers) editDetails(w http.ResponseWriter, r *http.Request) error {
	e, err := h.loadCampaign(r)
	if err != nil {
		return err
	}
	d, err := h.store.Details(r.Context(), e.ID)
	if err != nil {
		return err
	}
	lang := h.detailsLang(r, e)
	f := detailsForm{StartsOn: dateValue(d.StartsOn), EndsOn: dateValue(d.EndsOn), WallOpen: d.WallOpen, Texts: d.Texts[lang], Links: d.Links}
	p, err := h.detailsPage(r, e, lang, f, nil)
	if err != nil {
		return err
	}
	if r.URL.Query().Get("saved") != "" {
		p.Flash = p.L.T("admin.saved")
	}
	return h.rd.Render(w, http.StatusOK, h.tmpl["admin_details"], p)
}

// parseDay reads an <input type="date"> value; "" is no date.
func parseDay(s string) (time.Time, bool) {
	if s == "" {
		return time.Time{}, true
	}
	t, err := time.Parse("2006-01-02", s)
	return t, err == nil && t.Year() >= 1900 && t.Year() <= 2200
}

// saveDetails serves POST /admin/entries/{id}/campaign.
func (h *Handlers) saveDetails(w http.ResponseWriter, r *http.Request) error {
	e, err := h.loadCampaign(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return web.BadRequest("form.unreadable")
	}
	lang := h.detailsLang(r, e)
	text := func(name string) string {
		return strings.TrimSpace(strings.ReplaceAll(r.PostFormValue(name), "\r\n", "\n"))
	}
	f := detailsForm{StartsOn: strings.TrimSpace(r.PostFormValue("starts_on")), EndsOn: strings.TrimSpace(r.PostFormValue("ends_on")),
		WallOpen: r.PostFormValue("wall_open") == "yes",
		Texts: Texts{PrimaryObjective: text("primary_objective"), SecondaryObjectives: text("secondary_objectives"),
			Asks: text("asks"), Ways: text("ways")}}
	errs := map[string]string{}
	linkable, err := h.store.Linkable(r.Context(), 500)
	if err != nil {
		return err
	}
	for _, v := range r.PostForm["link"] {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || !slices.ContainsFunc(linkable, func(l Linkable) bool { return l.ID == id }) {
			errs["links"] = "form.invalid_choice"
			continue
		}
		if !slices.Contains(f.Links, id) {
			f.Links = append(f.Links, id)
		}
	}
	starts, ok := parseDay(f.StartsOn)
	if !ok {
		errs["starts_on"] = "campaign.error.date"
	}
	ends, ok2 := parseDay(f.EndsOn)
	if !ok2 {
		errs["ends_on"] = "campaign.error.date"
	}
	if ok && ok2 && !starts.IsZero() && !ends.IsZero() && ends.Before(starts) {
		errs["ends_on"] = "campaign.error.ends_before"
	}
	for name, v := range map[string]string{"primary_objective": f.Texts.PrimaryObjective, "secondary_objectives": f.Texts.SecondaryObjectives,
		"asks": f.Texts.Asks, "ways": f.Texts.Ways} {
		if utf8.RuneCountInString(v) > maxText {
			errs[name] = "campaign.error.text_long"
		}
	}
	if len(errs) > 0 {
		p, err := h.detailsPage(r, e, lang, f, errs)
		if err != nil {
			return err
		}
		return h.rd.Render(w, http.StatusUnprocessableEntity, h.tmpl["admin_details"], p)
	}
	d := Details{EntryID: e.ID, StartsOn: starts, EndsOn: ends, WallOpen: f.WallOpen, Links: f.Links}
	if err := h.store.SaveDetails(r.Context(), d, lang, f.Texts); err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/entries/"+strconv.FormatInt(e.ID, 10)+"/campaign?lang="+lang+"&saved=1", http.StatusSeeOther)
	return nil
}

// EditorLinks leads from a campaign's editor to its details and to its
// waiting tributes.
func (h *Handlers) EditorLinks(r *http.Request, e *content.Entry) []content.EditorLink {
	if e.Kind != content.Campaign {
		return nil
	}
	l := h.rd.AdminLocalizer(r)
	id := strconv.FormatInt(e.ID, 10)
	n, err := h.store.CountWaiting(r.Context(), e.ID)
	if err != nil {
		n = 0 // the link still leads there; the count is a courtesy
	}
	return []content.EditorLink{
		{Label: l.T("campaign.admin.title"), URL: "/admin/entries/" + id + "/campaign"},
		{Label: l.T("campaign.admin.waiting_link"), URL: "/admin/moderation?campaign=" + id, Count: n},
	}
}
