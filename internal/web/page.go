package web

import (
	"html/template"

	"peerpress/internal/auth"
	"peerpress/internal/i18n"
)

// Page is the data every rendered page carries. Domain page types embed it.
type Page struct {
	L           *i18n.Localizer
	Lang        i18n.Language
	Langs       []i18n.Language
	Site        string
	BaseURL     string // prefix that makes Canonical and Alternates absolute
	Title       string
	Description string
	Path        string
	Canonical   string
	NoIndex     bool
	Nav         []NavLink
	// Footer links to the site's own pages (about, privacy notice).
	Footer []NavLink
	// FooterBlocks are small parts of the footer feature areas add (the
	// members' updates' subscribe form), the same for every visitor.
	FooterBlocks []template.HTML
	Crumbs       []Crumb
	// Alternates are the same page in other languages: the language
	// switcher and the hreflang links.
	Alternates []Alternate
	User       *auth.User
	CSRF       string
	// Flash is a translated one-line notice shown above the content.
	Flash string

	// Feeds are the feeds the page announces to feed readers: its
	// language's, and on an archive that listing's own.
	Feeds []FeedLink
	// Origin is the scheme and host that make sharing-card addresses
	// absolute: BaseURL, or else the address the request came to.
	Origin string
	// Share describes the page to social networks (Open Graph and
	// Twitter cards); nil on pages not meant to be shared, such as the
	// admin's.
	Share *Share
	// Mirror is set when the page is rendered for the static mirror: the
	// page's address on the live site, for the notice that replaces
	// forms (the search form among them).
	Mirror *MirrorNotice
}

// FeedLink announces one feed in a page's head.
type FeedLink struct {
	Type  string // media type: application/rss+xml, application/atom+xml, application/feed+json
	Title string
	URL   string // site path
}

// TypeAttr is the link's type attribute, written out whole: html/template
// would escape the + of application/rss+xml as &#43;, which readers
// decode but people reading the source do not expect. Feed types are
// constants of the code, never user input.
func (f FeedLink) TypeAttr() template.HTMLAttr {
	return template.HTMLAttr(`type="` + template.HTMLEscapeString(f.Type) + `"`) // #nosec G203 -- the value is escaped on this line; feed types are constants
}

// Share is what a page tells social networks about itself. Its title and
// description are the page's own.
type Share struct {
	Type      string // Open Graph type: "website", or "article" for an entry
	Locale    string // Open Graph locale, such as en_US
	Image     string // site path of the image shown with a link to the page
	ImageAlt  string
	ImageSize [2]int // width and height in pixels, when known
}

// Crumb is one step of the breadcrumb trail.
type Crumb struct {
	Name string
	URL  string // empty for the current page
}

// Alternate is the page in another language.
type Alternate struct {
	Lang    i18n.Language
	URL     string
	Current bool
}

// Pager describes numbered pages of a listing.
type Pager struct {
	Page, Pages int
	// URL gives the address of page n.
	URL func(n int) string
}

// PagerLink is one link of a pager.
type PagerLink struct {
	N       int
	URL     string
	Current bool
	Gap     bool // an ellipsis between distant pages
}

// Prev is the previous page's address, or "".
func (p Pager) Prev() string {
	if p.Page <= 1 {
		return ""
	}
	return p.URL(p.Page - 1)
}

// Next is the next page's address, or "".
func (p Pager) Next() string {
	if p.Page >= p.Pages {
		return ""
	}
	return p.URL(p.Page + 1)
}

// Links lists the first, last and nearby pages, with gaps between, so that
// a listing of thousands of pages still has a short pager.
func (p Pager) Links() []PagerLink {
	var out []PagerLink
	last := 0
	for n := 1; n <= p.Pages; n++ {
		if n != 1 && n != p.Pages && (n < p.Page-2 || n > p.Page+2) {
			continue
		}
		if last != 0 && n > last+1 {
			out = append(out, PagerLink{Gap: true})
		}
		out = append(out, PagerLink{N: n, URL: p.URL(n), Current: n == p.Page})
		last = n
		if n == 1 && p.Page-2 > 2 {
			n = p.Page - 3 // jump; loop's n++ lands on Page-2
		}
		if n == p.Page+2 && p.Pages-1 > n {
			n = p.Pages - 1
		}
	}
	return out
}
