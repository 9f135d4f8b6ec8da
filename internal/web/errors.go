package web

import (
	"errors"
	"fmt"
	"net/http"
)

// Error is an error with an HTTP status and a message key for the visitor.
// The visitor sees the translated message; the cause only reaches the log.
type Error struct {
	Status int
	Key    string // i18n message key shown to the visitor
	Cause  error  // logged, never shown
}

func (e *Error) Error() string {
	if e.Cause != nil {
		return fmt.Sprintf("%d %s: %v", e.Status, e.Key, e.Cause)
	}
	return fmt.Sprintf("%d %s", e.Status, e.Key)
}

func (e *Error) Unwrap() error { return e.Cause }

// NotFound is the error for a page that does not exist.
func NotFound() error { return &Error{Status: http.StatusNotFound, Key: "error.not_found"} }

// Gone is the error for a page that existed and was removed.
func Gone() error { return &Error{Status: http.StatusGone, Key: "error.gone"} }

// Forbidden is the error for a page the user may not see or change.
func Forbidden() error { return &Error{Status: http.StatusForbidden, Key: "error.forbidden"} }

// BadRequest is the error for a request that cannot be understood.
func BadRequest(key string) error { return &Error{Status: http.StatusBadRequest, Key: key} }

// Unavailable is the error for a request that met a database (or a
// store) that does not answer: nothing was changed, and trying again in a
// moment should work.
func Unavailable(cause error) *Error {
	return &Error{Status: http.StatusServiceUnavailable, Key: "error.unavailable", Cause: cause}
}

// asError finds the Error in err's chain, or makes a 500 of it.
func asError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Status: http.StatusInternalServerError, Key: "error.internal", Cause: err}
}
