package letter

import (
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"peerpress/internal/content"
	"peerpress/internal/db"
	"peerpress/internal/guard"
	"peerpress/internal/i18n"
	"peerpress/internal/web"
)

// panelData is the statement page's signatures panel.
type panelData struct {
	L         *i18n.Localizer
	Lang      string
	Letter    Letter
	Counts    Counts
	Accepting bool
	Closed    bool
	ClosesAt  time.Time // in the site's zone
	SignURL   string
	ListURL   string
	// Mirror replaces the way to sign in the static mirror.
	Mirror *web.MirrorNotice
}

// EntryPanel adds nothing after a statement's text: all a letter shows
// is what a visitor came for (EntryAction).
func (h *Handlers) EntryPanel(r *http.Request, e *content.Entry, lang string) (template.HTML, error) {
	return "", nil
}

// EntryAction shows, on a statement opened for signatures, the count, the
// progress to the goal and the links to sign and to see who signed,
// before the text. The form itself is on a page of its own: a statement
// page is cached for everyone, and each form needs a fresh challenge.
func (h *Handlers) EntryAction(r *http.Request, e *content.Entry, lang string) (template.HTML, error) {
	if e.Kind != content.Statement {
		return "", nil
	}
	l, err := h.store.Letter(r.Context(), e.ID)
	if err != nil {
		return "", err
	}
	counts, err := h.store.Count(r.Context(), e.ID)
	if err != nil {
		return "", err
	}
	if !l.Open && counts.Total() == 0 {
		return "", nil
	}
	t, _ := e.Translation(lang)
	base := content.URL(content.Statement, lang, t.Slug)
	now := h.now()
	d := panelData{L: h.rd.I18n().Localizer(lang), Lang: lang, Letter: l, Counts: counts,
		Accepting: l.Accepting(now), Closed: l.Closed(now), SignURL: base + "/sign", ListURL: base + "/signatures"}
	d.Mirror = web.MirrorOf(r).Notice(d.L, d.SignURL)
	if !l.ClosesAt.IsZero() {
		d.ClosesAt = l.ClosesAt.In(h.zone)
	}
	return h.render("public_signatures", "letter_panel", d)
}

type signPage struct {
	web.Page
	Statement content.Translation
	Letter    Letter
	Accepting bool
	Form      SignatureForm
	Errors    map[string]string // field → translated message
	Error     string            // a message key for the whole form
	Guard     template.HTML
	Countries []Country
	OrgTypes  []Option
	BackURL   string
}

func (h *Handlers) signPage(r *http.Request, lang string, t content.Translation, l Letter) signPage {
	p := signPage{Page: h.rd.PublicPage(r, lang), Statement: t, Letter: l, Accepting: l.Accepting(h.now()),
		Errors: map[string]string{}, Countries: Countries(lang), OrgTypes: OrgTypes,
		BackURL: content.URL(content.Statement, lang, t.Slug)}
	p.Title = p.L.T("letter.sign_title", "Title", t.Title)
	p.NoIndex = true
	p.Crumbs = []web.Crumb{{Name: t.Title, URL: p.BackURL}, {Name: p.L.T("letter.sign")}}
	if p.Accepting {
		p.Guard = h.guard.FieldsLabel(formName, p.L.T("guard.leave_empty"))
	}
	switch {
	case l.Organisations:
		p.Form.Kind = Organisation
	default:
		p.Form.Kind = Individual
	}
	return p
}

// alternates are the same page of the statement in its other visible
// languages, for the language switcher and hreflang.
func (h *Handlers) alternates(r *http.Request, e *content.Entry, lang, page string) ([]web.Alternate, error) {
	visible, err := h.entries.VisibleLangs(r.Context(), e.ID)
	if err != nil {
		return nil, err
	}
	var out []web.Alternate
	for _, l := range h.rd.I18n().Enabled() {
		if slug, ok := visible[l.Code]; ok {
			out = append(out, web.Alternate{Lang: l, URL: content.URL(content.Statement, l.Code, slug) + "/" + page, Current: l.Code == lang})
		}
	}
	return out, nil
}

// showSignForm serves GET /{lang}/statements/{slug}/sign.
func (h *Handlers) showSignForm(w http.ResponseWriter, r *http.Request) error {
	lang := web.Lang(r)
	e, t, l, err := h.statement(r, lang)
	if err != nil {
		return err
	}
	p := h.signPage(r, lang, t, l)
	if p.Alternates, err = h.alternates(r, e, lang, "sign"); err != nil {
		return err
	}
	private(w)
	return h.rd.Render(w, http.StatusOK, h.tmpl["public_sign"], p)
}

// sign serves POST /{lang}/statements/{slug}/sign: it checks the guard and
// the fields, stores an unverified signature and mails its links, or
// shows the form again with what is wrong, storing nothing.
func (h *Handlers) sign(w http.ResponseWriter, r *http.Request) error {
	lang := web.Lang(r)
	e, t, l, err := h.statement(r, lang)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return web.BadRequest("form.unreadable")
	}
	p := h.signPage(r, lang, t, l)
	p.Form = readSignForm(r.PostForm)
	if !p.Accepting {
		return h.rd.Render(w, http.StatusConflict, h.tmpl["public_sign"], p)
	}
	// Fields first: a person correcting a typo should not spend the
	// rate limit, which is for what gets stored and mailed.
	sig, errs := CheckSignature(l, p.Form)
	if len(errs) > 0 {
		p.Errors, p.Error = p.L.Errors(errs), "form.has_errors"
		return h.rd.Render(w, http.StatusUnprocessableEntity, h.tmpl["public_sign"], p)
	}
	verdict, err := h.guard.Check(r, formName)
	var refusal *guard.Refusal
	if errors.As(err, &refusal) {
		p.Error = refusal.Key
		status := refusal.Status()
		return h.rd.Render(w, status, h.tmpl["public_sign"], p)
	}
	if err != nil {
		return err
	}
	sig.EntryID, sig.Lang, sig.Flagged = e.ID, lang, verdict.Flagged
	err = h.store.Sign(r.Context(), sig, h.signatureMail(r, t))
	if errors.Is(err, ErrDuplicateOrg) {
		p.Errors["name"], p.Error = p.L.T("letter.duplicate_org"), "letter.duplicate_org"
		return h.rd.Render(w, http.StatusConflict, h.tmpl["public_sign"], p)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, p.BackURL+"/signed", http.StatusSeeOther)
	return nil
}

// readSignForm reads the signing form as CheckSignature expects it: trimmed,
// the name's spaces collapsed, the country in capitals.
func readSignForm(v url.Values) SignatureForm {
	clean := func(k string) string { return strings.TrimSpace(v.Get(k)) }
	return SignatureForm{Kind: clean("kind"), Name: strings.Join(strings.Fields(clean("name")), " "), OrgType: clean("org_type"),
		Country: strings.ToUpper(clean("country")), Website: clean("website"), Email: clean("email"), Consent: v.Get("consent") == "yes"}
}

// messagePage is a short page: a notice, maybe a form with one button.
type messagePage struct {
	web.Page
	Heading   string
	Message   string
	Note      string
	Action    string // a form's address, when the page asks to confirm
	Button    string
	Danger    bool
	Links     []web.Crumb
	Statement string
}

func (h *Handlers) message(r *http.Request, lang, heading string) messagePage {
	p := messagePage{Page: h.rd.PublicPage(r, lang)}
	p.Heading = p.L.T(heading)
	p.Title = p.Heading
	p.NoIndex = true
	return p
}

// signed serves GET /{lang}/statements/{slug}/signed: check your mail.
func (h *Handlers) signed(w http.ResponseWriter, r *http.Request) error {
	lang := web.Lang(r)
	_, t, _, err := h.statement(r, lang)
	if err != nil {
		return err
	}
	private(w)
	p := h.message(r, lang, "letter.signed_heading")
	p.Message = p.L.N("letter.signed_message", int(VerifyWithin/time.Hour))
	p.Note = p.L.T("letter.signed_note")
	p.Links = []web.Crumb{{Name: t.Title, URL: content.URL(content.Statement, lang, t.Slug)}}
	return h.rd.Render(w, http.StatusOK, h.tmpl["public_message"], p)
}

// countryGroup is the approved signatories of one country on a page of
// the list.
type countryGroup struct {
	Code, Name string
	Count      int // the country's signatories on every page
	Signatures []Signature
	// Continued: the country began on the previous page, so its heading
	// says so. Continues: it goes on on the next page.
	Continued, Continues bool
}

type signaturesPage struct {
	web.Page
	Statement content.Translation
	Panel     template.HTML
	Groups    []countryGroup
	Index     []countryLink // every country of the list, to jump to
	Pager     web.Pager
	BackURL   string
}

// signatures serves GET /{lang}/statements/{slug}/signatures?page=n: the
// approved signatories grouped by country, countries in the language's
// alphabetical order, SignatoriesPerPage a page; a country spread over
// two pages has its heading on both. A public, cacheable page; no email
// is on it.
func (h *Handlers) signatures(w http.ResponseWriter, r *http.Request) error {
	lang := web.Lang(r)
	e, t, _, err := h.statement(r, lang)
	if err != nil {
		return err
	}
	back := content.URL(content.Statement, lang, t.Slug)
	base := back + "/signatures"
	n, err := pageNumber(r)
	if err != nil {
		return err
	}
	if n == 1 && r.URL.Query().Has("page") {
		http.Redirect(w, r, base, http.StatusMovedPermanently) // #nosec G710 -- a path of this site, built from the statement's slug
		return nil
	}
	list, err := h.store.Signatories(r.Context(), e.ID, lang, n, SignatoriesPerPage)
	if errors.Is(err, db.ErrNotFound) {
		return web.NotFound()
	}
	if err != nil {
		return err
	}
	p := signaturesPage{Page: h.rd.PublicPage(r, lang), Statement: t, BackURL: back}
	p.Pager = web.Pager{Page: n, Pages: list.Pages, URL: func(k int) string {
		if k == 1 {
			return base
		}
		return base + "?page=" + strconv.Itoa(k)
	}}
	p.Title = p.L.T("letter.signatures_title", "Title", t.Title)
	if n > 1 {
		p.Title = p.L.T("pager.title", "Title", p.Title, "Page", p.L.Number(n))
	}
	p.Canonical = p.Pager.URL(n)
	if p.Alternates, err = h.alternates(r, e, lang, "signatures"); err != nil {
		return err
	}
	p.Crumbs = []web.Crumb{{Name: t.Title, URL: p.BackURL}, {Name: p.L.T("letter.signatories")}}
	if p.Panel, err = h.EntryAction(r, e, lang); err != nil {
		return err
	}
	p.Groups = groupByCountry(list, lang)
	for _, c := range list.Index {
		link := countryLink{Name: CountryName(c.Code, lang), Count: c.Count, URL: "#country-" + c.Code}
		if c.Page != n {
			link.URL = p.Pager.URL(c.Page) + link.URL
		}
		p.Index = append(p.Index, link)
	}
	return h.rd.Render(w, http.StatusOK, h.tmpl["public_signatures"], p)
}

// countryLink is a country in the signatories page's index.
type countryLink struct {
	Name  string
	Count int
	URL   string
}

// pageNumber reads ?page=n: 1 when there is none, a 404 for a number that
// is not a page, a 400 for what is not a number at all.
func pageNumber(r *http.Request) (int, error) {
	q := r.URL.Query()
	if !q.Has("page") {
		return 1, nil
	}
	s := q.Get("page")
	if s == "" || len(q["page"]) > 1 || strings.Trim(s, "0123456789") != "" {
		return 0, web.BadRequest("letter.err_page")
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || strconv.Itoa(n) != s {
		return 0, web.NotFound()
	}
	return n, nil
}

// groupByCountry cuts a page of the list, already in order, into its
// countries.
func groupByCountry(list SignatoryPage, lang string) []countryGroup {
	var out []countryGroup
	for _, sig := range list.Signatures {
		if len(out) == 0 || out[len(out)-1].Code != sig.Country {
			out = append(out, countryGroup{Code: sig.Country, Name: CountryName(sig.Country, lang), Count: list.ByCountry[sig.Country]})
		}
		g := &out[len(out)-1]
		g.Signatures = append(g.Signatures, sig)
	}
	if len(out) > 0 {
		out[0].Continued = list.Continued
		out[len(out)-1].Continues = list.Continues
	}
	return out
}

// statementOf finds the statement a signature belongs to, in lang or
// else its source language, for the pages of the private links.
func (h *Handlers) statementOf(r *http.Request, sig Signature, lang string) (content.Translation, error) {
	e, err := h.entries.Entry(r.Context(), sig.EntryID)
	if err != nil {
		return content.Translation{}, err
	}
	if t, ok := e.Translation(lang); ok && t.Visible(h.now()) {
		return t, nil
	}
	return e.Source(), nil
}
