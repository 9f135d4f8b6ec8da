// Package people serves the staff's pages over the site's personal data:
// /admin/people, where an administrator looks a person up by email, sees
// everything every feature holds about them, exports it as JSON and
// erases it; and /admin/audit, the log of every such access (and of the
// features' own exports). Both are for administrators only.
package people

import (
	"embed"
	"html/template"
	"net/http"

	"peerpress/internal/auth"
	"peerpress/internal/participant"
	"peerpress/internal/web"
)

//go:embed templates/*.html
var templates embed.FS

// Handlers serves the people and audit pages.
type Handlers struct {
	reg   *participant.Registry
	users *auth.Store // names the staff in the audit log
	rd    *web.Renderer
	tmpl  map[string]*template.Template
}

// New parses the pages' templates.
func New(reg *participant.Registry, users *auth.Store, rd *web.Renderer) (*Handlers, error) {
	tmpl, err := rd.Templates(templates, "templates/*.html")
	if err != nil {
		return nil, err
	}
	return &Handlers{reg: reg, users: users, rd: rd, tmpl: tmpl}, nil
}

// Routes declares the admin's pages: a person's data and the audit log,
// for the admin alone.
func (h *Handlers) Routes(rs *web.Routes) {
	rs.Admin("GET /admin/people", h.Search, web.Need(auth.ManageSite))
	rs.Admin("POST /admin/people", h.Show, web.Need(auth.ManageSite))
	rs.Admin("POST /admin/people/export", h.Export, web.Need(auth.ManageSite))
	rs.Admin("POST /admin/people/erase", h.Erase, web.Need(auth.ManageSite))
	rs.Admin("GET /admin/audit", h.Audit, web.Need(auth.ManageSite))
	// The organisation's key, unlocked for one staff session: whoever
	// reads registrants (writers) may need it.
	rs.Admin("GET /admin/people/unlock", h.UnlockForm, web.Need(auth.Write))
	rs.Admin("POST /admin/people/unlock", h.Unlock, web.Need(auth.Write))
	rs.Admin("POST /admin/people/lock", h.Lock, web.Need(auth.Write))
}

// currentUser is the signed-in admin: the route table let no one else in.
func currentUser(r *http.Request) auth.User {
	u, _ := auth.UserFrom(r.Context())
	return u
}

func (h *Handlers) page(r *http.Request, title string) web.Page {
	p := h.rd.AdminPage(r)
	p.Title = p.L.T(title)
	p.NoIndex = true
	return p
}
