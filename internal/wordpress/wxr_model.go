package wordpress

import (
	"fmt"
	"unicode/utf8"
)

// Channel is what an export says about its site, before its items.
type Channel struct {
	Title       string
	Link        string
	Language    string // the channel's language tag, en-US
	WXRVersion  string
	BaseSiteURL string
	BaseBlogURL string
}

// Author is a user of the WordPress site.
type Author struct {
	ID          string
	Login       string
	Email       string
	DisplayName string
}

// Term is a category, a tag or another taxonomy's term (Polylang keeps
// its languages and translation groups as terms).
type Term struct {
	ID          string // a number, or a placeholder such as {lang_id_1}
	Taxonomy    string // category, post_tag, language, post_translations, term_translations…
	Slug        string
	Parent      string // the parent's slug (categories) or id
	Name        string
	Description string
}

// Ref is an item's reference to a term: <category domain="category" nicename="news">News</category>.
type Ref struct {
	Domain string
	Slug   string
	Name   string
}

// Meta is one of an item's post meta.
type Meta struct {
	Key, Value string
}

// Item is a post, a page, an attachment or anything else WordPress stores
// as a post.
type Item struct {
	Line      int // where the item starts in the export, for messages
	Title     string
	Link      string
	GUID      string
	Creator   string // the author's login
	Content   string
	Excerpt   string
	ID        int64
	Date      string // site time, 2006-01-02 15:04:05
	DateGMT   string // 0000-00-00 00:00:00 when not set (drafts)
	Name      string // the slug, URL-encoded
	Status    string
	Parent    int64
	MenuOrder int
	Type      string
	Sticky    bool
	Password  bool   // the post is password-protected
	URL       string // wp:attachment_url
	Refs      []Ref
	Meta      []Meta
	Comments  int

	converted *Converted // Content as Markdown, made by Importer.read
}

// MetaValue is the value of the item's first meta with key.
func (it *Item) MetaValue(key string) string {
	for _, m := range it.Meta {
		if m.Key == key {
			return m.Value
		}
	}
	return ""
}

// MetaValues are the values of every meta of the item named key, in
// order: The Events Calendar writes one _EventOrganizerID per organiser.
func (it *Item) MetaValues(key string) []string {
	var out []string
	for _, m := range it.Meta {
		if m.Key == key {
			out = append(out, m.Value)
		}
	}
	return out
}

// Terms are the item's references in domain (category, post_tag, language…).
func (it *Item) Terms(domain string) []Ref {
	var out []Ref
	for _, r := range it.Refs {
		if r.Domain == domain {
			out = append(out, r)
		}
	}
	return out
}

// Label names the item in messages: its id and title.
func (it *Item) Label() string {
	t := unescapeText(it.Title)
	if utf8.RuneCountInString(t) > 60 {
		t = string([]rune(t)[:60]) + "…"
	}
	if it.ID == 0 {
		return fmt.Sprintf("%q", t)
	}
	return fmt.Sprintf("#%d %q", it.ID, t)
}
