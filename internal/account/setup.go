package account

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"sync"

	"peerpress/internal/auth"
	"peerpress/internal/web"
)

// SetupPath is the first-run page, which makes the site's first
// administrator while it has none.
const SetupPath = "/setup"

// setupCookie carries the first-run form's CSRF token: the form posts it
// back, and a page of another site cannot read it to forge the post.
const setupCookie = "peerpress_setup"

// SetupCode is the first-run page's one-time code: printed in the log at
// start when the site has no administrator, it opens the page from
// another machine. It works once, and not at all once an admin exists.
type SetupCode struct {
	mu    sync.Mutex
	code  string // "" once spent, or when the site had an admin at start
	users *auth.Store
}

// NewSetupCode makes the code when the site has no administrator.
func NewSetupCode(ctx context.Context, users *auth.Store) (*SetupCode, error) {
	s := &SetupCode{users: users}
	has, err := users.HasAdmin(ctx)
	if err != nil {
		return nil, err
	}
	if !has {
		s.code = rand.Text()
	}
	return s, nil
}

// Code is the code to print, or "" when there is none.
func (s *SetupCode) Code() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.code
}

// matches compares in constant time; an empty code matches nothing.
func (s *SetupCode) matches(given string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.code != "" && subtle.ConstantTimeCompare([]byte(given), []byte(s.code)) == 1
}

// Setup is the first-run page's handlers.
type Setup struct {
	Code *SetupCode
	// ClientIPHeader is the header a trusted proxy names the visitor in
	// (app.Config.ClientIPHeader): a request carrying it did not come
	// from this machine, whatever the connection says.
	ClientIPHeader string
	h              *Handlers
}

// NewSetup serves the first-run page with the account templates.
func (h *Handlers) NewSetup(code *SetupCode, clientIPHeader string) *Setup {
	return &Setup{Code: code, ClientIPHeader: clientIPHeader, h: h}
}

// Routes declares the first-run page.
func (s *Setup) Routes(rs *web.Routes) {
	rs.Site("GET "+SetupPath, s.form)
	rs.Site("POST "+SetupPath, s.create)
}

// setupPage is the data of the first-run form.
type setupPage struct {
	web.Page
	Email, Name string
	Code        string // the one-time code the page was opened with, posted back
	Token       string // the CSRF token, also in the cookie
	Error       string // a message key
}

// fromThisMachine reports whether r came over loopback and not through a
// proxy on this machine: a proxy that names the visitor (the configured
// header, or one of the usual) makes it someone else's request.
func (s *Setup) fromThisMachine(r *http.Request) bool {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return false
	}
	for _, h := range []string{"X-Forwarded-For", "X-Real-IP", "Forwarded", "CF-Connecting-IP", "True-Client-IP", s.ClientIPHeader} {
		if h != "" && r.Header.Get(h) != "" {
			return false
		}
	}
	return true
}

// open reports whether the page may be shown to r: no admin yet, and r
// from this machine or with the code. Otherwise the page does not exist.
func (s *Setup) open(r *http.Request, code string) error {
	has, err := s.h.users.HasAdmin(r.Context())
	if err != nil {
		return err
	}
	if has || !(s.fromThisMachine(r) || s.Code.matches(code)) {
		return web.NotFound()
	}
	return nil
}

func (s *Setup) page(r *http.Request) setupPage {
	p := setupPage{Page: s.h.page(r, "setup.title")}
	return p
}

// form serves GET /setup.
func (s *Setup) form(w http.ResponseWriter, r *http.Request) error {
	code := r.URL.Query().Get("code")
	if err := s.open(r, code); err != nil {
		return err
	}
	p := s.page(r)
	p.Code = code
	p.Token = rand.Text()
	http.SetCookie(w, &http.Cookie{Name: setupCookie, Value: p.Token, Path: SetupPath, HttpOnly: true, // #nosec G124 -- Secure whenever the request came over HTTPS; plain HTTP on loopback
		SameSite: http.SameSiteStrictMode, Secure: auth.OverHTTPS(r), MaxAge: 3600})
	w.Header().Set("Referrer-Policy", "no-referrer") // the code in the address stays here
	return s.h.rd.Render(w, http.StatusOK, s.h.tmpl["setup"], p)
}

// create serves POST /setup: the first administrator is made and signed
// in, and the page is gone.
func (s *Setup) create(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return web.BadRequest("form.unreadable")
	}
	code := r.PostForm.Get("code")
	if err := s.open(r, code); err != nil {
		return err
	}
	c, err := r.Cookie(setupCookie)
	token := r.PostForm.Get("csrf")
	if err != nil || token == "" || subtle.ConstantTimeCompare([]byte(c.Value), []byte(token)) != 1 {
		return &web.Error{Status: http.StatusForbidden, Key: "account.csrf"}
	}
	p := s.page(r)
	p.Code, p.Token = code, token
	p.Email, p.Name = r.PostForm.Get("email"), r.PostForm.Get("name")
	// One at a time: two forms posted at once make one admin.
	s.Code.mu.Lock()
	defer s.Code.mu.Unlock()
	if has, err := s.h.users.HasAdmin(r.Context()); err != nil {
		return err
	} else if has {
		return web.NotFound()
	}
	u, err := s.h.users.CreateUser(r.Context(), p.Email, p.Name, auth.RoleAdmin, r.PostForm.Get("password"))
	switch {
	case errors.Is(err, auth.ErrInvalidEmail):
		p.Error = "form.invalid_email"
	case errors.Is(err, auth.ErrWeakPassword):
		p.Error = "account.weak_password"
	case errors.Is(err, auth.ErrEmailTaken):
		p.Error = "setup.email_taken"
	case errors.Is(err, auth.ErrNameTooLong):
		p.Error = "form.too_long"
	case err != nil:
		return err
	}
	if p.Error != "" {
		return s.h.rd.Render(w, http.StatusUnprocessableEntity, s.h.tmpl["setup"], p)
	}
	s.Code.code = "" // spent: the page is gone
	sessToken, sess, err := s.h.users.CreateSession(r.Context(), u.ID)
	if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: setupCookie, Path: SetupPath, MaxAge: -1, HttpOnly: true, // #nosec G124 -- deletes the form's cookie; Secure whenever the request came over HTTPS
		Secure: auth.OverHTTPS(r), SameSite: http.SameSiteStrictMode})
	auth.SetSessionCookie(w, r, sessToken, sess.ExpiresAt)
	slog.Info("first administrator created on the first-run page", "user_id", u.ID)
	http.Redirect(w, r, "/admin/entries", http.StatusSeeOther)
	return nil
}
