package content

import (
	"context"
	"database/sql"
	"fmt"
	"peerpress/internal/db"
	"time"
)

// SearchText is what a search without the server (the static mirror's)
// shows and looks in for one visible translation.
type SearchText struct {
	EntryID        int64
	Kind           Kind
	Slug           string
	Title, Summary string
	PublishAt      time.Time
}

// URL is the translation's public address.
func (t SearchText) URL(lang string) string { return URL(t.Kind, lang, t.Slug) }

// SearchTexts lists up to limit translations visible in lang, pages
// included, by entry id after afterID: read in batches, the whole
// language without an OFFSET that grows.
func (s *Store) SearchTexts(ctx context.Context, lang string, afterID int64, limit int) ([]SearchText, error) {
	// The entry's kind is copied on its translations (entry_kind), and
	// the walk follows the (entry_id, lang) key: each batch starts where
	// the last ended instead of sorting the language again.
	rows, err := s.db.QueryContext(ctx, `SELECT t.entry_id, t.entry_kind, t.slug, t.title, t.summary, t.publish_at
		FROM translations t
		WHERE t.entry_id > ? AND t.lang = ? AND `+visibleSQL+` ORDER BY t.entry_id LIMIT ?`, afterID, lang, s.now().Unix(), limit)
	if err != nil {
		return nil, fmt.Errorf("content: search texts: %w", err)
	}
	return scanSearchTexts(rows)
}

// SearchTextsOf reads the translations in lang of the entries ids that
// are visible; an entry not visible in lang is left out.
func (s *Store) SearchTextsOf(ctx context.Context, lang string, ids []int64) ([]SearchText, error) {
	var out []SearchText
	for len(ids) > 0 {
		batch := ids[:min(len(ids), 500)]
		ids = ids[len(batch):]
		marks, idArgs := db.InList(batch)
		args := append([]any{lang, s.now().Unix()}, idArgs...)
		rows, err := s.db.QueryContext(ctx, `SELECT t.entry_id, t.entry_kind, t.slug, t.title, t.summary, t.publish_at
			FROM translations t WHERE t.lang = ? AND `+visibleSQL+` AND t.entry_id IN (`+marks+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("content: search texts: %w", err)
		}
		texts, err := scanSearchTexts(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, texts...)
	}
	return out, nil
}

func scanSearchTexts(rows *sql.Rows) ([]SearchText, error) {
	defer rows.Close()
	var out []SearchText
	for rows.Next() {
		var t SearchText
		var publish int64
		if err := rows.Scan(&t.EntryID, &t.Kind, &t.Slug, &t.Title, &t.Summary, &publish); err != nil {
			return nil, fmt.Errorf("content: search texts: %w", err)
		}
		t.PublishAt = unix(publish)
		out = append(out, t)
	}
	return out, rows.Err()
}
