// Package relink is the public form where someone who lost a mailed
// private link (a signature's or a tribute's withdrawal link) gives the
// address they used and gets fresh links there, the old ones no longer
// working. The form answers the same whether or not the address is
// known, so it tells nobody who took part; the feature area that holds
// the links finds them, replaces them and mails them (Form.Send).
package relink

import (
	"embed"
	"errors"
	"html/template"
	"net/http"
	"strings"

	"peerpress/internal/guard"
	"peerpress/internal/participant"
	"peerpress/internal/web"
)

//go:embed templates/*.html
var templates embed.FS

// Words are the message keys of one area's form.
type Words struct {
	Title, Intro, Email, Button, Sent string
	// EmailError says the address is not one.
	EmailError string
}

// Form is one area's form, at Path under every language.
type Form struct {
	// Name names the form to the guard.
	Name  string
	Path  string
	Class string // of the page's section, for the area's style; "" for none
	Words Words
	// Send gives fresh links for what email (as typed and checked)
	// holds in the area and mails them, in lang; it answers the same
	// whatever it finds.
	Send func(r *http.Request, lang, email string) error

	rd    *web.Renderer
	guard *guard.Guard
	tmpl  *template.Template
}

// New prepares f to serve with rd's layouts behind g.
func New(rd *web.Renderer, g *guard.Guard, f Form) (*Form, error) {
	tmpl, err := rd.Templates(templates, "templates/*.html")
	if err != nil {
		return nil, err
	}
	f.rd, f.guard, f.tmpl = rd, g, tmpl["new_link"]
	return &f, nil
}

// Routes declares the form's GET and POST.
func (f *Form) Routes(rs *web.Routes) {
	rs.Page("GET "+f.Path, f.show)
	rs.Page("POST "+f.Path, f.send)
}

// page is the form, and what it says once sent.
type page struct {
	web.Page
	Form       *Form
	Action     string
	Guard      template.HTML
	Email      string
	EmailError string // a message key
	Error      string // a message key about the submission
	Sent       bool
}

func (f *Form) page(r *http.Request, lang string) page {
	p := page{Page: f.rd.PublicPage(r, lang), Form: f, Action: "/" + lang + f.Path}
	p.Title = p.L.T(f.Words.Title)
	p.NoIndex = true
	p.Guard = f.guard.FieldsLabel(f.Name, p.L.T("guard.leave_empty"))
	return p
}

// show serves GET /{lang}{Path}.
func (f *Form) show(w http.ResponseWriter, r *http.Request) error {
	p := f.page(r, web.Lang(r))
	p.Sent = r.URL.Query().Get("sent") != ""
	return f.rd.Render(w, http.StatusOK, f.tmpl, p)
}

// send serves POST /{lang}{Path}.
func (f *Form) send(w http.ResponseWriter, r *http.Request) error {
	lang := web.Lang(r)
	if err := r.ParseForm(); err != nil {
		return web.BadRequest("form.unreadable")
	}
	p := f.page(r, lang)
	p.Email = strings.TrimSpace(r.PostForm.Get("email"))
	if _, err := participant.Normalize(p.Email); err != nil {
		p.EmailError, p.Error = f.Words.EmailError, "form.has_errors"
		return f.rd.Render(w, http.StatusUnprocessableEntity, f.tmpl, p)
	}
	_, err := f.guard.Check(r, f.Name)
	var refusal *guard.Refusal
	if errors.As(err, &refusal) {
		p.Error = refusal.Key
		status := refusal.Status()
		return f.rd.Render(w, status, f.tmpl, p)
	}
	if err != nil {
		return err
	}
	if err := f.Send(r, lang, p.Email); err != nil {
		return err
	}
	http.Redirect(w, r, p.Action+"?sent=1", http.StatusSeeOther)
	return nil
}
