package auth

import (
	"context"
	"crypto/subtle"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"peerpress/internal/db"
)

// CookieName is the name of the session cookie.
const CookieName = "peerpress_session"

// SetSessionCookie sends the session token as a cookie that lasts until
// expires. It is HttpOnly so scripts cannot read it, SameSite=Lax so other
// sites cannot post with it, and Secure when the request came over HTTPS.
func SetSessionCookie(w http.ResponseWriter, r *http.Request, token string, expires time.Time) {
	c := &http.Cookie{ // #nosec G124 -- Secure whenever the request came over HTTPS (overHTTPS); plain HTTP only on loopback and in tests
		Name:     CookieName,
		Value:    token,
		Path:     "/",
		Expires:  expires.UTC(),
		HttpOnly: true,
		SameSite: http.SameSiteLaxMode,
		Secure:   overHTTPS(r),
	}
	// Max-Age as well, because it wins over Expires and does not depend on
	// the browser's clock.
	if secs := int(time.Until(expires) / time.Second); secs > 0 {
		c.MaxAge = secs
	} else {
		c.MaxAge = -1
	}
	http.SetCookie(w, c)
}

// ClearSessionCookie tells the browser to forget the session cookie.
func ClearSessionCookie(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{ // #nosec G124 -- Secure whenever the request came over HTTPS (overHTTPS)
		Name:     CookieName,
		Value:    "",
		Path:     "/",
		Expires:  time.Unix(1, 0).UTC(),
		MaxAge:   -1,
		HttpOnly: true,
		SameSite: http.SameSiteLaxMode,
		Secure:   overHTTPS(r),
	})
}

type httpsKey struct{}

// ServedOverHTTPS marks every request as having reached the site over
// HTTPS, for a site whose public address is https:// behind a proxy that
// terminates TLS, so that cookies are still sent Secure; and tells
// browsers to come back over HTTPS only (Strict-Transport-Security), so
// that a visitor on a hostile network is not served a downgraded page.
func ServedOverHTTPS(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Strict-Transport-Security", "max-age=31536000")
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), httpsKey{}, true)))
	})
}

// OverHTTPS reports whether the request reached the site over HTTPS,
// directly or through a proxy (ServedOverHTTPS): cookies set in answer
// to it are Secure.
func OverHTTPS(r *http.Request) bool { return overHTTPS(r) }

func overHTTPS(r *http.Request) bool {
	https, _ := r.Context().Value(httpsKey{}).(bool)
	return r.TLS != nil || https
}

type ctxKey struct{}

type ctxValue struct {
	user User
	sess Session
}

// WithUser returns a context that carries the signed-in user and session,
// as LoadSession does; the login handler and tests use it directly.
func WithUser(ctx context.Context, u User, sess Session) context.Context {
	return context.WithValue(ctx, ctxKey{}, ctxValue{user: u, sess: sess})
}

// UserFrom returns the signed-in user carried by ctx, if any.
func UserFrom(ctx context.Context) (User, bool) {
	v, ok := ctx.Value(ctxKey{}).(ctxValue)
	return v.user, ok
}

// SessionFrom returns the session carried by ctx, if any.
func SessionFrom(ctx context.Context) (Session, bool) {
	v, ok := ctx.Value(ctxKey{}).(ctxValue)
	return v.sess, ok
}

// LoadSession is middleware that reads the session cookie and, when it opens
// a live session, puts its user and session in the request context. Requests
// without a valid session go on anonymously; so do requests whose lookup
// failed for another reason, which is logged, so that a database hiccup
// shows public pages rather than an error.
func (s *Store) LoadSession(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(CookieName)
		if err != nil || c.Value == "" {
			next.ServeHTTP(w, r)
			return
		}
		sess, u, err := s.SessionByToken(r.Context(), c.Value)
		if err != nil {
			if !errors.Is(err, db.ErrNotFound) {
				slog.ErrorContext(r.Context(), "auth: loading session", "err", err, "path", r.URL.Path)
			}
			next.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(w, r.WithContext(WithUser(r.Context(), u, sess)))
	})
}

// ValidCSRF reports whether the request carries a session and its "csrf"
// form field equals that session's CSRF token. Handlers of state-changing
// requests call it before doing anything.
func ValidCSRF(r *http.Request) bool {
	sess, ok := SessionFrom(r.Context())
	if !ok || sess.CSRFToken == "" {
		return false
	}
	got := r.PostFormValue("csrf")
	return subtle.ConstantTimeCompare([]byte(got), []byte(sess.CSRFToken)) == 1
}
