package web

import (
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
	Crumbs      []Crumb
	// Alternates are the same page in other languages: the language
	// switcher and the hreflang links.
	Alternates []Alternate
	User       *auth.User
	CSRF       string
	// Flash is a translated one-line notice shown above the content.
	Flash string
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
