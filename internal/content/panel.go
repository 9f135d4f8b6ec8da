package content

import (
	"html/template"
	"net/http"
)

// A Panel adds a part of its own to an entry's public page, after the
// body: an event's times and registration, a campaign's tribute wall, a
// letter's signatures. The packages that own those features provide
// panels; content knows only this interface.
type Panel interface {
	// EntryPanel renders the panel for entry e read in lang, or "" when
	// it has nothing to show for e.
	EntryPanel(r *http.Request, e *Entry, lang string) (template.HTML, error)
}

// An EditorLinker offers pages of its own about an entry, linked from the
// entry's editor: event details, registrants, tribute moderation,
// signatures.
type EditorLinker interface {
	EditorLinks(r *http.Request, e *Entry) []EditorLink
}

// EditorLink leads from the entry editor to another package's page about
// the entry. Count, when not zero, is shown beside it (waiting items).
type EditorLink struct {
	Label string
	URL   string
	Count int
}
