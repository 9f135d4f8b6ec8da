package account

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"peerpress/internal/auth"
	"peerpress/internal/db"
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
// another machine. Its hash is kept in the database, so that behind a
// load balancer any instance takes the code any instance printed. It
// works for SetupCodeLife, once, and not at all once an admin exists.
type SetupCode struct {
	mu    sync.Mutex // guards code
	code  string     // "" once spent, or when the site had an admin at start
	db    db.Quiet   // the codes change no page
	users *auth.Store
	now   func() time.Time
}

// SetupCodeLife is how long a printed code works: an operator who read it
// a day later starts an instance again to get a new one.
const SetupCodeLife = 24 * time.Hour

// setupCodePrefix starts the settings keys of the codes' hashes, one per
// instance started without an admin; the value is when it expires (Unix
// seconds). settingSetupClaim is held while a first administrator is
// being made (the value: since when), so that two instances never make
// two.
const (
	setupCodePrefix   = "first_run_code:"
	settingSetupClaim = "first_run_claim"
)

// setupClaimLife is how long a claim holds if the instance holding it
// died meanwhile.
const setupClaimLife = time.Minute

// NewSetupCode makes the code when the site has no administrator, and
// keeps its hash in the database; codes that expired are deleted.
func NewSetupCode(ctx context.Context, d *db.DB, users *auth.Store) (*SetupCode, error) {
	s := &SetupCode{db: d.Quiet(), users: users, now: time.Now}
	has, err := users.HasAdmin(ctx)
	if err != nil {
		return nil, err
	}
	if has {
		return s, nil
	}
	code := rand.Text()
	now := s.now()
	if _, err := s.db.ExecContext(ctx, `DELETE FROM settings WHERE key LIKE ? AND CAST(value AS BIGINT) < ?`,
		setupCodePrefix+"%", now.Unix()); err != nil {
		return nil, fmt.Errorf("account: setup code: %w", err)
	}
	if _, err := s.db.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?)`,
		setupCodeKey(code), strconv.FormatInt(now.Add(SetupCodeLife).Unix(), 10)); err != nil {
		return nil, fmt.Errorf("account: setup code: %w", err)
	}
	s.code = code
	return s, nil
}

// setupCodeKey is the settings key of code's hash. The code is 128 random
// bits: a plain hash keeps it from whoever reads the database.
func setupCodeKey(code string) string {
	sum := sha256.Sum256([]byte(code))
	return setupCodePrefix + hex.EncodeToString(sum[:])
}

// Code is the code to print, or "" when there is none.
func (s *SetupCode) Code() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.code
}

// matches reports whether given is a code some instance printed that has
// not expired; an empty code matches nothing.
func (s *SetupCode) matches(ctx context.Context, given string) (bool, error) {
	if given == "" || len(given) > 64 {
		return false, nil
	}
	var expires string
	err := s.db.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, setupCodeKey(given)).Scan(&expires)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("account: setup code: %w", err)
	}
	at, _ := strconv.ParseInt(expires, 10, 64)
	return s.now().Unix() < at, nil
}

// claim makes this request the one that makes the first administrator,
// across instances, and returns how to let the claim go; ok is false when
// another request holds it.
func (s *SetupCode) claim(ctx context.Context) (release func(), ok bool, err error) {
	now := s.now()
	if _, err := s.db.ExecContext(ctx, `DELETE FROM settings WHERE key = ? AND CAST(value AS BIGINT) < ?`,
		settingSetupClaim, now.Add(-setupClaimLife).Unix()); err != nil {
		return nil, false, fmt.Errorf("account: setup claim: %w", err)
	}
	res, err := s.db.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING`,
		settingSetupClaim, strconv.FormatInt(now.Unix(), 10))
	var n int64
	if err == nil {
		n, err = res.RowsAffected()
	}
	if err != nil {
		return nil, false, fmt.Errorf("account: setup claim: %w", err)
	}
	if n != 1 {
		return nil, false, nil
	}
	return func() {
		if _, err := s.db.ExecContext(context.WithoutCancel(ctx), `DELETE FROM settings WHERE key = ?`, settingSetupClaim); err != nil {
			slog.Error("account: let the first-run claim go; it lapses in a minute", "err", err)
		}
	}, true, nil
}

// spend deletes every instance's code: an administrator exists.
func (s *SetupCode) spend(ctx context.Context) error {
	s.mu.Lock()
	s.code = ""
	s.mu.Unlock()
	if _, err := s.db.ExecContext(ctx, `DELETE FROM settings WHERE key LIKE ?`, setupCodePrefix+"%"); err != nil {
		return fmt.Errorf("account: spend the setup codes: %w", err)
	}
	return nil
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
	if has {
		return web.NotFound()
	}
	if s.fromThisMachine(r) {
		return nil
	}
	if ok, err := s.Code.matches(r.Context(), code); err != nil {
		return err
	} else if !ok {
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
	// One at a time, across instances: two forms posted at once make one
	// admin.
	release, ok, err := s.Code.claim(r.Context())
	if err != nil {
		return err
	}
	if !ok {
		return &web.Error{Status: http.StatusConflict, Key: "setup.busy"}
	}
	defer release()
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
	if err := s.Code.spend(r.Context()); err != nil {
		slog.Error("first-run page", "err", err) // the page is gone anyway: an admin exists
	}
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
