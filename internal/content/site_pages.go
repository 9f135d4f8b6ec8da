package content

import (
	"context"
	"fmt"
	"html/template"
	"log/slog"
	"maps"
	"slices"
	"sync"

	"peerpress/internal/web"
)

// footerCache keeps where the site's own pages can be read, with the
// change count and the choice it was read for: every public page's
// footer links to them.
type footerCache struct {
	sync.Mutex
	read           bool
	changes        int64
	about, privacy int64
	reaches        map[int64]Reach
}

// FooterLinks links, in the footer, to the site's about page and privacy
// notice as the settings name them (web.FooterLinker): in the reader's
// language when they are translated into it, else in the site's default
// language, else in any language they can be read in. The pages are
// found by what the settings chose, not by a slug, so a translated
// address (/fr/confidentialite) is never a 404.
func (p *Public) FooterLinks(ctx context.Context, lang string) []web.NavLink {
	if p.SitePages == nil {
		return nil
	}
	about, privacy := p.SitePages()
	if about == 0 && privacy == 0 {
		return nil
	}
	reaches, err := p.sitePages(ctx, about, privacy)
	if err != nil {
		slog.Error("footer: site pages", "err", err)
		return nil
	}
	loc := p.rd.I18n().Localizer(lang)
	def := p.rd.I18n().Default().Code
	var out []web.NavLink
	for _, page := range []struct {
		id   int64
		name string
	}{{about, "footer.about"}, {privacy, "footer.privacy"}} {
		r, ok := reaches[page.id]
		if !ok {
			continue
		}
		url := r.URL(lang)
		if url == "" {
			url = r.URL(def)
		}
		if url == "" {
			url = r.URL(slices.Sorted(maps.Keys(r.Slugs))[0])
		}
		out = append(out, web.NavLink{Name: loc.T(page.name), URL: url})
	}
	return out
}

func (p *Public) sitePages(ctx context.Context, about, privacy int64) (map[int64]Reach, error) {
	c := &p.footer
	changes := p.store.db.Changes()
	c.Lock()
	if c.read && c.changes == changes && c.about == about && c.privacy == privacy {
		r := c.reaches
		c.Unlock()
		return r, nil
	}
	c.Unlock()
	reaches, err := p.store.Reaches(ctx, "?, ?", about, privacy)
	if err != nil {
		return nil, err
	}
	c.Lock()
	// Stamped with the count read before the query: a write committed
	// meanwhile makes this copy stale at once. A scheduled page that
	// comes out is a write too (PromoteScheduled).
	c.read, c.changes, c.about, c.privacy, c.reaches = true, changes, about, privacy, reaches
	c.Unlock()
	return reaches, nil
}

// PageTitle is a page (kind page) by its source title, for the settings'
// choice of the site's own pages.
type PageTitle struct {
	ID    int64
	Title string
}

// PageTitles lists every page, drafts included (a notice may be chosen
// before it is published), by title.
func (s *Store) PageTitles(ctx context.Context) ([]PageTitle, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT e.id, t.title FROM entries e
		JOIN translations t ON t.entry_id = e.id AND t.lang = e.source_lang
		WHERE e.kind = ? ORDER BY t.title_lower, e.id`, Page)
	if err != nil {
		return nil, fmt.Errorf("content: page titles: %w", err)
	}
	defer rows.Close()
	var out []PageTitle
	for rows.Next() {
		var p PageTitle
		if err := rows.Scan(&p.ID, &p.Title); err != nil {
			return nil, fmt.Errorf("content: page titles: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// FooterBlocks are the feature areas' parts of the footer
// (web.FooterBlocker).
func (p *Public) FooterBlocks(lang string) []template.HTML {
	var out []template.HTML
	for _, b := range p.Footers {
		if h := b.FooterBlock(lang); h != "" {
			out = append(out, h)
		}
	}
	return out
}
