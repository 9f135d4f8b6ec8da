package mirror

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"peerpress/internal/content"
)

// begin reads what the export starts from, for the state file.
func (s Site) begin(ctx context.Context, o Options) (state, error) {
	now := time.Now()
	st := state{Format: stateFormat, Since: now.Add(-time.Second).Unix(), Declared: now.Unix()}
	var err error
	if st.Generation, err = s.Entries.ListingGeneration(ctx); err != nil {
		return st, err
	}
	if s.Fingerprint != nil {
		if st.Fingerprint, err = s.Fingerprint(ctx); err != nil {
			return st, err
		}
	}
	// The notices name both addresses.
	st.Fingerprint += " " + s.Live + " " + s.Onion + " " + strconv.FormatBool(o.EntryCards)
	return st, nil
}

// sitemapBatch is how many entries are read at once.
const sitemapBatch = 5000

// declared lists what the areas declare, in every enabled language: the
// home page, the archives that list something, the areas' pages
// (content.Publisher) and every visible entry, then the site's robots.txt
// and sitemap. The rest is reached by links.
//
// The entries' pages come in groups (entryGroup): the pages of a group
// are queued one after another, so rendered so, and the group's data are
// read in a few queries for all of them.
func (s Site) declared(ctx context.Context) ([]seed, []declaredPage, error) {
	out := []seed{{path: "/robots.txt"}}
	add := func(ps ...string) {
		for _, p := range ps {
			out = append(out, seed{path: p})
		}
	}
	var declared []declaredPage
	for _, l := range s.I18n().Enabled() {
		pages, err := s.listings(ctx, l.Code, &declared)
		if err != nil {
			return nil, nil, err
		}
		add(pages...)
		// The search page searches the mirror's own index there.
		add(searchPage(l.Code))
		tags, err := s.Entries.Tags(ctx)
		if err != nil {
			return nil, nil, err
		}
		for _, t := range tags {
			base := "/" + l.Code + "/tag/" + t.Slug
			add(base, base+"/feed.xml", base+"/atom.xml", base+"/feed.json")
		}
		var g *entryGroup
		for after := int64(0); ; {
			urls, err := s.Entries.SitemapURLs(ctx, l.Code, after, sitemapBatch)
			if err != nil {
				return nil, nil, err
			}
			for _, u := range urls {
				if g == nil || len(g.ids) == entryGroupSize {
					g = &entryGroup{lang: l.Code, ids: make([]int64, 0, entryGroupSize)}
				}
				g.ids = append(g.ids, u.EntryID)
				out = append(out, seed{path: u.URL(), group: g})
			}
			if len(urls) < sitemapBatch {
				break
			}
			after = urls[len(urls)-1].EntryID
		}
	}
	// Last, so rendered first (the crawler takes the newest): its parts
	// are the largest files, some 6 MB of XML each at 10,000 addresses,
	// and four rendered at once held 70 MB, best held before the crawler
	// knows the site's 100,000 paths rather than after.
	return append(out, seed{path: "/sitemap.xml"}), sortPages(declared), nil
}

// listings are a language's home page, archives and feeds, and the
// areas' pages: what may change whenever an entry does. The areas' pages
// are added to declared too.
func (s Site) listings(ctx context.Context, lang string, declared *[]declaredPage) ([]string, error) {
	out := []string{"/" + lang + "/", "/" + lang + "/feed.xml", "/" + lang + "/atom.xml", "/" + lang + "/feed.json"}
	mod, err := s.Entries.ArchivesModified(ctx, lang)
	if err != nil {
		return nil, err
	}
	feeds := func(base string) {
		out = append(out, base, base+"/feed.xml", base+"/atom.xml", base+"/feed.json")
	}
	for _, k := range content.Kinds() {
		if _, ok := mod.Kinds[k]; ok && k != content.Page {
			feeds("/" + lang + "/" + k.Segment())
		}
	}
	sections, err := s.Entries.Sections(ctx)
	if err != nil {
		return nil, err
	}
	for _, sec := range sections {
		if _, ok := mod.Sections[sec.ID]; ok {
			feeds("/" + lang + "/section/" + sec.Slug)
		}
	}
	for _, p := range s.Publishers {
		pages, err := p.PublicPages(ctx, lang)
		if err != nil {
			return nil, err
		}
		for _, pg := range pages {
			if path := pg.Path(lang); path != "" {
				out = append(out, path)
				*declared = append(*declared, declare(pg, lang, path))
			}
		}
	}
	return out, nil
}

// declaredEvery is how often an incremental export renders again the
// areas' pages that it otherwise renders only when their Modified moved.
const declaredEvery = time.Hour

// changedPages lists (seeds) what an incremental export renders again: the
// pages that show an entry saved or published since the last export
// (content.Public.PagesShowing) and the feeds of the archives they are
// in, each language's home page and feeds, the sitemap's index and the
// parts that may have changed (Site.Sitemaps; all of them without it,
// or in the hourly round), and of the
// areas' pages those that may have changed: a tracked page
// (content.PublicPage.Tracked) when its Modified is after the last
// export or the last full round of them is declaredEvery old, every
// other page (a tribute wall) always, with the page that shares its data
// (Also), and the areas' pages that show a changed entry
// (content.EntryPager: an event's calendar file) or whose data changed
// though no entry did (content.ChangedPager: an event's page when a
// place was taken or given up). kept counts the
// declared pages left out; all reports whether every declared page was
// listed; beneath are the folders (".../tributes/") under a page listed
// whose pages show its data (content.PublicPage.Beneath): the crawler
// renders again those it reaches there, every one when the page's
// Modified is after the last export (true), otherwise those linked from
// a page whose file changed (false).
//
// ids are the entries saved or published since the last export
// (content.Store.ChangedSince, which reads every translation).
//
// declared are every page the areas declare now, kept or not: the pages
// the last export declared that are not among them are no longer public
// (goneSince).
func (s Site) changedPages(ctx context.Context, old *state, ids []int64, now time.Time, cards bool) (changes, error) {
	since := old.Since
	all := now.Sub(time.Unix(old.Declared, 0)) >= declaredEvery
	out := []string{"/robots.txt", "/sitemap.xml"}
	beneath := map[string]bool{}
	kept := 0
	var declared []declaredPage
	if !all && s.Sitemaps != nil {
		// The parts that list an entry saved since, or the pages whose
		// times move with any: 50 MB of XML at 20,000 entries in three
		// languages otherwise. The hourly round renders them all, for
		// what shifts the parts without moving the listing generation
		// (an area declaring another page).
		sitemaps, err := s.Sitemaps(ctx, ids)
		if err != nil {
			return changes{}, err
		}
		out = append(out, sitemaps...)
	}
	feeds := func(base string) {
		out = append(out, base+"/feed.xml", base+"/atom.xml", base+"/feed.json")
	}
	if len(ids) > 0 {
		pages, err := s.Public.PagesShowing(ctx, ids)
		if err != nil {
			return changes{}, err
		}
		for _, p := range pages {
			// Without entries' own cards, their sharing images are not
			// in the mirror; a campaign's share links are.
			if !cards && strings.Contains(p, "/share/") && strings.HasSuffix(p, ".png") {
				continue
			}
			out = append(out, p)
			if base, ok := archiveBase(p); ok {
				feeds(base)
			}
		}
	}
	langs := s.I18n().Enabled()
	codes := make([]string, len(langs))
	for i, l := range langs {
		codes[i] = l.Code
	}
	if len(ids) > 0 {
		for _, p := range s.Publishers {
			if ep, ok := p.(content.EntryPager); ok {
				pages, err := ep.EntryPages(ctx, codes, ids)
				if err != nil {
					return changes{}, err
				}
				out = append(out, pages...)
			}
		}
	}
	for _, p := range s.Publishers {
		if cp, ok := p.(content.ChangedPager); ok {
			pages, err := cp.ChangedPages(ctx, codes, time.Unix(since, 0))
			if err != nil {
				return changes{}, err
			}
			out = append(out, pages...)
		}
	}
	for _, l := range langs {
		out = append(out, "/"+l.Code+"/")
		feeds("/" + l.Code)
		for _, p := range s.Publishers {
			pages, err := p.PublicPages(ctx, l.Code)
			if err != nil {
				return changes{}, err
			}
			for _, pg := range pages {
				path := pg.Path(l.Code)
				if path == "" {
					continue
				}
				declared = append(declared, declare(pg, l.Code, path))
				if pg.Tracked && !all && pg.Modified.Unix() < since {
					kept++
					continue
				}
				out = append(out, path)
				if pg.Beneath {
					dir := strings.TrimSuffix(path, "/") + "/"
					beneath[dir] = beneath[dir] || pg.Modified.Unix() >= since
				}
				if pg.Also != nil {
					if also := pg.Also(l.Code); also != "" {
						out = append(out, also)
					}
				}
			}
		}
	}
	slices.Sort(out)
	return changes{seeds: slices.Compact(out), beneath: beneath, kept: kept, all: all, declared: sortPages(declared)}, nil
}

// changes are what changedPages found: the seeds of an incremental
// export, and what it says of them.
type changes struct {
	seeds    []string
	beneath  map[string]bool
	kept     int
	all      bool
	declared []declaredPage
}

// archiveBase is the first page of the archive whose page p is
// (/en/articles, /en/section/x, /en/tag/x), false if p is none. The
// archive's feeds hold its newest 20 entries, more than its first page
// shows: an entry changed on its second page is in them too.
func archiveBase(p string) (string, bool) {
	base := p
	if i := strings.LastIndex(p, "/page/"); i >= 0 {
		base = p[:i]
	}
	parts := strings.Split(strings.Trim(base, "/"), "/")
	switch {
	case len(parts) == 2 && isKindSegment(parts[1]):
	case len(parts) == 3 && (parts[1] == "section" || parts[1] == "tag"):
	default:
		return "", false
	}
	return base, true
}

func isKindSegment(seg string) bool {
	for _, k := range content.Kinds() {
		if k != content.Page && k.Segment() == seg {
			return true
		}
	}
	return false
}

// searchPage is a language's search page: the live site's searches on
// the server; the mirror's copy, rendered for the mirror, searches the
// mirror's index in the reader's browser.
func searchPage(lang string) string { return "/" + lang + "/search" }

// declaredPage is a page an area declared (content.PublicPage) in one
// language, as the state file records it for the next export: when the
// area no longer declares it (a wall closed with no tribute on it, a
// statement closed with nobody signed), an incremental export removes
// its files, those of the pages beneath it, and renders again the page
// that led to it (Also), as a full export would leave them, without
// walking the folder.
type declaredPage struct {
	Path    string `json:"p"`
	Also    string `json:"a,omitempty"`
	Beneath bool   `json:"b,omitempty"`
}

func declare(pg content.PublicPage, lang, path string) declaredPage {
	d := declaredPage{Path: path, Beneath: pg.Beneath}
	if pg.Also != nil {
		d.Also = pg.Also(lang)
	}
	return d
}

// sortPages sorts the pages by path, one of each, so that the same site
// gives the same state.
func sortPages(ps []declaredPage) []declaredPage {
	slices.SortFunc(ps, func(a, b declaredPage) int { return strings.Compare(a.Path, b.Path) })
	return slices.CompactFunc(ps, func(a, b declaredPage) bool { return a.Path == b.Path })
}

// goneSince lists the pages of was (sorted, as sortPages leaves them)
// that are not in now: declared by the last export, no longer public.
func goneSince(was, now []declaredPage) []declaredPage {
	var gone []declaredPage
	for _, p := range was {
		if _, found := slices.BinarySearchFunc(now, p.Path, func(d declaredPage, path string) int { return strings.Compare(d.Path, path) }); !found {
			gone = append(gone, p)
		}
	}
	return gone
}
