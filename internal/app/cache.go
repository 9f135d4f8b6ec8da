package app

import (
	"net/http"
	"strings"

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

// skipCache keeps out of the page cache what is not the same for every
// visitor: admin pages and anything a signed-in user sees, the API, the
// redirect at / (it follows the browser's languages and a cookie) and the
// language switch, and files that have their own caching.
func skipCache(r *http.Request) bool {
	p := r.URL.Path
	if p == "/" || strings.HasPrefix(p, "/admin") || strings.HasPrefix(p, "/api/") || strings.HasPrefix(p, "/lang/") ||
		strings.HasPrefix(p, "/static/") || strings.HasPrefix(p, "/media/") {
		return true
	}
	_, err := r.Cookie(auth.CookieName)
	return err == nil
}
