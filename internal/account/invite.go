package account

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"peerpress/internal/auth"
	"peerpress/internal/db"
	"peerpress/internal/i18n"
	"peerpress/internal/mail"
	"peerpress/internal/web"
)

// Inviter invites people to the admin by mail, for the users page and
// `peerpress user invite`: the mail carries a single-use link with which
// they choose their own password.
type Inviter struct {
	Users    *auth.Store
	Mailer   *mail.Mailer
	Langs    func() *i18n.Bundle
	SiteName string
}

// InviteRequest is an invitation and what its mail needs.
type InviteRequest struct {
	auth.Invitation
	// Origin is the site's public address, which the link starts with.
	Origin string
	// InviterName signs the mail; "" from the command line.
	InviterName string
}

// InvitePath is where an invitation's link leads, before its token.
const InvitePath = "/admin/invite/"

// Invite makes the invitation and queues its mail, in the language asked
// for when the site offers it, else the site's default. Its errors are
// auth.Store.Invite's.
func (iv *Inviter) Invite(ctx context.Context, req InviteRequest) (auth.User, error) {
	b := iv.Langs()
	if _, ok := b.Get(req.Lang); !ok {
		req.Lang = b.Default().Code
	}
	l := b.Localizer(req.Lang)
	return iv.Users.Invite(ctx, req.Invitation, func(ctx context.Context, tx *db.Tx, u auth.User, token string) error {
		return iv.Mailer.Send(ctx, tx, inviteMail(l, iv.SiteName, req.InviterName, u, req.Origin+InvitePath+token))
	})
}

func inviteMail(l *i18n.Localizer, site, inviter string, u auth.User, link string) mail.Message {
	if inviter == "" {
		inviter = l.T("account.invite_mail_an_admin")
	}
	name := u.Name
	if name == "" {
		name = u.Email
	}
	return mail.Message{To: u.Email, Subject: l.T("account.invite_mail_subject", "Site", site),
		Text: l.T("account.invite_mail_text", "Name", name, "Inviter", inviter, "Site", site, "Role", l.T("role."+string(u.Role)), "Link", link)}
}

// inviteError is the form's message key for an invitation refused.
func inviteError(err error) (field, key string) {
	switch {
	case errors.Is(err, auth.ErrInvalidEmail):
		return "email", "form.invalid_email"
	case errors.Is(err, auth.ErrEmailTaken), errors.Is(err, auth.ErrAlreadyActive):
		return "email", "account.already_active"
	case errors.Is(err, auth.ErrUserDisabled):
		return "email", "account.invite_disabled"
	case errors.Is(err, auth.ErrNameTooLong):
		return "name", "form.too_long"
	}
	return "", ""
}

// invitePage is the page an invitation's link opens: the password form,
// or why the link no longer works.
type invitePage struct {
	web.Page
	Invited auth.User
	Token   string
	Error   string // a message key about the password
	// Ended is the message key of a link that can no longer be used.
	Ended string
}

// invitation loads the link's page in the invitation's language.
func (h *Handlers) invitation(r *http.Request) (invitePage, error) {
	token := r.PathValue("token")
	u, lang, err := h.users.PendingInvitation(r.Context(), token)
	p := invitePage{Page: h.rd.AdminPage(r), Invited: u, Token: token}
	if lang != "" {
		p.Page = h.rd.Page(r, lang)
	}
	p.NoIndex = true
	p.Title = p.L.T("account.invite_title")
	switch {
	case errors.Is(err, auth.ErrInviteUsed):
		p.Ended = "account.invite_used"
	case errors.Is(err, auth.ErrInviteInvalid):
		p.Ended = "account.invite_invalid"
	case err != nil:
		return p, err
	}
	return p, nil
}

// InviteForm serves GET /admin/invite/{token}.
func (h *Handlers) InviteForm(w http.ResponseWriter, r *http.Request) error {
	p, err := h.invitation(r)
	if err != nil {
		return err
	}
	if p.Ended != "" {
		return h.rd.Render(w, http.StatusGone, h.tmpl["invite"], p)
	}
	return h.rd.Render(w, http.StatusOK, h.tmpl["invite"], p)
}

// AcceptInvite serves POST /admin/invite/{token}: the password chosen is
// set, the link used up, and its user signed in.
func (h *Handlers) AcceptInvite(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return web.BadRequest("form.unreadable")
	}
	p, err := h.invitation(r)
	if err != nil {
		return err
	}
	if p.Ended != "" {
		return h.rd.Render(w, http.StatusGone, h.tmpl["invite"], p)
	}
	u, err := h.users.AcceptInvitation(r.Context(), p.Token, r.PostForm.Get("password"))
	switch {
	case errors.Is(err, auth.ErrWeakPassword):
		p.Error = "account.weak_password"
		return h.rd.Render(w, http.StatusUnprocessableEntity, h.tmpl["invite"], p)
	case errors.Is(err, auth.ErrInviteUsed), errors.Is(err, auth.ErrInviteInvalid):
		// Used or ended between the form and now.
		p.Ended = map[bool]string{true: "account.invite_used", false: "account.invite_invalid"}[errors.Is(err, auth.ErrInviteUsed)]
		return h.rd.Render(w, http.StatusGone, h.tmpl["invite"], p)
	case err != nil:
		return err
	}
	token, sess, err := h.users.CreateSession(r.Context(), u.ID)
	if err != nil {
		return err
	}
	auth.SetSessionCookie(w, r, token, sess.ExpiresAt)
	slog.Info("invitation accepted", "user_id", u.ID)
	http.Redirect(w, r, u.Role.Home(), http.StatusSeeOther)
	return nil
}

// invite invites from the users page, in the inviting admin's language.
func (h *Handlers) invite(r *http.Request, email, name string, role auth.Role, langs []string) error {
	me, _ := auth.UserFrom(r.Context())
	_, err := h.inviter.Invite(r.Context(), InviteRequest{
		Invitation: auth.Invitation{Email: email, Name: name, Role: role, Languages: langs, By: me.ID,
			Lang: h.page(r, "admin.users").L.Lang.Code},
		Origin: web.Origin(h.rd.BaseURL, r), InviterName: strings.TrimSpace(me.Name)})
	return err
}
