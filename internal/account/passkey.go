package account

import (
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"peerpress/internal/auth"
	"peerpress/internal/db"
	"peerpress/internal/web"
)

// Where passkeys are made, used and removed. Adding one lives under the
// enrolment page, which an admin who must enrol may open.
const (
	passkeysPath       = auth.EnrolPath + "/passkeys"
	passkeySignInPath  = "/admin/login/passkey"      // #nosec G101 -- a route, no credential
	passkeyCodePath    = "/admin/login/code/passkey" // #nosec G101 -- a route, no credential
	passkeyOptionsPart = "/options"
)

// maxPasskeyAnswer bounds the browser's answer: an attestation with
// its certificates is a few kilobytes.
const maxPasskeyAnswer = 64 << 10

// relyingParty is the site as passkeys know it: its public address, or
// on a site without one, a loopback name (localhost) as the demo runs;
// never a Host header from outside, which anyone may write. Browsers
// refuse passkeys for bare IP addresses, so 127.0.0.1 has none.
func (h *Handlers) relyingParty(r *http.Request) (auth.RelyingParty, bool) {
	if h.rd.BaseURL != "" {
		u, err := url.Parse(h.rd.BaseURL)
		if err != nil || u.Hostname() == "" || net.ParseIP(u.Hostname()) != nil {
			return auth.RelyingParty{}, false
		}
		return auth.RelyingParty{ID: u.Hostname(), Origin: u.Scheme + "://" + u.Host, Name: h.rd.SiteName}, true
	}
	host := r.Host
	name := host
	if hn, _, err := net.SplitHostPort(host); err == nil {
		name = hn
	}
	if name != "localhost" && !strings.HasSuffix(name, ".localhost") {
		return auth.RelyingParty{}, false
	}
	scheme := "http"
	if auth.OverHTTPS(r) {
		scheme = "https"
	}
	return auth.RelyingParty{ID: name, Origin: scheme + "://" + host, Name: h.rd.SiteName}, true
}

// passkeyAnswer reads the browser's answer and the ceremony's state
// from the form; "" when missing or too big.
func passkeyAnswer(r *http.Request) (state, answer string) {
	answer = r.PostFormValue("credential")
	if len(answer) > maxPasskeyAnswer {
		answer = ""
	}
	return r.PostFormValue("state"), answer
}

// sendCeremony answers an options request with the ceremony as JSON.
func sendCeremony(w http.ResponseWriter, c auth.PasskeyCeremony, err error) error {
	if errors.Is(err, auth.ErrNoSecrets) || errors.Is(err, db.ErrNotFound) {
		return web.NotFound()
	}
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	return json.NewEncoder(w).Encode(c)
}

// PasskeyOptions serves POST /admin/account/two-factor/passkeys/options:
// the options to make a new passkey for the signed-in user.
func (h *Handlers) PasskeyOptions(w http.ResponseWriter, r *http.Request) error {
	rp, ok := h.relyingParty(r)
	if !ok {
		return web.NotFound()
	}
	c, err := h.users.BeginPasskeyRegistration(r.Context(), rp, p0(r))
	return sendCeremony(w, c, err)
}

// AddPasskey serves POST /admin/account/two-factor/passkeys: the new
// passkey the browser made, kept under the name the user gave.
func (h *Handlers) AddPasskey(w http.ResponseWriter, r *http.Request) error {
	rp, ok := h.relyingParty(r)
	if !ok {
		return web.NotFound()
	}
	state, answer := passkeyAnswer(r)
	_, codes, err := h.users.FinishPasskeyRegistration(r.Context(), rp, p0(r), state, r.PostFormValue("name"), answer)
	var key string
	switch {
	case errors.Is(err, auth.ErrPasskeyName):
		key = "account.passkey_name_needed"
	case errors.Is(err, auth.ErrPasskeyRefused):
		key = "account.passkey_refused"
	case errors.Is(err, auth.ErrNoSecrets):
		return web.NotFound()
	case err != nil:
		return err
	}
	if key != "" {
		p, perr := h.twoFactorPage(r, false)
		if perr != nil {
			return perr
		}
		p.PasskeyName = strings.TrimSpace(r.PostFormValue("name"))
		p.PasskeyError = key
		p.Flash = p.L.T("form.has_errors")
		return h.rd.Render(w, http.StatusUnprocessableEntity, h.tmpl["two_factor"], p)
	}
	if codes != nil {
		// The first second factor: its recovery codes, shown this once.
		return h.showRecoveryCodes(w, r, codes, "account.passkey_added")
	}
	http.Redirect(w, r, auth.EnrolPath+"?passkey=added", http.StatusSeeOther)
	return nil
}

// RemovePasskey serves POST /admin/account/two-factor/passkeys/{id}/remove.
func (h *Handlers) RemovePasskey(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return web.NotFound()
	}
	err = h.users.RemovePasskey(r.Context(), p0(r).ID, id)
	if errors.Is(err, db.ErrNotFound) {
		return web.NotFound()
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, auth.EnrolPath+"?passkey=removed", http.StatusSeeOther)
	return nil
}

// PasskeySignInOptions serves POST /admin/login/passkey/options: the
// options to sign in with any passkey of this site. It writes nothing,
// so asking costs the server no storage.
func (h *Handlers) PasskeySignInOptions(w http.ResponseWriter, r *http.Request) error {
	rp, ok := h.relyingParty(r)
	if !ok {
		return web.NotFound()
	}
	c, err := h.users.BeginPasskeySignIn(r.Context(), rp)
	return sendCeremony(w, c, err)
}

// PasskeySignIn serves POST /admin/login/passkey: signing in with a
// passkey instead of the email and password.
func (h *Handlers) PasskeySignIn(w http.ResponseWriter, r *http.Request) error {
	rp, ok := h.relyingParty(r)
	if !ok {
		return web.NotFound()
	}
	p := loginPage{Page: h.page(r, "account.sign_in"), Next: safeNext(r.PostFormValue("next")), Passkeys: true}
	state, answer := passkeyAnswer(r)
	token, sess, _, err := h.users.FinishPasskeySignIn(r.Context(), rp, state, answer, r.UserAgent())
	switch {
	case errors.Is(err, auth.ErrPasskeyRefused):
		p.Error = p.L.T("account.passkey_refused")
		return h.rd.Render(w, http.StatusUnauthorized, h.tmpl["login"], p)
	case errors.Is(err, auth.ErrNoSecrets):
		return web.NotFound()
	case err != nil:
		return err
	}
	auth.SetSessionCookie(w, r, token, sess.ExpiresAt)
	http.Redirect(w, r, p.Next, http.StatusSeeOther)
	return nil
}

// PasskeyCodeOptions serves POST /admin/login/code/passkey/options: the
// options to use one of the user's passkeys as the second factor.
func (h *Handlers) PasskeyCodeOptions(w http.ResponseWriter, r *http.Request) error {
	rp, ok := h.relyingParty(r)
	if !ok {
		return web.NotFound()
	}
	token, err := h.waiting(r)
	if err != nil {
		return web.NotFound()
	}
	c, err := h.users.BeginPasskeySecondFactor(r.Context(), rp, token)
	return sendCeremony(w, c, err)
}

// PasskeyCode serves POST /admin/login/code/passkey: the second factor
// given with a passkey.
func (h *Handlers) PasskeyCode(w http.ResponseWriter, r *http.Request) error {
	rp, ok := h.relyingParty(r)
	if !ok {
		return web.NotFound()
	}
	token, err := h.waiting(r)
	if err != nil {
		return h.restart(w, r, err)
	}
	p, err := h.codePage(r, safeNext(r.PostFormValue("next")))
	if err != nil {
		return h.restart(w, r, err)
	}
	state, answer := passkeyAnswer(r)
	newToken, sess, err := h.users.CompletePasskeySecondFactor(r.Context(), rp, token, state, answer, r.UserAgent())
	var throttled *auth.ThrottledError
	switch {
	case errors.As(err, &throttled):
		p.Error = p.L.T("account.too_many_attempts", "Time", until(p.L, throttled.Wait))
		return h.rd.Render(w, http.StatusTooManyRequests, h.tmpl["code"], p)
	case errors.Is(err, auth.ErrPasskeyRefused):
		p.Error = p.L.T("account.passkey_refused")
		return h.rd.Render(w, http.StatusUnauthorized, h.tmpl["code"], p)
	case errors.Is(err, auth.ErrNoSecrets):
		return web.NotFound()
	case err != nil:
		return h.restart(w, r, err)
	}
	auth.SetSessionCookie(w, r, newToken, sess.ExpiresAt)
	http.Redirect(w, r, p.Next, http.StatusSeeOther)
	return nil
}
