package campaign

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"peerpress/internal/content"
	"peerpress/internal/db"
	"peerpress/internal/participant"
)

// Entries finds the campaigns tributes belong to (content.Store).
type Entries interface {
	Entry(ctx context.Context, id int64) (*content.Entry, error)
}

// PersonalData is what tribute walls hold about the people who send
// tributes, as the site's registry of personal data sees it
// (participant.Holder): their email, and the tribute they wrote. Staff
// find, export and erase one submitter's tributes (with their photos);
// rejected tributes go after RejectedKeep; `keys rotate` reseals the
// emails. entries names the campaigns in what staff see.
func (s *Store) PersonalData(photos PhotoDeleter, entries Entries) participant.Holder {
	return &submitters{s: s, photos: photos, entries: entries}
}

type submitters struct {
	s       *Store
	photos  PhotoDeleter
	entries Entries
}

func (h *submitters) Name() string { return "campaign/tributes" }

// backfill gives the tributes sent before email hashes were kept their
// hash, opening each email once, so that look-ups by hash find them.
// Quiet: no page shows a hash.
func (h *submitters) backfill(ctx context.Context) error {
	rows, err := h.s.db.QueryContext(ctx, `SELECT id, email_sealed FROM tributes WHERE email_hash = '' AND email_sealed <> '' ORDER BY id`)
	if err != nil {
		return fmt.Errorf("campaign: email hashes: %w", err)
	}
	type legacy struct {
		id     int64
		sealed string
	}
	var list []legacy
	for rows.Next() {
		var l legacy
		if err := rows.Scan(&l.id, &l.sealed); err != nil {
			rows.Close()
			return fmt.Errorf("campaign: email hashes: %w", err)
		}
		list = append(list, l)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(list) == 0 {
		return err
	}
	return h.s.quiet.InTx(ctx, func(tx *db.Tx) error {
		for _, l := range list {
			email, err := h.s.vault.Open(l.sealed, emailContext)
			if err != nil {
				return fmt.Errorf("campaign: open tribute %d: %w", l.id, err)
			}
			hash := "none:" + strconv.FormatInt(l.id, 10) // an address that was never valid matches nobody
			if n, err := participant.Normalize(email); err == nil {
				hash = h.s.vault.Hash(hashEmail, n)
			}
			if _, err := tx.ExecContext(ctx, `UPDATE tributes SET email_hash = ? WHERE id = ? AND email_hash = ''`, hash, l.id); err != nil {
				return err
			}
		}
		return nil
	})
}

// Find opens the tributes the person sent.
func (h *submitters) Find(ctx context.Context, who participant.Subject) ([]participant.Record, error) {
	if err := h.backfill(ctx); err != nil {
		return nil, err
	}
	rows, err := h.s.db.QueryContext(ctx, `SELECT `+tributeCols+`, email_sealed FROM tributes WHERE email_hash = ? ORDER BY id`, who.Hash(hashEmail))
	if err != nil {
		return nil, fmt.Errorf("campaign: find tributes: %w", err)
	}
	type found struct {
		t      Tribute
		sealed string
	}
	var list []found
	for rows.Next() {
		var f found
		var created, decided int64
		var status string
		t := &f.t
		if err := rows.Scan(&t.ID, &t.CampaignID, &status, &t.Lang, &t.Remembered, &t.Body, &t.MediaID, &t.Flagged, &created, &decided, &t.RejectReason, &f.sealed); err != nil {
			rows.Close()
			return nil, fmt.Errorf("campaign: find tributes: %w", err)
		}
		t.Status, t.CreatedAt, t.DecidedAt = Status(status), time.Unix(created, 0).UTC(), day(decided)
		list = append(list, f)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var out []participant.Record
	for _, f := range list {
		// Sealed for staff: the server mails the submitter once, as the
		// tribute is sent, and never again; locked, it stays sealed.
		email, err := h.s.vault.Reveal(ctx, f.sealed, emailContext)
		if err != nil {
			return nil, fmt.Errorf("campaign: open tribute %d: %w", f.t.ID, err)
		}
		about := "campaign " + strconv.FormatInt(f.t.CampaignID, 10)
		if e, err := h.entries.Entry(ctx, f.t.CampaignID); err == nil {
			about += ": " + e.Source().Title
		}
		photo := "none"
		if f.t.MediaID != 0 {
			photo = "media " + strconv.FormatInt(f.t.MediaID, 10)
		}
		out = append(out, participant.Record{ID: f.t.ID, About: about, Created: f.t.CreatedAt, Fields: []participant.Field{
			{Name: "email", Value: email}, {Name: "remembered", Value: f.t.Remembered}, {Name: "words", Value: f.t.Body},
			{Name: "photo", Value: photo}, {Name: "status", Value: string(f.t.Status)}, {Name: "language", Value: f.t.Lang},
			{Name: "sent_at", Value: f.t.CreatedAt.Format(time.RFC3339)}}})
	}
	return out, nil
}

// Erase deletes the person's tributes and their photos, as their
// withdrawal links would: one on a wall leaves it at once.
func (h *submitters) Erase(ctx context.Context, who participant.Subject) (int, error) {
	if err := h.backfill(ctx); err != nil {
		return 0, err
	}
	// A loud delete: an erased tribute may have been on a wall.
	return h.s.deleteTributes(ctx, "erase", h.photos, h.s.db.ExecContext, `DELETE FROM tributes WHERE id = ?`,
		`SELECT id, COALESCE(media_id, 0) FROM tributes WHERE email_hash = ? ORDER BY id`, who.Hash(hashEmail))
}

// Purge deletes tributes rejected more than RejectedKeep before now.
func (h *submitters) Purge(ctx context.Context, now time.Time) (int, error) {
	return h.s.PurgeRejected(ctx, now.Add(-RejectedKeep), h.photos)
}

// Reseal reseals the submitters' emails, and the consent of tributes
// staff added.
func (h *submitters) Reseal(ctx context.Context, reseal participant.Resealer) (int, error) {
	return participant.ResealTable(ctx, h.s.db, participant.Table{Name: "tributes", Key: "id",
		Columns: []participant.Column{{Name: "email_sealed", Context: emailContext, Staff: true},
			{Name: "consent_evidence", Context: evidenceContext}, {Name: "consent_by", Context: consentByContext}}}, reseal)
}
