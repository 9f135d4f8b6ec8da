package account

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"peerpress/internal/auth"
	"peerpress/internal/db"
	"peerpress/internal/i18n"
	"peerpress/internal/mail"
	"peerpress/internal/web"
)

// ResetPath is where a password reset link leads, before its token.
const ResetPath = "/admin/reset/"

// resetPage is the request form (no Token) or the new password form.
type resetPage struct {
	web.Page
	Token string
	For   auth.User
	Email string
	Sent  bool
	Error string // a message key
	Ended bool   // the link can no longer be used
}

// ResetForm serves GET /admin/reset: the form asking for a link.
func (h *Handlers) ResetForm(w http.ResponseWriter, r *http.Request) error {
	return h.rd.Render(w, http.StatusOK, h.tmpl["reset"], resetPage{Page: h.page(r, "account.reset_title")})
}

// RequestReset serves POST /admin/reset. The answer is the same whether
// the address has an account or not, so that the form tells nobody who
// is staff; the mail goes in the reset's transaction.
func (h *Handlers) RequestReset(w http.ResponseWriter, r *http.Request) error {
	p := resetPage{Page: h.page(r, "account.reset_title"), Email: strings.TrimSpace(r.PostFormValue("email"))}
	if len(p.Email) > 254 {
		p.Error = "form.invalid_email"
		return h.rd.Render(w, http.StatusUnprocessableEntity, h.tmpl["reset"], p)
	}
	l, origin := p.L, web.Origin(h.rd.BaseURL, r)
	err := h.users.RequestPasswordReset(r.Context(), p.Email, func(ctx context.Context, tx *db.Tx, u auth.User, token string) error {
		return h.inviter.Mailer.Send(ctx, tx, resetMail(l, h.rd.SiteName, u, origin+ResetPath+token))
	})
	if err != nil {
		return err
	}
	p.Sent, p.Email = true, ""
	return h.rd.Render(w, http.StatusOK, h.tmpl["reset"], p)
}

func resetMail(l *i18n.Localizer, site string, u auth.User, link string) mail.Message {
	name := u.Name
	if name == "" {
		name = u.Email
	}
	return mail.Message{To: u.Email, Subject: l.T("account.reset_mail_subject", "Site", site),
		Text: l.T("account.reset_mail_text", "Name", name, "Site", site, "Link", link)}
}

func (h *Handlers) resetLink(r *http.Request) (resetPage, error) {
	p := resetPage{Page: h.page(r, "account.reset_title"), Token: r.PathValue("token")}
	u, err := h.users.PasswordResetUser(r.Context(), p.Token)
	if errors.Is(err, auth.ErrResetInvalid) {
		p.Ended = true
		return p, nil
	}
	p.For = u
	return p, err
}

// ResetLinkForm serves GET /admin/reset/{token}: the new password form.
func (h *Handlers) ResetLinkForm(w http.ResponseWriter, r *http.Request) error {
	p, err := h.resetLink(r)
	if err != nil {
		return err
	}
	if p.Ended {
		return h.rd.Render(w, http.StatusGone, h.tmpl["reset"], p)
	}
	return h.rd.Render(w, http.StatusOK, h.tmpl["reset"], p)
}

// ResetPassword serves POST /admin/reset/{token}: the new password is
// set, the link used up, every session ended, and this browser signed
// in.
func (h *Handlers) ResetPassword(w http.ResponseWriter, r *http.Request) error {
	p, err := h.resetLink(r)
	if err != nil {
		return err
	}
	if !p.Ended {
		var u auth.User
		u, err = h.users.ResetPassword(r.Context(), p.Token, r.PostFormValue("password"))
		switch {
		case errors.Is(err, auth.ErrWeakPassword):
			p.Error = "account.weak_password"
			return h.rd.Render(w, http.StatusUnprocessableEntity, h.tmpl["reset"], p)
		case errors.Is(err, auth.ErrResetInvalid):
			p.Ended = true
		case err != nil:
			return err
		default:
			token, sess, err := h.users.StartSession(r.Context(), u.ID, r.UserAgent())
			if err != nil {
				return err
			}
			auth.SetSessionCookie(w, r, token, sess.ExpiresAt)
			http.Redirect(w, r, "/admin/account?password=1", http.StatusSeeOther)
			return nil
		}
	}
	return h.rd.Render(w, http.StatusGone, h.tmpl["reset"], p)
}
