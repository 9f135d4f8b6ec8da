package calls

import (
	"errors"
	"maps"
	"net/http"
	"net/url"
	"slices"

	"peerpress/internal/web"
)

// messagePage says something short: a link that does not work, a
// withdrawal done.
type messagePage struct {
	web.Page
	Text string
	Back string
}

func (h *Handlers) message(w http.ResponseWriter, r *http.Request, lang string, status int, title, text string) error {
	p := h.rd.PublicPage(r, lang)
	p.Title, p.NoIndex = p.L.T(title), true
	return h.rd.Render(w, status, h.tmpl["message"], messagePage{Page: p, Text: p.L.T(text), Back: "/" + lang + "/"})
}

// badLink explains a link that does not work: tampered, expired, used
// or withdrawn look the same.
func (h *Handlers) badLink(w http.ResponseWriter, r *http.Request, lang string) error {
	return h.message(w, r, lang, http.StatusNotFound, "calls.link.bad_title", "calls.link.bad_text")
}

// confirmPage asks the applicant to press a button: mail scanners that
// follow links must not confirm on their own.
type confirmPage struct {
	web.Page
	CallTitle string
	Action    string
}

// ConfirmPage serves GET /{lang}/application/confirm/{token}.
func (h *Handlers) ConfirmPage(w http.ResponseWriter, r *http.Request) error {
	lang := web.Lang(r)
	a, err := h.store.ByConfirmToken(r.Context(), r.PathValue("token"))
	if errors.Is(err, ErrBadToken) {
		return h.badLink(w, r, lang)
	}
	if err != nil {
		return err
	}
	e, _, err := h.entryByID(r.Context(), a.EntryID)
	if err != nil {
		return err
	}
	t, _ := e.Translation(lang)
	p := h.rd.PublicPage(r, lang)
	p.Title, p.NoIndex = p.L.T("calls.confirm.title"), true
	return h.rd.Render(w, http.StatusOK, h.tmpl["confirm"], confirmPage{Page: p, CallTitle: t.Title,
		Action: "/" + lang + "/application/confirm/" + r.PathValue("token")})
}

// Confirm serves POST /{lang}/application/confirm/{token}: the
// application counts from now, the receipt with the private link is
// mailed, and the applicant lands on their private page.
func (h *Handlers) Confirm(w http.ResponseWriter, r *http.Request) error {
	lang := web.Lang(r)
	ctx := r.Context()
	a, err := h.store.ByConfirmToken(ctx, r.PathValue("token"))
	if errors.Is(err, ErrBadToken) {
		return h.badLink(w, r, lang)
	}
	if err != nil {
		return err
	}
	if _, ok := h.rd.I18n().Get(a.Lang); !ok {
		a.Lang = lang
	}
	e, _, err := h.entryByID(ctx, a.EntryID)
	if err != nil {
		return err
	}
	t, _ := e.Translation(a.Lang)
	_, manage, err := h.store.Confirm(ctx, r.PathValue("token"), web.Origin(h.rd.BaseURL, r), t.Title)
	if errors.Is(err, ErrBadToken) {
		return h.badLink(w, r, lang)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/"+a.Lang+"/application/manage/"+manage+"?confirmed=1", http.StatusSeeOther) // #nosec G710 -- a path of this site: a known language and the application's own token
	return nil
}

// answersForm shows stored answers as the form's inputs.
func answersForm(c Call, a Application) url.Values {
	out := url.Values{}
	for _, f := range c.Form {
		name := fieldName(f.Key)
		if f.Type == File {
			name = linkName(f.Key)
		}
		for _, v := range a.Answers[f.Key] {
			out.Add(name, v)
		}
	}
	if v := a.Answers[workLanguageKey]; len(v) > 0 {
		out.Set("work_language", v[0])
	}
	return out
}

// Manage serves GET /{lang}/application/manage/{token}: the application as
// sent, to change until the deadline, and the button to withdraw it.
func (h *Handlers) Manage(w http.ResponseWriter, r *http.Request) error {
	lang := web.Lang(r)
	ctx := r.Context()
	a, err := h.store.ByManageToken(ctx, r.PathValue("token"))
	if errors.Is(err, ErrBadToken) {
		return h.badLink(w, r, lang)
	}
	if err != nil {
		return err
	}
	e, c, err := h.entryByID(ctx, a.EntryID)
	if err != nil {
		return err
	}
	p := applyPage{Call: h.view(e, c, lang, h.store.Now()), Form: formView{Values: answersForm(c, a), Errors: map[string]string{}},
		Confirmed: r.URL.Query().Get("confirmed") == "1", Saved: r.URL.Query().Get("saved") == "1"}
	return h.renderManage(w, r, lang, http.StatusOK, c, a, p)
}

func (h *Handlers) renderManage(w http.ResponseWriter, r *http.Request, lang string, status int, c Call, a Application, p applyPage) error {
	token := r.PathValue("token")
	p.Page = h.rd.PublicPage(r, lang)
	p.Title = p.L.T("calls.manage.title", "Title", p.Call.Title)
	p.NoIndex = true
	p.Manage, p.Open, p.Files = true, c.Open(h.store.Now()), a.Files
	p.PlainMB = min(maxPlainUpload>>20, c.MaxFileMB)
	p.TusEndpoint, p.Token = tusPath, token
	for _, f := range c.Form {
		if f.Type != File || !f.Required || len(a.Answers[f.Key]) > 0 || slices.ContainsFunc(a.Files, func(sf StoredFile) bool { return sf.Field == f.Key }) {
			continue
		}
		p.Missing = append(p.Missing, f.Wording(lang).Label)
	}
	p.Action = "/" + lang + "/application/manage/" + token
	p.WithdrawTo = p.Action + "/withdraw"
	p.Crumbs = []web.Crumb{{Name: p.L.T("nav.home"), URL: "/" + lang + "/"}, {Name: p.Call.Title, URL: p.Call.URL}, {Name: p.L.T("calls.manage.heading")}}
	return h.rd.Render(w, status, h.tmpl["apply"], p)
}

// Update serves POST /{lang}/application/manage/{token}: the changed answers,
// until the deadline.
func (h *Handlers) Update(w http.ResponseWriter, r *http.Request) error {
	lang := web.Lang(r)
	ctx := r.Context()
	token := r.PathValue("token")
	a, err := h.store.ByManageToken(ctx, token)
	if errors.Is(err, ErrBadToken) {
		return h.badLink(w, r, lang)
	}
	if err != nil {
		return err
	}
	e, c, err := h.entryByID(ctx, a.EntryID)
	if err != nil {
		return err
	}
	if err := parseForm(r, c); err != nil {
		return err
	}
	l := h.rd.I18n().Localizer(lang)
	p := applyPage{Call: h.view(e, c, lang, h.store.Now()), Form: formView{Values: r.PostForm, Errors: map[string]string{}}}
	if !c.Open(h.store.Now()) {
		p.Form.Errors["form"] = l.T("calls.apply.closed")
		return h.renderManage(w, r, lang, http.StatusConflict, c, a, p)
	}
	hasFile := func(key string) bool {
		for _, f := range a.Files {
			if f.Field == key {
				return true
			}
		}
		return sentFile(r, key)
	}
	answers, errs := CheckApplication(c, lang, ApplicationForm{Values: r.PostForm, HasFile: hasFile})
	if len(errs) > 0 {
		for k, msg := range l.Errors(errs) {
			p.Form.Errors[k] = msg
		}
		return h.renderManage(w, r, lang, http.StatusUnprocessableEntity, c, a, p)
	}
	files, fileErrs, err := h.plainFiles(r, c, l)
	if err != nil {
		return err
	}
	if len(fileErrs) > 0 {
		maps.Copy(p.Form.Errors, fileErrs)
		return h.renderManage(w, r, lang, http.StatusUnprocessableEntity, c, a, p)
	}
	err = h.store.Update(ctx, token, answers)
	if err == nil && len(files) > 0 {
		err = h.store.Attach(ctx, token, files...)
	}
	if errors.Is(err, ErrClosed) {
		p.Form.Errors["form"] = l.T("calls.apply.closed")
		return h.renderManage(w, r, lang, http.StatusConflict, c, a, p)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/"+lang+"/application/manage/"+token+"?saved=1", http.StatusSeeOther) // #nosec G710 -- a path of this site: the route's language and the token it was given
	return nil
}

// Withdraw serves POST /{lang}/application/manage/{token}/withdraw: the
// application and its files are deleted at once.
func (h *Handlers) Withdraw(w http.ResponseWriter, r *http.Request) error {
	lang := web.Lang(r)
	err := h.store.Withdraw(r.Context(), r.PathValue("token"))
	if errors.Is(err, ErrBadToken) {
		return h.badLink(w, r, lang)
	}
	if err != nil {
		return err
	}
	return h.message(w, r, lang, http.StatusOK, "calls.withdrawn.title", "calls.withdrawn.text")
}
