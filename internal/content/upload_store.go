package content

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"peerpress/internal/db"
)

// Roles of a file added in the editor (the editor_uploads table).
const (
	UploadInline     = "inline"     // an image placed in the text
	UploadFeatured   = "featured"   // the entry's featured image
	UploadAttachment = "attachment" // a file to download
)

// StageTTL is how long files added to an entry not yet saved wait for the
// save that creates it.
const StageTTL = 24 * time.Hour

// Staged is a file added to an entry before its first save.
type Staged struct {
	MediaID   int64
	Role      string
	Lang      string // an attachment's language
	Title     string // an attachment's title
	CreatedAt time.Time
}

// stageTokenBytes is the randomness of a stage token: it cannot be guessed.
const stageTokenBytes = 16

// NewStageToken makes the token a new entry's form carries, under which
// its files wait until the first save.
func NewStageToken() string {
	b := make([]byte, stageTokenBytes)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return base64.RawURLEncoding.EncodeToString(b)
}

// validStageToken reports whether t has the shape NewStageToken gives.
func validStageToken(t string) bool {
	b, err := base64.RawURLEncoding.DecodeString(t)
	return err == nil && len(b) == stageTokenBytes
}

// stageHash is what the database keeps of a token: whoever reads it
// cannot claim the files.
func stageHash(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// AddUpload records a stored file added in the editor: to entry entryID,
// or, when entryID is 0, staged under token for userID. A staged featured
// image replaces the one staged before, whose media id is returned for
// the caller to delete.
func (s *Store) AddUpload(ctx context.Context, entryID int64, token string, userID, mediaID int64, role, lang, title string) (replaced int64, err error) {
	now := s.now().Unix()
	err = s.quiet.InTx(ctx, func(tx *db.Tx) error {
		if entryID != 0 {
			_, err := tx.ExecContext(ctx, `INSERT INTO editor_uploads (media_id, entry_id, user_id, role, lang, title, created_at)
				VALUES (?, ?, ?, ?, ?, ?, ?)`, mediaID, entryID, nullID(userID), role, lang, title, now)
			return err
		}
		if !validStageToken(token) {
			return ErrStageInvalid
		}
		if role == UploadFeatured {
			err := tx.QueryRowContext(ctx, `DELETE FROM editor_uploads WHERE stage_hash = ? AND user_id = ? AND role = ? AND entry_id IS NULL RETURNING media_id`,
				stageHash(token), userID, UploadFeatured).Scan(&replaced)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO editor_uploads (media_id, stage_hash, user_id, role, lang, title, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, mediaID, stageHash(token), userID, role, lang, title, now)
		return err
	})
	if err != nil && !errors.Is(err, ErrStageInvalid) {
		err = fmt.Errorf("content: add upload: %w", err)
	}
	return replaced, err
}

// ErrStageInvalid is a stage token that NewStageToken did not make.
var ErrStageInvalid = errors.New("content: invalid stage token")

// StagedUploads lists what userID added under token, oldest first, while
// it waits for the entry's first save.
func (s *Store) StagedUploads(ctx context.Context, token string, userID int64) ([]Staged, error) {
	if !validStageToken(token) {
		return nil, nil
	}
	rows, err := s.db.QueryContext(ctx, `SELECT media_id, role, lang, title, created_at FROM editor_uploads
		WHERE stage_hash = ? AND user_id = ? AND entry_id IS NULL AND created_at >= ? ORDER BY created_at, media_id`,
		stageHash(token), userID, s.now().Add(-StageTTL).Unix())
	if err != nil {
		return nil, fmt.Errorf("content: staged uploads: %w", err)
	}
	defer rows.Close()
	var out []Staged
	for rows.Next() {
		var st Staged
		var at int64
		if err := rows.Scan(&st.MediaID, &st.Role, &st.Lang, &st.Title, &at); err != nil {
			return nil, fmt.Errorf("content: staged uploads: %w", err)
		}
		st.CreatedAt = time.Unix(at, 0)
		out = append(out, st)
	}
	return out, rows.Err()
}

// claimUploads gives entryID, inside the transaction that creates it, what
// userID staged under token: images in the text become the entry's, the
// featured image its featured image, files its attachments. A token of
// someone else, or past StageTTL, claims nothing.
func (s *Store) claimUploads(ctx context.Context, tx *db.Tx, entryID int64, token string, userID int64, now time.Time) error {
	if !validStageToken(token) || userID == 0 {
		return nil
	}
	rows, err := tx.QueryContext(ctx, `SELECT media_id, role, lang, title FROM editor_uploads
		WHERE stage_hash = ? AND user_id = ? AND entry_id IS NULL AND created_at >= ? ORDER BY created_at, media_id`,
		stageHash(token), userID, now.Add(-StageTTL).Unix())
	if err != nil {
		return err
	}
	var staged []Staged
	for rows.Next() {
		var st Staged
		if err := rows.Scan(&st.MediaID, &st.Role, &st.Lang, &st.Title); err != nil {
			rows.Close()
			return err
		}
		staged = append(staged, st)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	pos := 0
	for _, st := range staged {
		switch st.Role {
		case UploadInline:
			_, err = tx.ExecContext(ctx, `UPDATE editor_uploads SET entry_id = ?, stage_hash = NULL WHERE media_id = ?`, entryID, st.MediaID)
		case UploadFeatured:
			if _, err = tx.ExecContext(ctx, `UPDATE entries SET featured_media_id = ? WHERE id = ?`, st.MediaID, entryID); err == nil {
				_, err = tx.ExecContext(ctx, `DELETE FROM editor_uploads WHERE media_id = ?`, st.MediaID)
			}
		case UploadAttachment:
			pos++
			if _, err = tx.ExecContext(ctx, `INSERT INTO entry_attachments (entry_id, media_id, lang, title, position, created_at)
				VALUES (?, ?, ?, ?, ?, ?)`, entryID, st.MediaID, st.Lang, st.Title, pos, now.Unix()); err == nil {
				_, err = tx.ExecContext(ctx, `DELETE FROM editor_uploads WHERE media_id = ?`, st.MediaID)
			}
		}
		if err != nil {
			return fmt.Errorf("claim upload %d: %w", st.MediaID, err)
		}
	}
	return nil
}

// UnclaimedUploads lists the files staged before now minus StageTTL that
// no save claimed.
func (s *Store) UnclaimedUploads(ctx context.Context) ([]int64, error) {
	ids, err := queryIDs(ctx, s.db, `SELECT media_id FROM editor_uploads WHERE entry_id IS NULL AND created_at < ?`,
		s.now().Add(-StageTTL).Unix())
	if err != nil {
		return nil, fmt.Errorf("content: unclaimed uploads: %w", err)
	}
	return ids, nil
}

// PurgeUnclaimed deletes, with deleteMedia (media.Store.Delete: the row
// and its files), what UnclaimedUploads lists; the content/
// purge_unclaimed_uploads task runs it. It returns how many went.
func (s *Store) PurgeUnclaimed(ctx context.Context, deleteMedia func(context.Context, int64) error) (int, error) {
	ids, err := s.UnclaimedUploads(ctx)
	if err != nil {
		return 0, err
	}
	for i, id := range ids {
		if err := deleteMedia(ctx, id); err != nil && !errors.Is(err, db.ErrNotFound) {
			return i, fmt.Errorf("content: purge unclaimed upload %d: %w", id, err)
		}
	}
	return len(ids), nil
}
