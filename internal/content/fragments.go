package content

import "peerpress/internal/web"

// fragments are what pages rendered without the page cache read of
// entries again and again, kept until the next write (web.Fragments).
type fragments struct {
	// exts are the extensions' values of listed entries (annotate); a
	// value an entry does not have is kept as noExt.
	exts *web.Fragments[extKey, any]
	// latest are the home page's newest entries (Latest), by listing.
	latest *web.Fragments[latestKey, latestItems]
	// entries are entries as BySlug read them, by language and slug.
	entries *web.Fragments[slugKey, *Entry]
}

func newFragments(version func() int64) fragments {
	return fragments{
		exts:   web.NewFragments[extKey, any](version, 8192),
		latest: web.NewFragments[latestKey, latestItems](version, 64),
		// An entry holds its translations' bodies: a few kilobytes each.
		entries: web.NewFragments[slugKey, *Entry](version, 256),
	}
}

type extKey struct {
	ext     string
	entryID int64
}

// noExt marks an entry an extension has no value for.
type noExt struct{}

type latestKey struct {
	f     ListFilter
	limit int
}

// latestItems are a listing's newest items until expires (Unix time),
// the next publish time: a translation scheduled then joins them with no
// write to say so.
type latestItems struct {
	items   []Item
	expires int64
}

type slugKey struct{ lang, slug string }
