package directory

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"peerpress/internal/db"
	"peerpress/internal/i18n"
	"peerpress/internal/search"
)

// ErrSlugTaken is a save whose slug another organisation has.
var ErrSlugTaken = errors.New("directory: slug taken")

// Store reads and writes organisations. Every write is loud: the public
// directory and the entries an organisation co-authored show them.
type Store struct {
	db *db.DB
	// defaultLang is the site's default language, which search finds an
	// organisation with no words of its own in.
	defaultLang func() string
}

// NewStore makes the store over d; defaultLang reads the site's default
// language.
func NewStore(d *db.DB, defaultLang func() string) *Store {
	return &Store{db: d, defaultLang: defaultLang}
}

const orgColumns = `o.id, o.slug, o.name, o.short_name, o.type, o.membership, o.country, o.languages, o.website, o.contact, o.contact_agreed, o.year_joined, o.updated_at, COALESCE(o.logo_id, 0)`

func scanOrg(sc interface{ Scan(...any) error }) (Organisation, error) {
	var o Organisation
	var langs string
	var updated int64
	err := sc.Scan(&o.ID, &o.Slug, &o.Name, &o.ShortName, &o.Type, &o.Membership, &o.Country, &langs, &o.Website, &o.Contact, &o.ContactAgreed, &o.YearJoined, &updated, &o.LogoID)
	o.Languages = strings.Fields(langs)
	o.Updated = time.Unix(updated, 0).UTC()
	o.Texts = map[string]Text{}
	return o, err
}

// Filter selects organisations of the directory; a zero field selects
// every value.
type Filter struct {
	Region     string // M49 code of a region or sub-region
	Country    string
	Type       string
	Membership string
	Language   string
}

// where is the filter as SQL conditions and their arguments.
func (f Filter) where() (string, []any) {
	var conds []string
	var args []any
	if r, ok := RegionByCode(f.Region); ok {
		// A region is its list of countries, a few hundred at most.
		in := []string{"NULL"} // never empty; NULL equals no country
		for _, c := range countriesIn(r) {
			in, args = append(in, "?"), append(args, c)
		}
		conds = append(conds, "o.country IN ("+strings.Join(in, ", ")+")")
	}
	if f.Country != "" {
		conds, args = append(conds, "o.country = ?"), append(args, f.Country)
	}
	if f.Type != "" {
		conds, args = append(conds, "o.type = ?"), append(args, f.Type)
	}
	if f.Membership != "" {
		conds, args = append(conds, "o.membership = ?"), append(args, f.Membership)
	}
	if f.Language != "" {
		conds, args = append(conds, "(' ' || o.languages || ' ') LIKE ?"), append(args, "% "+f.Language+" %")
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// countriesIn lists the ISO codes of the countries in region r.
func countriesIn(r Region) []string {
	var out []string
	for _, c := range i18n.Countries("en") {
		if r.Contains(c.Code) {
			out = append(out, c.Code)
		}
	}
	return out
}

// Page is one page of the directory.
type Page struct {
	Organisations []Organisation
	Total, Pages  int
}

// PerPage is how many organisations a page of the directory lists.
const PerPage = 20

// List reads page n (from 1) of the organisations f selects, by name,
// with their texts in lang. A page past the last is db.ErrNotFound.
func (s *Store) List(ctx context.Context, f Filter, lang string, n int) (Page, error) {
	where, args := f.where()
	var p Page
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM organisations o`+where, args...).Scan(&p.Total); err != nil {
		return p, fmt.Errorf("directory: count: %w", err)
	}
	p.Pages = max(1, (p.Total+PerPage-1)/PerPage)
	if n > p.Pages {
		return p, db.ErrNotFound
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+orgColumns+`, COALESCE(t.description, '') FROM organisations o
		LEFT JOIN organisation_texts t ON t.organisation_id = o.id AND t.lang = ?`+where+`
		ORDER BY LOWER(o.name), o.id LIMIT ? OFFSET ?`, append(append([]any{lang}, args...), PerPage, (n-1)*PerPage)...)
	if err != nil {
		return p, fmt.Errorf("directory: list: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var o Organisation
		var desc, langs string
		var updated int64
		if err := rows.Scan(&o.ID, &o.Slug, &o.Name, &o.ShortName, &o.Type, &o.Membership, &o.Country, &langs, &o.Website, &o.Contact, &o.ContactAgreed, &o.YearJoined, &updated, &o.LogoID, &desc); err != nil {
			return p, fmt.Errorf("directory: list: %w", err)
		}
		o.Languages = strings.Fields(langs)
		o.Updated = time.Unix(updated, 0).UTC()
		o.Texts = map[string]Text{lang: {Description: desc}}
		p.Organisations = append(p.Organisations, o)
	}
	return p, rows.Err()
}

// All lists every organisation by name, without texts: the staff list.
func (s *Store) All(ctx context.Context) ([]Organisation, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+orgColumns+` FROM organisations o ORDER BY LOWER(o.name), o.id`)
	if err != nil {
		return nil, fmt.Errorf("directory: all: %w", err)
	}
	defer rows.Close()
	var out []Organisation
	for rows.Next() {
		o, err := scanOrg(rows)
		if err != nil {
			return nil, fmt.Errorf("directory: all: %w", err)
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// Facets are the values the directory's filters can take: the countries
// and languages that organisations have.
type Facets struct {
	Countries, Languages []string
}

// Facets reads the countries and work languages in use.
func (s *Store) Facets(ctx context.Context) (Facets, error) {
	var f Facets
	rows, err := s.db.QueryContext(ctx, `SELECT DISTINCT country, languages FROM organisations`)
	if err != nil {
		return f, fmt.Errorf("directory: facets: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var c, langs string
		if err := rows.Scan(&c, &langs); err != nil {
			return f, fmt.Errorf("directory: facets: %w", err)
		}
		if c != "" && !slices.Contains(f.Countries, c) {
			f.Countries = append(f.Countries, c)
		}
		for _, l := range strings.Fields(langs) {
			if !slices.Contains(f.Languages, l) {
				f.Languages = append(f.Languages, l)
			}
		}
	}
	slices.Sort(f.Languages)
	return f, rows.Err()
}

// ByID loads an organisation with its texts in every language.
func (s *Store) ByID(ctx context.Context, id int64) (Organisation, error) {
	return s.load(ctx, `o.id = ?`, id)
}

// BySlug loads an organisation with its texts in every language.
func (s *Store) BySlug(ctx context.Context, slug string) (Organisation, error) {
	return s.load(ctx, `o.slug = ?`, slug)
}

func (s *Store) load(ctx context.Context, cond string, arg any) (Organisation, error) {
	o, err := scanOrg(s.db.QueryRowContext(ctx, `SELECT `+orgColumns+` FROM organisations o WHERE `+cond, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return o, db.ErrNotFound
	}
	if err != nil {
		return o, fmt.Errorf("directory: load: %w", err)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT lang, description, focal_roles FROM organisation_texts WHERE organisation_id = ?`, o.ID)
	if err != nil {
		return o, fmt.Errorf("directory: texts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var lang string
		var t Text
		if err := rows.Scan(&lang, &t.Description, &t.FocalRoles); err != nil {
			return o, fmt.Errorf("directory: texts: %w", err)
		}
		o.Texts[lang] = t
	}
	return o, rows.Err()
}

// relation is content's older word for the membership, which the
// co-author pickers and the API still show.
func relation(membership string) string {
	if membership == "member" || membership == "associate" {
		return "member"
	}
	return "partner"
}

// Save creates (ID 0) or updates an organisation and its texts (a text
// left empty in a language is removed), and puts it in the search index,
// in one transaction. It returns the organisation's id.
func (s *Store) Save(ctx context.Context, o Organisation) (int64, error) {
	var id int64
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		var err error
		id, err = s.save(ctx, tx, o)
		return err
	})
	if db.IsUniqueViolation(err) {
		return 0, ErrSlugTaken
	}
	if errors.Is(err, db.ErrNotFound) {
		return 0, err
	}
	if err != nil {
		return 0, fmt.Errorf("directory: save: %w", err)
	}
	return id, nil
}

// save is Save in the transaction tx.
func (s *Store) save(ctx context.Context, tx *db.Tx, o Organisation) (int64, error) {
	args := []any{o.Slug, o.Name, o.ShortName, o.Type, o.Membership, relation(o.Membership), o.Country,
		strings.Join(o.Languages, " "), o.Website, o.Contact, o.ContactAgreed, o.YearJoined, time.Now().Unix()}
	if o.ID == 0 {
		if err := tx.QueryRowContext(ctx, `INSERT INTO organisations (slug, name, short_name, type, membership, relation, country,
			languages, website, contact, contact_agreed, year_joined, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, args...).Scan(&o.ID); err != nil {
			return 0, err
		}
	} else {
		res, err := tx.ExecContext(ctx, `UPDATE organisations SET slug = ?, name = ?, short_name = ?, type = ?, membership = ?, relation = ?,
			country = ?, languages = ?, website = ?, contact = ?, contact_agreed = ?, year_joined = ?, updated_at = ? WHERE id = ?`, append(args, o.ID)...)
		if err != nil {
			return 0, err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return 0, db.ErrNotFound
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM organisation_texts WHERE organisation_id = ?`, o.ID); err != nil {
		return 0, err
	}
	for _, lang := range sortedKeys(o.Texts) {
		t := o.Texts[lang]
		if t.Description == "" && t.FocalRoles == "" {
			continue
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO organisation_texts (organisation_id, lang, description, focal_roles) VALUES (?, ?, ?, ?)`,
			o.ID, lang, t.Description, t.FocalRoles); err != nil {
			return 0, err
		}
	}
	return o.ID, s.putDocuments(ctx, tx, o)
}

// Delete removes an organisation: from the entries it co-authored, and
// from search.
func (s *Store) Delete(ctx context.Context, id int64) error {
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM organisations WHERE id = ?`, id); err != nil {
			return err
		}
		return search.Remove(ctx, tx, searchSource, strconv.FormatInt(id, 10))
	})
	if err != nil {
		return fmt.Errorf("directory: delete: %w", err)
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// Coauthored counts the entries the organisation co-authored, whatever
// their state: what a delete takes it off.
func (s *Store) Coauthored(ctx context.Context, id int64) (int, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM entry_organisations WHERE organisation_id = ?`, id).Scan(&n); err != nil {
		return 0, fmt.Errorf("directory: co-authored: %w", err)
	}
	return n, nil
}

// SetLogo makes the stored image logoID (0: none) the organisation's logo
// and returns the one it replaces (0: none), which the caller deletes.
func (s *Store) SetLogo(ctx context.Context, id, logoID int64) (int64, error) {
	var old int64
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(logo_id, 0) FROM organisations WHERE id = ?`, id).Scan(&old); err != nil {
			return err
		}
		var logo any
		if logoID != 0 {
			logo = logoID
		}
		_, err := tx.ExecContext(ctx, `UPDATE organisations SET logo_id = ?, updated_at = ? WHERE id = ?`, logo, time.Now().Unix(), id)
		return err
	})
	if errors.Is(err, sql.ErrNoRows) {
		return 0, db.ErrNotFound
	}
	if err != nil {
		return 0, fmt.Errorf("directory: logo: %w", err)
	}
	return old, nil
}

// focalRoles reads the focal-point roles in lang of the organisations ids.
func (s *Store) focalRoles(ctx context.Context, ids []int64, lang string) (map[int64]string, error) {
	out := map[int64]string{}
	if len(ids) == 0 {
		return out, nil
	}
	in, idArgs := db.InList(ids)
	args := append([]any{lang}, idArgs...)
	rows, err := s.db.QueryContext(ctx, `SELECT organisation_id, focal_roles FROM organisation_texts WHERE lang = ? AND organisation_id IN (`+in+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("directory: focal roles: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var roles string
		if err := rows.Scan(&id, &roles); err != nil {
			return nil, fmt.Errorf("directory: focal roles: %w", err)
		}
		out[id] = roles
	}
	return out, rows.Err()
}

// coauthoredIDs lists the entries the organisation co-authored, whatever
// their state (the page shows those that can be read).
func (s *Store) coauthoredIDs(ctx context.Context, orgID int64) ([]int64, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT entry_id FROM entry_organisations WHERE organisation_id = ? ORDER BY entry_id`, orgID)
	if err != nil {
		return nil, fmt.Errorf("directory: co-authored: %w", err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("directory: co-authored: %w", err)
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}
