// Package mirror writes the public site as static files: a copy that
// works from any web host, from a USB stick opened as files, and from an
// onion service, for where the live site is blocked.
//
// Pages are rendered in process through the site's own handler, marked
// as rendered for the mirror (web.WithMirror), so that templates replace
// forms with a notice leading to the live site. What is exported starts
// from what the areas declare: the home page and archives of every
// language, every visible entry in every language, and each area's
// content.Publisher pages; from there every link to a page the route
// table lets the page cache keep (web.Cache), and every stylesheet,
// script, image size and file the pages use, is followed. Nothing else
// is: a private route, a form, a page answered "private" never reaches
// the folder, and a page neither declared nor linked is not mirrored.
package mirror

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"peerpress/internal/content"
	"peerpress/internal/i18n"
	"peerpress/internal/web"
)

// Site is what an export reads: the live site's handler and route table,
// and what its areas declare.
type Site struct {
	Handler http.Handler
	Routes  *web.Routes
	I18n    func() *i18n.Bundle
	Entries *content.Store
	// Public names the pages that show given entries, for incremental
	// exports.
	Public     *content.Public
	Publishers []content.Publisher
	// Live is the site's public address (the base URL); Onion its onion
	// service's, or "".
	Live, Onion string
	// EntryTerms, when set, reads the words modules added to entries
	// for search (search.EntryTerms: an event's venue and speakers),
	// which the mirror's search finds them by too.
	EntryTerms func(ctx context.Context, lang string, ids []int64) (map[int64]string, error)
	// Fingerprint sums up what every page depends on besides the
	// entries (settings, sections, tags, the program itself): when it
	// changes, an incremental export becomes a full one.
	Fingerprint func(ctx context.Context) (string, error)
	// Sitemaps, when set, names the sitemap files (the index and its
	// parts) that may show the entries given (feed.Handlers.SitemapsShowing):
	// an incremental export renders those instead of every part.
	Sitemaps func(ctx context.Context, ids []int64) ([]string, error)
}

// Options says where and how to export.
type Options struct {
	// Out is the mirror's folder: empty, missing, or a mirror written
	// before.
	Out string
	// Incremental rewrites only what changed since the export recorded
	// in Out's state file, when that is possible; otherwise, and without
	// it, everything is rendered again.
	Incremental bool
	// Workers bounds the pages rendered at once; 0: two per CPU.
	Workers int
	// EntryCards exports each entry's own sharing image (drawn with its
	// title) rather than the site's for every entry without a featured
	// image: a card costs the CPU of dozens of pages.
	EntryCards bool
}

// Report says what an export did.
type Report struct {
	Incremental bool
	// Rendered counts the addresses rendered; Written the files written
	// because they are new or changed; Removed the files of pages that
	// no longer exist.
	Rendered, Written, Removed int
	// Kept counts, in an incremental export, the areas' pages left as
	// the last export wrote them because what they show did not change.
	Kept int
	// Missing lists, sorted, the addresses pages link to that answered
	// no page (a broken link on the live site too).
	Missing []string
	Took    time.Duration
}

// stateFile, in the mirror's folder, records the last export; its name
// starts with a dot, so static hosts do not list it.
const stateFile = ".peerpress-mirror.json"

// ErrNotMirror is returned for an output folder that holds files but no
// mirror: an export never deletes what it did not write.
var ErrNotMirror = errors.New("mirror: the folder holds other files: choose an empty folder, or one a previous export wrote")

// Export writes the site into o.Out. Files are written whole and renamed
// into place, and only when their bytes changed, so that a static server
// or rsync never sees half a file and unchanged files keep their times.
func Export(ctx context.Context, site Site, o Options) (Report, error) {
	start := time.Now()
	// What every language and sitemap part asks again (when the
	// archives changed, which months hold events) is asked once an export.
	ctx = content.WithMemo(ctx)
	if site.Live == "" {
		return Report{}, errors.New("mirror: the site's base URL is needed: the mirror's notices lead to it")
	}
	if err := os.MkdirAll(o.Out, 0o755); err != nil { // #nosec G301 -- a static mirror's folder, meant to be served by any web server
		return Report{}, fmt.Errorf("mirror: %w", err)
	}
	old, err := readState(o.Out)
	if err != nil {
		return Report{}, err
	}
	if old == nil {
		if ents, err := os.ReadDir(o.Out); err != nil {
			return Report{}, fmt.Errorf("mirror: %w", err)
		} else if len(ents) > 0 {
			return Report{}, ErrNotMirror
		}
	}
	// What the export starts from is read before rendering, so a write
	// made meanwhile is seen by the next export.
	now, err := site.begin(ctx, o)
	if err != nil {
		return Report{}, err
	}
	workers := o.Workers
	if workers <= 0 {
		workers = 2 * runtime.GOMAXPROCS(0)
	}
	c := newCrawler(site, o.Out, workers)
	c.mirror.EntryCards = o.EntryCards
	if old != nil && old.Fingerprint == now.Fingerprint {
		c.oldETags = old.ETags
	}
	if old != nil {
		c.oldSums = decodeSums(old.Sums)
	} else {
		c.fresh = true // the folder is empty: checked above
	}
	var rep Report
	var changed []int64 // in an incremental export, the entries saved since the last
	var seeds []string
	if o.Incremental && old != nil && old.Generation == now.Generation && old.Fingerprint == now.Fingerprint {
		rep.Incremental = true
		// Bounds it cannot read are walked again.
		b, err := base64.StdEncoding.DecodeString(old.Listings)
		if err == nil {
			err = site.Entries.AddBounds(b)
		}
		if err != nil {
			slog.Debug("mirror: the last export's listing bounds are unread", "err", err)
		}
		if changed, err = site.Entries.ChangedSince(ctx, time.Unix(old.Since, 0)); err != nil {
			return Report{}, err
		}
		ch, err := site.changedPages(ctx, old, changed, start, o.EntryCards)
		if err != nil {
			return Report{}, err
		}
		rep.Kept = ch.kept
		if !ch.all {
			now.Declared = old.Declared
			// The sitemap index's parts are among the seeds.
			c.sitemapsListed = site.Sitemaps != nil
		}
		c.onlyNew = true
		maps.Copy(c.renew, ch.beneath)
		// The areas' pages no longer public go before the crawl, and
		// the pages that led to them are rendered again.
		seeds, now.Pages = ch.seeds, ch.declared
		gone := goneSince(old.Pages, ch.declared)
		if rep.Removed, err = c.removeGone(gone, ch.declared, old.ETags); err != nil {
			return Report{}, err
		}
		for _, g := range gone {
			if g.Also != "" {
				// Itself gone when no page answers (its slug changed).
				c.gone[g.Also] = true
				seeds = append(seeds, g.Also)
			}
		}
		c.run(ctx, paths(seeds))
		if c.err == nil && ctx.Err() == nil {
			n, err := c.removeUnreached()
			rep.Removed += n
			if err != nil {
				return Report{}, err
			}
		}
	} else {
		seeds, pages, err := site.declared(ctx)
		if err != nil {
			return Report{}, err
		}
		now.Pages = pages
		c.run(ctx, seeds)
	}
	if c.err != nil {
		return Report{}, c.err
	}
	if ctx.Err() != nil {
		return Report{}, ctx.Err()
	}
	// What the crawl knew of every path (half a million at 100,000
	// entries) is not needed by what follows, the search index of each
	// language above all, which holds as much again.
	c.seen = nil
	if err := c.write("index.html", frontDoor(site.I18n().Enabled())); err != nil {
		return Report{}, err
	}
	// The search index: built whole by a full export, patched for the
	// entries saved since the last by an incremental one.
	if err := c.searchIndexes(ctx, changed, rep.Incremental); err != nil {
		return Report{}, err
	}
	// A folder that was empty holds only what this export wrote: walking
	// it to find stale files cost 5% of a first export's CPU (95,000
	// folders read at 20,000 entries).
	if !rep.Incremental && !c.fresh {
		if rep.Removed, err = removeStale(o.Out, "", c.sums, nil); err != nil {
			return Report{}, err
		}
	}
	now.ETags = c.etags
	if rep.Incremental {
		for _, f := range c.removedFiles {
			delete(old.ETags, f)
		}
		// What this export did not render is as the last left it.
		for f, tag := range old.ETags {
			if _, ok := now.ETags[f]; !ok {
				now.ETags[f] = tag
			}
		}
	}
	now.Listings = base64.StdEncoding.EncodeToString(site.Entries.SavedBounds(now.Generation))
	// What this export did not write is as the last left it: the
	// state file merges the last sums with this export's.
	var kept sumTable
	if rep.Incremental {
		kept = c.oldSums.without(c.dropped)
	}
	if err := writeState(o.Out, now, c.sums, kept); err != nil {
		return Report{}, err
	}
	rep.Rendered, rep.Written, rep.Removed = c.rendered, c.written, rep.Removed+c.removed
	rep.Missing = slices.Sorted(func(yield func(string) bool) {
		for p := range c.missing {
			if !yield(p) {
				return
			}
		}
	})
	rep.Took = time.Since(start)
	slog.Debug("mirror exported", "dir", o.Out, "incremental", rep.Incremental, "rendered", rep.Rendered, "kept", rep.Kept, "written", rep.Written, "took", rep.Took)
	return rep, nil
}

// removeUnreached removes, from the folders whose every page this
// incremental export rendered again, the files of pages it no longer
// reached (the last slide, after a tribute was taken off the wall), as
// a full export would.
func (c *crawler) removeUnreached() (int, error) {
	removed := 0
	for dir, all := range c.renew {
		if !all {
			continue
		}
		under := strings.TrimPrefix(dir, "/")
		if _, err := os.Stat(outPath(c.out, under)); err != nil {
			continue // nothing was ever written there
		}
		n, err := removeStale(c.out, under, c.sums, c.forget(nil))
		removed += n
		if err != nil {
			return removed, err
		}
	}
	return removed, nil
}

// removeGone removes, before the crawl of an incremental export, the
// files of the areas' pages the last export declared and this one does
// not (gone: a wall closed with no tribute left, a statement closed with
// nobody signed), and of the pages beneath them (the wall's slideshow),
// walking only those folders. A page rendered again that still links
// one then finds its file missing and renders it, as a full export
// reaches it. Files of pages still declared (now) stay.
func (c *crawler) removeGone(gone, now []declaredPage, etags map[string]string) (int, error) {
	if len(gone) == 0 {
		return 0, nil
	}
	keep := make(map[uint64]written, len(now))
	for _, p := range now {
		keep[pathKey(fileFor(p.Path))] = written{}
	}
	forget := c.forget(etags)
	removed := 0
	for _, g := range gone {
		if !cleanPath(g.Path) {
			continue
		}
		rel := fileFor(g.Path)
		if _, kept := keep[pathKey(rel)]; !kept {
			err := os.Remove(outPath(c.out, rel))
			switch {
			case err == nil:
				removed++
			case !errors.Is(err, fs.ErrNotExist):
				return removed, fmt.Errorf("mirror: %w", err)
			}
			forget(rel)
		}
		under := strings.TrimPrefix(strings.TrimSuffix(g.Path, "/")+"/", "/")
		if !g.Beneath || under == "" {
			continue
		}
		if _, err := os.Stat(outPath(c.out, under)); err != nil {
			continue // nothing was ever written there
		}
		n, err := removeStale(c.out, under, keep, forget)
		removed += n
		if err != nil {
			return removed, err
		}
	}
	return removed, nil
}

// forget drops a file removed from what the last export recorded of it
// (its sum, and its validator in etags when given), so that the state
// file does not carry it on.
func (c *crawler) forget(etags map[string]string) func(rel string) {
	return func(rel string) {
		c.mu.Lock()
		c.dropped[pathKey(rel)] = true
		c.mu.Unlock()
		if etags != nil {
			delete(etags, rel)
		}
	}
}

// outPath is the mirror's own path of a file, for messages.
func outPath(dir, rel string) string { return filepath.Join(dir, filepath.FromSlash(rel)) }

// searchIndexes writes the search index of every language: whole in a
// full export, and in an incremental one patched for the entries saved or
// published since the last (changed).
func (c *crawler) searchIndexes(ctx context.Context, changed []int64, incremental bool) error {
	if !incremental {
		return c.writeSearchIndexes(ctx)
	}
	if len(changed) == 0 {
		return nil
	}
	return c.updateSearchIndexes(ctx, changed)
}
