package content

import (
	"context"
	"sync"
)

// An export of the static mirror asks the same questions of the whole
// site again and again: every language's areas' pages and every sitemap
// part want when the archives last changed and which months hold events
// (1.6 s of an incremental export's 12.5 at 100,000 entries went to the
// months alone). Under a context from WithMemo, Memo answers each once;
// the export shows the site as it was when it began, and its next run
// asks again.

type memoKey struct{}

type memo struct {
	mu    sync.Mutex
	cells map[string]*memoCell
}

type memoCell struct {
	mu   sync.Mutex
	done bool
	v    any
}

// WithMemo returns a context under which Memo keeps its answers for as
// long as the context lives: one export.
func WithMemo(ctx context.Context) context.Context {
	return context.WithValue(ctx, memoKey{}, &memo{cells: map[string]*memoCell{}})
}

// Exporting says whether ctx is an export's (WithMemo): another area
// that walks a whole listing may keep what it read for its next pages.
func Exporting(ctx context.Context) bool { return exporting(ctx) }

// exporting says whether ctx is an export's (WithMemo).
func exporting(ctx context.Context) bool {
	_, ok := ctx.Value(memoKey{}).(*memo)
	return ok
}

// Memo returns f's answer for key: the one kept under ctx (WithMemo), or
// f's now, kept if it is not an error. Without WithMemo f is always
// asked: the live site's pages show the site as it is. Callers asking
// the same key at once wait for one answer.
func Memo[T any](ctx context.Context, key string, f func() (T, error)) (T, error) {
	m, ok := ctx.Value(memoKey{}).(*memo)
	if !ok {
		return f()
	}
	m.mu.Lock()
	c := m.cells[key]
	if c == nil {
		c = &memoCell{}
		m.cells[key] = c
	}
	m.mu.Unlock()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.done {
		return c.v.(T), nil
	}
	v, err := f()
	if err == nil {
		c.v, c.done = v, true
	}
	return v, err
}
