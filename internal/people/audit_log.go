package people

import (
	"maps"
	"net/http"
	"net/url"
	"strconv"

	"peerpress/internal/auth"

	"peerpress/internal/participant"
	"peerpress/internal/web"
)

// auditPerPage is how many accesses a page of the log lists.
const auditPerPage = 50

type auditPage struct {
	web.Page
	Rows  []auditRow
	Total int
	Pager web.Pager
	// The filter: its choices and what is chosen.
	Staff   []auth.User
	Actions []string
	Filter  participant.AuditFilter
}

type auditRow struct {
	participant.Access
	Who string // the staff member's email; "" for the command line or a user since deleted
}

// Short is the beginning of the keyed hash of the person looked up:
// enough to tell two look-ups of one person apart from others.
func (r auditRow) Short() string {
	if len(r.Subject) > 12 {
		return r.Subject[:12]
	}
	return r.Subject
}

// Audit serves GET /admin/audit?user=N&action=A&page=N: who opened
// personal data or acted as staff, newest first, narrowed to one staff
// member or one action.
func (h *Handlers) Audit(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	n := 1
	if v := q.Get("page"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 1 {
			return web.NotFound()
		}
	}
	var f participant.AuditFilter
	if v := q.Get("user"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id < 1 {
			return web.BadRequest("form.invalid_choice")
		}
		f.UserID = id
	}
	if v := q.Get("action"); v != "" {
		if len(v) > 100 {
			return web.BadRequest("form.invalid_choice")
		}
		f.Action = v
	}
	list, total, err := h.reg.Audit.Filtered(r.Context(), f, n, auditPerPage)
	if err != nil {
		return err
	}
	pages := max(1, (total+auditPerPage-1)/auditPerPage)
	if n > pages {
		return web.NotFound()
	}
	p := auditPage{Page: h.page(r, "people.audit_title"), Total: total, Filter: f}
	if p.Staff, err = h.users.ListUsers(r.Context()); err != nil {
		return err
	}
	if p.Actions, err = h.reg.Audit.Actions(r.Context()); err != nil {
		return err
	}
	base := url.Values{}
	if f.UserID != 0 {
		base.Set("user", strconv.FormatInt(f.UserID, 10))
	}
	if f.Action != "" {
		base.Set("action", f.Action)
	}
	p.Pager = web.Pager{Page: n, Pages: pages, URL: func(k int) string {
		v := maps.Clone(base)
		v.Set("page", strconv.Itoa(k))
		return "/admin/audit?" + v.Encode()
	}}
	names := map[int64]string{}
	for _, u := range p.Staff {
		names[u.ID] = u.Email
	}
	for _, a := range list {
		p.Rows = append(p.Rows, auditRow{Access: a, Who: names[a.UserID]})
	}
	return h.rd.Render(w, http.StatusOK, h.tmpl["audit"], p)
}
