package content

import (
	"time"

	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"

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

// TagBySlug finds a tag.
func (s *Store) TagBySlug(ctx context.Context, slug string) (Tag, error) {
	tags, err := s.tags(ctx, `WHERE t.slug = ?`, slug)
	if err != nil {
		return Tag{}, err
	}
	if len(tags) == 0 {
		return Tag{}, db.ErrNotFound
	}
	return tags[0], nil
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
