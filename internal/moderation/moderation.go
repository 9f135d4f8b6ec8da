// Package moderation is the moderators' dashboard, /admin/moderation:
// what waits in every feature area's queue, and the panels of the areas
// that let moderators decide there. It knows no area: each brings its
// queue (campaign's tributes, letter's signatures, and the calls and
// directory applications to come).
package moderation

import (
	"context"
	"embed"
	"html/template"
	"net/http"

	"peerpress/internal/auth"
	"peerpress/internal/web"
)

//go:embed templates/*.html
var templates embed.FS

// A Queue is what waits for moderators in a feature area: the dashboard
// counts it and links to where it is moderated. Label is a message key.
type Queue interface {
	Waiting(ctx context.Context) (label, url string, n int, err error)
}

// A Panel is a Queue whose items are decided on the dashboard itself: it
// draws them, with its own form and messages.
type Panel interface {
	ModerationPanel(r *http.Request) (template.HTML, error)
}

// Handlers serve the dashboard.
type Handlers struct {
	rd   *web.Renderer
	tmpl *template.Template
	// Queues are the areas' queues, in the modules' order.
	Queues []Queue
}

// New parses the dashboard's template.
func New(rd *web.Renderer) (*Handlers, error) {
	tmpl, err := rd.Templates(templates, "templates/*.html")
	if err != nil {
		return nil, err
	}
	return &Handlers{rd: rd, tmpl: tmpl["dashboard"]}, nil
}

// Routes declares the dashboard, for moderators.
func (h *Handlers) Routes(rs *web.Routes) {
	rs.Admin("GET /admin/moderation", h.dashboard, web.Need(auth.Moderate))
}

type count struct {
	Label, URL string
	N          int
}

type dashboard struct {
	web.Page
	Counts []count
	Panels []template.HTML
}

// dashboard serves GET /admin/moderation: the counts waiting in every
// queue, then the panels of the queues that have one.
func (h *Handlers) dashboard(w http.ResponseWriter, r *http.Request) error {
	p := dashboard{Page: h.rd.AdminPage(r)}
	p.Title, p.NoIndex = p.L.T("moderation.title"), true
	for _, q := range h.Queues {
		label, url, n, err := q.Waiting(r.Context())
		if err != nil {
			return err
		}
		p.Counts = append(p.Counts, count{Label: label, URL: url, N: n})
		if panel, ok := q.(Panel); ok {
			html, err := panel.ModerationPanel(r)
			if err != nil {
				return err
			}
			p.Panels = append(p.Panels, html)
		}
	}
	return h.rd.Render(w, http.StatusOK, h.tmpl, p)
}
