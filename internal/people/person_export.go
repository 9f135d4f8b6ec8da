package people

import (
	"encoding/json"
	"net/http"

	"peerpress/internal/participant"
)

// Export serves POST /admin/people/export: what the site holds about the
// address as a JSON file, for the person who asked for it. The export is
// in the audit log before a byte of it is sent.
func (h *Handlers) Export(w http.ResponseWriter, r *http.Request) error {
	u := currentUser(r)
	who, _, ok, err := h.subject(w, r)
	if !ok || err != nil {
		return err
	}
	found, err := h.reg.Disclose(r.Context(), u.ID, participant.ActionExport, who)
	if err != nil {
		return err
	}
	body, err := json.MarshalIndent(found, "", "  ")
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="personal-data.json"`)
	_, err = w.Write(append(body, '\n'))
	return err
}
