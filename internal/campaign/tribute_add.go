package campaign

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"peerpress/internal/content"
	"peerpress/internal/i18n"
	"peerpress/internal/web"
)

// maxConsent bounds how consent was given and by whom.
const maxConsent = 500

// gatheredForm is the staff form of a tribute gathered elsewhere, as typed.
type gatheredForm struct {
	Lang, Remembered, Body, Evidence, ConsentBy string
	Publish                                     bool
}

type gatheredPage struct {
	web.Page
	Entry      *content.Entry
	Languages  []i18n.Language
	Form       gatheredForm
	Errors     map[string]string
	PhotoAgain bool
}

func (h *Handlers) gatheredPage(r *http.Request, e *content.Entry, f gatheredForm, errs map[string]string) gatheredPage {
	return gatheredPage{Page: h.adminPage(r, "campaign.gathered.title"), Entry: e, Languages: h.rd.I18n().Enabled(), Form: f, Errors: errs}
}

// gatheredNew serves GET /admin/entries/{id}/campaign/tributes/new.
func (h *Handlers) gatheredNew(w http.ResponseWriter, r *http.Request) error {
	e, err := h.loadCampaign(r)
	if err != nil {
		return err
	}
	p := h.gatheredPage(r, e, gatheredForm{Lang: e.SourceLang, Publish: true}, nil)
	if id := r.URL.Query().Get("added"); id != "" {
		p.Flash = p.L.T("campaign.gathered.added")
	}
	return h.rd.Render(w, http.StatusOK, h.tmpl["admin_tribute"], p)
}

// gatheredCreate serves POST /admin/entries/{id}/campaign/tributes: the
// words, the name as it should appear, an optional photo (through the
// media pipeline) and how consent was given and by whom; published at
// once or queued for moderation. Everything typed is kept on an error.
func (h *Handlers) gatheredCreate(w http.ResponseWriter, r *http.Request) error {
	e, err := h.loadCampaign(r)
	if err != nil {
		return err
	}
	pf := r.PostForm
	f := gatheredForm{Lang: pf.Get("lang"), Remembered: strings.TrimSpace(pf.Get("remembered")), Body: strings.TrimSpace(pf.Get("body")),
		Evidence: strings.TrimSpace(pf.Get("consent_evidence")), ConsentBy: strings.TrimSpace(pf.Get("consent_by")),
		Publish: pf.Get("publish") == "yes"}
	errs := i18n.FieldErrors{}
	// The name and the words are checked as the public form checks them;
	// there is no submitter's email or consent box here.
	for k, v := range CheckTribute(TributeForm{Remembered: f.Remembered, Body: f.Body, Email: "staff@example.org", ConsentPublish: true, ConsentRights: true}) {
		errs[k] = v
	}
	if _, ok := h.rd.I18n().Get(f.Lang); !ok {
		errs.Add("lang", "campaign.gathered.error_lang")
	}
	for field, v := range map[string]string{"consent_evidence": f.Evidence, "consent_by": f.ConsentBy} {
		switch n := utf8.RuneCountInString(v); {
		case n == 0:
			errs.Add(field, "campaign.gathered.error_consent")
		case n > maxConsent:
			errs.Add(field, "campaign.error.body_long", "Max", maxConsent)
		}
	}
	photo, _, perr := r.FormFile("photo")
	if perr == nil {
		defer photo.Close()
	}
	if web.FileTooLarge(r, "photo") {
		errs.Add("photo", "campaign.error.photo_large")
	}
	show := func(errs i18n.FieldErrors) error {
		p := h.gatheredPage(r, e, f, map[string]string{})
		for k, m := range errs {
			p.Errors[k] = p.L.Msg(m)
		}
		p.PhotoAgain = perr == nil || web.FileTooLarge(r, "photo")
		p.Flash = p.L.T("campaign.form_has_errors")
		return h.rd.Render(w, http.StatusUnprocessableEntity, h.tmpl["admin_tribute"], p)
	}
	if len(errs) > 0 {
		return show(errs)
	}
	var mediaID int64
	if perr == nil {
		m, err := h.savePhoto(r, photo, f.Remembered, f.Lang)
		if key := photoError(err); key != "" {
			errs.Add("photo", key)
			return show(errs)
		} else if err != nil {
			return err
		}
		mediaID = m.ID
	}
	status := Waiting
	if f.Publish {
		status = Approved
	}
	_, err = h.store.AddGathered(r.Context(), Gathered{CampaignID: e.ID, Lang: f.Lang, Remembered: f.Remembered, Body: f.Body,
		MediaID: mediaID, Status: status, Evidence: f.Evidence, ConsentBy: f.ConsentBy, AddedBy: currentUser(r).ID})
	if err != nil {
		if mediaID != 0 {
			_ = h.media.Delete(context.WithoutCancel(r.Context()), mediaID)
		}
		return err
	}
	http.Redirect(w, r, "/admin/entries/"+strconv.FormatInt(e.ID, 10)+"/campaign/tributes/new?added=1", http.StatusSeeOther)
	return nil
}
