package calls

import (
	"errors"
	"html/template"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"peerpress/internal/guard"
	"peerpress/internal/i18n"
	"peerpress/internal/participant"
	"peerpress/internal/web"
)

// formView is an application form as sent back: what was typed, and a
// translated message per faulty input ("form" for the whole form).
type formView struct {
	Values url.Values
	Errors map[string]string
}

// Value is the first value of an input.
func (f formView) Value(name string) string { return f.Values.Get(name) }

// Has reports whether an input had the value v (a ticked checkbox, a
// chosen option).
func (f formView) Has(name, v string) bool { return slices.Contains(f.Values[name], v) }

// applyPage is the application form on a page of its own, never cached.
type applyPage struct {
	web.Page
	Call   callView
	Form   formView
	Guard  template.HTML
	Action string
	Sent   bool   // the confirmation link was mailed
	Email  string // to this address
	// Manage is set on an applicant's private page: the application
	// can be changed (Open) and withdrawn.
	Manage     bool
	Open       bool
	Files      []StoredFile
	Confirmed  bool
	Saved      bool
	WithdrawTo string
	// TusEndpoint is where any tus client uploads the application's
	// files; Token names the application to it.
	TusEndpoint string
	Token       string
	// Missing are the labels of required file fields still without a
	// file or a link.
	Missing []string
	// PlainMB is the largest file the form itself takes.
	PlainMB int
}

func (h *Handlers) renderApply(w http.ResponseWriter, r *http.Request, lang string, status int, p applyPage) error {
	p.Page = h.rd.PublicPage(r, lang)
	p.PlainMB = min(maxPlainUpload>>20, p.Call.MaxFileMB)
	p.Title = p.L.T("calls.apply.title", "Title", p.Call.Title)
	p.NoIndex = true
	p.Action = p.Call.ApplyURL
	p.Guard = h.guard.FieldsLabel(formName, p.L.T("guard.leave_empty"))
	p.Crumbs = []web.Crumb{{Name: p.L.T("nav.home"), URL: "/" + lang + "/"}, {Name: p.Call.Title, URL: p.Call.URL}, {Name: p.L.T("calls.apply.heading")}}
	return h.rd.Render(w, status, h.tmpl["apply"], p)
}

// ApplyForm serves GET /{lang}/calls/apply/{slug}.
func (h *Handlers) ApplyForm(w http.ResponseWriter, r *http.Request) error {
	lang := web.Lang(r)
	e, c, err := h.callBySlug(r.Context(), lang, r.PathValue("slug"))
	if err != nil {
		return err
	}
	v := h.view(e, c, lang, h.store.Now())
	return h.renderApply(w, r, lang, http.StatusOK, applyPage{Call: v, Form: formView{Values: url.Values{}, Errors: map[string]string{}}})
}

// Apply serves POST /{lang}/calls/apply/{slug}: it checks the form, the
// deadline and the abuse guard, records a pending application and mails
// the confirmation link. A mistake brings the form back as it was sent,
// with the reason beside the input; nothing is stored and nothing mailed.
func (h *Handlers) Apply(w http.ResponseWriter, r *http.Request) error {
	lang := web.Lang(r)
	ctx := r.Context()
	e, c, err := h.callBySlug(ctx, lang, r.PathValue("slug"))
	if err != nil {
		return err
	}
	if err := parseForm(r, c); err != nil {
		return err
	}
	v := h.view(e, c, lang, h.store.Now())
	l := h.rd.I18n().Localizer(lang)
	form := formView{Values: r.PostForm, Errors: map[string]string{}}
	p := applyPage{Call: v, Form: form}
	if !c.Open(h.store.Now()) {
		form.Errors["form"] = l.T("calls.apply.closed")
		return h.renderApply(w, r, lang, http.StatusConflict, p)
	}
	email := strings.TrimSpace(r.PostForm.Get("email"))
	answers, errs := CheckApplication(c, lang, ApplicationForm{Email: email, WithEmail: true, Values: r.PostForm,
		Consent: r.PostForm.Get("consent") != ""})
	if len(errs) > 0 {
		for k, msg := range l.Errors(errs) {
			form.Errors[k] = msg
		}
		return h.renderApply(w, r, lang, http.StatusUnprocessableEntity, p)
	}
	_, err = h.guard.Check(r, formName)
	var refusal *guard.Refusal
	if errors.As(err, &refusal) {
		form.Errors["form"] = l.T(refusal.Key)
		status := refusal.Status()
		return h.renderApply(w, r, lang, status, p)
	}
	if err != nil {
		return err
	}
	files, fileErrs, err := h.plainFiles(r, c, l)
	if err != nil {
		return err
	}
	if len(fileErrs) > 0 {
		maps.Copy(form.Errors, fileErrs)
		return h.renderApply(w, r, lang, http.StatusUnprocessableEntity, p)
	}
	err = h.store.Apply(ctx, ApplyInput{EntryID: e.ID, Lang: lang, Origin: web.Origin(h.rd.BaseURL, r), Email: email,
		Answers: answers, Title: v.Title, Files: files})
	if errors.Is(err, ErrClosed) {
		form.Errors["form"] = l.T("calls.apply.closed")
		return h.renderApply(w, r, lang, http.StatusConflict, p)
	}
	if err != nil {
		return err
	}
	p.Sent = true
	p.Email, _ = participant.Normalize(email) // valid: CheckApplication checked it
	return h.renderApply(w, r, lang, http.StatusOK, p)
}

// parseForm reads a urlencoded or multipart form through web.ParseForm:
// a file waits on disk sealed while it arrives, never in /tmp in the
// clear (the standard library's ParseMultipartForm spools parts over its
// memory to plain temporary files). Files are read by plainFiles. A body
// over the route's limit, or a file of the call's form that it cut, is a
// clear refusal.
func parseForm(r *http.Request, c Call) error {
	err := web.ParseForm(r)
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return &web.Error{Status: http.StatusRequestEntityTooLarge, Key: "calls.error.form_too_big"}
	}
	var refused *web.Error
	if errors.As(err, &refused) {
		return err // bytes no database stores: its own message
	}
	if err != nil {
		return web.BadRequest("form.unreadable")
	}
	for _, f := range c.Form {
		if f.Type == File && web.FileTooLarge(r, fieldName(f.Key)) {
			return &web.Error{Status: http.StatusRequestEntityTooLarge, Key: "calls.error.form_too_big"}
		}
	}
	return nil
}

// sentFile reports whether the request carries a file for the field.
func sentFile(r *http.Request, key string) bool {
	if r.MultipartForm == nil {
		return false
	}
	fs := r.MultipartForm.File[fieldName(key)]
	return len(fs) > 0 && fs[0].Filename != "" && fs[0].Size > 0
}

// plainFiles checks, cleans and keeps the files sent with the form
// itself. A file refused is an error of its field, translated; the files
// kept before it are deleted.
func (h *Handlers) plainFiles(r *http.Request, c Call, l *i18n.Localizer) ([]StoredFile, map[string]string, error) {
	var kept []StoredFile
	for _, f := range c.Form {
		if f.Type != File || !sentFile(r, f.Key) {
			continue
		}
		fh := r.MultipartForm.File[fieldName(f.Key)][0]
		limit := min(int64(maxPlainUpload), int64(c.MaxFileMB)<<20)
		err := func() error {
			if fh.Size > limit {
				return refuse("calls.error.too_big_for_form")
			}
			src, err := fh.Open()
			if err != nil {
				return err
			}
			defer src.Close()
			staged, err := h.store.stagePlain(src, limit)
			if err != nil {
				return err
			}
			sf, err := h.store.ingest(r.Context(), c, f.Key, staged, fh.Filename)
			if err != nil {
				return err
			}
			kept = append(kept, sf)
			return nil
		}()
		if key := RefusalKey(err); key != "" {
			h.store.Discard(kept...)
			mb := c.MaxFileMB
			if key == "calls.error.too_big_for_form" {
				mb = int(limit >> 20)
			}
			return nil, map[string]string{fieldName(f.Key): l.T(key, "MB", mb, "Minutes", c.MaxVideoMinutes)}, nil
		}
		if err != nil {
			h.store.Discard(kept...)
			return nil, nil, err
		}
	}
	if r.MultipartForm != nil {
		_ = r.MultipartForm.RemoveAll()
	}
	return kept, nil, nil
}
