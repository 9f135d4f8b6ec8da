package db

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// ErrNoSharedLocks is returned by Lock on SQLite, which has no locks that
// other processes see: the caller locks within the process.
var ErrNoSharedLocks = errors.New("db: no locks shared between instances on SQLite")

// ErrLockTimeout is returned by Lock when its context ends before the lock
// is free.
var ErrLockTimeout = errors.New("db: the lock is held elsewhere")

// Lock waits, until ctx ends, for the PostgreSQL advisory lock (class, key),
// held by every instance on the database, and returns how to let it go.
// The lock is held by a connection of its own, outside the pool (a long
// upload must not take one of the pool's connections for its length), so
// that if the instance dies (kill -9, a lost machine) PostgreSQL lets the
// lock go with the connection at once. waiting, when not nil, is called
// once when the lock is first found held. Classes keep apart the users of
// locks; Migrate's lock is a single bigint, in a space of its own.
func (d *DB) Lock(ctx context.Context, class, key int32, waiting func()) (release func(), err error) {
	if d.Engine != Postgres {
		return nil, ErrNoSharedLocks
	}
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	conn, err := pgx.Connect(cctx, d.pgURL)
	cancel()
	if err != nil {
		return nil, fmt.Errorf("db: lock: connect: %w", err)
	}
	closeConn := func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = conn.Close(ctx) // closing the session lets its locks go
	}
	for asked := false; ; {
		var ok bool
		if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1, $2)`, class, key).Scan(&ok); err != nil {
			closeConn()
			if ctx.Err() != nil {
				return nil, ErrLockTimeout
			}
			return nil, fmt.Errorf("db: lock: %w", err)
		}
		if ok {
			return closeConn, nil
		}
		if !asked && waiting != nil {
			waiting()
			asked = true
		}
		select {
		case <-ctx.Done():
			closeConn()
			return nil, ErrLockTimeout
		case <-time.After(50 * time.Millisecond):
		}
	}
}
