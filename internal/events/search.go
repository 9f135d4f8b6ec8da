package events

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"peerpress/internal/db"
	"peerpress/internal/search"
)

// searchSource names the events' documents in the search index.
const searchSource = "events"

// SearchDocuments gives search every event's venue and speakers
// (search.Source), for a full re-index.
func (m *Module) SearchDocuments(ctx context.Context, q db.Querier, yield func(search.Document) error) error {
	docs, err := eventDocuments(ctx, q, 0)
	if err != nil {
		return err
	}
	for _, doc := range docs {
		if err := yield(doc); err != nil {
			return err
		}
	}
	return nil
}

// indexEvent gives search the event's venue and speakers in the
// transaction that changed them, so that a search for the venue's city or
// a speaker's name finds the event; an entry that is no longer an event,
// or names neither, takes its words out.
func indexEvent(ctx context.Context, tx *db.Tx, entryID int64) error {
	docs, err := eventDocuments(ctx, tx, entryID)
	if err != nil {
		return err
	}
	if len(docs) == 0 {
		return search.Remove(ctx, tx, searchSource, strconv.FormatInt(entryID, 10))
	}
	return search.Put(ctx, tx, docs...)
}

// eventDocuments reads the search documents of one event, or of every
// event (entryID 0): its venue, as a summary is weighted, and its
// speakers' names and organisations, as a body is. They are the same in
// every language, so each joins every translation of the event.
func eventDocuments(ctx context.Context, q db.Querier, entryID int64) ([]search.Document, error) {
	query := `SELECT e.entry_id, e.venue, COALESCE(d.speakers, '[]') FROM events e LEFT JOIN event_details d ON d.entry_id = e.entry_id`
	var args []any
	if entryID != 0 {
		query += ` WHERE e.entry_id = ?`
		args = append(args, entryID)
	}
	rows, err := q.QueryContext(ctx, query+` ORDER BY e.entry_id`, args...)
	if err != nil {
		return nil, fmt.Errorf("events: search documents: %w", err)
	}
	defer rows.Close()
	var out []search.Document
	for rows.Next() {
		var id int64
		var venue, raw string
		if err := rows.Scan(&id, &venue, &raw); err != nil {
			return nil, fmt.Errorf("events: search documents: %w", err)
		}
		var speakers []Speaker
		if err := json.Unmarshal([]byte(raw), &speakers); err != nil {
			return nil, fmt.Errorf("events: search documents of %d: %w", id, err)
		}
		var names []string
		for _, sp := range speakers {
			for _, s := range []string{sp.Name, sp.Organisation} {
				if s = strings.TrimSpace(s); s != "" {
					names = append(names, s)
				}
			}
		}
		w := search.Words{Summary: strings.TrimSpace(venue), Body: strings.Join(names, " · ")}
		if w == (search.Words{}) {
			continue
		}
		out = append(out, search.Document{Source: searchSource, Key: strconv.FormatInt(id, 10), Entry: id, Words: w})
	}
	return out, rows.Err()
}
