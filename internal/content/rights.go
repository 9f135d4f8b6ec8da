package content

import "peerpress/internal/auth"

// CanEdit reports whether u may change e itself and its source text:
// editors and admins any entry, authors their own, translators none. The
// API applies the same rights as the editor's pages.
func CanEdit(u auth.User, e *Entry) bool { return canEdit(u, e) }

// CanTranslate reports whether u may change e's translation into lang:
// translators in their languages (never the source), others when they may
// edit the entry.
func CanTranslate(u auth.User, e *Entry, lang string) bool { return canTranslate(u, e, lang) }
