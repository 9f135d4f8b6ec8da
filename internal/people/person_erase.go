package people

import (
	"net/http"
	"strconv"

	"peerpress/internal/participant"
)

// Erase serves POST /admin/people/erase. Without confirm=yes it asks,
// saying how many records each feature would lose; with it, it erases
// them all, records that in the audit log, and goes back to the form.
func (h *Handlers) Erase(w http.ResponseWriter, r *http.Request) error {
	u := currentUser(r)
	who, p, ok, err := h.subject(w, r)
	if !ok || err != nil {
		return err
	}
	if r.PostForm.Get("confirm") != "yes" {
		// Counting opens the records: a look-up like any other.
		found, err := h.reg.Disclose(r.Context(), u.ID, participant.ActionView, who)
		if err != nil {
			return err
		}
		p.Title = p.L.T("people.erase_title")
		p.Confirm, p.Counts, p.Total = true, participant.CountRecords(found.Records), len(found.Records)
		return h.rd.Render(w, http.StatusOK, h.tmpl["person"], p)
	}
	counts, err := h.reg.EraseRecorded(r.Context(), u.ID, who)
	if err != nil {
		return err
	}
	n := 0
	for _, c := range counts {
		n += c.N
	}
	http.Redirect(w, r, "/admin/people?erased="+strconv.Itoa(n), http.StatusSeeOther)
	return nil
}
