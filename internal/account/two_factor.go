package account

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strings"

	"github.com/boombuler/barcode/qr"

	"peerpress/internal/auth"
	"peerpress/internal/db"
	"peerpress/internal/i18n"
	"peerpress/internal/mail"
	"peerpress/internal/web"
)

// twoFactorPage is the enrolment page, and the codes shown once after it.
type twoFactorPage struct {
	web.Page
	Enrolled      bool // an authenticator app is on
	HasFactor     bool // an app or a passkey: recovery codes stand in for them
	RecoveryLeft  int
	QR            template.HTML // the key as an inline SVG QR code: no request leaves the page
	Secret        string        // the key, to type in by hand
	RecoveryCodes []string      // just made: shown this once
	Error         string        // a message key about the code
	// PasskeysOn tells that this site can have passkeys (it has a
	// public address, or runs on localhost).
	PasskeysOn   bool
	Passkeys     []auth.Passkey
	PasskeyName  string // the name typed for a new passkey
	PasskeyError string // a message key about adding a passkey
}

func (h *Handlers) twoFactorPage(r *http.Request, fresh bool) (twoFactorPage, error) {
	p := twoFactorPage{Page: h.page(r, "account.two_factor")}
	ctx := r.Context()
	var err error
	var passkeys bool
	if p.Enrolled, passkeys, err = h.users.SecondFactors(ctx, p.User.ID); err != nil {
		return p, err
	}
	p.HasFactor = p.Enrolled || passkeys
	if p.RecoveryLeft, err = h.users.RecoveryCodesLeft(ctx, p.User.ID); err != nil {
		return p, err
	}
	if _, p.PasskeysOn = h.relyingParty(r); p.PasskeysOn {
		if p.Passkeys, err = h.users.Passkeys(ctx, p.User.ID); err != nil {
			return p, err
		}
	}
	en, ok, err := h.users.PendingTOTP(ctx, p.User.ID)
	if err != nil {
		return p, err
	}
	if !ok || fresh {
		if en, err = h.users.BeginTOTP(ctx, *p.User, h.rd.SiteName); err != nil {
			return p, err
		}
	}
	p.Secret = spaced(en.Secret)
	p.QR, err = qrSVG(en.URL)
	return p, err
}

func p0(r *http.Request) auth.User { u, _ := auth.UserFrom(r.Context()); return u }

// spaced groups a base32 key by four, for typing.
func spaced(s string) string {
	var b strings.Builder
	for i, c := range s {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// qrSVG draws content as a QR code in SVG, one path of dark modules with
// a quiet zone of four.
func qrSVG(content string) (template.HTML, error) {
	code, err := qr.Encode(content, qr.M, qr.Auto)
	if err != nil {
		return "", fmt.Errorf("account: qr code: %w", err)
	}
	n := code.Bounds().Dx()
	var path strings.Builder
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			if r, _, _, _ := code.At(x, y).RGBA(); r == 0 {
				fmt.Fprintf(&path, "M%d %dh1v1h-1z", x+4, y+4)
			}
		}
	}
	size := n + 8
	return template.HTML(fmt.Sprintf(`<svg viewBox="0 0 %d %d" width="%d" height="%d" shape-rendering="crispEdges" aria-hidden="true" focusable="false"><rect width="100%%" height="100%%" fill="#fff"/><path d="%s" fill="#000"/></svg>`, // #nosec G203 -- numbers and a path of our own; no value from outside
		size, size, size*5, size*5, path.String())), nil
}

// TwoFactor serves GET /admin/account/two-factor: a new key to enrol
// (or to replace the one in use), drawn as a QR code.
func (h *Handlers) TwoFactor(w http.ResponseWriter, r *http.Request) error {
	p, err := h.twoFactorPage(r, true)
	if errors.Is(err, auth.ErrNoSecrets) {
		return web.NotFound()
	}
	if err != nil {
		return err
	}
	if p.Page.User != nil {
		if sess, _ := auth.SessionFrom(r.Context()); sess.MustEnrol {
			p.Flash = p.L.T("account.must_enrol")
		}
	}
	switch r.URL.Query().Get("passkey") {
	case "added":
		p.Flash = p.L.T("account.passkey_added")
	case "removed":
		p.Flash = p.L.T("account.passkey_removed")
	}
	return h.rd.Render(w, http.StatusOK, h.tmpl["two_factor"], p)
}

// ConfirmTwoFactor serves POST /admin/account/two-factor: the first code
// from the app turns the key on, and the recovery codes are shown once.
func (h *Handlers) ConfirmTwoFactor(w http.ResponseWriter, r *http.Request) error {
	u := p0(r)
	codes, err := h.users.ConfirmTOTP(r.Context(), u.ID, r.PostFormValue("code"))
	if errors.Is(err, auth.ErrBadCode) {
		p, perr := h.twoFactorPage(r, false)
		if perr != nil {
			return perr
		}
		p.Error = "account.code_wrong"
		p.Flash = p.L.T("form.has_errors")
		return h.rd.Render(w, http.StatusUnprocessableEntity, h.tmpl["two_factor"], p)
	}
	if err != nil {
		return err
	}
	return h.showRecoveryCodes(w, r, codes, "account.two_factor_on")
}

// recoveryCodesPath is where a user with a second factor asks for a new
// set of recovery codes.
const recoveryCodesPath = auth.EnrolPath + "/recovery-codes"

// showRecoveryCodes renders codes just made, the one time they are
// shown, with the flash message key.
func (h *Handlers) showRecoveryCodes(w http.ResponseWriter, r *http.Request, codes []string, flash string) error {
	p := twoFactorPage{Page: h.page(r, "account.two_factor"), Enrolled: true, RecoveryCodes: codes, RecoveryLeft: len(codes)}
	switch flash {
	case "account.two_factor_on":
		p.Flash = p.L.T("account.two_factor_on")
	case "account.passkey_added":
		p.Flash = p.L.T("account.passkey_added")
	case "account.recovery_codes_made":
		p.Flash = p.L.T("account.recovery_codes_made")
	}
	w.Header().Set("Cache-Control", "no-store")
	return h.rd.Render(w, http.StatusOK, h.tmpl["two_factor"], p)
}

// NewRecoveryCodes serves POST /admin/account/two-factor/recovery-codes:
// a new set of recovery codes, shown once; the old ones stop working.
func (h *Handlers) NewRecoveryCodes(w http.ResponseWriter, r *http.Request) error {
	codes, err := h.users.RegenerateRecoveryCodes(r.Context(), p0(r).ID)
	if errors.Is(err, auth.ErrNoSecondFactor) {
		// Nothing for codes to stand in for: set up a second factor first.
		http.Redirect(w, r, auth.EnrolPath, http.StatusSeeOther)
		return nil
	}
	if err != nil {
		return err
	}
	return h.showRecoveryCodes(w, r, codes, "account.recovery_codes_made")
}

// recoveryMail tells an account's owner that one of their recovery
// codes signed them in, in the language of the page it was typed on.
func (h *Handlers) recoveryMail(l *i18n.Localizer) auth.RecoveryNotice {
	return func(ctx context.Context, tx *db.Tx, u auth.User, left int) error {
		name := u.Name
		if name == "" {
			name = u.Email
		}
		return h.inviter.Mailer.Send(ctx, tx, mail.Message{To: u.Email,
			Subject: l.T("account.recovery_mail_subject", "Site", h.rd.SiteName),
			Text:    l.T("account.recovery_mail_text", "Name", name, "Site", h.rd.SiteName, "Left", left)})
	}
}

// codePage is the second step of signing in.
type codePage struct {
	web.Page
	Next     string
	Error    string
	TOTP     bool // the user has an authenticator app: the code form
	Passkeys bool // the user has passkeys this site can ask for
	Recovery bool // no app: the code form is for a recovery code only
}

// codePage is the second step for the browser waiting for it, with the
// forms of the user's second factors.
func (h *Handlers) codePage(r *http.Request, next string) (codePage, error) {
	p := codePage{Page: h.page(r, "account.two_factor"), Next: next}
	c, err := r.Cookie(auth.CookieName)
	if err != nil {
		return p, db.ErrNotFound
	}
	u, err := h.users.WaitingForCode(r.Context(), c.Value)
	if err != nil {
		return p, err
	}
	totp, passkeys, err := h.users.SecondFactors(r.Context(), u.ID)
	if err != nil {
		return p, err
	}
	_, rpOK := h.relyingParty(r)
	// Without a way to use them, passkeys still leave the code form, so
	// that the page is never empty.
	p.TOTP, p.Passkeys = totp || !(passkeys && rpOK), passkeys && rpOK
	p.Recovery = !totp
	return p, nil
}

// CodeForm serves GET /admin/login/code: after the password, the code
// or a passkey.
func (h *Handlers) CodeForm(w http.ResponseWriter, r *http.Request) error {
	p, err := h.codePage(r, safeNext(r.URL.Query().Get("next")))
	if err != nil {
		return h.restart(w, r, err)
	}
	return h.rd.Render(w, http.StatusOK, h.tmpl["code"], p)
}

func (h *Handlers) waiting(r *http.Request) (string, error) {
	c, err := r.Cookie(auth.CookieName)
	if err != nil {
		return "", db.ErrNotFound
	}
	_, err = h.users.WaitingForCode(r.Context(), c.Value)
	return c.Value, err
}

// restart sends a browser without a waiting sign-in back to the form.
func (h *Handlers) restart(w http.ResponseWriter, r *http.Request, err error) error {
	if errors.Is(err, db.ErrNotFound) {
		http.Redirect(w, r, "/admin/login", http.StatusSeeOther)
		return nil
	}
	return err
}

// Code serves POST /admin/login/code.
func (h *Handlers) Code(w http.ResponseWriter, r *http.Request) error {
	token, err := h.waiting(r)
	if err != nil {
		return h.restart(w, r, err)
	}
	p, err := h.codePage(r, safeNext(r.PostFormValue("next")))
	if err != nil {
		return h.restart(w, r, err)
	}
	newToken, sess, err := h.users.CompleteSecondFactor(r.Context(), token, r.PostFormValue("code"), r.UserAgent(), h.recoveryMail(p.L))
	var throttled *auth.ThrottledError
	switch {
	case errors.As(err, &throttled):
		p.Error = p.L.T("account.too_many_attempts", "Time", until(p.L, throttled.Wait))
		return h.rd.Render(w, http.StatusTooManyRequests, h.tmpl["code"], p)
	case errors.Is(err, auth.ErrBadCode):
		p.Error = p.L.T("account.code_wrong")
		return h.rd.Render(w, http.StatusUnauthorized, h.tmpl["code"], p)
	case err != nil:
		return h.restart(w, r, err)
	}
	auth.SetSessionCookie(w, r, newToken, sess.ExpiresAt)
	http.Redirect(w, r, p.Next, http.StatusSeeOther)
	return nil
}
