package content

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"peerpress/internal/db"
)

// AddAttachment attaches a stored file (mediaID) to an entry, in lang and
// with a title, after the entry's other attachments. A missing entry is
// db.ErrNotFound. The caller checks lang and title.
func (s *Store) AddAttachment(ctx context.Context, entryID, mediaID int64, lang, title string) (Attachment, error) {
	now := s.now().Unix()
	var a Attachment
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		var one int
		err := tx.QueryRowContext(ctx, `SELECT 1 FROM entries WHERE id = ?`, entryID).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return db.ErrNotFound
		}
		if err != nil {
			return err
		}
		var pos int
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(position), 0) FROM entry_attachments WHERE entry_id = ?`, entryID).Scan(&pos); err != nil {
			return err
		}
		var id int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO entry_attachments (entry_id, media_id, lang, title, position, created_at)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, entryID, mediaID, lang, title, pos+1, now).Scan(&id); err != nil {
			return err
		}
		return scanAttachment(tx.QueryRowContext(ctx, attachmentSelect+` WHERE a.id = ?`, id), &a)
	})
	if errors.Is(err, db.ErrNotFound) {
		return Attachment{}, err
	}
	if err != nil {
		return Attachment{}, fmt.Errorf("content: add attachment to %d: %w", entryID, err)
	}
	return a, nil
}

const attachmentSelect = `SELECT a.id, a.entry_id, a.media_id, a.lang, a.title, a.position, a.created_at, m.path, m.mime, m.bytes
	FROM entry_attachments a JOIN media m ON m.id = a.media_id`

func scanAttachment(s scanner, a *Attachment) error {
	var created int64
	if err := s.Scan(&a.ID, &a.EntryID, &a.MediaID, &a.Lang, &a.Title, &a.Position, &created, &a.Path, &a.MIME, &a.Bytes); err != nil {
		return err
	}
	a.CreatedAt = unix(created)
	return nil
}

// Attachments lists an entry's attachments in their order, each with its
// file's path, type and size.
func (s *Store) Attachments(ctx context.Context, entryID int64) ([]Attachment, error) {
	if p := preloaded(ctx); p.holds(entryID) {
		return p.atts[entryID], nil
	}
	rows, err := s.db.QueryContext(ctx, attachmentSelect+` WHERE a.entry_id = ? ORDER BY a.position, a.id`, entryID)
	if err != nil {
		return nil, fmt.Errorf("content: attachments of %d: %w", entryID, err)
	}
	defer rows.Close()
	var out []Attachment
	for rows.Next() {
		var a Attachment
		if err := scanAttachment(rows, &a); err != nil {
			return nil, fmt.Errorf("content: attachments of %d: %w", entryID, err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// DeleteAttachment removes an attachment of an entry; one that does not
// exist, or belongs to another entry, is db.ErrNotFound. It returns the id
// of the attachment's media item when nothing refers to it any more (no
// other attachment, no entry as its featured image), so that the caller
// can delete the file itself, and 0 otherwise.
func (s *Store) DeleteAttachment(ctx context.Context, entryID, attachmentID int64) (orphan int64, err error) {
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		var mediaID int64
		err := tx.QueryRowContext(ctx, `DELETE FROM entry_attachments WHERE id = ? AND entry_id = ? RETURNING media_id`,
			attachmentID, entryID).Scan(&mediaID)
		if errors.Is(err, sql.ErrNoRows) {
			return db.ErrNotFound
		}
		if err != nil {
			return err
		}
		var uses int
		if err := tx.QueryRowContext(ctx, `SELECT
			(SELECT COUNT(*) FROM entry_attachments WHERE media_id = ?) +
			(SELECT COUNT(*) FROM entries WHERE featured_media_id = ?)`, mediaID, mediaID).Scan(&uses); err != nil {
			return err
		}
		if uses == 0 {
			orphan = mediaID
		}
		return nil
	})
	if errors.Is(err, db.ErrNotFound) {
		return 0, err
	}
	if err != nil {
		return 0, fmt.Errorf("content: delete attachment %d of %d: %w", attachmentID, entryID, err)
	}
	return orphan, nil
}
