package events

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
)

// SpokeFrom lists the events (their entry ids) where a speaker came from
// an organisation of one of names, case aside: what an organisation's
// page in the directory shows. Speakers are kept as JSON, read here in
// Go; a site has hundreds of events, not millions.
func (s *Store) SpokeFrom(ctx context.Context, names ...string) ([]int64, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT entry_id, speakers FROM event_details WHERE speakers LIKE '%"Organisation":"_%' ORDER BY entry_id`)
	if err != nil {
		return nil, fmt.Errorf("events: speakers' organisations: %w", err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		var raw string
		if err := rows.Scan(&id, &raw); err != nil {
			return nil, fmt.Errorf("events: speakers' organisations: %w", err)
		}
		var speakers []Speaker
		if err := json.Unmarshal([]byte(raw), &speakers); err != nil {
			return nil, fmt.Errorf("events: speakers of %d: %w", id, err)
		}
	speakers:
		for _, sp := range speakers {
			for _, n := range names {
				if n != "" && strings.EqualFold(strings.TrimSpace(sp.Organisation), n) {
					out = append(out, id)
					break speakers
				}
			}
		}
	}
	return out, rows.Err()
}
