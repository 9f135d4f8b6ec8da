package content

import (
	"context"
	"html/template"
	"net/http"

	"peerpress/internal/db"
	"peerpress/internal/web"
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

// An ActionPanel also has a part that is what a visitor came for: an
// event's time and the Register button, a letter's count and Sign
// button, a campaign's "Add a tribute". The page puts those parts before
// the body, so that on a phone they are on the first screen, and in the
// side column at desktop width; EntryPanel's part stays after the body.
type ActionPanel interface {
	Panel
	// EntryAction renders the action part for entry e read in lang, or
	// "" when it has none.
	EntryAction(r *http.Request, e *Entry, lang string) (template.HTML, error)
}

// An EditorLinker offers pages of its own about an entry, linked from the
// entry's editor: event details, registrants, tribute moderation,
// signatures.
type EditorLinker interface {
	EditorLinks(r *http.Request, e *Entry) []EditorLink
}

// A MediaHolder keeps media of its own for entries, in rows the
// database deletes with the entry: a campaign's tribute photos. Those
// media have no other owner, so DeleteEntry asks for them inside its
// transaction, before the rows go, and returns them with the entry's own
// for the caller to delete with their files once the deletion is
// committed. Admin.Delete finds the holders among its Linkers: the
// packages that add pages to an entry are the ones that keep things for
// it.
type MediaHolder interface {
	EntryMedia(ctx context.Context, tx *db.Tx, entryID int64) ([]int64, error)
}

// A HomeBlock is a part of the home page a feature area offers: the
// featured campaign above the latest entries, the upcoming events beside
// them. The home page is composed of what the areas offer, in their
// order.
type HomeBlock interface {
	HomeBlock(r *http.Request, lang string) (HomePart, error)
}

// HomePart is a rendered home-page block; an empty HTML shows nothing.
type HomePart struct {
	// Lead parts come above the latest entries, the others beside them.
	Lead bool
	HTML template.HTML
}

// A NavLinker adds links to the site's main navigation, after the
// sections: the events calendar.
type NavLinker interface {
	NavLinks(lang string) []web.NavLink
}

// A FooterBlock adds a small part to every public page's footer, the same
// for every visitor, in the page's language: the members' updates'
// subscribe form.
type FooterBlock interface {
	FooterBlock(lang string) template.HTML
}

// EditorLink leads from the entry editor to another package's page about
// the entry. Count, when not zero, is shown beside it (waiting items).
type EditorLink struct {
	Label string
	URL   string
	Count int
}
