package campaign

import (
	"context"
	"errors"
	"html/template"
	"mime/multipart"
	"net/http"
	"strings"
	"unicode/utf8"

	"peerpress/internal/guard"
	"peerpress/internal/i18n"
	peermail "peerpress/internal/mail"
	"peerpress/internal/media"
	"peerpress/internal/participant"
	"peerpress/internal/web"
)

// Limits of a tribute's words (the email's is participant.MaxEmail).
const (
	MaxRemembered = 80
	MaxBody       = 600
)

// guardForm names the tribute form to the abuse guard.
const guardForm = "tribute-wall"

// TributeForm is what a submitter typed (or an import brings), kept when
// the form comes back.
type TributeForm struct {
	Remembered, Body, Email string
	ConsentPublish          bool
	ConsentRights           bool
}

// formPage is the public tribute form.
type formPage struct {
	web.Page
	Campaign   string
	WallURL    string
	Action     string
	Form       TributeForm
	Errors     map[string]string // field → translated message, made by renderForm
	errs       i18n.FieldErrors  // what is wrong, translated when shown
	Refusal    string            // message key of the guard's refusal
	PhotoAgain bool              // a photo was chosen but not kept: choose it again
	Guard      template.HTML
	MaxName    int
	MaxBody    int
}

// renderForm shows the form, never cached: it carries a one-time
// challenge, and what a visitor typed.
func (h *Handlers) renderForm(w http.ResponseWriter, r *http.Request, lang string, status int, p formPage) error {
	p.Title = p.L.T("campaign.add_tribute_to", "Title", p.Campaign)
	p.NoIndex = true
	p.MaxName, p.MaxBody = MaxRemembered, MaxBody
	p.Errors = p.L.Errors(p.errs)
	if h.guard != nil {
		p.Guard = h.guard.FieldsLabel(guardForm, p.L.T("guard.leave_empty"))
	}
	return h.rd.Render(w, status, h.tmpl["tribute_form"], p)
}

// openWall loads a campaign whose wall takes tributes.
func (h *Handlers) openWall(r *http.Request, lang string) (formPage, int64, error) {
	e, t, err := h.campaignIn(r, lang)
	if err != nil {
		return formPage{}, 0, err
	}
	d, err := h.store.Details(r.Context(), e.ID)
	if err != nil {
		return formPage{}, 0, err
	}
	if !d.WallOpen {
		return formPage{}, 0, &web.Error{Status: http.StatusNotFound, Key: "campaign.wall_closed"}
	}
	p := formPage{Page: h.rd.PublicPage(r, lang), Campaign: t.Title, WallURL: wallURL(lang, t.Slug), errs: i18n.FieldErrors{}}
	p.Action = strings.TrimSuffix(p.WallURL, "/")
	return p, e.ID, nil
}

// tributeForm serves GET /{lang}/campaigns/{slug}/tributes/new.
func (h *Handlers) tributeForm(w http.ResponseWriter, r *http.Request) error {
	lang := web.Lang(r)
	p, _, err := h.openWall(r, lang)
	if err != nil {
		return err
	}
	return h.renderForm(w, r, lang, http.StatusOK, p)
}

// CheckTribute checks what a submitter typed: the name remembered, the
// words, the email and both consents. It returns what is wrong with each
// field (remembered, body, email, consent_publish, consent_rights) as
// messages to translate where they are shown, so the form, the API or an
// import use the same check. The photo is checked by the media pipeline
// when it is stored, and a duplicate by the store.
func CheckTribute(f TributeForm) i18n.FieldErrors {
	errs := i18n.FieldErrors{}
	switch n := utf8.RuneCountInString(f.Remembered); {
	case n == 0:
		errs.Add("remembered", "campaign.error.remembered_missing")
	case n > MaxRemembered:
		errs.Add("remembered", "campaign.error.remembered_long", "Max", MaxRemembered)
	}
	switch n := utf8.RuneCountInString(f.Body); {
	case n == 0:
		errs.Add("body", "campaign.error.body_missing")
	case n > MaxBody:
		errs.Add("body", "campaign.error.body_long", "Max", MaxBody)
	}
	if _, err := participant.Normalize(f.Email); err != nil {
		errs.Add("email", "campaign.error.email")
	}
	if !f.ConsentPublish {
		errs.Add("consent_publish", "campaign.error.consent")
	}
	if !f.ConsentRights {
		errs.Add("consent_rights", "campaign.error.consent")
	}
	return errs
}

// photoError is the message key for a photo media refused.
func photoError(err error) string {
	switch {
	case errors.Is(err, media.ErrTooLarge):
		return "campaign.error.photo_large"
	case errors.Is(err, media.ErrTooManyPixels):
		return "campaign.error.photo_dimensions"
	case errors.Is(err, media.ErrUnsupported):
		return "campaign.error.photo_type"
	case errors.Is(err, media.ErrCorrupt):
		return "campaign.error.photo_corrupt"
	}
	return ""
}

// submitTribute serves POST /{lang}/campaigns/{slug}/tributes: parse →
// guard → validate → store the photo → store the tribute and its mail →
// redirect. Any refusal shows the form again as typed and stores nothing.
func (h *Handlers) submitTribute(w http.ResponseWriter, r *http.Request) error {
	lang := web.Lang(r)
	p, campaignID, err := h.openWall(r, lang)
	if err != nil {
		return err
	}
	if err := web.ParseForm(r); err != nil {
		var tooBig *http.MaxBytesError
		var refused *web.Error
		switch {
		case errors.As(err, &tooBig):
			p.errs.Add("photo", "campaign.error.photo_large")
			return h.renderForm(w, r, lang, http.StatusRequestEntityTooLarge, p)
		case errors.As(err, &refused):
			return refused
		}
		return web.BadRequest("form.unreadable")
	}
	if r.MultipartForm != nil {
		defer r.MultipartForm.RemoveAll()
	}
	p.Form = TributeForm{
		Remembered:     strings.Join(strings.Fields(r.PostFormValue("remembered")), " "),
		Body:           strings.TrimSpace(strings.ReplaceAll(r.PostFormValue("body"), "\r\n", "\n")),
		Email:          strings.TrimSpace(r.PostFormValue("email")),
		ConsentPublish: r.PostFormValue("consent_publish") == "yes",
		ConsentRights:  r.PostFormValue("consent_rights") == "yes",
	}
	photo, _, perr := r.FormFile("photo")
	hasPhoto := perr == nil
	if hasPhoto {
		defer photo.Close()
	}
	// A photo over the form's limit was left out, and what was typed
	// before it kept: the form comes back as typed, saying so.
	if web.FileTooLarge(r, "photo") {
		p.errs.Add("photo", "campaign.error.photo_large")
		return h.renderForm(w, r, lang, http.StatusRequestEntityTooLarge, p)
	}
	verdict := guard.Verdict{}
	if h.guard != nil {
		v, err := h.guard.Check(r, guardForm)
		var refusal *guard.Refusal
		if errors.As(err, &refusal) {
			p.Refusal, p.PhotoAgain = refusal.Key, hasPhoto
			return h.renderForm(w, r, lang, http.StatusUnprocessableEntity, p)
		}
		if err != nil {
			return err
		}
		verdict = v
	}
	if p.errs = CheckTribute(p.Form); len(p.errs) > 0 {
		p.PhotoAgain = hasPhoto
		return h.renderForm(w, r, lang, http.StatusUnprocessableEntity, p)
	}
	ctx := r.Context()
	withdraw := web.Origin(h.rd.BaseURL, r) + "/" + lang + "/tributes/withdraw/"
	loc := p.L
	// The same email remembering the same name again is answered as a
	// first tribute is (audit F8: the page must not tell who remembered
	// whom); the first is kept and its sender mailed a fresh link.
	again := func() (bool, error) {
		return h.store.Resend(ctx, campaignID, p.Form.Email, p.Form.Remembered, func(token string) peermail.Message {
			return peermail.Message{To: p.Form.Email, Subject: loc.T("campaign.mail.subject", "Title", p.Campaign),
				Text: loc.T("campaign.mail.again_body", "Title", p.Campaign, "Name", p.Form.Remembered, "URL", withdraw+token, "Site", h.rd.SiteName)}
		})
	}
	if dup, err := h.store.IsDuplicate(ctx, campaignID, p.Form.Email, p.Form.Remembered); err != nil {
		return err
	} else if dup {
		sent, err := again()
		if err != nil {
			return err
		}
		if sent {
			http.Redirect(w, r, p.WallURL+"sent", http.StatusSeeOther)
			return nil
		}
		// Withdrawn a moment ago: this one is a first tribute after all.
	}
	var mediaID int64
	if hasPhoto {
		m, err := h.savePhoto(r, photo, p.Form.Remembered, lang)
		if key := photoError(err); key != "" {
			p.errs.Add("photo", key)
			return h.renderForm(w, r, lang, http.StatusUnprocessableEntity, p)
		}
		if err != nil {
			return err
		}
		mediaID = m.ID
	}
	_, err = h.store.Submit(ctx, Submission{CampaignID: campaignID, Lang: lang, Remembered: p.Form.Remembered, Body: p.Form.Body,
		Email: p.Form.Email, MediaID: mediaID, Flagged: verdict.Flagged},
		func(token string) peermail.Message {
			return peermail.Message{To: p.Form.Email, Subject: loc.T("campaign.mail.subject", "Title", p.Campaign),
				Text: loc.T("campaign.mail.body", "Title", p.Campaign, "Name", p.Form.Remembered, "URL", withdraw+token, "Site", h.rd.SiteName)}
		})
	if err != nil && mediaID != 0 {
		// Nothing stored when the tribute is not: the photo goes too,
		// even when the cause is a visitor who left.
		if derr := h.media.Delete(context.WithoutCancel(ctx), mediaID); derr != nil {
			err = errors.Join(err, derr)
		}
	}
	if errors.Is(err, ErrDuplicate) { // sent twice at once
		_, err = again()
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, p.WallURL+"sent", http.StatusSeeOther)
	return nil
}

// savePhoto stores a tribute's photo through the media pipeline: sniffed,
// limited, re-encoded without metadata, its smaller sizes made later.
func (h *Handlers) savePhoto(r *http.Request, f multipart.File, remembered, lang string) (media.Media, error) {
	return h.media.SaveImage(r.Context(), f, remembered, lang, h.limits)
}

// sentPage thanks a submitter; it holds nothing personal.
type sentPage struct {
	web.Page
	WallURL string
}

// tributeSent serves GET /{lang}/campaigns/{slug}/tributes/sent.
func (h *Handlers) tributeSent(w http.ResponseWriter, r *http.Request) error {
	lang := web.Lang(r)
	_, t, err := h.campaignIn(r, lang)
	if err != nil {
		return err
	}
	p := sentPage{Page: h.rd.PublicPage(r, lang), WallURL: wallURL(lang, t.Slug)}
	p.Title = p.L.T("campaign.sent_title")
	p.NoIndex = true
	return h.rd.Render(w, http.StatusOK, h.tmpl["tribute_sent"], p)
}
