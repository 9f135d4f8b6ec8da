package directory

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"peerpress/internal/db"
	"peerpress/internal/i18n"
	"peerpress/internal/search"
)

// searchSource names the directory's documents in the search index.
const searchSource = "directory"

// documents are an organisation's search documents: one per language it
// has words in (or, with none, in the site's default language fallback),
// so that a search in every language finds it once per translation, as
// it finds entries.
func documents(o Organisation, fallback string) []search.Document {
	var langs []string
	for _, l := range i18n.Available() {
		if t := o.Texts[l.Code]; t.Description != "" || t.FocalRoles != "" {
			langs = append(langs, l.Code)
		}
	}
	if len(langs) == 0 {
		langs = []string{fallback}
	}
	var docs []search.Document
	for _, lang := range langs {
		t := o.Texts[lang]
		body := []string{o.ShortName, t.FocalRoles}
		if o.Country != "" {
			body = append(body, i18n.CountryName(o.Country, lang))
		}
		docs = append(docs, search.Document{Source: searchSource, Key: strconv.FormatInt(o.ID, 10), Lang: lang,
			Label: "directory.organisation", URL: "/" + lang + "/directory/" + o.Slug,
			Words: search.Words{Title: o.Name, Summary: t.Description, Body: strings.Join(body, "\n")}})
	}
	return docs
}

// putDocuments replaces the organisation's documents in tx.
func (s *Store) putDocuments(ctx context.Context, tx *db.Tx, o Organisation) error {
	// A language it no longer has words in leaves no document behind.
	if err := search.Remove(ctx, tx, searchSource, strconv.FormatInt(o.ID, 10)); err != nil {
		return fmt.Errorf("directory: index: %w", err)
	}
	if err := search.Put(ctx, tx, documents(o, s.defaultLang())...); err != nil {
		return fmt.Errorf("directory: index: %w", err)
	}
	return nil
}

// SearchDocuments gives search every organisation (search.Source). The
// rows are read to the end before any is yielded, as yield writes.
func (m *Module) SearchDocuments(ctx context.Context, q db.Querier, yield func(search.Document) error) error {
	orgs, err := readAll(ctx, q)
	if err != nil {
		return err
	}
	for _, o := range orgs {
		for _, doc := range documents(o, m.Store.defaultLang()) {
			if err := yield(doc); err != nil {
				return err
			}
		}
	}
	return nil
}

// readAll reads every organisation with its texts through q.
func readAll(ctx context.Context, q db.Querier) ([]Organisation, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+orgColumns+` FROM organisations o ORDER BY o.id`)
	if err != nil {
		return nil, fmt.Errorf("directory: read: %w", err)
	}
	var orgs []Organisation
	byID := map[int64]int{}
	for rows.Next() {
		o, err := scanOrg(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("directory: read: %w", err)
		}
		byID[o.ID] = len(orgs)
		orgs = append(orgs, o)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = q.QueryContext(ctx, `SELECT organisation_id, lang, description, focal_roles FROM organisation_texts`)
	if err != nil {
		return nil, fmt.Errorf("directory: read texts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var lang string
		var t Text
		if err := rows.Scan(&id, &lang, &t.Description, &t.FocalRoles); err != nil {
			return nil, fmt.Errorf("directory: read texts: %w", err)
		}
		if i, ok := byID[id]; ok {
			orgs[i].Texts[lang] = t
		}
	}
	return orgs, rows.Err()
}

// IndexMissing puts in the search index the organisations that have no
// document there: those named in the entry editor, which content creates
// in the entry's transaction without knowing of the directory. It runs as
// a periodic task (Module.Tasks).
func (s *Store) IndexMissing(ctx context.Context) error {
	rows, err := s.db.QueryContext(ctx, `SELECT o.id FROM organisations o WHERE NOT EXISTS
		(SELECT 1 FROM search_documents d WHERE d.source = ? AND d.key = CAST(o.id AS TEXT)) ORDER BY o.id`, searchSource)
	if err != nil {
		return fmt.Errorf("directory: unindexed: %w", err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return fmt.Errorf("directory: unindexed: %w", err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, id := range ids {
		o, err := s.ByID(ctx, id)
		if errors.Is(err, db.ErrNotFound) {
			continue // deleted since
		}
		if err != nil {
			return err
		}
		if err := s.db.InTx(ctx, func(tx *db.Tx) error { return s.putDocuments(ctx, tx, o) }); err != nil {
			return err
		}
	}
	return nil
}
