// Package content owns entries — articles, events, publications,
// statements, campaigns, pages — their translations, revisions, sections,
// tags and co-author organisations: the SQL, the public pages and the
// editor.
package content

import (
	"time"

	"peerpress/internal/media"
)

// Kind is the kind of an entry.
type Kind string

// The spine's kinds of entry. Feature areas add theirs with RegisterKind
// (calls, members' updates).
const (
	Article     Kind = "article"
	Event       Kind = "event"
	Publication Kind = "publication"
	Statement   Kind = "statement"
	Campaign    Kind = "campaign"
	Page        Kind = "page"
)

// Status is where a translation is in its life.
type Status string

// Statuses. A scheduled translation becomes visible when its publish time
// passes, without anything having to run; archived ones stay readable.
const (
	Draft     Status = "draft"
	Scheduled Status = "scheduled"
	Published Status = "published"
	Archived  Status = "archived"
)

// Statuses lists every status in workflow order.
var Statuses = []Status{Draft, Scheduled, Published, Archived}

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	for _, v := range Statuses {
		if v == s {
			return true
		}
	}
	return false
}

// Entry is one piece of content in all its languages.
type Entry struct {
	ID              int64
	Kind            Kind
	SourceLang      string
	SectionID       int64 // 0: none
	AuthorID        int64 // 0: unknown (imported, or author deleted)
	Featured        bool
	FeaturedMediaID int64 // 0: none
	CreatedAt       time.Time
	UpdatedAt       time.Time

	Translations []Translation
	TagIDs       []int64
	OrgIDs       []int64
	// CoauthorRole is what the co-authors did (CoauthorRoles); "" takes
	// the kind's default.
	CoauthorRole string
	// Ext holds the values of the extensions of the entry's kind, by
	// their names (Extension): an event's time and place.
	Ext map[string]any

	// linksRead is set when TagIDs, OrgIDs and attachments were read
	// from the database together (Store.loadRest): the entry's page then
	// asks for its organisations and files only when it has some. An
	// entry made otherwise (a preview's, as typed) is asked for both.
	linksRead   bool
	attachments int // how many files are attached
}

// Translation returns the entry's translation in lang.
func (e *Entry) Translation(lang string) (Translation, bool) {
	for _, t := range e.Translations {
		if t.Lang == lang {
			return t, true
		}
	}
	return Translation{}, false
}

// Source returns the translation in the entry's source language.
func (e *Entry) Source() Translation {
	t, _ := e.Translation(e.SourceLang)
	return t
}

// Translation is an entry in one language.
type Translation struct {
	ID             int64
	EntryID        int64
	Lang           string
	Title          string
	Slug           string
	Summary        string
	Body           string // Markdown
	Status         Status
	PublishAt      time.Time
	Revision       int // how many times it was saved
	SourceRevision int // the source's revision this was made from
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// Visible reports whether readers can see the translation at now.
func (t Translation) Visible(now time.Time) bool {
	return t.Status != Draft && !t.PublishAt.After(now)
}

// URL is the translation's public address.
func URL(kind Kind, lang, slug string) string {
	if seg := kind.Segment(); seg != "" {
		return "/" + lang + "/" + seg + "/" + slug
	}
	return "/" + lang + "/" + slug
}

// Section groups entries (news, resources, advocacy…); its name is
// translated, its slug is the same in every language.
type Section struct {
	ID       int64
	Slug     string
	Position int
	Names    map[string]string
}

// Tag labels entries across sections.
type Tag struct {
	ID    int64
	Slug  string
	Names map[string]string
}

// localName picks the name in lang, else English, else any.
func localName(names map[string]string, slug, lang string) string {
	if n := names[lang]; n != "" {
		return n
	}
	if n := names["en"]; n != "" {
		return n
	}
	for _, n := range names {
		return n
	}
	return slug
}

// Name is the section's name in lang.
func (s Section) Name(lang string) string { return localName(s.Names, s.Slug, lang) }

// Name is the tag's name in lang.
func (t Tag) Name(lang string) string { return localName(t.Names, t.Slug, lang) }

// Organisation is a member or partner organisation; entries can name them
// as co-authors.
type Organisation struct {
	ID       int64
	Slug     string
	Name     string
	Website  string
	Country  string
	Relation string // member or partner
}

// CoauthorRoles are what an entry's co-author organisations did, in the
// editor's order; each has its words before their names on the entry's
// page, entry.coauthor_role.<role> in the catalogs.
var CoauthorRoles = []string{"joint_statement", "published_with", "cosigned_by"}

// DefaultCoauthorRole is the role an entry of kind k takes until the
// editor chooses one: a statement's co-authors made it jointly; other
// entries are published with them.
func DefaultCoauthorRole(k Kind) string {
	if k == Statement {
		return "joint_statement"
	}
	return "published_with"
}

// Coauthors is the role of the entry's co-authors, the kind's default
// when none was chosen.
func (e *Entry) Coauthors() string {
	if e.CoauthorRole != "" {
		return e.CoauthorRole
	}
	return DefaultCoauthorRole(e.Kind)
}

// Attachment is a file attached to an entry in one language, such as a
// report's PDF in Russian: a media item (stored without its metadata) with
// a title in that language. An entry may have several files in the same
// language, and files in languages it has no translation in.
type Attachment struct {
	ID        int64
	EntryID   int64
	MediaID   int64
	Lang      string // the language of the file, and of Title
	Title     string
	Position  int // order among the entry's attachments, from 1
	CreatedAt time.Time

	// From the media item.
	Path  string // relative to the media folder
	MIME  string
	Bytes int64
}

// URL is the address the file is served at.
func (a Attachment) URL() string { return media.Media{Path: a.Path}.URL() }

// Revision is one saved state of a translation.
type Revision struct {
	ID            int64
	TranslationID int64
	Number        int
	Title         string
	Slug          string
	Summary       string
	Body          string
	Status        Status
	PublishAt     time.Time
	AuthorID      int64
	AuthorEmail   string
	CreatedAt     time.Time
}
