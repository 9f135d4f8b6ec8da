package content

import "peerpress/internal/web"

// fragments are what pages rendered without the page cache read of
// entries again and again, kept until the next write (web.Fragments):
// the cold pages' budget of issue 23 leaves no room for reading twenty
// bodies for every feed request.
type fragments struct {
	// texts are translations with their bodies (Texts), for feeds:
	// about 1,000 bodies of a few KB each at most.
	texts *web.Fragments[textKey, Translation]
	// exts are the extensions' values of listed entries (annotate); a
	// value an entry does not have is kept as noExt.
	exts *web.Fragments[extKey, any]
}

func newFragments(version func() int64) fragments {
	return fragments{
		texts: web.NewFragments[textKey, Translation](version, 1024),
		exts:  web.NewFragments[extKey, any](version, 8192),
	}
}

type textKey struct {
	lang    string
	entryID int64
}

type extKey struct {
	ext     string
	entryID int64
}

// noExt marks an entry an extension has no value for.
type noExt struct{}
