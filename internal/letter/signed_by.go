package letter

import (
	"context"
	"fmt"

	"peerpress/internal/db"
)

// SignedBy lists the open letters (their entry ids) an organisation of
// the directory signed, approved signatures only: those staff linked to
// it (orgID), and those whose signatory's name, one of names, and
// country are its own, however cased or accented (the keyed hash that
// already refuses an organisation signing twice). What an organisation's
// page in the directory shows.
func (s *Store) SignedBy(ctx context.Context, orgID int64, country string, names ...string) ([]int64, error) {
	q := `SELECT DISTINCT entry_id FROM signatures WHERE status = 'approved' AND kind = 'organisation' AND (organisation_id = ?`
	args := []any{orgID}
	for _, n := range names {
		if n != "" {
			q += ` OR org_hash = ?`
			args = append(args, s.orgHash(n, country))
		}
	}
	rows, err := s.db.QueryContext(ctx, q+`) ORDER BY entry_id`, args...)
	if err != nil {
		return nil, fmt.Errorf("letter: signed by: %w", err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("letter: signed by: %w", err)
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// LinkOrganisation links a letter's organisation signature to its entry
// in the directory (orgID 0 unlinks it): staff's answer where the name
// signed is not the directory's.
func (s *Store) LinkOrganisation(ctx context.Context, entryID, signatureID, orgID int64) error {
	var org any
	if orgID != 0 {
		org = orgID
	}
	res, err := s.db.ExecContext(ctx, `UPDATE signatures SET organisation_id = ? WHERE id = ? AND entry_id = ? AND kind = 'organisation'`, org, signatureID, entryID)
	if err != nil {
		return fmt.Errorf("letter: link organisation: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return db.ErrNotFound
	}
	return nil
}

// organisationLinks reads which directory organisation each of a
// letter's signatures is linked to, by signature id.
func (s *Store) organisationLinks(ctx context.Context, entryID int64) (map[int64]int64, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, organisation_id FROM signatures WHERE entry_id = ? AND organisation_id IS NOT NULL`, entryID)
	if err != nil {
		return nil, fmt.Errorf("letter: organisation links: %w", err)
	}
	defer rows.Close()
	out := map[int64]int64{}
	for rows.Next() {
		var id, org int64
		if err := rows.Scan(&id, &org); err != nil {
			return nil, fmt.Errorf("letter: organisation links: %w", err)
		}
		out[id] = org
	}
	return out, rows.Err()
}
