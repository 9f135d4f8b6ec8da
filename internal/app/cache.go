package app

import (
	"net/http"

	"peerpress/internal/auth"
	"peerpress/internal/db"
	"peerpress/internal/web"
)

// defaultPageCacheMB bounds the page cache: with pages of ~10 KB and their
// compressed copies, some 3,000 pages, well inside the memory budget.
const defaultPageCacheMB = 48

func newPageCache(d *db.DB, mb int, off bool) *web.PageCache {
	if mb <= 0 {
		mb = defaultPageCacheMB
	}
	c := web.NewPageCache(int64(mb)<<20, d.Changes)
	c.Skip = skipCache
	if off {
		c.Skip = func(*http.Request) bool { return true }
	}
	return c
}

// skipCache keeps signed-in users' pages out of the page cache: they may
// carry the admin bar or a CSRF token; and pages rendered for the static
// mirror, whose notices stand where the live site's forms are. Which routes may be cached at all
// is the route table's to say (web.Cache).
func skipCache(r *http.Request) bool {
	_, err := r.Cookie(auth.CookieName)
	return err == nil || web.MirrorOf(r) != nil
}
