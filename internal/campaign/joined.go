package campaign

import (
	"context"
	"fmt"
	"peerpress/internal/db"
)

// Joined lists the campaigns (their entry ids) that link to one of the
// entries ids: an organisation's statements, the letters it signed, the
// events it spoke at. What an organisation's page in the directory shows
// as the campaigns it joined.
func (s *Store) Joined(ctx context.Context, ids []int64) ([]int64, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	in, args := db.InList(ids)
	rows, err := s.db.QueryContext(ctx, `SELECT DISTINCT campaign_id FROM campaign_links WHERE entry_id IN (`+in+`) ORDER BY campaign_id`, args...)
	if err != nil {
		return nil, fmt.Errorf("campaign: joined: %w", err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("campaign: joined: %w", err)
		}
		out = append(out, id)
	}
	return out, rows.Err()
}
