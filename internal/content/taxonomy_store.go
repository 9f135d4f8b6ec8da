package content

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"peerpress/internal/db"
)

// ErrSlugTaken is returned when a slug is already used where it must be unique.
var ErrSlugTaken = errors.New("content: slug already in use")

// Sections lists every section in menu order. The sections' Names are
// shared with other callers: read them, do not change them.
func (s *Store) Sections(ctx context.Context) ([]Section, error) {
	c := &s.sections
	changes := s.db.Changes()
	c.Lock()
	if c.read && c.changes == changes {
		list := slices.Clone(c.list)
		c.Unlock()
		return list, nil
	}
	c.Unlock()
	list, err := s.readSections(ctx)
	if err != nil {
		return nil, err
	}
	c.Lock()
	// Stamped with the count read before the query: a write committed
	// meanwhile makes this copy stale at once.
	c.read, c.changes, c.list = true, changes, list
	c.Unlock()
	return slices.Clone(list), nil
}

func (s *Store) readSections(ctx context.Context) ([]Section, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT s.id, s.slug, s.position, n.lang, n.name
		FROM sections s LEFT JOIN section_names n ON n.section_id = s.id
		ORDER BY s.position, s.slug`)
	if err != nil {
		return nil, fmt.Errorf("content: sections: %w", err)
	}
	defer rows.Close()
	var out []Section
	for rows.Next() {
		var sec Section
		var lang, name sql.NullString
		if err := rows.Scan(&sec.ID, &sec.Slug, &sec.Position, &lang, &name); err != nil {
			return nil, err
		}
		if n := len(out); n > 0 && out[n-1].ID == sec.ID {
			out[n-1].Names[lang.String] = name.String
			continue
		}
		sec.Names = map[string]string{}
		if lang.Valid {
			sec.Names[lang.String] = name.String
		}
		out = append(out, sec)
	}
	return out, rows.Err()
}

// SectionBySlug finds a section.
func (s *Store) SectionBySlug(ctx context.Context, slug string) (Section, error) {
	all, err := s.Sections(ctx)
	if err != nil {
		return Section{}, err
	}
	for _, sec := range all {
		if sec.Slug == slug {
			return sec, nil
		}
	}
	return Section{}, db.ErrNotFound
}

// SaveSection creates (ID 0) or updates a section and its names.
func (s *Store) SaveSection(ctx context.Context, sec Section) (int64, error) {
	err := s.db.InTx(ctx, func(tx *db.Tx) (err error) {
		sec.ID, err = saveSection(ctx, tx, sec)
		return err
	})
	if db.IsUniqueViolation(err) {
		return 0, ErrSlugTaken
	}
	if err != nil {
		return 0, fmt.Errorf("content: save section: %w", err)
	}
	return sec.ID, nil
}

func saveSection(ctx context.Context, tx *db.Tx, sec Section) (int64, error) {
	var err error
	if sec.ID == 0 {
		err = tx.QueryRowContext(ctx, `INSERT INTO sections (slug, position) VALUES (?, ?) RETURNING id`, sec.Slug, sec.Position).Scan(&sec.ID)
	} else {
		_, err = tx.ExecContext(ctx, `UPDATE sections SET slug = ?, position = ? WHERE id = ?`, sec.Slug, sec.Position, sec.ID)
	}
	if err != nil {
		return 0, err
	}
	return sec.ID, saveNames(ctx, tx, "section_names", "section_id", sec.ID, sec.Names)
}

func saveTag(ctx context.Context, tx *db.Tx, tag Tag) (int64, error) {
	var err error
	if tag.ID == 0 {
		err = tx.QueryRowContext(ctx, `INSERT INTO tags (slug) VALUES (?) RETURNING id`, tag.Slug).Scan(&tag.ID)
	} else {
		_, err = tx.ExecContext(ctx, `UPDATE tags SET slug = ? WHERE id = ?`, tag.Slug, tag.ID)
	}
	if err != nil {
		return 0, err
	}
	return tag.ID, saveNames(ctx, tx, "tag_names", "tag_id", tag.ID, tag.Names)
}

func saveNames(ctx context.Context, tx *db.Tx, table, col string, id int64, names map[string]string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM `+table+` WHERE `+col+` = ?`, id); err != nil {
		return err
	}
	langs := make([]string, 0, len(names))
	for l := range names {
		langs = append(langs, l)
	}
	sort.Strings(langs)
	for _, l := range langs {
		if names[l] == "" {
			continue
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO `+table+` (`+col+`, lang, name) VALUES (?, ?, ?)`, id, l, names[l]); err != nil {
			return err
		}
	}
	return nil
}

// DeleteSection removes a section; its entries stay, without a section.
func (s *Store) DeleteSection(ctx context.Context, id int64) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM sections WHERE id = ?`, id)
	return err
}

func (s *Store) tags(ctx context.Context, where string, args ...any) ([]Tag, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT t.id, t.slug, n.lang, n.name
		FROM tags t LEFT JOIN tag_names n ON n.tag_id = t.id `+where+` ORDER BY t.slug, t.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("content: tags: %w", err)
	}
	defer rows.Close()
	var out []Tag
	for rows.Next() {
		var tag Tag
		var lang, name sql.NullString
		if err := rows.Scan(&tag.ID, &tag.Slug, &lang, &name); err != nil {
			return nil, err
		}
		if n := len(out); n > 0 && out[n-1].ID == tag.ID {
			out[n-1].Names[lang.String] = name.String
			continue
		}
		tag.Names = map[string]string{}
		if lang.Valid {
			tag.Names[lang.String] = name.String
		}
		out = append(out, tag)
	}
	return out, rows.Err()
}

// Tags lists every tag by slug.
func (s *Store) Tags(ctx context.Context) ([]Tag, error) { return s.tags(ctx, "") }

// TagBySlug finds a tag. Its Names are shared with other callers: read
// them, do not change them.
func (s *Store) TagBySlug(ctx context.Context, slug string) (Tag, error) {
	changes := s.db.Changes()
	if tag, ok := s.tagCache.bySlug(changes, slug); ok {
		return tag, nil
	}
	tags, err := s.tags(ctx, `WHERE t.slug = ?`, slug)
	if err != nil {
		return Tag{}, err
	}
	if len(tags) == 0 {
		return Tag{}, db.ErrNotFound
	}
	s.tagCache.keep(changes, tags)
	return tags[0], nil
}

// TagsByID returns the tags of these ids that exist, by slug, as
// EntryTags does for an entry's. Their Names are shared with other
// callers: read them, do not change them.
func (s *Store) TagsByID(ctx context.Context, ids []int64) ([]Tag, error) {
	changes := s.db.Changes()
	out, missing := s.tagCache.byIDs(changes, ids)
	if len(missing) > 0 {
		marks, args := db.InList(missing)
		read, err := s.tags(ctx, `WHERE t.id IN (`+marks+`)`, args...)
		if err != nil {
			return nil, err
		}
		s.tagCache.keep(changes, read)
		out = append(out, read...)
	}
	slices.SortFunc(out, func(a, b Tag) int {
		if c := strings.Compare(a.Slug, b.Slug); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return out, nil
}

// tagCache keeps the tags that pages asked for, as last read, with the
// change count they were read at: a tag's page looked its tag up, and an
// entry's page its tags, on every request, one round trip each to
// PostgreSQL (issue 23). Any committed write empties it, as it does the
// sections' copy; a site's tags are few, and maxCachedTags bounds them.
type tagCache struct {
	sync.Mutex
	changes int64
	slugs   map[string]Tag
	ids     map[int64]Tag
}

const maxCachedTags = 2048

// valid empties the cache when changes says it may be stale; c is locked.
func (c *tagCache) valid(changes int64) {
	if c.changes != changes || c.ids == nil {
		c.changes, c.slugs, c.ids = changes, map[string]Tag{}, map[int64]Tag{}
	}
}

func (c *tagCache) bySlug(changes int64, slug string) (Tag, bool) {
	c.Lock()
	defer c.Unlock()
	c.valid(changes)
	tag, ok := c.slugs[slug]
	return tag, ok
}

// byIDs returns the cached tags of ids and the ids not cached.
func (c *tagCache) byIDs(changes int64, ids []int64) (found []Tag, missing []int64) {
	c.Lock()
	defer c.Unlock()
	c.valid(changes)
	for _, id := range ids {
		if tag, ok := c.ids[id]; ok {
			found = append(found, tag)
		} else {
			missing = append(missing, id)
		}
	}
	return found, missing
}

// keep adds tags read when the change count was changes: read before
// the query, so that a write committed meanwhile makes them stale at once.
func (c *tagCache) keep(changes int64, tags []Tag) {
	c.Lock()
	defer c.Unlock()
	c.valid(changes)
	if len(c.ids)+len(tags) > maxCachedTags {
		return
	}
	for _, tag := range tags {
		c.slugs[tag.Slug], c.ids[tag.ID] = tag, tag
	}
}

// SaveTag creates (ID 0) or updates a tag and its names.
func (s *Store) SaveTag(ctx context.Context, tag Tag) (int64, error) {
	err := s.db.InTx(ctx, func(tx *db.Tx) (err error) {
		tag.ID, err = saveTag(ctx, tx, tag)
		return err
	})
	if db.IsUniqueViolation(err) {
		return 0, ErrSlugTaken
	}
	if err != nil {
		return 0, fmt.Errorf("content: save tag: %w", err)
	}
	return tag.ID, nil
}

// DeleteTag removes a tag from every entry.
func (s *Store) DeleteTag(ctx context.Context, id int64) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM tags WHERE id = ?`, id)
	return err
}

func scanOrganisations(rows *sql.Rows) ([]Organisation, error) {
	var out []Organisation
	for rows.Next() {
		var o Organisation
		if err := rows.Scan(&o.ID, &o.Slug, &o.Name, &o.Website, &o.Country, &o.Relation); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// Organisations lists every organisation by name.
func (s *Store) Organisations(ctx context.Context) ([]Organisation, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, slug, name, website, country, relation FROM organisations ORDER BY name, id`)
	if err != nil {
		return nil, fmt.Errorf("content: organisations: %w", err)
	}
	defer rows.Close()
	return scanOrganisations(rows)
}

// SaveOrganisation creates (ID 0) or updates an organisation.
func (s *Store) SaveOrganisation(ctx context.Context, o Organisation) (int64, error) {
	var err error
	if o.ID == 0 {
		err = s.db.InTx(ctx, func(tx *db.Tx) error {
			return tx.QueryRowContext(ctx, `INSERT INTO organisations (slug, name, website, country, relation, updated_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
				o.Slug, o.Name, o.Website, o.Country, o.Relation, s.now().Unix()).Scan(&o.ID)
		})
	} else {
		_, err = s.db.ExecContext(ctx, `UPDATE organisations SET slug = ?, name = ?, website = ?, country = ?, relation = ?, updated_at = ? WHERE id = ?`,
			o.Slug, o.Name, o.Website, o.Country, o.Relation, s.now().Unix(), o.ID)
	}
	if db.IsUniqueViolation(err) {
		return 0, ErrSlugTaken
	}
	if err != nil {
		return 0, fmt.Errorf("content: save organisation: %w", err)
	}
	return o.ID, nil
}

// DeleteOrganisation removes an organisation from every entry.
func (s *Store) DeleteOrganisation(ctx context.Context, id int64) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM organisations WHERE id = ?`, id)
	return err
}

// createOrganisation adds an organisation named in the entry editor, in
// the entry's transaction, and returns its id; one of the same name,
// whatever its case, is used instead. Its slug is made from its name,
// numbered when another organisation has it.
func createOrganisation(ctx context.Context, tx *db.Tx, o Organisation) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, `SELECT id FROM organisations WHERE LOWER(name) = LOWER(?) ORDER BY id LIMIT 1`, o.Name).Scan(&id)
	if err == nil {
		return id, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("content: find organisation: %w", err)
	}
	base := Slugify(o.Name)
	if base == "" {
		base = "organisation"
	}
	slug := base
	for n := 2; ; n++ {
		var taken int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM organisations WHERE slug = ?`, slug).Scan(&taken); err != nil {
			return 0, fmt.Errorf("content: organisation slug: %w", err)
		}
		if taken == 0 {
			break
		}
		slug = base + "-" + strconv.Itoa(n)
	}
	if o.Relation == "" {
		o.Relation = "partner"
	}
	// updated_at dates its directory page (internal/directory).
	err = tx.QueryRowContext(ctx, `INSERT INTO organisations (slug, name, website, country, relation, updated_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
		slug, o.Name, o.Website, o.Country, o.Relation, time.Now().Unix()).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("content: create organisation: %w", err)
	}
	return id, nil
}
