package campaign

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"peerpress/internal/content"
	"peerpress/internal/db"
)

// Details returns the campaign's details; a campaign that has none yet
// gets empty ones (not an error).
func (s *Store) Details(ctx context.Context, entryID int64) (Details, error) {
	d := Details{EntryID: entryID, Texts: map[string]Texts{}}
	var starts, ends int64
	err := s.db.QueryRowContext(ctx, `SELECT starts_on, ends_on, wall_open FROM campaigns WHERE entry_id = ?`, entryID).
		Scan(&starts, &ends, &d.WallOpen)
	if errors.Is(err, sql.ErrNoRows) {
		return d, nil
	}
	if err != nil {
		return d, fmt.Errorf("campaign: details %d: %w", entryID, err)
	}
	d.StartsOn, d.EndsOn = day(starts), day(ends)
	rows, err := s.db.QueryContext(ctx, `SELECT lang, primary_objective, secondary_objectives, asks, ways FROM campaign_texts WHERE entry_id = ?`, entryID)
	if err != nil {
		return d, fmt.Errorf("campaign: texts %d: %w", entryID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var lang string
		var t Texts
		if err := rows.Scan(&lang, &t.PrimaryObjective, &t.SecondaryObjectives, &t.Asks, &t.Ways); err != nil {
			return d, fmt.Errorf("campaign: texts %d: %w", entryID, err)
		}
		d.Texts[lang] = t
	}
	if err := rows.Err(); err != nil {
		return d, fmt.Errorf("campaign: texts %d: %w", entryID, err)
	}
	lrows, err := s.db.QueryContext(ctx, `SELECT entry_id FROM campaign_links WHERE campaign_id = ? ORDER BY position, entry_id`, entryID)
	if err != nil {
		return d, fmt.Errorf("campaign: links %d: %w", entryID, err)
	}
	defer lrows.Close()
	for lrows.Next() {
		var id int64
		if err := lrows.Scan(&id); err != nil {
			return d, fmt.Errorf("campaign: links %d: %w", entryID, err)
		}
		d.Links = append(d.Links, id)
	}
	return d, lrows.Err()
}

// day turns stored Unix seconds into a date; 0 is no date.
func day(unix int64) time.Time {
	if unix == 0 {
		return time.Time{}
	}
	return time.Unix(unix, 0).UTC()
}

// dayUnix is day's inverse.
func dayUnix(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC).Unix()
}

// SaveDetails stores the campaign's facts and links, and its texts in
// lang, in one transaction.
func (s *Store) SaveDetails(ctx context.Context, d Details, lang string, t Texts) error {
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO campaigns (entry_id, starts_on, ends_on, wall_open, updated_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (entry_id) DO UPDATE SET starts_on = excluded.starts_on, ends_on = excluded.ends_on,
				wall_open = excluded.wall_open, updated_at = excluded.updated_at`,
			d.EntryID, dayUnix(d.StartsOn), dayUnix(d.EndsOn), d.WallOpen, s.now().Unix()); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO campaign_texts (entry_id, lang, primary_objective, secondary_objectives, asks, ways)
			VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (entry_id, lang) DO UPDATE SET primary_objective = excluded.primary_objective,
				secondary_objectives = excluded.secondary_objectives, asks = excluded.asks, ways = excluded.ways`,
			d.EntryID, lang, t.PrimaryObjective, t.SecondaryObjectives, t.Asks, t.Ways); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM campaign_links WHERE campaign_id = ?`, d.EntryID); err != nil {
			return err
		}
		for i, id := range d.Links {
			if _, err := tx.ExecContext(ctx, `INSERT INTO campaign_links (campaign_id, entry_id, position) VALUES (?, ?, ?)`, d.EntryID, id, i); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("campaign: save details %d: %w", d.EntryID, err)
	}
	return nil
}

// Linked is a linked entry as a reader of one language sees it.
type Linked struct {
	ID    int64
	Kind  string
	Lang  string // the translation's language: the reader's, or the source's
	Title string
	URL   string
}

// LinkedEntries returns the entries with the given ids that readers can
// see, in the given order, each in lang when translated into it and
// otherwise in its source language.
func (s *Store) LinkedEntries(ctx context.Context, ids []int64, lang string) ([]Linked, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	marks, idArgs := db.InList(ids)
	args := append([]any{lang, s.now().Unix()}, idArgs...)
	rows, err := s.db.QueryContext(ctx, `SELECT e.id, e.kind, t.lang, t.title, t.slug FROM entries e
		JOIN translations t ON t.entry_id = e.id AND (t.lang = ? OR t.lang = e.source_lang)
		WHERE t.status <> 'draft' AND t.publish_at <= ? AND e.id IN (`+marks+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("campaign: linked entries: %w", err)
	}
	defer rows.Close()
	found := map[int64]Linked{}
	for rows.Next() {
		var l Linked
		var slug string
		if err := rows.Scan(&l.ID, &l.Kind, &l.Lang, &l.Title, &slug); err != nil {
			return nil, fmt.Errorf("campaign: linked entries: %w", err)
		}
		l.URL = content.URL(content.Kind(l.Kind), l.Lang, slug)
		// The reader's language wins over the source's.
		if prev, ok := found[l.ID]; !ok || (prev.Lang != lang && l.Lang == lang) {
			found[l.ID] = l
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("campaign: linked entries: %w", err)
	}
	var out []Linked
	for _, id := range ids {
		if l, ok := found[id]; ok {
			out = append(out, l)
		}
	}
	return out, nil
}

// Linkable is an entry a campaign may link to, for the editor's choice.
type Linkable struct {
	ID    int64
	Kind  string
	Title string
}

// linkableKinds are the kinds of entry a campaign may link to.
const linkableKinds = `e.kind IN ('event', 'statement', 'publication')`

func (s *Store) linkables(ctx context.Context, query string, args ...any) ([]Linkable, error) {
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("campaign: linkable: %w", err)
	}
	defer rows.Close()
	var out []Linkable
	for rows.Next() {
		var l Linkable
		if err := rows.Scan(&l.ID, &l.Kind, &l.Title); err != nil {
			return nil, fmt.Errorf("campaign: linkable: %w", err)
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// FindLinkable finds events, statements and publications whose title in
// any language contains q, by their source title, newest first, at most
// limit. Case is ignored for ASCII letters on both engines (LOWER); in
// other scripts the words match as typed, or lower-cased.
func (s *Store) FindLinkable(ctx context.Context, q string, limit int) ([]Linkable, error) {
	q = strings.TrimSpace(q)
	if q == "" {
		return nil, nil
	}
	esc := strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace
	like, exact := "%"+esc(strings.ToLower(q))+"%", "%"+esc(q)+"%"
	found, err := s.linkables(ctx, `SELECT e.id, e.kind, src.title FROM entries e
		JOIN translations src ON src.entry_id = e.id AND src.lang = e.source_lang
		WHERE `+linkableKinds+` AND EXISTS (SELECT 1 FROM translations t WHERE t.entry_id = e.id
			AND (LOWER(t.title) LIKE ? ESCAPE '\' OR t.title LIKE ? ESCAPE '\'))
		ORDER BY e.created_at DESC, e.id DESC LIMIT ?`, like, exact, limit)
	return found, err
}

// LinkableByID returns the entries of ids a campaign may link to, in the
// order of ids; ids of other entries are left out.
func (s *Store) LinkableByID(ctx context.Context, ids []int64) ([]Linkable, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	marks, args := db.InList(ids)
	found, err := s.linkables(ctx, `SELECT e.id, e.kind, t.title FROM entries e
		JOIN translations t ON t.entry_id = e.id AND t.lang = e.source_lang
		WHERE `+linkableKinds+` AND e.id IN (`+marks+`)`, args...)
	if err != nil {
		return nil, err
	}
	var out []Linkable
	for _, id := range ids {
		for _, l := range found {
			if l.ID == id {
				out = append(out, l)
			}
		}
	}
	return out, nil
}
