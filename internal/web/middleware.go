package web

import (
	"context"
	"errors"
	"log/slog"
	"mime"
	"net/http"
	"runtime/debug"
	"strings"
	"time"
	"unicode/utf8"
)

// Recover turns a handler panic into a logged error and a plain 500 page,
// so one bad request never takes the server down.
func Recover(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				slog.Error("panic", "method", r.Method, "path", loggedPath(r), "panic", v, "stack", string(debug.Stack()))
				w.Header().Set("Content-Type", "text/html; charset=utf-8")
				w.WriteHeader(http.StatusInternalServerError)
				w.Write([]byte("<!doctype html><html lang=en><meta charset=utf-8><title>Server error</title><p>Something went wrong on our side. Please try again later.</p></html>"))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// SecurityHeaders forbids everything a page should never do: load from
// another origin, be framed, leak its address to other sites. The one
// exception is a video's player (content/video.go), in a frame or a
// <video> element over HTTPS, which the site's own script adds only when
// the reader presses play: nothing in the markup loads from elsewhere.
func SecurityHeaders(next http.Handler) http.Handler {
	const csp = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; " +
		"frame-src 'self' https:; media-src 'self' https:; " +
		"object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Permissions-Policy", "geolocation=(), camera=(), microphone=(), interest-cohort=()")
		next.ServeHTTP(w, r)
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

type logKey struct{}

// loggedPath is the path to write in the log for r: its pattern when the
// path holds a private link's token.
func loggedPath(r *http.Request) string {
	if info, ok := r.Context().Value(logKey{}).(*logInfo); ok && info.pattern != "" {
		return info.pattern
	}
	return r.URL.Path
}

// logInfo is what the route table tells the request log: the pattern to
// log instead of a private link's path, and the pattern of the route that
// answered, for the metrics.
type logInfo struct{ pattern, route string }

// RequestObserver hears of every request once it is answered: the
// pattern of the route that answered ("GET /{lang}/events/{slug}"; "" when
// no route did), never the path, which may hold a private link's token
// and has no bound.
type RequestObserver interface {
	ObserveRequest(route string, status int, took time.Duration)
}

// LogRequests logs method, path, status and duration. It never logs the
// visitor's address, user agent or query string: they identify people.
func LogRequests(next http.Handler) http.Handler { return ObserveRequests(nil, next) }

// ObserveRequests is LogRequests that also tells obs (when not nil) of
// each request's route, status and duration.
func ObserveRequests(obs RequestObserver, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		info := &logInfo{}
		next.ServeHTTP(rec, r.WithContext(context.WithValue(r.Context(), logKey{}, info)))
		took := time.Since(start)
		if obs != nil {
			obs.ObserveRequest(info.route, rec.status, took)
		}
		// A private link's token stays out of the log: its pattern is logged.
		path := r.URL.Path
		if info.pattern != "" {
			path = info.pattern
		}
		slog.Debug("request", "method", r.Method, "path", path, "status", rec.status, "duration_ms", took.Milliseconds())
	})
}

// cleanText reports whether s can be stored as text on every engine:
// valid UTF-8 and no NUL, which PostgreSQL refuses.
func cleanText(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}

// CleanInput refuses, before any handler sees them, requests whose path,
// query or urlencoded form holds bytes no browser sends from a UTF-8 page:
// invalid UTF-8 or NUL. It also reads urlencoded forms under the body
// limit, so an oversized form gets a clear answer.
func (rd *Renderer) CleanInput(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !cleanText(r.URL.Path) {
			rd.RenderError(w, r, NotFound())
			return
		}
		for _, vs := range r.URL.Query() {
			for _, v := range vs {
				if !cleanText(v) {
					rd.RenderError(w, r, BadRequest("form.invalid_text"))
					return
				}
			}
		}
		ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if r.Method == http.MethodPost && ct == "application/x-www-form-urlencoded" {
			if err := r.ParseForm(); err != nil {
				var tooBig *http.MaxBytesError
				if errors.As(err, &tooBig) {
					rd.RenderError(w, r, &Error{Status: http.StatusRequestEntityTooLarge, Key: "form.too_large"})
					return
				}
				rd.RenderError(w, r, BadRequest("form.unreadable"))
				return
			}
			for _, vs := range r.PostForm {
				for _, v := range vs {
					if !cleanText(v) {
						rd.RenderError(w, r, BadRequest("form.invalid_text"))
						return
					}
				}
			}
		}
		next.ServeHTTP(w, r)
	})
}
