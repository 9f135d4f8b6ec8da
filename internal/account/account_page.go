package account

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"peerpress/internal/auth"
	"peerpress/internal/db"
	"peerpress/internal/i18n"
	"peerpress/internal/web"
)

// accountPage is a user's own account: the admin's language, their
// password and their sessions.
type accountPage struct {
	web.Page
	Languages []i18n.Language
	Sessions  []auth.SessionInfo
	Current   string // the id of this browser's session
	// Errors are message keys by field of the password form.
	Errors map[string]string
}

func (h *Handlers) accountPage(r *http.Request) (accountPage, error) {
	p := accountPage{Page: h.page(r, "account.title"), Languages: web.AdminLanguages(), Errors: map[string]string{}}
	sess, _ := auth.SessionFrom(r.Context())
	p.Current = sess.ID
	var err error
	p.Sessions, err = h.users.Sessions(r.Context(), p.User.ID)
	return p, err
}

// Account serves GET /admin/account.
func (h *Handlers) Account(w http.ResponseWriter, r *http.Request) error {
	p, err := h.accountPage(r)
	if err != nil {
		return err
	}
	switch {
	case r.URL.Query().Get("language") != "":
		p.Flash = p.L.T("account.language_saved")
	case r.URL.Query().Get("password") != "":
		p.Flash = p.L.T("account.password_changed")
	case r.URL.Query().Get("revoked") != "":
		p.Flash = p.L.T("account.session_revoked")
	}
	return h.rd.Render(w, http.StatusOK, h.tmpl["account"], p)
}

// SetLanguage serves POST /admin/account/language: "" follows the
// browser; anything else must be a catalog that exists.
func (h *Handlers) SetLanguage(w http.ResponseWriter, r *http.Request) error {
	u, _ := auth.UserFrom(r.Context())
	lang := r.PostFormValue("lang")
	if lang != "" {
		if _, ok := i18n.Lookup(lang); !ok {
			return web.BadRequest("form.invalid_choice")
		}
	}
	if err := h.users.SetAdminLanguage(r.Context(), u.ID, lang); err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/account?language=1", http.StatusSeeOther)
	return nil
}

// ChangePassword serves POST /admin/account/password: the current
// password is required; every session ends, and this browser gets a new
// one.
func (h *Handlers) ChangePassword(w http.ResponseWriter, r *http.Request) error {
	u, _ := auth.UserFrom(r.Context())
	err := h.users.ChangePassword(r.Context(), u.ID, r.PostFormValue("current"), r.PostFormValue("password"))
	var throttled *auth.ThrottledError
	if err != nil {
		p, perr := h.accountPage(r)
		if perr != nil {
			return perr
		}
		switch {
		case errors.As(err, &throttled):
			p.Errors["current"] = "account.try_later"
		case errors.Is(err, auth.ErrBadCredentials):
			p.Errors["current"] = "account.wrong_current_password"
		case errors.Is(err, auth.ErrWeakPassword):
			p.Errors["password"] = "account.weak_password"
		default:
			return err
		}
		p.Flash = p.L.T("form.has_errors")
		return h.rd.Render(w, http.StatusUnprocessableEntity, h.tmpl["account"], p)
	}
	token, sess, err := h.users.StartSession(r.Context(), u.ID, r.UserAgent())
	if err != nil {
		return err
	}
	auth.SetSessionCookie(w, r, token, sess.ExpiresAt)
	http.Redirect(w, r, "/admin/account?password=1", http.StatusSeeOther)
	return nil
}

// RevokeSession serves POST /admin/account/sessions/{id}/revoke: a user
// signs out one of their own sessions, this one included.
func (h *Handlers) RevokeSession(w http.ResponseWriter, r *http.Request) error {
	u, _ := auth.UserFrom(r.Context())
	id := r.PathValue("id")
	if err := h.users.RevokeSession(r.Context(), u.ID, id); errors.Is(err, db.ErrNotFound) {
		return web.NotFound()
	} else if err != nil {
		return err
	}
	if sess, _ := auth.SessionFrom(r.Context()); sess.ID == id {
		auth.ClearSessionCookie(w, r)
		http.Redirect(w, r, "/admin/login?out=1", http.StatusSeeOther)
		return nil
	}
	http.Redirect(w, r, "/admin/account?revoked=1", http.StatusSeeOther)
	return nil
}

// until names when a wait ends, in the reader's language and with its
// zone.
func until(l *i18n.Localizer, wait time.Duration) string {
	return l.DateTime(time.Now().Add(wait).Truncate(time.Second).UTC())
}

// Device is a session's browser and system as the list shows them.
func (p accountPage) Device(s auth.SessionInfo) string {
	if strings.TrimSpace(s.Device) == "" {
		return p.L.T("account.session_unknown_device")
	}
	return s.Device
}
