package calls

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"peerpress/internal/participant"
)

// PersonalData is what applications hold about people, as the site's
// registry of personal data sees it (participant.Holder): staff find,
// export and erase one applicant's applications, each call's
// applications are purged its retention days after it closes, and `keys
// rotate` reseals them.
func (s *Store) PersonalData() participant.Holder { return applications{s} }

type applications struct{ s *Store }

func (applications) Name() string { return "calls/applications" }

// Find opens every application of the person, with its answers and the
// names of its files.
func (h applications) Find(ctx context.Context, who participant.Subject) ([]participant.Record, error) {
	s := h.s
	rows, err := s.db.QueryContext(ctx, `SELECT `+appCols+` FROM applications WHERE email_hash = ? ORDER BY created_at, id`, who.Hash(hashEmail))
	if err != nil {
		return nil, fmt.Errorf("calls: find applications: %w", err)
	}
	var list []Application
	for rows.Next() {
		a, err := s.scanApplication(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		list = append(list, a)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var out []participant.Record
	for _, a := range list {
		files, err := s.files(ctx, s.db, a.ID)
		if err != nil {
			return nil, err
		}
		rec := participant.Record{ID: a.ID, About: "call " + strconv.FormatInt(a.EntryID, 10), Created: a.CreatedAt,
			Fields: []participant.Field{{Name: "email", Value: a.Email}, {Name: "status", Value: a.Status},
				{Name: "language", Value: a.Lang}, {Name: "applied_at", Value: a.CreatedAt.Format(time.RFC3339)}}}
		if a.SealedAnswers != "" { // locked to the organisation's key: exported as is
			rec.Fields = append(rec.Fields, participant.Field{Name: "answers", Value: a.SealedAnswers})
		}
		for _, k := range sortedKeys(a.Answers) {
			rec.Fields = append(rec.Fields, participant.Field{Name: "answer: " + k, Value: strings.Join(a.Answers[k], "; ")})
		}
		for _, f := range files {
			rec.Fields = append(rec.Fields, participant.Field{Name: "file: " + f.Field, Value: f.Name})
		}
		out = append(out, rec)
	}
	return out, nil
}

// Erase deletes the person's applications and their files.
func (h applications) Erase(ctx context.Context, who participant.Subject) (int, error) {
	ids, err := queryIDs(ctx, h.s.db, `SELECT id FROM applications WHERE email_hash = ?`, who.Hash(hashEmail))
	if err != nil {
		return 0, err
	}
	return len(ids), h.s.deleteApplications(ctx, ids...)
}

// Purge deletes the applications of calls that closed more than their
// retention days before now, keeping how many there were.
func (h applications) Purge(ctx context.Context, now time.Time) (int, error) {
	s := h.s
	calls, err := queryIDs(ctx, s.db, `SELECT entry_id FROM calls WHERE closes_at + retention_days * 86400 < ?
		AND EXISTS (SELECT 1 FROM applications a WHERE a.entry_id = calls.entry_id)`, now.Unix())
	if err != nil {
		return 0, err
	}
	total := 0
	for _, id := range calls {
		ids, err := queryIDs(ctx, s.db, `SELECT id FROM applications WHERE entry_id = ?`, id)
		if err != nil {
			return total, err
		}
		if _, err := s.quiet.ExecContext(ctx, `UPDATE calls SET kept_applications = kept_applications + ?, purged_at = ? WHERE entry_id = ?`,
			len(ids), now.Unix(), id); err != nil {
			return total, fmt.Errorf("calls: purge %d: %w", id, err)
		}
		if err := s.deleteApplications(ctx, ids...); err != nil {
			return total, err
		}
		total += len(ids)
	}
	return total, nil
}

// Reseal reseals every sealed column of applications and their files.
func (h applications) Reseal(ctx context.Context, reseal participant.Resealer) (int, error) {
	n, err := participant.ResealTable(ctx, h.s.db, participant.Table{Name: "applications", Key: "id", Columns: []participant.Column{
		{Name: "email", Context: sealEmail}, {Name: "answers", Context: sealAnswers}, {Name: "work", Context: sealWork}}}, reseal)
	if err != nil {
		return n, err
	}
	m, err := participant.ResealTable(ctx, h.s.db, participant.Table{Name: "application_files", Key: "id", Columns: []participant.Column{
		{Name: "name", Context: sealFileName}}}, reseal)
	return n + m, err
}
