// Package api serves the JSON API under /api/v1: entries, events and
// organisations to read, and entries to create and change with a
// personal API token (Authorization: Bearer …), with its owner's rights.
// It uses no cookies and no CSRF token: a request is anonymous or carries
// a token. Every error is JSON: {"error": {"code": …, "message": …}}.
// openapi.json describes it, and a test keeps the two in step.
package api

import (
	_ "embed"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"

	"peerpress/internal/auth"
	"peerpress/internal/content"
	"peerpress/internal/db"
	"peerpress/internal/i18n"
	"peerpress/internal/web"
)

//go:embed openapi.json
var openAPI []byte

// MaxBody is the largest request body the API reads: 1 MiB.
const MaxBody = 1 << 20

// API serves the JSON API.
type API struct {
	store   *content.Store
	users   *auth.Store
	md      *content.Markdown
	media   content.MediaFinder
	langs   func() *i18n.Bundle
	baseURL string
	origins map[string]bool
	// events lists events; nil: none are listed.
	events Events
	// directory lists organisations; nil: none are listed.
	directory Directory
}

// Config is what the API is built from.
type Config struct {
	Store   *content.Store
	Users   *auth.Store
	MD      *content.Markdown
	Media   content.MediaFinder
	Langs   func() *i18n.Bundle
	BaseURL string // "" : addresses are made from the request's host
	// CORSOrigins may read the API from a browser on another site (GET
	// requests only), such as https://partner.example.
	CORSOrigins []string
	// Events lists events (the events package); nil: none are listed.
	Events Events
	// Directory lists organisations (the directory package); nil: none
	// are listed.
	Directory Directory
}

// New returns the API.
func New(c Config) *API {
	a := &API{store: c.Store, users: c.Users, md: c.MD, media: c.Media, langs: c.Langs, baseURL: c.BaseURL, origins: map[string]bool{},
		events: c.Events, directory: c.Directory}
	for _, o := range c.CORSOrigins {
		a.origins[strings.TrimSuffix(o, "/")] = true
	}
	return a
}

// Route is one API address.
type Route struct {
	Method  string
	Path    string
	Handler http.Handler
}

// Routes is the API's table of addresses; the application's route table
// mounts each, and the OpenAPI description lists exactly these.
func (a *API) Routes() []Route {
	return []Route{
		{"GET", "/api/v1/entries", a.handle(a.listEntries)},
		{"POST", "/api/v1/entries", a.handle(a.withToken(a.createEntry))},
		{"GET", "/api/v1/entries/{id}", a.handle(a.getEntry)},
		{"PATCH", "/api/v1/entries/{id}", a.handle(a.withToken(a.updateEntry))},
		{"GET", "/api/v1/events", a.handle(a.listEvents)},
		{"GET", "/api/v1/organisations", a.handle(a.listOrganisations)},
		{"GET", "/api/v1/openapi.json", a.handle(a.openAPI)},
	}
}

// FallbackMethods are the methods Fallback is mounted for under /api/.
var FallbackMethods = []string{"GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}

// Fallback answers every other request under /api/: CORS preflights,
// 405 for a known address and another method, 404 otherwise, in JSON.
func (a *API) Fallback() http.Handler {
	known := http.NewServeMux()
	seen := map[string]bool{}
	for _, rt := range a.Routes() {
		if !seen[rt.Path] {
			seen[rt.Path] = true
			known.Handle(rt.Path, http.NotFoundHandler())
		}
	}
	return a.handle(func(w http.ResponseWriter, r *http.Request) error {
		_, pattern := known.Handler(r)
		if r.Method == http.MethodOptions && pattern != "" {
			return a.preflight(w, r)
		}
		if pattern != "" {
			var allow []string
			for _, rt := range a.Routes() {
				if rt.Path == pattern {
					allow = append(allow, rt.Method)
				}
			}
			w.Header().Set("Allow", strings.Join(allow, ", "))
			return &Error{Status: http.StatusMethodNotAllowed, Code: "method_not_allowed", Message: "This address does not accept " + r.Method + "."}
		}
		return &Error{Status: http.StatusNotFound, Code: "not_found", Message: "There is nothing at this address."}
	})
}

// HandlerFunc is an API handler that returns an error; handle turns it
// into a JSON error.
type HandlerFunc func(w http.ResponseWriter, r *http.Request) error

// Error is an error the client is told about. Cause only reaches the log.
type Error struct {
	Status  int
	Code    string // stable, for programs
	Message string // for people, in English
	Fields  map[string]FieldError
	Cause   error
}

// FieldError says what is wrong with one field of a request's body.
type FieldError struct {
	Code    string `json:"code"` // the message key, such as form.required
	Message string `json:"message"`
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }
func (e *Error) Unwrap() error { return e.Cause }

func badRequest(code, message string) error {
	return &Error{Status: http.StatusBadRequest, Code: code, Message: message}
}

var (
	errNotFound  = &Error{Status: http.StatusNotFound, Code: "not_found", Message: "There is no such entry."}
	errForbidden = &Error{Status: http.StatusForbidden, Code: "forbidden", Message: "This token's user may not do this."}
)

// handle adapts a HandlerFunc: CORS headers for allowed origins, and
// errors as JSON. Unknown errors are a 500 whose cause is logged, never
// shown.
func (a *API) handle(fn HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.cors(w, r)
		err := fn(w, r)
		if err == nil {
			return
		}
		var e *Error
		if !errors.As(err, &e) {
			e = &Error{Status: http.StatusInternalServerError, Code: "internal", Message: "Something went wrong on our side.", Cause: err}
			slog.Error("api request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		}
		if e.Status == http.StatusUnauthorized {
			w.Header().Set("WWW-Authenticate", `Bearer realm="peerpress"`)
		}
		type body struct {
			Code    string                `json:"code"`
			Message string                `json:"message"`
			Fields  map[string]FieldError `json:"fields,omitempty"`
		}
		w.Header().Set("Cache-Control", "no-store")
		writeJSON(w, e.Status, map[string]body{"error": {Code: e.Code, Message: e.Message, Fields: e.Fields}})
	})
}

// writeJSON sends v with status.
func writeJSON(w http.ResponseWriter, status int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	if h.Get("Cache-Control") == "" {
		h.Set("Cache-Control", "no-cache")
	}
	w.WriteHeader(status)
	_, err = w.Write(append(b, '\n'))
	return err
}

// cors lets the configured origins read GET answers from a browser.
// Writes stay same-origin: a token must never be usable from a page that
// someone else controls.
func (a *API) cors(w http.ResponseWriter, r *http.Request) {
	if len(a.origins) == 0 {
		return
	}
	w.Header().Add("Vary", "Origin")
	if o := r.Header.Get("Origin"); a.origins[o] && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
		w.Header().Set("Access-Control-Allow-Origin", o)
	}
}

// preflight answers a browser asking whether it may send a cross-origin
// request: yes for GET from an allowed origin, no otherwise.
func (a *API) preflight(w http.ResponseWriter, r *http.Request) error {
	o := r.Header.Get("Origin")
	if !a.origins[o] || r.Header.Get("Access-Control-Request-Method") != http.MethodGet {
		return &Error{Status: http.StatusForbidden, Code: "cors_refused", Message: "Cross-origin requests are allowed for reading only, from the site's partners."}
	}
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", o)
	h.Set("Access-Control-Allow-Methods", "GET")
	h.Set("Access-Control-Max-Age", "600")
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// withToken runs fn with the user whose personal API token the request
// carries, refusing a request without one.
func (a *API) withToken(fn func(w http.ResponseWriter, r *http.Request, u auth.User) error) HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
			return &Error{Status: http.StatusUnauthorized, Code: "unauthorized", Message: "This needs a personal API token: Authorization: Bearer <token>."}
		}
		u, err := a.users.UserByAPIToken(r.Context(), strings.TrimSpace(token))
		if errors.Is(err, db.ErrNotFound) {
			return &Error{Status: http.StatusUnauthorized, Code: "invalid_token", Message: "The token is unknown or was revoked, or its user is disabled."}
		}
		if err != nil {
			return err
		}
		return fn(w, r, u)
	}
}

// decode reads a JSON body into v: at most MaxBody bytes, no unknown
// fields, one value.
func decode(w http.ResponseWriter, r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(strings.ToLower(strings.TrimSpace(ct)), "application/json") {
		return &Error{Status: http.StatusUnsupportedMediaType, Code: "unsupported_media_type", Message: "Send the body as application/json."}
	}
	r.Body = http.MaxBytesReader(w, r.Body, MaxBody)
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		// One value and nothing after it but spaces.
		if _, terr := dec.Token(); !errors.Is(terr, io.EOF) {
			err = errors.New("json: data after the value")
		}
	}
	var tooBig *http.MaxBytesError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &tooBig):
		return &Error{Status: http.StatusRequestEntityTooLarge, Code: "body_too_large", Message: "The body is larger than 1 MiB."}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return badRequest("unknown_field", "The body has a field this API does not know: "+strings.TrimPrefix(err.Error(), "json: unknown field ")+".")
	}
	return badRequest("malformed_json", "The body is not the JSON object this address expects.")
}

// openAPI serves the API's description.
func (a *API) openAPI(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, err := w.Write(openAPI)
	return err
}

// origin is the site's address for absolute links.
func (a *API) origin(r *http.Request) string { return web.Origin(a.baseURL, r) }
