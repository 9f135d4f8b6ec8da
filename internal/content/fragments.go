package content

import "peerpress/internal/web"

// fragments are what pages rendered without the page cache read of
// entries again and again, kept until the next write (web.Fragments).
type fragments struct {
	// exts are the extensions' values of listed entries (annotate); a
	// value an entry does not have is kept as noExt.
	exts *web.Fragments[extKey, any]
}

func newFragments(version func() int64) fragments {
	return fragments{
		exts: web.NewFragments[extKey, any](version, 8192),
	}
}

type extKey struct {
	ext     string
	entryID int64
}

// noExt marks an entry an extension has no value for.
type noExt struct{}
