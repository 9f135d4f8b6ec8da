package wordpress

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strings"

	"peerpress/internal/content"
)

// Rule maps the posts of a post type, or with a category or tag, to a
// kind of entry.
type Rule struct {
	By   string // type, category or tag
	Slug string // the post type, or the term's slug
	Kind content.Kind
}

// Mapping is the rules of a --map file, in order: the first that matches
// a post decides its kind; without one, posts are articles, pages pages
// and The Events Calendar's events events. A post mapped to event is
// imported only when it has The Events Calendar's time.
type Mapping []Rule

// ParseMapping reads a mapping file: one rule a line, "category:SLUG KIND",
// "tag:SLUG KIND" or "type:POST_TYPE KIND"; # starts a comment. Kinds must
// be among kinds (content.Kinds()).
func ParseMapping(r io.Reader, kinds []content.Kind) (Mapping, error) {
	var m Mapping
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line, _, _ := strings.Cut(sc.Text(), "#")
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		by, slug, ok := strings.Cut(f[0], ":")
		if len(f) != 2 || !ok || slug == "" || (by != "type" && by != "category" && by != "tag") {
			return nil, fmt.Errorf("mapping, line %d: want \"category:SLUG KIND\", \"tag:SLUG KIND\" or \"type:POST_TYPE KIND\"", n)
		}
		k := content.Kind(f[1])
		if !slices.Contains(kinds, k) {
			return nil, fmt.Errorf("mapping, line %d: unknown kind %q (kinds: %v)", n, k, kinds)
		}
		m = append(m, Rule{By: by, Slug: slug, Kind: k})
	}
	return m, sc.Err()
}

// kind decides an item's kind; ok is false for post types nothing maps.
// same tells whether two slugs of a taxonomy name one term, in different
// languages (a Polylang group); nil compares the slugs.
func (m Mapping) kind(it *Item, same func(taxonomy, a, b string) bool) (content.Kind, bool) {
	if same == nil {
		same = func(_, a, b string) bool { return a == b }
	}
	for _, r := range m {
		switch r.By {
		case "type":
			if it.Type == r.Slug {
				return r.Kind, true
			}
		case "category", "tag":
			if it.Type != "post" {
				continue
			}
			domain := r.By
			if domain == "tag" {
				domain = "post_tag"
			}
			for _, ref := range it.Terms(domain) {
				if same(domain, ref.Slug, r.Slug) {
					return r.Kind, true
				}
			}
		}
	}
	switch it.Type {
	case "post":
		return content.Article, true
	case "page":
		return content.Page, true
	case "tribe_events": // The Events Calendar
		return content.Event, true
	}
	return "", false
}
