package letter

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"html/template"
	"net/http"
	"time"

	"peerpress/internal/content"
	"peerpress/internal/db"
	"peerpress/internal/guard"
	"peerpress/internal/mail"
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
	return &Handlers{store: cfg.Store, entries: cfg.Entries, guard: cfg.Guard, mailer: cfg.Mailer, rd: cfg.Render,
		zone: zone, tmpl: tmpl, now: time.Now}, nil
}

// formName names the signing form to the guard.
const formName = "letter.sign"

// Routes registers the public pages for every enabled language, and the
// staff pages.
func (h *Handlers) Routes(public, admin *http.ServeMux) {
	hd := h.rd.Handle
	for _, l := range h.rd.I18n.Enabled() {
		lang := "/" + l.Code
		// One pattern for the statement's own pages: /sign, /signed and
		// /signatures beside /{slug} would clash with the archive's
		// /page/{n} in ServeMux.
		public.Handle("GET "+lang+"/statements/{slug}/{page}", hd(h.statementPage(l.Code)))
		public.Handle("POST "+lang+"/statements/{slug}/sign", hd(h.sign(l.Code)))
		public.Handle("GET "+lang+"/signatures/verify/{token}", hd(h.confirmVerify(l.Code)))
		public.Handle("POST "+lang+"/signatures/verify/{token}", hd(h.verify(l.Code)))
		public.Handle("GET "+lang+"/signatures/withdraw/{token}", hd(h.confirmWithdraw(l.Code)))
		public.Handle("POST "+lang+"/signatures/withdraw/{token}", hd(h.withdraw(l.Code)))
	}
	admin.Handle("GET /admin/signatures", hd(h.overview))
	admin.Handle("GET /admin/entries/{id}/signatures", hd(h.adminPage))
	admin.Handle("GET /admin/entries/{id}/signatures.csv", hd(h.exportCSV))
	admin.Handle("POST /admin/entries/{id}/signatures/settings", hd(h.saveSettings))
	admin.Handle("POST /admin/entries/{id}/signatures/moderate", hd(h.moderate))
	admin.Handle("POST /admin/entries/{id}/signatures/merge", hd(h.merge))
}

// statementPage serves /{lang}/statements/{slug}/{page}: sign, signed
// (the "check your mail" page) and signatures.
func (h *Handlers) statementPage(lang string) web.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		switch r.PathValue("page") {
		case "sign":
			return h.showSignForm(lang)(w, r)
		case "signed":
			return h.signed(lang)(w, r)
		case "signatures":
			return h.signatures(lang)(w, r)
		}
		return web.NotFound()
	}
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

// private marks a page that must not be kept by the page cache or the
// browser: forms with a fresh challenge, anything reached by a private
// link.
func private(w http.ResponseWriter) {
	w.Header().Set("Cache-Control", "private, no-store")
}

// render executes a named template of the set into a string, for panels.
func (h *Handlers) render(set, name string, data any) (template.HTML, error) {
	var buf bytes.Buffer
	if err := h.tmpl[set].ExecuteTemplate(&buf, name, data); err != nil {
		return "", err
	}
	return template.HTML(buf.String()), nil
}

// Waiting counts verified signatures waiting for a moderator, for the
// moderation dashboard (campaign.Queue).
func (h *Handlers) Waiting(ctx context.Context) (label, url string, n int, err error) {
	n, err = h.store.Waiting(ctx)
	return "letter.queue", "/admin/signatures", n, err
}
