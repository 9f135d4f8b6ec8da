package events

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"unicode/utf8"

	"peerpress/internal/guard"
	"peerpress/internal/i18n"
	"peerpress/internal/participant"
	"peerpress/internal/web"
)

// formName names the registration form to the abuse guard.
const formName = "event-registration"

// registerPage is the registration form on a page of its own, never
// cached: where the event's page leads, and where the form comes back with
// mistakes or the guard's refusal.
type registerPage struct {
	web.Page
	Event panelData
	Sent  bool   // the confirmation link was mailed
	Email string // to this address
}

// badLinkPage explains a link that does not work.
type badLinkPage struct {
	web.Page
}

// RegisterForm serves GET /{lang}/events/register/{slug}.
func (h *Handlers) RegisterForm(w http.ResponseWriter, r *http.Request) error {
	lang := web.Lang(r)
	v, err := h.slugView(r, lang)
	if err != nil {
		return err
	}
	return h.renderRegister(w, r, lang, http.StatusOK, panelData{EventView: v, Form: formView{Values: map[string]string{}}})
}

// slugView loads the event the path's slug names, as its pages show it
// in lang now.
func (h *Handlers) slugView(r *http.Request, lang string) (EventView, error) {
	ev, t, err := h.eventBySlug(r.Context(), lang, r.PathValue("slug"))
	if err != nil {
		return EventView{}, err
	}
	return h.view(r.Context(), ev, t, lang, h.store.Now())
}

// renderRegister shows the registration form, never cached: it carries a
// single-use challenge, and what the visitor typed.
func (h *Handlers) renderRegister(w http.ResponseWriter, r *http.Request, lang string, status int, data panelData) error {
	p := h.rd.PublicPage(r, lang)
	p.Title = p.L.T("events.register.title", "Title", data.Title)
	p.NoIndex = true
	data.Guard = h.guard.FieldsLabel(formName, p.L.T("guard.leave_empty"))
	p.Crumbs = []web.Crumb{{Name: p.L.T("nav.home"), URL: "/" + lang + "/"}, {Name: data.Title, URL: data.URL}, {Name: p.L.T("events.register.heading")}}
	return h.rd.Render(w, status, h.tmpl["register"], registerPage{Page: p, Event: data})
}

// Register serves POST /{lang}/events/register/{slug}: it checks the form
// and the abuse guard, records a pending registration and mails the
// confirmation link. A mistake brings the form back as it was sent, with
// the reason beside the field; so does a refusal of the guard (honeypot
// filled, sent too fast, challenge forged, expired or used, too many from
// one address), with the reason above the form. Either way nothing is
// stored and nothing mailed.
//
// A form sent without the proof of work (a browser without JavaScript) is
// accepted like any other, since the mailed link protects the list
// anyway, but the registration is flagged for the staff, who see it
// marked among the registrants and in their CSV.
func (h *Handlers) Register(w http.ResponseWriter, r *http.Request) error {
	lang := web.Lang(r)
	ctx := r.Context()
	ev, t, err := h.eventBySlug(ctx, lang, r.PathValue("slug"))
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return web.BadRequest("form.unreadable")
	}
	now := h.store.Now()
	v, err := h.view(ctx, ev, t, lang, now)
	if err != nil {
		return err
	}
	l := h.rd.I18n().Localizer(lang)
	form, name, email, answers := h.readForm(r, ev, l, true)
	data := panelData{EventView: v, Form: form}
	if v.State != "open" && v.State != "full" {
		form.Errors["form"] = l.T("events.register.closed")
		return h.renderRegister(w, r, lang, http.StatusConflict, data)
	}
	// Fields first: a person correcting a typo should not spend the
	// rate limit, which is for what gets stored and mailed.
	if len(form.Errors) > 0 {
		return h.renderRegister(w, r, lang, http.StatusUnprocessableEntity, data)
	}
	verdict, err := h.guard.Check(r, formName)
	var refusal *guard.Refusal
	if errors.As(err, &refusal) {
		form.Errors["form"] = l.T(refusal.Key)
		status := refusal.Status()
		return h.renderRegister(w, r, lang, status, data)
	}
	if err != nil {
		return err
	}
	err = h.store.Register(ctx, RegisterInput{EntryID: ev.Entry.ID, Lang: lang, Origin: web.Origin(h.rd.BaseURL, r),
		Email: email, Name: name, Answers: answers, Flagged: verdict.Flagged})
	if errors.Is(err, ErrClosed) {
		form.Errors["form"] = l.T("events.register.closed")
		return h.renderRegister(w, r, lang, http.StatusConflict, data)
	}
	if err != nil {
		return err
	}
	p := h.rd.PublicPage(r, lang)
	p.Title = p.L.T("events.register.check_mail")
	p.NoIndex = true
	shown, _ := participant.Normalize(email) // valid: readForm checked it
	return h.rd.Render(w, http.StatusOK, h.tmpl["register"], registerPage{Page: p, Event: data, Sent: true, Email: shown})
}

// readForm reads the registration form (name, email when withEmail, the
// custom questions, consent) and checks it with CheckRegistration. The
// formView keeps what was sent and a translated message per faulty field.
func (h *Handlers) readForm(r *http.Request, ev *event, l *i18n.Localizer, withEmail bool) (formView, string, string, map[string]string) {
	f := formView{Values: map[string]string{}}
	get := func(k string) string {
		v := strings.TrimSpace(r.PostForm.Get(k))
		f.Values[k] = v
		return v
	}
	in := RegistrationForm{Name: get("name"), Consent: r.PostForm.Get("consent") != "", WithEmail: withEmail}
	if withEmail {
		in.Email = get("email")
	}
	for i, q := range ev.Details.Questions {
		name := "q" + itoa(i)
		if q.Type != QuestionCheckboxes {
			in.Answers = append(in.Answers, get(name))
			continue
		}
		// Each box ticked is a value of its own; they are kept a line each.
		var ticked []string
		for _, v := range r.PostForm[name] {
			if v = strings.TrimSpace(v); v != "" && !slices.Contains(ticked, v) {
				ticked = append(ticked, v)
			}
		}
		f.Values[name] = strings.Join(ticked, "\n")
		in.Answers = append(in.Answers, f.Values[name])
	}
	answers, errs := CheckRegistration(ev.Details, in)
	for i, q := range ev.Details.Questions {
		if q.Type == QuestionCheckbox && answers[itoa(i)] != "" {
			f.Values["q"+itoa(i)] = "yes"
		}
	}
	if in.Consent {
		f.Values["consent"] = "yes"
	}
	f.Errors = l.Errors(errs)
	return f, in.Name, in.Email, answers
}

// RegistrationForm is what a person sends to register, or to change a
// registration (without the email, which cannot change).
type RegistrationForm struct {
	Name, Email string
	// Answers to the event's questions, in their order; "" for none,
	// the options ticked a line each for checkboxes.
	Answers []string
	Consent bool
	// WithEmail: a new registration, with its email and consent.
	WithEmail bool
}

// CheckRegistration checks a registration against the event's details.
// It returns the answers to store (by question number; a ticked checkbox
// is "yes") and what is wrong with each field (name, email, q0…,
// consent), as messages to translate where they are shown: the form, the
// API or an import use the same check.
func CheckRegistration(d Details, in RegistrationForm) (map[string]string, i18n.FieldErrors) {
	errs := i18n.FieldErrors{}
	switch {
	case in.Name == "":
		errs.Add("name", "events.error.name_required")
	case utf8.RuneCountInString(in.Name) > maxName:
		errs.Add("name", "events.error.too_long", "Max", maxName)
	}
	if in.WithEmail {
		if n, err := participant.Normalize(in.Email); err != nil || !strings.Contains(n[strings.LastIndexByte(n, '@')+1:], ".") {
			errs.Add("email", "events.error.email_invalid")
		}
	}
	answers := map[string]string{}
	offered := make([]string, 0, len(d.Languages))
	for _, il := range d.Languages {
		offered = append(offered, il.Lang)
	}
	for i, q := range d.Questions {
		key := "q" + itoa(i)
		var v string
		if i < len(in.Answers) {
			v = in.Answers[i]
		}
		switch {
		case utf8.RuneCountInString(v) > maxAnswer:
			errs.Add(key, "events.error.too_long", "Max", maxAnswer)
		case v == "" && q.Required:
			errs.Add(key, "events.error.answer_required")
		case v == "":
		case q.Type == QuestionChoice && !slices.Contains(q.Options, v),
			q.Type == QuestionInterpretation && !slices.Contains(offered, v),
			q.Type == QuestionCheckboxes && !allOptions(q, v):
			errs.Add(key, "events.error.choice_invalid")
		case q.Type == QuestionCheckbox:
			v = "yes"
		}
		if v != "" {
			answers[itoa(i)] = v
		}
	}
	if in.WithEmail && d.Consent != "" && !in.Consent {
		errs.Add("consent", "events.error.consent_required")
	}
	return answers, errs
}

// allOptions reports whether every line of v is one of q's options.
func allOptions(q Question, v string) bool {
	for _, line := range strings.Split(v, "\n") {
		if !slices.Contains(q.Options, line) {
			return false
		}
	}
	return true
}

func (h *Handlers) badLink(w http.ResponseWriter, r *http.Request, lang string) error {
	p := h.rd.PublicPage(r, lang)
	p.Title = p.L.T("events.link.bad_title")
	p.NoIndex = true
	return h.rd.Render(w, http.StatusNotFound, h.tmpl["badlink"], badLinkPage{Page: p})
}

// confirmPage asks the registrant to press a button: mail scanners that
// follow links must not confirm on their own.
type confirmPage struct {
	web.Page
	EventTitle string
	Token      string
}

// ConfirmPage serves GET /{lang}/registration/confirm/{token}.
func (h *Handlers) ConfirmPage(w http.ResponseWriter, r *http.Request) error {
	lang := web.Lang(r)
	reg, err := h.store.ByConfirmToken(r.Context(), r.PathValue("token"))
	if errors.Is(err, ErrBadToken) {
		return h.badLink(w, r, lang)
	}
	if err != nil {
		return err
	}
	ev, err := h.store.load(r.Context(), reg.EntryID)
	if err != nil {
		return err
	}
	p := h.rd.PublicPage(r, lang)
	p.Title = p.L.T("events.confirm.title")
	p.NoIndex = true
	return h.rd.Render(w, http.StatusOK, h.tmpl["confirm"], confirmPage{Page: p, EventTitle: ev.translation(lang).Title, Token: r.PathValue("token")})
}

// Confirm serves POST /{lang}/registration/confirm/{token} and leads to
// the manage page.
func (h *Handlers) Confirm(w http.ResponseWriter, r *http.Request) error {
	lang := web.Lang(r)
	reg, manage, err := h.store.Confirm(r.Context(), r.PathValue("token"))
	if errors.Is(err, ErrBadToken) {
		return h.badLink(w, r, lang)
	}
	if err != nil {
		return err
	}
	if _, ok := h.rd.I18n().Get(reg.Lang); !ok {
		reg.Lang = lang
	}
	http.Redirect(w, r, "/"+reg.Lang+"/registration/manage/"+manage+"?confirmed=1", http.StatusSeeOther) // #nosec G710 -- a path of this site: a known language and the registration's own token
	return nil
}
