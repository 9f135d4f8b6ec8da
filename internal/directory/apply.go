package directory

import (
	"errors"
	"html/template"
	"net/http"
	"strings"
	"unicode/utf8"

	"peerpress/internal/content"
	"peerpress/internal/guard"
	"peerpress/internal/i18n"
	"peerpress/internal/mail"
	"peerpress/internal/participant"
	"peerpress/internal/web"
)

// guardForm names the application form to the abuse guard.
const guardForm = "directory-apply"

// maxContactName is the longest private contact's name.
const maxContactName = 120

// applyPage is the public form to apply to join the directory.
type applyPage struct {
	web.Page
	Org                Organisation
	Description        string
	Contact            Contact
	Errors             content.FieldErrors
	Error              string // a message key about the whole form
	Types, Works       []option
	Countries          []i18n.Country
	Guard              template.HTML
	MaxName, MaxShort  int
	MaxDescription     int
	MaxAddress, MaxWho int
}

func (h *Handlers) applyForm(r *http.Request, o Organisation, c Contact, errs content.FieldErrors) applyPage {
	lang := web.Lang(r)
	p := applyPage{Page: h.rd.PublicPage(r, lang), Org: o, Description: o.Texts[lang].Description, Contact: c, Errors: errs,
		MaxName: maxName, MaxShort: maxShortName, MaxDescription: maxDescription, MaxAddress: maxAddress, MaxWho: maxContactName}
	p.Title, p.NoIndex = p.L.T("directory.apply_title"), true
	p.Crumbs = []web.Crumb{{Name: p.L.T("directory.title"), URL: "/" + lang + "/directory"}, {Name: p.Title}}
	for _, t := range Types {
		p.Types = append(p.Types, option{Value: t.Value, Name: p.L.T(t.Key), Selected: t.Value == o.Type})
	}
	for _, l := range WorkLanguages {
		sel := false
		for _, have := range o.Languages {
			sel = sel || have == l
		}
		p.Works = append(p.Works, option{Value: l, Name: LanguageName(l, lang), Selected: sel})
	}
	p.Countries = i18n.Countries(lang)
	if h.guard != nil {
		p.Guard = h.guard.FieldsLabel(guardForm, p.L.T("guard.leave_empty"))
	}
	return p
}

// apply serves GET /{lang}/directory/apply.
func (h *Handlers) apply(w http.ResponseWriter, r *http.Request) error {
	if h.apps == nil {
		return web.NotFound()
	}
	o := Organisation{Type: "national", Texts: map[string]Text{}}
	return h.rd.Render(w, http.StatusOK, h.tmpl["public_apply"], h.applyForm(r, o, Contact{}, content.FieldErrors{}))
}

// submitApplication serves POST /{lang}/directory/apply: parse → check
// → guard → store unverified and mail the link → redirect. A refusal
// shows the form again as typed and stores nothing.
func (h *Handlers) submitApplication(w http.ResponseWriter, r *http.Request) error {
	if h.apps == nil {
		return web.NotFound()
	}
	lang := web.Lang(r)
	if err := web.ParseForm(r); err != nil {
		return web.BadRequest("form.unreadable")
	}
	form := r.PostForm
	// The applicant proposes; staff choose the membership and the slug.
	form.Set("membership", "member")
	form.Del("slug")
	form.Del("year_joined")
	for _, l := range h.rd.I18n().Enabled() {
		if l.Code != lang {
			form.Del("description_" + l.Code)
		}
		form.Del("focal_roles_" + l.Code)
	}
	o, _, errs := h.readForm(form)
	if o.Country == "" && errs["country"] == "" {
		errs["country"] = "directory.err_apply_country"
	}
	// A slug made of a name in another script may be empty: staff choose
	// one when they accept.
	delete(errs, "slug")
	c := Contact{Name: strings.Join(strings.Fields(form.Get("contact_name")), " "), Email: strings.TrimSpace(form.Get("contact_email"))}
	switch n := utf8.RuneCountInString(c.Name); {
	case n == 0:
		errs["contact_name"] = "form.required"
	case n > maxContactName:
		errs["contact_name"] = "form.too_long"
	}
	if _, err := participant.Normalize(c.Email); err != nil {
		errs["contact_email"] = "directory.err_contact"
	}
	p := h.applyForm(r, o, c, errs)
	if len(errs) > 0 {
		p.Error = "form.has_errors"
		return h.rd.Render(w, http.StatusUnprocessableEntity, h.tmpl["public_apply"], p)
	}
	if h.guard != nil {
		_, err := h.guard.Check(r, guardForm)
		var refusal *guard.Refusal
		if errors.As(err, &refusal) {
			p.Error = refusal.Key
			status := refusal.Status()
			return h.rd.Render(w, status, h.tmpl["public_apply"], p)
		}
		if err != nil {
			return err
		}
	}
	loc := p.L
	verify := web.Origin(h.rd.BaseURL, r) + "/" + lang + "/directory/apply/verify/"
	_, err := h.apps.Apply(r.Context(), o, c, lang, func(token string) mail.Message {
		return mail.Message{Subject: loc.T("directory.apply_mail_subject", "Site", h.rd.SiteName),
			Text: loc.T("directory.apply_mail_body", "Name", c.Name, "Organisation", o.Name, "URL", verify+token, "Site", h.rd.SiteName)}
	})
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/"+lang+"/directory/apply/sent", http.StatusSeeOther) // #nosec G710 -- a path of this site: the route's language, one the site has
	return nil
}

// applyMessage is a short page about an application.
type applyMessage struct {
	web.Page
	Heading, Message string
	Action, Button   string // a form to confirm, when there is one
}

func (h *Handlers) message(w http.ResponseWriter, r *http.Request, status int, heading, message, action, button string) error {
	lang := web.Lang(r)
	p := applyMessage{Page: h.rd.PublicPage(r, lang)}
	p.Heading, p.Message, p.Action, p.Button = p.L.T(heading), p.L.T(message), action, ""
	if button != "" {
		p.Button = p.L.T(button)
	}
	p.Title, p.NoIndex = p.Heading, true
	return h.rd.Render(w, status, h.tmpl["public_apply_message"], p)
}

// applySent serves GET /{lang}/directory/apply/sent.
func (h *Handlers) applySent(w http.ResponseWriter, r *http.Request) error {
	return h.message(w, r, http.StatusOK, "directory.apply_sent_title", "directory.apply_sent", "", "")
}

// confirmVerify serves GET /{lang}/directory/apply/verify/{token}: a
// button, so that a mail scanner opening the link verifies nothing.
func (h *Handlers) confirmVerify(w http.ResponseWriter, r *http.Request) error {
	if h.apps == nil {
		return web.NotFound()
	}
	if _, err := h.apps.ByVerifyToken(r.Context(), r.PathValue("token")); errors.Is(err, ErrUnknownLink) {
		return h.message(w, r, http.StatusNotFound, "directory.apply_link_title", "directory.apply_link_unknown", "", "")
	} else if err != nil {
		return err
	}
	return h.message(w, r, http.StatusOK, "directory.apply_verify_title", "directory.apply_verify", r.URL.Path, "directory.apply_verify_button")
}

// verify serves POST /{lang}/directory/apply/verify/{token}.
func (h *Handlers) verify(w http.ResponseWriter, r *http.Request) error {
	if h.apps == nil {
		return web.NotFound()
	}
	if _, err := h.apps.Verify(r.Context(), r.PathValue("token")); errors.Is(err, ErrUnknownLink) {
		return h.message(w, r, http.StatusNotFound, "directory.apply_link_title", "directory.apply_link_unknown", "", "")
	} else if err != nil {
		return err
	}
	return h.message(w, r, http.StatusOK, "directory.apply_verified_title", "directory.apply_verified", "", "")
}
