package people

import (
	"net/http"
	"strconv"

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

// Audit serves GET /admin/audit?page=N: who opened personal data, newest
// first.
func (h *Handlers) Audit(w http.ResponseWriter, r *http.Request) error {
	n := 1
	if v := r.URL.Query().Get("page"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 1 {
			return web.NotFound()
		}
	}
	list, total, err := h.reg.Audit.Page(r.Context(), n, auditPerPage)
	if err != nil {
		return err
	}
	pages := max(1, (total+auditPerPage-1)/auditPerPage)
	if n > pages {
		return web.NotFound()
	}
	p := auditPage{Page: h.page(r, "people.audit_title"), Total: total}
	p.Pager = web.Pager{Page: n, Pages: pages, URL: func(k int) string { return "/admin/audit?page=" + strconv.Itoa(k) }}
	names := map[int64]string{}
	for _, a := range list {
		row := auditRow{Access: a}
		if a.UserID != 0 {
			name, ok := names[a.UserID]
			if !ok {
				if u, err := h.users.UserByID(r.Context(), a.UserID); err == nil {
					name = u.Email
				}
				names[a.UserID] = name
			}
			row.Who = name
		}
		p.Rows = append(p.Rows, row)
	}
	return h.rd.Render(w, http.StatusOK, h.tmpl["audit"], p)
}
