package web

import (
	"sync"
	"time"
)

// Fragments keeps parts of pages read or computed from the database —
// a feed's bodies, a listing's event dates, a tag's names — between
// requests, so that a page rendered without the page cache does not read
// or compute again what no write has changed (issue 23). It is
// invalidated as the page cache is: every value is stamped with the
// database's change count (db.DB.Changes, which any committed write, by
// this process or another on the same database, moves), and once it
// moves every older value is gone. What changes with time alone must be
// kept out, or in the key. At most max values are kept; a full cache
// starts again empty, which bounds its memory by max times its largest
// value. Like the page cache's pages, no value is served more than
// maxFragmentAge after the first of its stamp was kept: what another
// instance's write changes outside the database (its settings, reloaded
// when the write's notice arrives, which may come after the count moved)
// is then wrong for a minute at most.
type Fragments[K comparable, V any] struct {
	version func() int64
	max     int

	now func() time.Time

	mu   sync.RWMutex
	at   int64     // the change count the values were read at
	born time.Time // when the first of them was kept
	m    map[K]V
}

// maxFragmentAge bounds how long a value is served.
const maxFragmentAge = time.Minute

// NewFragments returns an empty cache stamped by version, holding at most
// max values.
func NewFragments[K comparable, V any](version func() int64, max int) *Fragments[K, V] {
	return &Fragments[K, V]{version: version, max: max, now: time.Now, m: map[K]V{}}
}

// Version is the change count to stamp a value with: read it before
// reading the value from the database, and give it to Put.
func (f *Fragments[K, V]) Version() int64 { return f.version() }

// Get returns the value kept for k, if it is as current as the database.
func (f *Fragments[K, V]) Get(k K) (V, bool) {
	changes := f.version()
	f.mu.RLock()
	defer f.mu.RUnlock()
	if f.at != changes || f.now().Sub(f.born) > maxFragmentAge {
		var zero V
		return zero, false
	}
	v, ok := f.m[k]
	return v, ok
}

// Put keeps v for k, read from the database at change count at
// (Version, before the read). A value read before the latest write is
// not kept: it may be stale.
func (f *Fragments[K, V]) Put(at int64, k K, v V) {
	if at != f.version() {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if now := f.now(); f.at != at || len(f.m) >= f.max || now.Sub(f.born) > maxFragmentAge {
		if at < f.at {
			return // a newer stamp was kept meanwhile
		}
		f.at, f.born, f.m = at, now, make(map[K]V, min(f.max, 256))
	}
	f.m[k] = v
}
