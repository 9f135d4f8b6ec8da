package content

import (
	"context"
	"database/sql"
	"fmt"

	"peerpress/internal/db"
)

// The static mirror renders every entry page of a language one after
// another, and each page asked for its entry, translations, tags and
// organisations (BySlug, five queries), then its tags, organisations and
// attachments again, a query each: some ten queries an entry page, a
// fifth of an export's CPU. Preload reads a run of entries in a few
// queries; under a context from WithPreloaded, BySlug, EntryTags,
// EntryOrganisations and Attachments answer from it, so the page is
// rendered by the same handler from the same values, and the live site,
// whose requests carry no Preloaded, asks as before.

type preloadKey struct{}

// Preloaded holds entries read together, with what their pages show of
// them, for one language: see Store.Preload.
type Preloaded struct {
	lang   string
	bySlug map[string]*Entry // by the slug in lang
	byID   map[int64]*Entry
	tags   map[int64][]Tag
	orgs   map[int64][]Organisation
	atts   map[int64][]Attachment
}

// WithPreloaded returns a context under which the store's entry loaders
// answer from p for the entries it holds.
func WithPreloaded(ctx context.Context, p *Preloaded) context.Context {
	if p == nil {
		return ctx
	}
	return context.WithValue(ctx, preloadKey{}, p)
}

func preloaded(ctx context.Context) *Preloaded {
	p, _ := ctx.Value(preloadKey{}).(*Preloaded)
	return p
}

// Len is how many entries p holds.
func (p *Preloaded) Len() int { return len(p.byID) }

// inIDs is "(?, ?, …)" for the ids, and the ids as arguments after
// args. The list is padded with its last id to a power of two, so that
// runs of any length share a few prepared statements.
func inIDs(ids []int64, args ...any) (string, []any) {
	n := 1
	for n < len(ids) {
		n *= 2
	}
	for i := range n {
		args = append(args, ids[min(i, len(ids)-1)])
	}
	return "(" + db.Marks(n) + ")", args
}

// Preload reads the entries ids (as BySlug and Entry read one: every
// translation, tags, organisations, extensions), their tags,
// organisations and attachments, in a few queries, for their pages in
// lang. Ids that name no entry are left out.
func (s *Store) Preload(ctx context.Context, lang string, ids []int64) (*Preloaded, error) {
	p := &Preloaded{lang: lang, bySlug: make(map[string]*Entry, len(ids)), byID: make(map[int64]*Entry, len(ids)),
		tags: map[int64][]Tag{}, orgs: map[int64][]Organisation{}, atts: map[int64][]Attachment{}}
	if len(ids) == 0 {
		return p, nil
	}
	in, args := inIDs(ids)
	q := s.db
	rows, err := q.QueryContext(ctx, `SELECT `+entryCols+`, e.coauthor_role FROM entries e WHERE e.id IN `+in+` ORDER BY e.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("content: preload: %w", err)
	}
	var order []*Entry
	for rows.Next() {
		e := &Entry{}
		if err := scanEntry(rows, e, &e.CoauthorRole); err != nil {
			rows.Close()
			return nil, fmt.Errorf("content: preload: %w", err)
		}
		p.byID[e.ID] = e
		order = append(order, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("content: preload: %w", err)
	}
	if len(order) == 0 {
		return p, nil
	}
	// As loadDetails: translations by language, tags by id,
	// organisations by position.
	if err := p.each(ctx, q, `SELECT `+translationCols+` FROM translations t WHERE t.entry_id IN `+in+` ORDER BY t.entry_id, t.lang`, args,
		func(r scanner) error {
			var t Translation
			if err := scanTranslation(r, &t); err != nil {
				return err
			}
			e := p.byID[t.EntryID]
			if e == nil {
				return nil
			}
			e.Translations = append(e.Translations, t)
			if t.Lang == lang {
				p.bySlug[t.Slug] = e
			}
			return nil
		}); err != nil {
		return nil, err
	}
	_, args2 := inIDs(ids, args...)
	if err := p.each(ctx, q, `SELECT entry_id, 0, tag_id, 0 FROM entry_tags WHERE entry_id IN `+in+`
		UNION ALL SELECT entry_id, 1, organisation_id, position FROM entry_organisations WHERE entry_id IN `+in+`
		ORDER BY 1, 2, 4, 3`, args2, func(r scanner) error {
		var id, org, ref, position int64
		if err := r.Scan(&id, &org, &ref, &position); err != nil {
			return err
		}
		if e := p.byID[id]; e != nil {
			if org == 1 {
				e.OrgIDs = append(e.OrgIDs, ref)
			} else {
				e.TagIDs = append(e.TagIDs, ref)
			}
		}
		return nil
	}); err != nil {
		return nil, err
	}
	for _, x := range s.Extensions() {
		var xids []int64
		for _, e := range order {
			if x.ExtendsKind(e.Kind) {
				xids = append(xids, e.ID)
			}
		}
		if len(xids) == 0 {
			continue
		}
		vs, err := x.LoadExtension(ctx, q, xids)
		if err != nil {
			return nil, fmt.Errorf("content: preload: %s: %w", x.ExtensionName(), err)
		}
		for _, id := range xids {
			if v, ok := vs[id]; ok {
				e := p.byID[id]
				if e.Ext == nil {
					e.Ext = map[string]any{}
				}
				e.Ext[x.ExtensionName()] = v
			}
		}
	}
	// As EntryTags: by slug, each with its names.
	if err := p.each(ctx, q, `SELECT et.entry_id, t.id, t.slug, n.lang, n.name
		FROM entry_tags et JOIN tags t ON t.id = et.tag_id LEFT JOIN tag_names n ON n.tag_id = t.id
		WHERE et.entry_id IN `+in+` ORDER BY et.entry_id, t.slug, t.id`, args, func(r scanner) error {
		var id int64
		var tag Tag
		var tl, name sql.NullString
		if err := r.Scan(&id, &tag.ID, &tag.Slug, &tl, &name); err != nil {
			return err
		}
		list := p.tags[id]
		if n := len(list); n > 0 && list[n-1].ID == tag.ID {
			list[n-1].Names[tl.String] = name.String
			return nil
		}
		tag.Names = map[string]string{}
		if tl.Valid {
			tag.Names[tl.String] = name.String
		}
		p.tags[id] = append(list, tag)
		return nil
	}); err != nil {
		return nil, err
	}
	// As EntryOrganisations: in the entry's order, then by name.
	if err := p.each(ctx, q, `SELECT eo.entry_id, o.id, o.slug, o.name, o.website, o.country, o.relation
		FROM organisations o JOIN entry_organisations eo ON eo.organisation_id = o.id
		WHERE eo.entry_id IN `+in+` ORDER BY eo.entry_id, eo.position, o.name`, args, func(r scanner) error {
		var id int64
		var o Organisation
		if err := r.Scan(&id, &o.ID, &o.Slug, &o.Name, &o.Website, &o.Country, &o.Relation); err != nil {
			return err
		}
		p.orgs[id] = append(p.orgs[id], o)
		return nil
	}); err != nil {
		return nil, err
	}
	// As Attachments: by position.
	if err := p.each(ctx, q, attachmentSelect+` WHERE a.entry_id IN `+in+` ORDER BY a.entry_id, a.position, a.id`, args, func(r scanner) error {
		var a Attachment
		if err := scanAttachment(r, &a); err != nil {
			return err
		}
		p.atts[a.EntryID] = append(p.atts[a.EntryID], a)
		return nil
	}); err != nil {
		return nil, err
	}
	// As loadRest: every link of these entries has been read.
	for _, e := range order {
		e.linksRead, e.attachments = true, len(p.atts[e.ID])
	}
	return p, nil
}

// each runs query and hands every row to f.
func (p *Preloaded) each(ctx context.Context, q db.Querier, query string, args []any, f func(scanner) error) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("content: preload: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := f(rows); err != nil {
			return fmt.Errorf("content: preload: %w", err)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("content: preload: %w", err)
	}
	return nil
}

// entry is the preloaded entry whose translation in lang has slug.
func (p *Preloaded) entry(lang, slug string) *Entry {
	if p == nil || lang != p.lang {
		return nil
	}
	return p.bySlug[slug]
}

// holds says whether p read the entry id.
func (p *Preloaded) holds(id int64) bool {
	if p == nil {
		return false
	}
	_, ok := p.byID[id]
	return ok
}
