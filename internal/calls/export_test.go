package calls

import (
	"bytes"
	"context"
	"strconv"

	"peerpress/internal/db"
	"peerpress/internal/media"
	"peerpress/internal/participant"
)

// ConfirmedApplication stores a confirmed application of email to the
// call without the mail round trip, for benchmarks, and returns its
// private link's token.
func (s *Store) ConfirmedApplication(ctx context.Context, entryID int64, email string) (string, error) {
	token, hash := participant.NewLink()
	now := s.Now().Unix()
	_, err := s.quiet.ExecContext(ctx, `INSERT INTO applications (entry_id, email_hash, email, answers, lang, status, manage_hash, created_at, updated_at)
		VALUES (?, ?, ?, ?, 'en', ?, ?, ?, ?)`, entryID, s.vault.Hash(hashEmail, email), s.vault.Seal(email, sealEmail),
		s.sealAnswers(map[string][]string{}), Confirmed, hash, now, now)
	return token, err
}

// Blobs is where the store keeps applications' files and uploads under way.
func (s *Store) Blobs() media.Blobs { return s.blobs }

// KeepTestFile keeps data as an application's file of field, named name
// on the applicant's device, as ingest and Attach would after checking
// and cleaning it; it returns the file's id.
func (s *Store) KeepTestFile(ctx context.Context, appID int64, field, name string, data []byte) (int64, error) {
	key := "applications/test-" + strconv.FormatInt(appID, 10) + "-" + field + ".mp4"
	if err := s.blobs.Put(ctx, key, bytes.NewReader(data), int64(len(data)), "video/mp4"); err != nil {
		return 0, err
	}
	var id int64
	err := s.quiet.InTx(ctx, func(tx *db.Tx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO application_files (application_id, field, blob_key, name, content_type, size, created_at)
			VALUES (?, ?, ?, ?, 'video/mp4', ?, 0) RETURNING id`, appID, field, key, s.vault.Seal(name, sealFileName), len(data)).Scan(&id)
	})
	return id, err
}
