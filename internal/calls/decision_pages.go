package calls

import (
	"errors"
	"net/http"
	"strconv"

	"peerpress/internal/content"
	"peerpress/internal/web"
)

// Decide serves POST /admin/calls/{id}/board/decide: an award in a
// category, the shortlist, declined, or "" to take a decision back,
// until the applicant is told.
func (h *Handlers) Decide(w http.ResponseWriter, r *http.Request) error {
	e, c, err := h.boardCall(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return web.BadRequest("form.unreadable")
	}
	app, err := strconv.ParseInt(r.PostForm.Get("app"), 10, 64)
	if err != nil {
		return h.boardError(w, r, e, c, "decision", "form.invalid_choice", nil)
	}
	if owner, err := h.store.SubmissionCall(r.Context(), app); err != nil || owner != e.ID {
		return h.boardError(w, r, e, c, "decision", "form.invalid_choice", nil)
	}
	err = h.store.Decide(r.Context(), app, r.PostForm.Get("decision"), r.PostForm.Get("category"))
	var se *ScoreError
	if errors.As(err, &se) {
		return h.boardError(w, r, e, c, "decision", se.Fields["decision"], nil)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, boardBase(e.ID)+"?saved=1#rank-"+strconv.FormatInt(app, 10), http.StatusSeeOther)
	return nil
}

// NotifyDecisions serves POST /admin/calls/{id}/board/notify: every
// applicant not yet told of their decision is mailed, in their language,
// once the call has closed.
func (h *Handlers) NotifyDecisions(w http.ResponseWriter, r *http.Request) error {
	e, c, err := h.boardCall(r)
	if err != nil {
		return err
	}
	origin := web.Origin(h.rd.BaseURL, r)
	title := func(lang string) string {
		if t, ok := e.Translation(lang); ok {
			return t.Title
		}
		return e.Source().Title
	}
	_, err = h.store.Notify(r.Context(), e.ID, func(string) string { return origin }, title)
	if errors.Is(err, ErrStillOpen) {
		return h.boardError(w, r, e, c, "decision", "calls.decision.still_open", nil)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, boardBase(e.ID)+"?saved=1", http.StatusSeeOther)
	return nil
}

type awardsPage struct {
	web.Page
	CallTitle string
	CallURL   string
	Awards    []AwardLine
}

// AwardsPage serves GET /{lang}/calls/awards/{slug}: the call's awards,
// each winner by the name and work they agreed to publish.
func (h *Handlers) AwardsPage(w http.ResponseWriter, r *http.Request) error {
	lang := web.Lang(r)
	e, _, err := h.callBySlug(r.Context(), lang, r.PathValue("slug"))
	if err != nil {
		return err
	}
	awards, err := h.store.Awards(r.Context(), e.ID)
	if err != nil {
		return err
	}
	if len(awards) == 0 {
		return web.NotFound()
	}
	t, _ := e.Translation(lang)
	p := awardsPage{Page: h.rd.PublicPage(r, lang), CallTitle: t.Title, CallURL: content.URL(Kind, t.Lang, t.Slug), Awards: awards}
	p.Title = p.L.T("calls.awards.title", "Title", t.Title)
	return h.rd.Render(w, http.StatusOK, h.tmpl["awards"], p)
}

type consentPage struct {
	web.Page
	CallTitle string
	Category  string
	Action    string
	Name      string
	Work      string
	Publish   bool
	Errors    map[string]string
	Saved     bool
}

func (h *Handlers) winner(w http.ResponseWriter, r *http.Request) (Winner, consentPage, bool, error) {
	lang := web.Lang(r)
	win, err := h.store.WinnerByToken(r.Context(), r.PathValue("token"))
	if errors.Is(err, ErrBadToken) {
		return win, consentPage{}, false, h.badLink(w, r, lang)
	}
	if err != nil {
		return win, consentPage{}, false, err
	}
	e, _, err := h.entryByID(r.Context(), win.EntryID)
	if err != nil {
		return win, consentPage{}, false, err
	}
	title := e.Source().Title
	if t, ok := e.Translation(lang); ok {
		title = t.Title
	}
	p := consentPage{Page: h.rd.PublicPage(r, lang), CallTitle: title, Category: win.Category,
		Action: "/" + lang + "/application/awards/" + r.PathValue("token"), Name: win.PublicName, Work: win.PublicWork,
		Publish: win.Published, Errors: map[string]string{}}
	p.Title, p.NoIndex = p.L.T("calls.consent.title"), true
	return win, p, true, nil
}

// ConsentPage serves GET /{lang}/application/awards/{token}: the winner
// says how, and whether, the awards page names them.
func (h *Handlers) ConsentPage(w http.ResponseWriter, r *http.Request) error {
	_, p, ok, err := h.winner(w, r)
	if !ok {
		return err
	}
	p.Saved = r.URL.Query().Get("saved") != ""
	return h.rd.Render(w, http.StatusOK, h.tmpl["consent"], p)
}

// Consent serves POST /{lang}/application/awards/{token}.
func (h *Handlers) Consent(w http.ResponseWriter, r *http.Request) error {
	win, p, ok, err := h.winner(w, r)
	if !ok {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return web.BadRequest("form.unreadable")
	}
	p.Publish = r.PostForm.Get("publish") == "yes"
	p.Name, p.Work = r.PostForm.Get("public_name"), r.PostForm.Get("public_work")
	if p.Publish {
		if field, key := CheckPublic(p.Name, p.Work); key != "" {
			p.Errors[field] = key
			return h.rd.Render(w, http.StatusUnprocessableEntity, h.tmpl["consent"], p)
		}
	}
	if err := h.store.Publish(r.Context(), win.App, p.Publish, p.Name, p.Work); err != nil {
		return err
	}
	http.Redirect(w, r, p.Action+"?saved=1", http.StatusSeeOther)
	return nil
}
