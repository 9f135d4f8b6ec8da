// Package account serves the admin's sign-in, sign-out and user
// management pages, and the middleware that guards every admin route.
package account

import (
	"embed"
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"peerpress/internal/auth"
	"peerpress/internal/db"
	"peerpress/internal/i18n"
	"peerpress/internal/mail"
	"peerpress/internal/participant"
	"peerpress/internal/web"
)

//go:embed templates/*.html
var templates embed.FS

// Handlers serves the account pages.
type Handlers struct {
	users   *auth.Store
	inviter *Inviter
	rd      *web.Renderer
	tmpl    map[string]*template.Template
}

// New parses the account templates; invitations are mailed through
// mailer.
func New(users *auth.Store, mailer *mail.Mailer, rd *web.Renderer) (*Handlers, error) {
	tmpl, err := rd.Templates(templates, "templates/*.html")
	if err != nil {
		return nil, err
	}
	iv := &Inviter{Users: users, Mailer: mailer, Langs: rd.I18n, SiteName: rd.SiteName}
	return &Handlers{users: users, inviter: iv, rd: rd, tmpl: tmpl}, nil
}

func (h *Handlers) page(r *http.Request, title string) web.Page {
	p := h.rd.AdminPage(r)
	p.Title = p.L.T(title)
	p.NoIndex = true
	return p
}

// loginPage is the data of the sign-in form.
type loginPage struct {
	web.Page
	Email    string
	Next     string
	Error    string
	Passkeys bool // the site can have passkeys: offer to sign in with one
}

// safeNext keeps the after-sign-in redirect inside the admin.
func safeNext(next string) string {
	if strings.HasPrefix(next, "/admin") && !strings.HasPrefix(next, "//") && !strings.Contains(next, "\\") {
		return next
	}
	return "/admin/entries"
}

// LoginForm serves GET /admin/login.
func (h *Handlers) LoginForm(w http.ResponseWriter, r *http.Request) error {
	if _, ok := auth.UserFrom(r.Context()); ok {
		http.Redirect(w, r, "/admin/entries", http.StatusSeeOther)
		return nil
	}
	p := loginPage{Page: h.page(r, "account.sign_in"), Next: safeNext(r.URL.Query().Get("next"))}
	_, p.Passkeys = h.relyingParty(r)
	if r.URL.Query().Get("out") != "" {
		p.Flash = p.L.T("account.signed_out_ok")
	}
	return h.rd.Render(w, http.StatusOK, h.tmpl["login"], p)
}

// Login serves POST /admin/login.
func (h *Handlers) Login(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return web.BadRequest("form.unreadable")
	}
	email := strings.TrimSpace(r.PostForm.Get("email"))
	p := loginPage{Page: h.page(r, "account.sign_in"), Email: email, Next: safeNext(r.PostForm.Get("next"))}
	_, p.Passkeys = h.relyingParty(r)
	u, err := h.users.SignIn(r.Context(), email, r.PostForm.Get("password"))
	var throttled *auth.ThrottledError
	if errors.As(err, &throttled) {
		p.Error = p.L.T("account.too_many_attempts", "Time", until(p.L, throttled.Wait))
		w.Header().Set("Retry-After", strconv.Itoa(int(throttled.Wait/time.Second)))
		return h.rd.Render(w, http.StatusTooManyRequests, h.tmpl["login"], p)
	}
	if errors.Is(err, auth.ErrBadCredentials) {
		p.Error = p.L.T("account.bad_credentials")
		return h.rd.Render(w, http.StatusUnauthorized, h.tmpl["login"], p)
	}
	if err != nil {
		return err
	}
	token, sess, needCode, err := h.users.SignInSecondFactor(r.Context(), u, r.UserAgent())
	if err != nil {
		return err
	}
	auth.SetSessionCookie(w, r, token, sess.ExpiresAt)
	if needCode {
		http.Redirect(w, r, "/admin/login/code?next="+url.QueryEscape(p.Next), http.StatusSeeOther)
		return nil
	}
	if sess.MustEnrol {
		http.Redirect(w, r, auth.EnrolPath, http.StatusSeeOther)
		return nil
	}
	slog.Info("signed in", "user_id", u.ID)
	if p.Next == "/admin/entries" { // the default: the role's own page
		p.Next = u.Role.Home()
	}
	http.Redirect(w, r, p.Next, http.StatusSeeOther)
	return nil
}

// Logout serves POST /admin/logout.
func (h *Handlers) Logout(w http.ResponseWriter, r *http.Request) error {
	if c, err := r.Cookie(auth.CookieName); err == nil {
		if err := h.users.DeleteSession(r.Context(), c.Value); err != nil {
			return err
		}
	}
	auth.ClearSessionCookie(w, r)
	http.Redirect(w, r, "/admin/login?out=1", http.StatusSeeOther)
	return nil
}

// usersPage is the data of the user management page.
type usersPage struct {
	web.Page
	Users     []auth.User
	Statuses  map[int64]auth.UserStatus
	Roles     []auth.Role
	Languages []i18n.Language
	Form      struct{ Email, Name, Role string }
	Errors    map[string]string
}

func (h *Handlers) usersPage(r *http.Request) (usersPage, error) {
	p := usersPage{Page: h.page(r, "admin.users"), Roles: auth.Roles, Languages: h.rd.I18n().Enabled(), Errors: map[string]string{}}
	p.Form.Role = string(auth.RoleAuthor)
	var err error
	if p.Users, err = h.users.ListUsers(r.Context()); err != nil {
		return p, err
	}
	p.Statuses, err = h.users.UserStatuses(r.Context())
	return p, err
}

// Routes declares signing in and out, user management (the admin's) and
// each user's own API tokens.
func (h *Handlers) Routes(rs *web.Routes) {
	rs.Site("GET /admin/login", h.LoginForm)
	rs.Site("POST /admin/login", h.Login)
	rs.Site("GET /admin/login/code", h.CodeForm)
	rs.Site("POST /admin/login/code", h.Code)
	rs.Site("POST "+passkeySignInPath+passkeyOptionsPart, h.PasskeySignInOptions)
	rs.Site("POST "+passkeySignInPath, h.PasskeySignIn)
	rs.Site("POST "+passkeyCodePath+passkeyOptionsPart, h.PasskeyCodeOptions)
	rs.Site("POST "+passkeyCodePath, h.PasskeyCode)
	// A reviewer (auth.RoleReviewer) has their own account and no more.
	rs.Admin("POST /admin/logout", h.Logout, web.Need(auth.Account))
	// An invitation's link holds its token: never logged, never cached.
	rs.Site("GET "+InvitePath+"{token}", h.InviteForm, web.Private)
	rs.Site("POST "+InvitePath+"{token}", h.AcceptInvite, web.Private)
	rs.Site("GET /admin/reset", h.ResetForm)
	rs.Site("POST /admin/reset", h.RequestReset)
	rs.Site("GET "+ResetPath+"{token}", h.ResetLinkForm, web.Private)
	rs.Site("POST "+ResetPath+"{token}", h.ResetPassword, web.Private)
	rs.Admin("GET /admin/account", h.Account, web.Need(auth.Account))
	rs.Admin("POST /admin/account/language", h.SetLanguage, web.Need(auth.Account))
	rs.Admin("POST /admin/account/password", h.ChangePassword, web.Need(auth.Account))
	rs.Admin("GET "+auth.EnrolPath, h.TwoFactor, web.Need(auth.Account))
	rs.Admin("POST "+auth.EnrolPath, h.ConfirmTwoFactor, web.Need(auth.Account))
	rs.Admin("POST "+passkeysPath+passkeyOptionsPart, h.PasskeyOptions, web.Need(auth.Account))
	rs.Admin("POST "+passkeysPath, h.AddPasskey, web.Need(auth.Account))
	rs.Admin("POST "+passkeysPath+"/{id}/remove", h.RemovePasskey, web.Need(auth.Account))
	rs.Admin("POST "+recoveryCodesPath, h.NewRecoveryCodes, web.Need(auth.Account))
	rs.Admin("POST /admin/account/sessions/{id}/revoke", h.RevokeSession, web.Need(auth.Account))
	rs.Admin("GET /admin/users", h.Users, web.Need(auth.ManageSite))
	rs.Admin("POST /admin/users", h.CreateUser, web.Need(auth.ManageSite))
	rs.Admin("POST /admin/users/{id}", h.UpdateUser, web.Need(auth.ManageSite))
	rs.Admin("GET /admin/tokens", h.Tokens)
	rs.Admin("POST /admin/tokens", h.CreateToken)
	rs.Admin("POST /admin/tokens/{id}/delete", h.RevokeToken)
}

// Users serves GET /admin/users.
func (h *Handlers) Users(w http.ResponseWriter, r *http.Request) error {
	p, err := h.usersPage(r)
	if err != nil {
		return err
	}
	if r.URL.Query().Get("saved") != "" {
		p.Flash = p.L.T("admin.saved")
	}
	if r.URL.Query().Get("invited") != "" {
		p.Flash = p.L.T("account.invited")
	}
	return h.rd.Render(w, http.StatusOK, h.tmpl["users"], p)
}

// CreateUser serves POST /admin/users: it invites the person by mail,
// and they choose their own password.
func (h *Handlers) CreateUser(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return web.BadRequest("form.unreadable")
	}
	p, err := h.usersPage(r)
	if err != nil {
		return err
	}
	p.Form.Email, p.Form.Name, p.Form.Role = strings.TrimSpace(r.PostForm.Get("email")), strings.TrimSpace(r.PostForm.Get("name")), r.PostForm.Get("role")
	role, rerr := auth.ParseRole(p.Form.Role)
	if rerr != nil {
		p.Errors["role"] = "form.invalid_choice"
	}
	if len([]rune(p.Form.Name)) > 200 {
		p.Errors["name"] = "form.too_long"
	}
	langs, ok := h.languages(r.PostForm["lang"])
	if !ok {
		p.Errors["languages"] = "form.invalid_choice"
	}
	if role == auth.RoleTranslator && len(langs) == 0 {
		p.Errors["languages"] = "account.translator_needs_language"
	}
	if len(p.Errors) == 0 {
		if role != auth.RoleTranslator {
			langs = nil
		} else if langs == nil {
			langs = []string{}
		}
		err = h.invite(r, p.Form.Email, p.Form.Name, role, langs)
		if field, key := inviteError(err); key != "" {
			p.Errors[field] = key
		} else if err != nil {
			return err
		} else {
			me, _ := auth.UserFrom(r.Context())
			h.users.Record(r.Context(), participant.Access{UserID: me.ID, Action: auth.ActionUserInvite, Target: "new " + string(role)})
		}
	}
	if len(p.Errors) > 0 {
		p.Flash = p.L.T("form.has_errors")
		return h.rd.Render(w, http.StatusUnprocessableEntity, h.tmpl["users"], p)
	}
	http.Redirect(w, r, "/admin/users?invited=1", http.StatusSeeOther)
	return nil
}

// UpdateUser serves POST /admin/users/{id}: change the role, or disable or
// enable the account. Admins cannot lock themselves out.
func (h *Handlers) UpdateUser(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return web.NotFound()
	}
	me, _ := auth.UserFrom(r.Context())
	if id == me.ID {
		return web.BadRequest("account.not_yourself")
	}
	ctx := r.Context()
	target := "user " + strconv.FormatInt(id, 10)
	switch r.PostFormValue("do") {
	case "role":
		role, err := auth.ParseRole(r.PostFormValue("role"))
		if err != nil {
			return web.BadRequest("form.invalid_choice")
		}
		err = h.users.SetRole(ctx, id, role)
		if errors.Is(err, db.ErrNotFound) {
			return web.NotFound()
		} else if err != nil {
			return err
		}
		h.users.Record(ctx, participant.Access{UserID: me.ID, Action: auth.ActionRoleChange, Target: target + " → " + string(role)})
	case "languages":
		langs, ok := h.languages(r.PostForm["lang"])
		if !ok {
			return web.BadRequest("form.invalid_choice")
		}
		err := h.users.SetLanguages(ctx, id, langs)
		if errors.Is(err, db.ErrNotFound) {
			return web.NotFound()
		} else if err != nil {
			return err
		}
		h.users.Record(ctx, participant.Access{UserID: me.ID, Action: auth.ActionUserLanguages, Target: target + " → " + strings.Join(langs, ",")})
	case "invite": // again, or an imported author for the first time
		u, err := h.users.UserByID(ctx, id)
		if errors.Is(err, db.ErrNotFound) {
			return web.NotFound()
		} else if err != nil {
			return err
		}
		err = h.invite(r, u.Email, "", u.Role, nil)
		if _, key := inviteError(err); key != "" {
			return web.BadRequest(key)
		} else if err != nil {
			return err
		}
		h.users.Record(ctx, participant.Access{UserID: me.ID, Action: auth.ActionUserInvite, Target: target})
		http.Redirect(w, r, "/admin/users?invited=1", http.StatusSeeOther)
		return nil
	case "disable", "enable":
		disable := r.PostFormValue("do") == "disable"
		err := h.users.SetDisabled(ctx, id, disable)
		if errors.Is(err, db.ErrNotFound) {
			return web.NotFound()
		} else if err != nil {
			return err
		}
		h.users.Record(ctx, participant.Access{UserID: me.ID, Action: map[bool]string{true: auth.ActionUserDisable, false: auth.ActionUserEnable}[disable], Target: target})
	default:
		return web.BadRequest("form.invalid_choice")
	}
	http.Redirect(w, r, "/admin/users?saved=1", http.StatusSeeOther)
	return nil
}

// languages checks submitted language codes against the enabled ones.
func (h *Handlers) languages(codes []string) ([]string, bool) {
	var out []string
	for _, c := range codes {
		if _, ok := h.rd.I18n().Get(c); !ok {
			return nil, false
		}
		out = append(out, c)
	}
	return out, true
}
