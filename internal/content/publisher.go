package content

import (
	"context"
	"maps"
	"slices"
	"time"
)

// A Publisher is a feature area with public pages that are neither
// entries nor their archives: the upcoming events, a statement's
// signatories, a campaign's tribute wall. The sitemap (package feed)
// lists them, and the static mirror will export them: a new area's pages
// are listed by declaring them, not by teaching the sitemap about it.
type Publisher interface {
	// PublicPages lists the area's pages that can be read in lang.
	PublicPages(ctx context.Context, lang string) ([]PublicPage, error)
}

// PublicPage is a public page in every language it exists in.
type PublicPage struct {
	// Path gives the page's address in a language ("/fr/events/upcoming"),
	// or "" where it has none.
	Path func(lang string) string
	// Modified is when what the page shows last changed, if known.
	Modified time.Time
	// Tracked says that Modified moves whenever what the page shows
	// changes (the upcoming events: their entries' words and times), so
	// an incremental static export renders it again only when Modified
	// is after the last export. A page that shows more than its entries
	// (a wall's tributes, a statement's signatures) leaves it false and
	// is rendered again by every incremental export.
	Tracked bool
	// Also gives the address of another page that shows the same data
	// (the entry's own page, whose panel shows the wall), rendered again
	// with it; nil for none.
	Also func(lang string) string
	// Beneath says the addresses under Path (a wall's slideshow,
	// /tributes/1 onwards) show the same data: an incremental export
	// renders again those it reaches with the page, not only those its
	// folder lacks. When Modified is after the last export, it renders
	// every one again and removes those no longer reached (a tribute
	// taken off); otherwise those linked from a page whose file changed.
	Beneath bool
}

// An EntryPager is a feature area whose pages beyond an entry's own
// show that entry's words or times (an event's calendar file): an
// incremental static export renders them again when the entry changed.
type EntryPager interface {
	// EntryPages lists the addresses, in the languages langs, that
	// show any of the entries ids (most of them not the area's).
	EntryPages(ctx context.Context, langs []string, ids []int64) ([]string, error)
}

// A ChangedPager is a feature area whose data shows on pages beyond its
// declared ones and changes while no entry is saved (whether an event's
// places are all taken, on the event's page): an incremental static
// export renders again the pages it names.
type ChangedPager interface {
	// ChangedPages lists the addresses, in the languages langs, whose
	// data changed after since.
	ChangedPages(ctx context.Context, langs []string, since time.Time) ([]string, error)
}

// Under lists, for each entry that can be read in lang, the page at its
// address followed by suffix (a statement's "/signatures"), in the order
// of the entries' ids.
func Under(reaches map[int64]Reach, lang, suffix string) []PublicPage {
	var out []PublicPage
	for _, id := range slices.Sorted(maps.Keys(reaches)) {
		r := reaches[id]
		if _, ok := r.Slugs[lang]; !ok {
			continue
		}
		out = append(out, PublicPage{Modified: r.Modified[lang], Also: r.URL, Path: func(l string) string {
			if u := r.URL(l); u != "" {
				return u + suffix
			}
			return ""
		}})
	}
	return out
}
