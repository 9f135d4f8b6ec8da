package campaign

import (
	"encoding/json"
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
	Chosen    []Linkable // the linked entries, in order
	Query     string     // what was typed in the search for entries to link
	Searched  bool
	Results   []Linkable // entries found, not yet linked
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
	if p.Chosen, err = h.store.LinkableByID(ctx, f.Links); err != nil {
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
	links, bad := parseIDs(r.PostForm["link"])
	// The search's buttons change the list of linked entries or look for
	// more; the form comes back with everything typed, nothing saved.
	add, _ := parseIDs(r.PostForm["add_link"])
	links = append(links, add...)
	if v := r.PostFormValue("unlink"); v != "" {
		id, _ := strconv.ParseInt(v, 10, 64)
		links = slices.DeleteFunc(links, func(l int64) bool { return l == id })
	}
	chosen, err := h.store.LinkableByID(r.Context(), links)
	if err != nil {
		return err
	}
	for _, l := range chosen {
		if !slices.Contains(f.Links, l.ID) {
			f.Links = append(f.Links, l.ID)
		}
	}
	if bad || len(chosen) < len(slices.Compact(slices.Sorted(slices.Values(links)))) {
		errs["links"] = "form.invalid_choice"
	}
	if r.PostFormValue("find") != "" || len(add) > 0 || r.PostFormValue("unlink") != "" {
		p, err := h.detailsPage(r, e, lang, f, errs)
		if err != nil {
			return err
		}
		if err := h.searchLinkable(r, &p); err != nil {
			return err
		}
		return h.rd.Render(w, http.StatusOK, h.tmpl["admin_details"], p)
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
	http.Redirect(w, r, "/admin/entries/"+strconv.FormatInt(e.ID, 10)+"/campaign?lang="+lang+"&saved=1", http.StatusSeeOther) // #nosec G710 -- a path of this site with the entry's id and a known language
	return nil
}

// maxFound bounds the entries a search for entries to link shows.
const maxFound = 20

// searchLinkable fills p with the search typed in the form: the entries
// found, less those already linked.
func (h *Handlers) searchLinkable(r *http.Request, p *detailsPage) error {
	p.Query = strings.TrimSpace(r.PostFormValue("link_q"))
	if p.Query == "" || utf8.RuneCountInString(p.Query) > 200 {
		return nil
	}
	found, err := h.store.FindLinkable(r.Context(), p.Query, maxFound+len(p.Form.Links))
	if err != nil {
		return err
	}
	p.Searched = true
	for _, l := range found {
		if !p.Form.Linked(l.ID) && len(p.Results) < maxFound {
			p.Results = append(p.Results, l)
		}
	}
	return nil
}

// parseIDs reads entry ids; bad reports a value that is not one.
func parseIDs(vs []string) (ids []int64, bad bool) {
	for _, v := range vs {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			bad = true
			continue
		}
		ids = append(ids, id)
	}
	return ids, bad
}

// linkableJSON serves GET /admin/entries/{id}/campaign/linkable?q=…: the
// search for entries to link as the page's script shows it while the
// editor types (the form's Search button does the same without it).
func (h *Handlers) linkableJSON(w http.ResponseWriter, r *http.Request) error {
	e, err := h.loadCampaign(r)
	if err != nil {
		return err
	}
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	type item struct {
		ID    int64  `json:"id"`
		Title string `json:"title"`
		Kind  string `json:"kind"`
	}
	out := []item{}
	if q != "" && utf8.RuneCountInString(q) <= 200 {
		found, err := h.store.FindLinkable(r.Context(), q, maxFound)
		if err != nil {
			return err
		}
		l := h.rd.I18n().Localizer(h.rd.I18n().Default().Code)
		for _, f := range found {
			if f.ID != e.ID {
				out = append(out, item{ID: f.ID, Title: f.Title, Kind: l.T("kind." + f.Kind)})
			}
		}
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	return json.NewEncoder(w).Encode(out)
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
