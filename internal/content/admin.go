package content

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"peerpress/internal/auth"
	"peerpress/internal/db"
	"peerpress/internal/markup"
	"peerpress/internal/media"
	"peerpress/internal/participant"
	"peerpress/internal/web"
)

// MediaSaver stores uploads without their metadata — featured images and
// attached documents — and deletes them; the media package provides it.
type MediaSaver interface {
	MediaFinder
	SaveImage(ctx context.Context, r io.Reader, alt, lang string, lim media.Limits) (media.Media, error)
	SaveDocument(ctx context.Context, r io.Reader, lang string, lim media.DocLimits) (media.Media, error)
	Delete(ctx context.Context, id int64) error
}

// Admin serves the editor's pages for entries and their taxonomy.
type Admin struct {
	store *Store
	md    *Markdown
	rd    *web.Renderer
	media MediaSaver
	zone  *time.Location
	tmpl  map[string]*template.Template
	// Linkers lead from an entry's editor to other packages' pages about
	// the entry.
	Linkers []EditorLinker
	audit   participant.Recorder
	paste   *markup.Converter
	// Public renders previews of the unsaved form as readers will see the
	// page; nil: no preview.
	Public *Public
}

// recordPublish writes to the audit log that a translation went public:
// saved as published when it was not before (e nil: a new entry).
func (a *Admin) recordPublish(r *http.Request, e *Entry, id int64, tr TranslationInput) {
	if tr.Status != Published {
		return
	}
	if e != nil {
		if old, ok := e.Translation(tr.Lang); ok && old.Status == Published {
			return
		}
	}
	err := a.audit.Record(r.Context(), participant.Access{UserID: currentUser(r).ID, Action: "content/publish",
		Target: fmt.Sprintf("entry %d %s", id, tr.Lang)})
	if err != nil {
		slog.ErrorContext(r.Context(), "content: audit log", "err", err)
	}
}

// NewAdmin parses the admin templates.
func NewAdmin(store *Store, md *Markdown, rd *web.Renderer, media MediaSaver, zone *time.Location) (*Admin, error) {
	tmpl, err := rd.Templates(templates, "templates/admin_*.html")
	if err != nil {
		return nil, err
	}
	return &Admin{store: store, md: md, rd: rd, media: media, zone: zone, tmpl: tmpl, audit: participant.NewAudit(store.db),
		paste: markup.NewConverter()}, nil
}

// page starts the data of an admin page, in the site's default language.
func (a *Admin) page(r *http.Request, title string) web.Page {
	p := a.rd.AdminPage(r)
	p.Title = p.L.T(title)
	p.NoIndex = true
	return p
}

// currentUser returns the logged-in user; admin routes are wrapped so that
// there always is one.
func currentUser(r *http.Request) auth.User {
	u, _ := auth.UserFrom(r.Context())
	return u
}

// canEdit reports whether u may change e itself and its source text:
// editors and admins any entry, authors their own, translators none.
func canEdit(u auth.User, e *Entry) bool {
	return u.Role.CanEditAll() || (u.Role == auth.RoleAuthor && e.AuthorID != 0 && e.AuthorID == u.ID)
}

// canTranslate reports whether u may change e's translation into lang:
// translators in their languages (never the source), others when they
// may edit the entry.
func canTranslate(u auth.User, e *Entry, lang string) bool {
	if u.Role == auth.RoleTranslator {
		return lang != e.SourceLang && u.CanTranslate(lang)
	}
	return canEdit(u, e)
}

// loadEntry reads {id} and loads the entry the user may edit.
func (a *Admin) loadEntry(r *http.Request) (*Entry, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return nil, web.NotFound()
	}
	e, err := a.store.Entry(r.Context(), id)
	if errors.Is(err, db.ErrNotFound) {
		return nil, web.NotFound()
	}
	if err != nil {
		return nil, err
	}
	if !canEdit(currentUser(r), e) {
		return nil, web.Forbidden()
	}
	return e, nil
}

// listPage is the data of the entry list.
type listPage struct {
	web.Page
	Rows     []AdminRow
	Total    int
	Pager    web.Pager
	Filter   AdminFilter
	Kinds    []Kind
	Statuses []Status
	Sections []Section
	// AnyOutdated shows the legend that explains the outdated marker.
	AnyOutdated bool
}

// List serves GET /admin/entries with filters in the query string.
func (a *Admin) List(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	u := currentUser(r)
	f := AdminFilter{Kind: Kind(q.Get("kind")), Status: Status(q.Get("status")), Lang: q.Get("lang"), Query: q.Get("q")}
	// Unknown filter values are ignored rather than refused: a stale
	// bookmark still shows a list.
	if !f.Kind.Valid() {
		f.Kind = ""
	}
	if !f.Status.Valid() {
		f.Status = ""
	}
	if _, ok := a.rd.I18n().Get(f.Lang); !ok {
		f.Lang = ""
	}
	if len(f.Query) > 200 {
		f.Query = f.Query[:200]
	}
	if id, err := strconv.ParseInt(q.Get("section"), 10, 64); err == nil && id > 0 {
		f.SectionID = id
	}
	if u.Role == auth.RoleAuthor {
		f.AuthorID = u.ID
	}
	n, err := strconv.Atoi(q.Get("page"))
	if err != nil || n < 1 {
		n = 1
	}
	const perPage = 30
	rows, total, err := a.store.AdminList(r.Context(), f, n, perPage)
	if err != nil {
		return err
	}
	sections, err := a.store.Sections(r.Context())
	if err != nil {
		return err
	}
	data := listPage{Page: a.page(r, "admin.entries"), Rows: rows, Total: total, Filter: f, Kinds: Kinds(), Statuses: Statuses, Sections: sections}
	for _, row := range rows {
		for _, l := range row.Langs {
			data.AnyOutdated = data.AnyOutdated || l.Outdated
		}
	}
	base := *r.URL
	data.Pager = web.Pager{Page: n, Pages: max(1, (total+perPage-1)/perPage), URL: func(k int) string {
		v := base.Query()
		v.Set("page", strconv.Itoa(k))
		return "/admin/entries?" + v.Encode()
	}}
	if r.URL.Query().Get("saved") != "" {
		data.Flash = data.L.T("admin.saved")
	}
	if r.URL.Query().Get("deleted") != "" {
		data.Flash = data.L.T("admin.deleted")
	}
	return a.rd.Render(w, http.StatusOK, a.tmpl["admin_entries"], data)
}
