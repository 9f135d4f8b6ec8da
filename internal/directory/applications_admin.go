package directory

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"peerpress/internal/content"
	"peerpress/internal/db"
	"peerpress/internal/i18n"
	"peerpress/internal/mail"
	"peerpress/internal/web"
)

// maxQuestion is the longest question staff mail an applicant.
const maxQuestion = 5000

// Waiting counts the applications waiting for staff, for the moderation
// dashboard (moderation.Queue).
func (h *Handlers) Waiting(ctx context.Context) (label, url string, n int, err error) {
	if h.apps == nil {
		return "directory.applications", "/admin/organisation-applications", 0, nil
	}
	n, err = h.apps.CountWaiting(ctx)
	return "directory.applications", "/admin/organisation-applications", n, err
}

// applicationStatuses name the statuses staff see.
var applicationStatuses = []choice{
	{Waiting, "directory.application_status.waiting"},
	{Accepted, "directory.application_status.accepted"},
	{Declined, "directory.application_status.declined"},
}

// applicationRow is an application as staff see it.
type applicationRow struct {
	Application
	StatusKey, TypeKey, CountryName, Description string
	OrgURL                                       string // its page once accepted
}

func (h *Handlers) applicationRow(app Application, lang string) applicationRow {
	row := applicationRow{Application: app, StatusKey: keyOf(applicationStatuses, app.Status), TypeKey: keyOf(Types, app.Profile.Type),
		CountryName: i18n.CountryName(app.Profile.Country, lang), Description: app.Profile.Texts[app.Lang].Description}
	return row
}

type applicationsPage struct {
	web.Page
	Rows []applicationRow
}

// applications serves GET /admin/organisation-applications.
func (h *Handlers) applications(w http.ResponseWriter, r *http.Request) error {
	if h.apps == nil {
		return web.NotFound()
	}
	apps, err := h.apps.Listed(r.Context())
	if err != nil {
		return err
	}
	p := applicationsPage{Page: h.rd.AdminPage(r)}
	p.Title, p.NoIndex = p.L.T("directory.applications"), true
	switch r.URL.Query().Get("done") {
	case "accepted":
		p.Flash = p.L.T("directory.application_accepted")
	case "declined":
		p.Flash = p.L.T("directory.application_declined")
	}
	for _, app := range apps {
		p.Rows = append(p.Rows, h.applicationRow(app, p.Lang.Code))
	}
	return h.rd.Render(w, http.StatusOK, h.tmpl["admin_applications"], p)
}

type applicationPage struct {
	web.Page
	App         applicationRow
	Languages   []string
	Memberships []option
	Slug        string
	Question    string
	Reason      string
	Errors      content.FieldErrors
}

// applicationByPath loads the application of /admin/organisation-applications/{id}.
func (h *Handlers) applicationByPath(r *http.Request) (Application, error) {
	if h.apps == nil {
		return Application{}, web.NotFound()
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return Application{}, web.NotFound()
	}
	app, err := h.apps.ByID(r.Context(), id)
	if errors.Is(err, db.ErrNotFound) {
		return app, web.NotFound()
	}
	return app, err
}

func (h *Handlers) applicationPage(r *http.Request, app Application, errs content.FieldErrors) applicationPage {
	p := applicationPage{Page: h.rd.AdminPage(r), App: h.applicationRow(app, ""), Errors: errs}
	p.App.CountryName = i18n.CountryName(app.Profile.Country, p.Lang.Code)
	p.Title, p.NoIndex = p.L.T("directory.application_title", "Name", app.Profile.Name), true
	if app.OrganisationID != 0 {
		if o, err := h.store.ByID(r.Context(), app.OrganisationID); err == nil {
			p.App.OrgURL = "/" + p.Lang.Code + "/directory/" + o.Slug
		}
	}
	for _, l := range app.Profile.Languages {
		p.Languages = append(p.Languages, LanguageName(l, p.Lang.Code))
	}
	membership := r.PostFormValue("membership")
	if membership == "" {
		membership = "member"
	}
	for _, m := range Memberships {
		p.Memberships = append(p.Memberships, option{Value: m.Value, Name: p.L.T(m.Key), Selected: m.Value == membership})
	}
	p.Slug = r.PostFormValue("slug")
	if p.Slug == "" {
		p.Slug = content.Slugify(app.Profile.Name)
	}
	p.Question, p.Reason = r.PostFormValue("question"), r.PostFormValue("reason")
	if r.URL.Query().Get("done") == "asked" {
		p.Flash = p.L.T("directory.application_asked")
	}
	return p
}

// application serves GET /admin/organisation-applications/{id}.
func (h *Handlers) application(w http.ResponseWriter, r *http.Request) error {
	app, err := h.applicationByPath(r)
	if err != nil {
		return err
	}
	return h.rd.Render(w, http.StatusOK, h.tmpl["admin_application"], h.applicationPage(r, app, content.FieldErrors{}))
}

// applicantL is the applicant's language, for the mail staff send.
func (h *Handlers) applicantL(app Application) *i18n.Localizer {
	return h.rd.I18n().Localizer(app.Lang)
}

// decideApplication serves POST /admin/organisation-applications/{id}:
// action ask (mail a question), accept (the profile goes live) or
// decline.
func (h *Handlers) decideApplication(w http.ResponseWriter, r *http.Request) error {
	app, err := h.applicationByPath(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return web.BadRequest("form.unreadable")
	}
	errs := content.FieldErrors{}
	again := func() error {
		return h.rd.Render(w, http.StatusUnprocessableEntity, h.tmpl["admin_application"], h.applicationPage(r, app, errs))
	}
	if app.Status != Waiting {
		errs["action"] = "directory.application_decided"
		return again()
	}
	base := "/admin/organisation-applications"
	loc := h.applicantL(app)
	if app.Contact.Name == "" {
		// Sealed to the organisation's key and not unlocked: the mail
		// greets the organisation rather than no one.
		app.Contact.Name = app.Profile.Name
	}
	ctx := r.Context()
	switch r.PostForm.Get("action") {
	case "ask":
		q := strings.TrimSpace(strings.ReplaceAll(r.PostForm.Get("question"), "\r\n", "\n"))
		switch n := utf8.RuneCountInString(q); {
		case n == 0:
			errs["question"] = "form.required"
		case n > maxQuestion:
			errs["question"] = "form.too_long"
		}
		if len(errs) > 0 {
			return again()
		}
		err := h.apps.Ask(ctx, app.ID, mail.Message{Subject: loc.T("directory.ask_mail_subject", "Organisation", app.Profile.Name, "Site", h.rd.SiteName),
			Text: loc.T("directory.ask_mail_body", "Name", app.Contact.Name, "Organisation", app.Profile.Name, "Question", q, "Site", h.rd.SiteName)})
		if err != nil {
			return err
		}
		http.Redirect(w, r, base+"/"+strconv.FormatInt(app.ID, 10)+"?done=asked", http.StatusSeeOther)
		return nil
	case "accept":
		o := app.Profile
		o.ID, o.LogoID = 0, 0
		o.Membership = r.PostForm.Get("membership")
		o.Slug = strings.TrimSpace(r.PostForm.Get("slug"))
		if !validChoice(Memberships, o.Membership) {
			errs["membership"] = "form.invalid_choice"
		}
		if !content.ValidSlug(o.Slug) || utf8.RuneCountInString(o.Slug) > 80 {
			errs["slug"] = "entry.slug_invalid"
		} else if reservedSlug(o.Slug) {
			errs["slug"] = "entry.slug_taken"
		}
		if len(errs) > 0 {
			return again()
		}
		origin := web.Origin(h.rd.BaseURL, r)
		_, err := h.apps.Accept(ctx, app.ID, o, func(o Organisation) mail.Message {
			return mail.Message{Subject: loc.T("directory.accept_mail_subject", "Organisation", o.Name, "Site", h.rd.SiteName),
				Text: loc.T("directory.accept_mail_body", "Name", app.Contact.Name, "Organisation", o.Name,
					"URL", origin+"/"+app.Lang+"/directory/"+o.Slug, "Site", h.rd.SiteName)}
		})
		if errors.Is(err, ErrSlugTaken) {
			errs["slug"] = "entry.slug_taken"
			return again()
		}
		if err != nil {
			return err
		}
		http.Redirect(w, r, base+"?done=accepted", http.StatusSeeOther)
		return nil
	case "decline":
		reason := strings.TrimSpace(strings.ReplaceAll(r.PostForm.Get("reason"), "\r\n", "\n"))
		if utf8.RuneCountInString(reason) > maxQuestion {
			errs["reason"] = "form.too_long"
			return again()
		}
		text := loc.T("directory.decline_mail_body", "Name", app.Contact.Name, "Organisation", app.Profile.Name, "Site", h.rd.SiteName)
		if reason != "" {
			text += "\n\n" + reason
		}
		if err := h.apps.Decline(ctx, app.ID, mail.Message{Subject: loc.T("directory.decline_mail_subject", "Organisation", app.Profile.Name,
			"Site", h.rd.SiteName), Text: text}); err != nil {
			return err
		}
		http.Redirect(w, r, base+"?done=declined", http.StatusSeeOther)
		return nil
	}
	return web.BadRequest("form.invalid_choice")
}
