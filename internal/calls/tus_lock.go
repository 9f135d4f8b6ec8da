package calls

import (
	"context"
	"errors"
	"hash/fnv"
	"sync"

	tusd "github.com/tus/tusd/v2/pkg/handler"
	"github.com/tus/tusd/v2/pkg/memorylocker"

	"peerpress/internal/db"
)

// useLocker gives the composer a locker that keeps two requests from
// writing one upload at once: on PostgreSQL, across every instance on the
// database (dbLocker); on SQLite, whose site is one process, within it
// (tusd's memorylocker).
func useLocker(d *db.DB, c *tusd.StoreComposer) {
	if d.Engine == db.Postgres {
		c.UseLocker(&dbLocker{d: d, local: map[string]func(){}})
		return
	}
	memorylocker.New().UseIn(c)
}

// dbLocker is tusd's Locker over PostgreSQL's advisory locks (db.Lock):
// a lock is held by a connection of its own for the length of a request,
// and PostgreSQL lets it go when that connection ends, so that an upload
// whose instance died continues at once through another. A request that
// finds the lock held by a request of the same instance asks that one to
// stop (tusd's requestUnlock), as tusd's own lockers do, so that a client
// that lost its connection and comes back is not kept waiting for the
// server to notice. A holder on another instance is not asked: its
// request ends when the server there notices the client is gone.
type dbLocker struct {
	d *db.DB

	mu    sync.Mutex
	local map[string]func() // held here: the upload id → how to ask its request to stop
}

// lockClass keeps uploads' locks apart from other advisory locks.
const lockClass int32 = 0x7075706c // "pupl"

// NewLock is a lock of the upload id, not yet taken.
func (l *dbLocker) NewLock(id string) (tusd.Lock, error) { return &dbLock{l: l, id: id}, nil }

type dbLock struct {
	l       *dbLocker
	id      string
	release func()
}

// Lock waits for the lock until ctx ends (tusd.ErrLockTimeout).
func (k *dbLock) Lock(ctx context.Context, requestUnlock func()) error {
	h := fnv.New32a()
	h.Write([]byte(k.id))
	release, err := k.l.d.Lock(ctx, lockClass, int32(h.Sum32()), func() { // #nosec G115 -- a hash, any bits will do
		k.l.mu.Lock()
		stop := k.l.local[k.id]
		k.l.mu.Unlock()
		if stop != nil {
			stop()
		}
	})
	if errors.Is(err, db.ErrLockTimeout) {
		return tusd.ErrLockTimeout
	}
	if err != nil {
		return err
	}
	k.release = release
	k.l.mu.Lock()
	k.l.local[k.id] = requestUnlock
	k.l.mu.Unlock()
	return nil
}

// Unlock lets the lock go.
func (k *dbLock) Unlock() error {
	k.l.mu.Lock()
	delete(k.l.local, k.id)
	k.l.mu.Unlock()
	if k.release != nil {
		k.release()
		k.release = nil
	}
	return nil
}
