package people

import (
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"peerpress/internal/auth"
	"peerpress/internal/participant"
	"peerpress/internal/web"
)

// unlockPage is the form that unlocks the organisation's key for the
// staff member's session.
type unlockPage struct {
	web.Page
	OrgKey   bool // the site seals to an organisation key
	Unlocked bool // this session holds it
	Error    string
	Minutes  int // the idle time after which it is forgotten
}

func (h *Handlers) unlockData(r *http.Request) unlockPage {
	p := unlockPage{Page: h.page(r, "people.unlock_title"), OrgKey: h.reg.Vault.OrgRecipient() != "", Unlocked: participant.IsUnlocked(r.Context())}
	if h.reg.Keys != nil {
		p.Minutes = int(h.reg.Keys.Idle.Minutes())
	}
	return p
}

// UnlockForm serves GET /admin/people/unlock.
func (h *Handlers) UnlockForm(w http.ResponseWriter, r *http.Request) error {
	p := h.unlockData(r)
	if r.URL.Query().Get("locked") == "1" {
		p.Flash = p.L.T("people.locked_now")
	}
	return h.rd.Render(w, http.StatusOK, h.tmpl["unlock"], p)
}

// maxKeyFile bounds the pasted key file: an armoured age file of one
// identity is about 500 bytes.
const maxKeyFile = 8 << 10

// Unlock serves POST /admin/people/unlock: the key file's text and its
// passphrase open the organisation's key, held in memory for this session
// only. Neither is logged or stored.
func (h *Handlers) Unlock(w http.ResponseWriter, r *http.Request) error {
	p := h.unlockData(r)
	if !p.OrgKey || h.reg.Keys == nil {
		return web.NotFound()
	}
	if err := r.ParseForm(); err != nil {
		return web.BadRequest("form.unreadable")
	}
	file, pass := strings.TrimSpace(r.PostForm.Get("key_file")), r.PostForm.Get("passphrase")
	if file == "" || len(file) > maxKeyFile || pass == "" {
		p.Error = p.L.T("people.unlock_missing")
		return h.rd.Render(w, http.StatusUnprocessableEntity, h.tmpl["unlock"], p)
	}
	sess, _ := auth.SessionFrom(r.Context())
	err := h.reg.Keys.Unlock(sess.CSRFToken, []byte(file), pass, h.reg.Vault.OrgRecipient())
	switch {
	case errors.Is(err, participant.ErrBadIdentity):
		p.Error = p.L.T("people.unlock_wrong")
	case errors.Is(err, participant.ErrWrongOrgKey):
		p.Error = p.L.T("people.unlock_other_key")
	case err != nil:
		return err
	}
	if err != nil {
		return h.rd.Render(w, http.StatusUnprocessableEntity, h.tmpl["unlock"], p)
	}
	slog.Info("organisation key unlocked for a session", "user_id", currentUser(r).ID)
	http.Redirect(w, r, "/admin/people", http.StatusSeeOther)
	return nil
}

// Lock serves POST /admin/people/lock: the session forgets the key.
func (h *Handlers) Lock(w http.ResponseWriter, r *http.Request) error {
	if h.reg.Keys != nil {
		sess, _ := auth.SessionFrom(r.Context())
		h.reg.Keys.Lock(sess.CSRFToken)
	}
	http.Redirect(w, r, "/admin/people/unlock?locked=1", http.StatusSeeOther)
	return nil
}
