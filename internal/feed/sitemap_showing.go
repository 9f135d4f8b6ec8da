package feed

import (
	"context"
	"slices"
)

// SitemapsShowing lists the sitemap files that may have changed when the
// entries ids were saved or published: the index, and in every enabled
// language the parts that list its other pages (their times move with
// any entry's) and those that list one of the entries. The static
// mirror renders these again instead of every part, which at 20,000
// entries in three languages are 50 MB of XML. It is right while the
// listing generation stays the same (the same entries are visible, so
// each stays in its part) and the areas declare as many pages as when
// the parts were written.
func (h *Handlers) SitemapsShowing(ctx context.Context, ids []int64) ([]string, error) {
	out := []string{"/sitemap.xml"}
	for _, l := range h.rd.I18n().Enabled() {
		parts, ls, err := h.parts(ctx, l.Code)
		if err != nil {
			return nil, err
		}
		for p := 1; p <= min(parts, (len(ls)+h.PerSitemap-1)/h.PerSitemap); p++ {
			out = append(out, sitemapName(l.Code, p, parts))
		}
		if len(ids) == 0 {
			continue
		}
		if len(ids) <= fewEntries {
			// Each counted in the index, rather than every id read.
			for _, id := range ids {
				n, ok, err := h.store.VisiblePlace(ctx, l.Code, id)
				if err != nil {
					return nil, err
				}
				if ok {
					out = append(out, sitemapName(l.Code, (len(ls)+n)/h.PerSitemap+1, parts))
				}
			}
			continue
		}
		visible, err := h.store.VisibleIDs(ctx, l.Code)
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			if n, ok := slices.BinarySearch(visible, id); ok {
				out = append(out, sitemapName(l.Code, (len(ls)+n)/h.PerSitemap+1, parts))
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// fewEntries is how many entries are placed in the sitemap one by one: a
// count each, up to a language's whole index range, against reading
// every visible id once.
const fewEntries = 8
