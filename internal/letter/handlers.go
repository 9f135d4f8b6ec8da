package letter

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"html/template"
	"net/http"
	"time"

	"peerpress/internal/auth"
	"peerpress/internal/content"
	"peerpress/internal/db"
	"peerpress/internal/guard"
	"peerpress/internal/mail"
	"peerpress/internal/participant/relink"
	"peerpress/internal/web"
)

//go:embed templates/*.html
var templates embed.FS

// Config is what the handlers need.
type Config struct {
	Store   *Store
	Entries *content.Store
	Guard   *guard.Guard
	Mailer  *mail.Mailer
	Render  *web.Renderer
	Zone    *time.Location // the zone closing times are given in
}

// Handlers serve signing, the signatories' private links and the staff
// pages. They are a content.Panel (the count and the way to sign on a
// statement's page), a content.EditorLinker, a moderation queue and an
// app module.
type Handlers struct {
	store   *Store
	entries *content.Store
	guard   *guard.Guard
	mailer  *mail.Mailer
	rd      *web.Renderer
	zone    *time.Location
	tmpl    map[string]*template.Template
	relink  *relink.Form // the form for a fresh withdrawal link
	now     func() time.Time
}

// New parses the templates; a broken one fails here, at start.
func New(cfg Config) (*Handlers, error) {
	tmpl, err := cfg.Render.Templates(templates, "templates/*.html")
	if err != nil {
		return nil, err
	}
	zone := cfg.Zone
	if zone == nil {
		zone = time.UTC
	}
	h := &Handlers{store: cfg.Store, entries: cfg.Entries, guard: cfg.Guard, mailer: cfg.Mailer, rd: cfg.Render,
		zone: zone, tmpl: tmpl, now: time.Now}
	h.relink, err = relink.New(cfg.Render, cfg.Guard, relink.Form{Name: newLinkForm, Path: NewLinkPath, Class: "letter-message",
		Words: newLinkWords, Send: h.sendFreshLinks})
	if err != nil {
		return nil, err
	}
	return h, nil
}

// formName names the signing form to the guard.
const formName = "letter.sign"

// Routes declares signing, the signatories' private links and the staff
// pages.
func (h *Handlers) Routes(rs *web.Routes) {
	// One pattern for the statement's own pages: /sign, /signed and
	// /signatures beside /{slug} would clash with the archive's /page/{n}
	// in ServeMux. The list of signatories is the same for everyone; the
	// form (its challenge is single-use) and the thank-you page say
	// private, which the page cache respects.
	rs.Page("GET /statements/{slug}/{page}", h.statementPage, web.Cache)
	rs.Page("POST /statements/{slug}/sign", h.sign)
	rs.Page("GET /signatures/verify/{token}", h.confirmVerify, web.Private)
	rs.Page("POST /signatures/verify/{token}", h.verify, web.Private)
	rs.Page("GET /signatures/withdraw/{token}", h.confirmWithdraw, web.Private)
	rs.Page("POST /signatures/withdraw/{token}", h.withdraw, web.Private)
	h.relink.Routes(rs)
	rs.Admin("GET /admin/signatures", h.overview, web.Need(auth.Moderate))
	rs.Admin("GET /admin/entries/{id}/signatures", h.adminPage)
	rs.Admin("GET /admin/entries/{id}/signatures.csv", h.exportCSV, web.Need(auth.Moderate))
	rs.Admin("POST /admin/entries/{id}/signatures/settings", h.saveSettings, web.Need(auth.Write))
	rs.Admin("POST /admin/entries/{id}/signatures/moderate", h.moderate, web.Need(auth.Moderate))
	rs.Admin("POST /admin/entries/{id}/signatures/merge", h.merge, web.Need(auth.Moderate))
	rs.Admin("POST /admin/entries/{id}/signatures/organisation", h.linkOrganisation, web.Need(auth.Moderate))
	// Importing shows and stores signatories' emails, as the export does.
	rs.Admin("GET /admin/entries/{id}/signatures/import", h.importForm, web.Need(auth.Moderate))
	rs.Admin("POST /admin/entries/{id}/signatures/import", h.importSignatures, web.Need(auth.Moderate), web.Body(2*ImportLimit+1<<20))
}

// statementPage serves /{lang}/statements/{slug}/{page}: sign, signed
// (the "check your mail" page) and signatures.
func (h *Handlers) statementPage(w http.ResponseWriter, r *http.Request) error {
	switch r.PathValue("page") {
	case "sign":
		return h.showSignForm(w, r)
	case "signed":
		return h.signed(w, r)
	case "signatures":
		return h.signatures(w, r)
	}
	return web.NotFound()
}

// statement finds the visible statement at /{lang}/statements/{slug} and
// its signing settings; a statement never opened for signatures is a 404
// here.
func (h *Handlers) statement(r *http.Request, lang string) (*content.Entry, content.Translation, Letter, error) {
	e, err := h.entries.BySlug(r.Context(), lang, r.PathValue("slug"))
	if errors.Is(err, db.ErrNotFound) {
		return nil, content.Translation{}, Letter{}, web.NotFound()
	}
	if err != nil {
		return nil, content.Translation{}, Letter{}, err
	}
	t, ok := e.Translation(lang)
	if !ok || e.Kind != content.Statement || !t.Visible(h.now()) {
		return nil, t, Letter{}, web.NotFound()
	}
	l, err := h.store.Letter(r.Context(), e.ID)
	if err != nil {
		return nil, t, l, err
	}
	if !l.Open {
		// Never opened, or taken back: its signatures, if any, stay
		// readable.
		counts, err := h.store.Count(r.Context(), e.ID)
		if err != nil {
			return nil, t, l, err
		}
		if counts.Total() == 0 {
			return nil, t, l, web.NotFound()
		}
	}
	return e, t, l, nil
}

// private keeps one page of a cached route out of the page cache: the
// statement's /{page} route is cached for its list of signatories, but
// its sign form (a single-use challenge) and thank-you page must not be.
// Every other route is kept by no cache unless it says so.
func private(w http.ResponseWriter) {
	w.Header().Set("Cache-Control", "private, no-store")
}

// render executes a named template of the set into a string, for panels.
func (h *Handlers) render(set, name string, data any) (template.HTML, error) {
	var buf bytes.Buffer
	if err := h.tmpl[set].ExecuteTemplate(&buf, name, data); err != nil {
		return "", err
	}
	return template.HTML(buf.String()), nil // #nosec G203 -- output of html/template, escaped by it
}

// Waiting counts verified signatures waiting for a moderator, for the
// moderation dashboard (campaign.Queue).
func (h *Handlers) Waiting(ctx context.Context) (label, url string, n int, err error) {
	n, err = h.store.Waiting(ctx)
	return "letter.queue", "/admin/signatures", n, err
}
