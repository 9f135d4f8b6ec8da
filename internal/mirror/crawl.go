package mirror

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"

	"peerpress/internal/content"
	"peerpress/internal/web"
)

// crawler renders addresses with a bounded pool of workers, follows the
// links of what it renders, and writes the files.
type crawler struct {
	site    Site
	out     string
	workers int
	routes  *routeIndex
	mirror  *web.Mirror
	// onlyNew follows links only to files the folder lacks (an
	// incremental export: what exists and did not change stays).
	onlyNew bool
	// renew are folders ("/en/campaigns/x/tributes/") whose pages an
	// incremental export renders again when it reaches them, though the
	// folder holds them: they show the data of a page rendered again
	// (content.PublicPage.Beneath). True for a folder whose data changed
	// since the last export: every page reached there is rendered, and
	// its files no page reached are removed (removeUnreached).
	renew map[string]bool
	// renewLinks are, by the page that linked them first, the links
	// under a folder to renew: rendered again when that page's file
	// changed (a tribute approved changes every slide's count), and
	// otherwise only when missing, so an export with nothing new on a
	// wall does not draw its slideshow again.
	renewLinks map[string][]string
	// sitemapsListed says the seeds name the sitemap's parts to render
	// (Site.Sitemaps): the index leads only to those the folder lacks.
	sitemapsListed bool

	mu    sync.Mutex
	wake  *sync.Cond
	queue []seed
	// seen holds what is known of each site path met: queued, and,
	// for a path pages link to, whether the mirror holds it: pages link
	// the same menus, tags and archives, asked once each.
	//
	// Paths are keyed by their maphash (seed): the paths themselves,
	// half a million at 100,000 entries, were 40 MB of the heap.
	seen    map[uint64]pathState
	seed    maphash.Seed
	pending int // queued or being rendered
	missing map[string]bool
	// etags are the files' validators known from the last export, and
	// those of this one.
	oldETags, etags map[string]string
	// fresh says the folder was empty when the export began: no file
	// is there to compare with but those this export wrote.
	fresh bool
	// oldSums are the files as the last export wrote them (as the state
	// file holds them, searched in place), sums as this one leaves them,
	// by pathKey: a file whose bytes have the same sum, and which has the
	// same size and time in the folder, is not written again, and is not
	// read to find out. The keys of
	// sums are also the files this export wrote or kept, which the
	// sweep for stale files spares: a set of them beside the sums held
	// 19 MB at 100,000 entries (a file kept by its ETag, which the last
	// export recorded no sum of, has the zero sum, not recorded).
	oldSums sumTable
	// dropped are the files of oldSums an incremental export removed:
	// the state file does not carry them on.
	dropped map[uint64]bool
	sums    map[uint64]written
	// dirs are folders made lately: the files of one folder (an
	// archive's feeds, the search index's shards) are written close
	// together, and remembering every folder of the site held 25 MB at
	// 20,000 entries; a folder forgotten is asked again, and exists.
	dirsMu sync.Mutex
	dirs   map[string]bool
	// buffers are those pages are rewritten into, kept between pages.
	buffers sync.Pool

	// gone are paths that may no longer be public (an address dropped
	// from a sitemap part, as when a slug changed; the page that led to
	// an area's page gone): rendered, and when no page answers, their
	// files and their sharing pages are removed (removeGone) instead of
	// counting as a broken link.
	gone map[string]bool
	// removedFiles are the files removePage removed.
	removedFiles []string

	rendered, written, removed int
	err                        error
}

func newCrawler(site Site, out string, workers int) *crawler {
	c := &crawler{site: site, out: out, workers: workers, routes: newRouteIndex(site.Routes, site.I18n),
		mirror: &web.Mirror{Live: site.Live, Onion: site.Onion},
		seen:   map[uint64]pathState{}, seed: maphash.MakeSeed(), renew: map[string]bool{}, renewLinks: map[string][]string{}, missing: map[string]bool{},
		etags: map[string]string{}, sums: map[uint64]written{}, dirs: map[string]bool{}, gone: map[string]bool{}, dropped: map[uint64]bool{}}
	c.wake = sync.NewCond(&c.mu)
	return c
}

// seed is a path to render, and, for an entry's page, the run of
// entries whose data are read with it.
type seed struct {
	path  string
	group *entryGroup
}

// entryGroup is a run of a language's entries whose pages are seeds one
// after another, so rendered one after another: their data are read
// together (content.Store.Preload) when the first is rendered, and
// dropped with the group once its last seed has left the queue.
type entryGroup struct {
	lang string
	ids  []int64
	once sync.Once
	pre  *content.Preloaded
}

// entryGroupSize is how many entries a group reads at once.
const entryGroupSize = 64

// preloaded reads the group's entries once, and returns them; nil when
// they could not be read, and each page then reads its own.
func (g *entryGroup) preloaded(ctx context.Context, store *content.Store) *content.Preloaded {
	g.once.Do(func() {
		pre, err := store.Preload(ctx, g.lang, g.ids)
		if err != nil {
			slog.DebugContext(ctx, "mirror: entries read one by one", "err", err)
			return
		}
		g.pre = pre
	})
	return g.pre
}

// paths are seeds of no group.
func paths(ps []string) []seed {
	out := make([]seed, len(ps))
	for i, p := range ps {
		out[i].path = p
	}
	return out
}

// run renders the seeds and whatever they lead to, and returns when
// nothing is left or ctx ends. It clears seeds: an entry group's data
// must go once its pages left the queue, not when the caller's slice does.
func (c *crawler) run(ctx context.Context, seeds []seed) {
	for _, s := range seeds {
		c.addSeed(s, true)
	}
	clear(seeds)
	var wg sync.WaitGroup
	for range c.workers {
		wg.Go(func() {
			for {
				s, ok := c.next(ctx)
				if !ok {
					return
				}
				rctx := ctx
				if s.group != nil && c.site.Entries != nil {
					rctx = content.WithPreloaded(ctx, s.group.preloaded(ctx, c.site.Entries))
				}
				if err := c.render(rctx, s); err != nil {
					c.fail(err)
				}
				c.done()
			}
		})
	}
	stop := context.AfterFunc(ctx, func() { c.mu.Lock(); c.wake.Broadcast(); c.mu.Unlock() })
	defer stop()
	wg.Wait()
}

// add queues a site path once. A link (force false) of an incremental
// export is followed only when its file is missing.
func (c *crawler) add(path string, force bool) { c.addSeed(seed{path: path}, force) }

// addSeed is add, for a seed that may belong to an entry group.
func (c *crawler) addSeed(s seed, force bool) {
	path := s.path
	c.mu.Lock()
	defer c.mu.Unlock()
	k := maphash.String(c.seed, path)
	if c.seen[k]&queued != 0 {
		return
	}
	c.seen[k] |= queued
	if c.onlyNew && !force {
		if _, err := os.Stat(outPath(c.out, fileFor(path))); err == nil {
			return
		}
	}
	c.queue = append(c.queue, s)
	c.pending++
	c.wake.Signal()
}

// renewed says whether path is under one of the folders to renew, and
// whether every page there is.
func (c *crawler) renewed(path string) (under, all bool) {
	if len(c.renew) == 0 {
		return false, false
	}
	for i := len(path) - 1; i > 0; i-- {
		if path[i-1] == '/' {
			if all, ok := c.renew[path[:i]]; ok {
				return true, all
			}
		}
	}
	return false, false
}

func (c *crawler) next(ctx context.Context) (seed, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for len(c.queue) == 0 && c.pending > 0 && c.err == nil && ctx.Err() == nil {
		c.wake.Wait()
	}
	if len(c.queue) == 0 || c.err != nil || ctx.Err() != nil {
		return seed{}, false
	}
	// Last in, first out: a page's links are rendered soon after it,
	// so the queue stays short.
	p := c.queue[len(c.queue)-1]
	c.queue[len(c.queue)-1] = seed{} // its group may go once its last seed has
	c.queue = c.queue[:len(c.queue)-1]
	return p, true
}

func (c *crawler) done() {
	c.mu.Lock()
	c.pending--
	if c.pending == 0 {
		c.wake.Broadcast()
	}
	c.mu.Unlock()
}

func (c *crawler) fail(err error) {
	c.mu.Lock()
	if c.err == nil {
		c.err = err
	}
	c.wake.Broadcast()
	c.mu.Unlock()
}

// render asks the site for path as a visitor with no cookie would, marked
// as rendering for the mirror, and writes what may be kept.
//
// What the page links to and the crawler did not know is queued in the
// page's entry group: an entry's own pages (its calendar file, its share
// links) read the same entry.
func (c *crawler) render(ctx context.Context, s seed) error {
	path := s.path
	req, err := http.NewRequestWithContext(web.WithMirror(ctx, c.mirror), http.MethodGet, c.site.Live+path, nil)
	if err != nil {
		c.miss(path)
		return nil
	}
	req.RemoteAddr = "127.0.0.1:1" // the exporter itself
	rel := fileFor(path)
	if tag := c.oldETags[rel]; tag != "" {
		if _, err := os.Stat(outPath(c.out, rel)); err == nil {
			req.Header.Set("If-None-Match", tag)
		}
	}
	rec := httptest.NewRecorder()
	c.site.Handler.ServeHTTP(rec, req)
	if rec.Code == http.StatusNotModified {
		c.mu.Lock()
		k := pathKey(rel)
		c.sums[k], _ = c.oldSums.get(k)
		c.etags[rel] = c.oldETags[rel]
		c.mu.Unlock()
		return nil
	}
	c.mu.Lock()
	c.rendered++
	c.mu.Unlock()
	res := rec.Result()
	cc := res.Header.Get("Cache-Control")
	private := strings.Contains(cc, "private") || strings.Contains(cc, "no-store")
	c.mu.Lock()
	gone := c.gone[path] && res.StatusCode != http.StatusOK
	c.mu.Unlock()
	switch {
	case gone:
		// An old address (a slug changed: the site sends it on to the
		// new one) or no page: a full export, which no page leads
		// there, has no file for it.
		return c.removePage(path)
	case res.StatusCode >= 300 && res.StatusCode < 400:
		// Only public routes are asked (routeIndex), so where one sends
		// everyone is no secret, even when it is not to be cached (a
		// network's share form).
		return c.redirect(s, res.Header.Get("Location"))
	case res.StatusCode != http.StatusOK || private:
		// A page answered only for one visitor (a form with its
		// challenge) is never copied, so a link to it is as broken as
		// a link to nothing.
		c.miss(path)
		return nil
	}
	body := rec.Body.Bytes()
	if tag := res.Header.Get("ETag"); tag != "" {
		c.mu.Lock()
		c.etags[rel] = tag
		c.mu.Unlock()
	}
	switch ct := res.Header.Get("Content-Type"); {
	case strings.HasPrefix(ct, "text/html"):
		out, _ := c.buffers.Get().(*bytes.Buffer)
		if out == nil {
			out = new(bytes.Buffer)
		}
		defer func() { out.Reset(); c.buffers.Put(out) }()
		c.rewrite(out, page{path, fileFor(path), s.group}, body)
		body = out.Bytes()
	case path == "/sitemap.xml":
		// The index names each language's sitemap files.
		for _, loc := range sitemapLocs(body) {
			if p, ok := strings.CutPrefix(loc, c.site.Live); ok && strings.HasPrefix(p, "/") {
				c.add(p, !c.sitemapsListed)
			}
		}
	case c.onlyNew && isSitemapPart(path):
		// An address the part listed and no longer does (a slug
		// changed) may be no page now: its file is not left behind.
		// The file it replaces is read only when it changed.
		var old []byte
		_, err := c.putReplacing(rel, body, &old)
		for _, loc := range droppedLocs(old, body) {
			if p, ok := strings.CutPrefix(loc, c.site.Live); ok && cleanPath(p) {
				c.mayBeGone(p)
			}
		}
		return err
	}
	changed, err := c.put(rel, body)
	c.followRenewed(path, changed)
	return err
}

// isSitemapPart says whether path is one of a language's sitemap files
// (/sitemap-en.xml, /sitemap-en-2.xml), not the index.
func isSitemapPart(path string) bool {
	return strings.HasPrefix(path, "/sitemap-") && strings.HasSuffix(path, ".xml") && strings.Count(path, "/") == 1
}

// droppedLocs lists the addresses the sitemap old listed that now does
// not. The addresses are kept as their maphash, not copied: at 100,000
// entries a part holds 10,000.
func droppedLocs(old, now []byte) []string {
	if len(old) == 0 {
		return nil
	}
	seed := maphash.MakeSeed()
	kept := map[uint64]struct{}{}
	eachLoc(now, func(loc []byte) { kept[maphash.Bytes(seed, loc)] = struct{}{} })
	var out []string
	eachLoc(old, func(loc []byte) {
		if _, ok := kept[maphash.Bytes(seed, loc)]; !ok {
			out = append(out, string(loc))
		}
	})
	return out
}

// eachLoc calls fn with each <loc> address of a sitemap, in order.
func eachLoc(body []byte, fn func(loc []byte)) {
	for {
		_, after, ok := bytes.Cut(body, []byte("<loc>"))
		if !ok {
			return
		}
		loc, rest, ok := bytes.Cut(after, []byte("</loc>"))
		if !ok {
			return
		}
		fn(loc)
		body = rest
	}
}

// mayBeGone renders path, whose page may no longer be public: when none
// answers, its files go (removePage).
func (c *crawler) mayBeGone(path string) {
	c.mu.Lock()
	c.gone[path] = true
	c.mu.Unlock()
	c.add(path, true)
}

// removePage removes the file of a page no longer public, and its
// sharing pages (content.SharePagesOf), unless this export wrote them.
func (c *crawler) removePage(path string) error {
	for _, p := range append([]string{path}, content.SharePagesOf(path)...) {
		rel := fileFor(p)
		c.mu.Lock()
		_, mine := c.sums[pathKey(rel)]
		c.mu.Unlock()
		if mine {
			continue
		}
		err := os.Remove(outPath(c.out, rel))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("mirror: %w", err)
		}
		// The validators are read by the crawl: the file's is dropped
		// after it (removedFiles).
		c.mu.Lock()
		c.removed++
		c.dropped[pathKey(rel)] = true
		c.removedFiles = append(c.removedFiles, rel)
		c.mu.Unlock()
	}
	return nil
}

// followRenewed queues the links under a folder to renew that the page
// at from linked first: all of them when its file changed.
func (c *crawler) followRenewed(from string, changed bool) {
	c.mu.Lock()
	links := c.renewLinks[from]
	delete(c.renewLinks, from)
	c.mu.Unlock()
	for _, p := range links {
		c.add(p, changed)
	}
}

// pathState is what the crawler knows of a site path.
type pathState uint8

const (
	queued       pathState = 1 << iota // to render, rendered, or left as it is
	linkKnown                          // linked, and asked whether the mirror holds it
	linkMirrored                       // the mirror holds it: links lead to its file
)

// redirect writes, for an address that moved, a page that leads on to
// where it moved, and follows it there.
func (c *crawler) redirect(s seed, location string) error {
	path := s.path
	to := location
	if local, ok := c.sitePath(location); ok {
		to = c.site.Live + local
		if u, err := url.Parse(local); err == nil && u.RawQuery == "" {
			if file, ok := c.link(page{path, fileFor(path), s.group}, u.Path); ok {
				to = file
			}
		}
	}
	changed, err := c.put(fileFor(path), redirectPage(to))
	c.followRenewed(path, changed)
	return err
}

// sitePath is the path (and query) of an address on the live site, given
// as a path or whole.
func (c *crawler) sitePath(addr string) (string, bool) {
	if strings.HasPrefix(addr, "/") && !strings.HasPrefix(addr, "//") {
		return addr, true
	}
	if p, ok := strings.CutPrefix(addr, c.site.Live); ok && (p == "" || p[0] == '/' || p[0] == '?' || p[0] == '#') {
		if p == "" || p[0] != '/' {
			p = "/" + p
		}
		return p, true
	}
	return "", false
}

func (c *crawler) miss(path string) {
	c.mu.Lock()
	c.missing[path] = true
	c.mu.Unlock()
}

// link is a site path as the page at from links to it in the mirror: a
// relative address of its file, when the route table lets the mirror
// copy it (the page is then rendered too); ok is false for a page only
// the live site serves.
func (c *crawler) link(from page, path string) (string, bool) {
	if path == "/" {
		return relative(from.file, "index.html"), true // the mirror's own front door
	}
	k := maphash.String(c.seed, path)
	c.mu.Lock()
	st := c.seen[k]
	c.mu.Unlock()
	if st&linkKnown == 0 {
		st = linkKnown
		if cleanPath(path) && (c.routes.mirrored(path) || c.isSearchPage(path)) {
			st |= linkMirrored
		}
		c.mu.Lock()
		c.seen[k] |= st
		c.mu.Unlock()
		under, all := false, false
		if st&linkMirrored != 0 && c.onlyNew {
			under, all = c.renewed(path)
		}
		switch {
		case st&linkMirrored == 0:
		case all:
			c.add(path, true)
		case under:
			c.mu.Lock()
			c.renewLinks[from.path] = append(c.renewLinks[from.path], path)
			c.mu.Unlock()
		default:
			c.addSeed(seed{path, from.group}, false)
		}
	}
	if st&linkMirrored == 0 {
		return "", false
	}
	return relative(from.file, fileFor(path)), true
}

// write puts a file in the folder, unless it holds the same bytes: known
// by what the last export recorded of it, or, without that, by reading
// the file.
func (c *crawler) write(rel string, body []byte) error {
	_, err := c.put(rel, body)
	return err
}

// put is write, saying whether the file's bytes changed.
func (c *crawler) put(rel string, body []byte) (changed bool, _ error) {
	return c.putReplacing(rel, body, nil)
}

// putReplacing is put, reading into replaced (when given) the bytes of
// the file it replaces, if any.
func (c *crawler) putReplacing(rel string, body []byte, replaced *[]byte) (changed bool, _ error) {
	name := outPath(c.out, rel)
	key, sum := pathKey(rel), fileSum(body)
	c.mu.Lock()
	old, recorded := c.oldSums.get(key)
	c.mu.Unlock()
	switch {
	case recorded && old.sum == sum:
		if fi, err := os.Lstat(name); err == nil && fi.Mode().IsRegular() && fi.Size() == int64(len(body)) && fi.ModTime().UnixNano() == old.time {
			c.wrote(key, old, false)
			return false, nil
		}
	case recorded, c.fresh:
		// Changed, or new in a folder that was empty: nothing to read.
	default:
		if b, err := os.ReadFile(name); err == nil && bytes.Equal(b, body) { // #nosec G304 -- a file of the mirror folder the operator named
			if fi, err := os.Lstat(name); err == nil {
				c.wrote(key, written{sum, fi.ModTime().UnixNano()}, false)
				return false, nil
			}
		}
	}
	if replaced != nil && !c.fresh {
		*replaced, _ = os.ReadFile(name) // #nosec G304 -- a file of the mirror folder the operator named
	}
	if err := c.mkdir(name); err != nil {
		return false, err
	}
	mtime, err := writeFile(name, body, c.fresh)
	if err != nil {
		return false, err
	}
	c.wrote(key, written{sum, mtime}, true)
	return true, nil
}

// wrote records a file the folder holds as this export leaves it.
func (c *crawler) wrote(key uint64, w written, changed bool) {
	c.mu.Lock()
	c.sums[key] = w
	if changed {
		c.written++
	}
	c.mu.Unlock()
}

// recentDirs bounds the folders the crawler remembers having made.
const recentDirs = 1024

// mkdir makes the folder of the file name, unless it made it lately. A
// folder is most often a page's own, in a folder made before: it is made
// in one call.
func (c *crawler) mkdir(name string) error {
	dir := name[:strings.LastIndexByte(name, os.PathSeparator)+1]
	c.dirsMu.Lock()
	made := c.dirs[dir]
	c.dirsMu.Unlock()
	if made {
		return nil
	}
	err := os.Mkdir(dir, 0o755) // #nosec G301 -- a static mirror's folder, meant to be served by any web server
	if err != nil && !errors.Is(err, fs.ErrExist) {
		err = os.MkdirAll(dir, 0o755) // #nosec G301 -- a static mirror's folder, meant to be served by any web server
	}
	if err != nil {
		if fi, serr := os.Stat(dir); serr != nil || !fi.IsDir() {
			return err
		}
	}
	c.dirsMu.Lock()
	if len(c.dirs) >= recentDirs {
		clear(c.dirs)
	}
	c.dirs[dir] = true
	c.dirsMu.Unlock()
	return nil
}

// sitemapLocs reads the <loc> addresses of a sitemap or sitemap index.
func sitemapLocs(body []byte) []string {
	var out []string
	for {
		_, after, ok := bytes.Cut(body, []byte("<loc>"))
		if !ok {
			return out
		}
		loc, rest, ok := bytes.Cut(after, []byte("</loc>"))
		if !ok {
			return out
		}
		out = append(out, string(loc))
		body = rest
	}
}

// isSearchPage says whether path is a language's search page, which the
// mirror holds though the route table keeps it out of the page cache.
func (c *crawler) isSearchPage(path string) bool {
	lang, rest, ok := strings.Cut(strings.TrimPrefix(path, "/"), "/")
	if !ok || rest != "search" {
		return false
	}
	_, known := c.site.I18n().Get(lang)
	return known
}
