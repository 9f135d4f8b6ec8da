package db

import (
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"
)

// Unavailable reports whether err says that the database could not be
// reached, rather than that a query was wrong: the server restarting or
// down, the connection refused, reset or cut. A request that meets one can
// be tried again in a moment, and nothing it meant to write was written
// (a transaction cut midway is rolled back by the server). The web layer
// answers it with a 503 asking to try again, not a 500.
func Unavailable(err error) bool {
	if err == nil {
		return false
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		// Class 08, connection exception; class 57P, the server shutting
		// down or starting (admin_shutdown, crash_shutdown,
		// cannot_connect_now).
		return strings.HasPrefix(pgErr.Code, "08") || strings.HasPrefix(pgErr.Code, "57P")
	}
	var connect *pgconn.ConnectError
	var netErr *net.OpError
	switch {
	case errors.As(err, &connect), errors.As(err, &netErr),
		errors.Is(err, driver.ErrBadConn), errors.Is(err, sql.ErrConnDone),
		errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return true
	}
	// pgx says "conn closed" of a connection it closed after an error.
	return strings.Contains(err.Error(), "conn closed")
}
