package calls

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"peerpress/internal/db"
	"peerpress/internal/secret"
)

// maxPlainUpload bounds a file sent with the form itself, without the
// resumable upload: what a browser without JavaScript can send. Larger
// files go through the tus endpoint of the applicant's private page.
const maxPlainUpload = 64 << 20

// videoTypes are the types files are served as to reviewers.
var videoTypes = map[string]string{"mp4": "video/mp4", "mov": "video/quicktime", "webm": "video/webm"}

// stagingDir is where uploads wait, in the data folder and sealed (see
// staged), until they are checked, cleaned and copied into the Blobs.
func (s *Store) stagingDir() (string, error) {
	if s.Staging == "" {
		return "", fmt.Errorf("calls: no staging folder")
	}
	if err := os.MkdirAll(s.Staging, 0o700); err != nil {
		return "", fmt.Errorf("calls: staging folder: %w", err)
	}
	return s.Staging, nil
}

// stagePlain seals r into a new file of the staging folder, with a key held
// in memory only; more than limit bytes is refused
// (calls.error.too_big). ingest takes it.
func (s *Store) stagePlain(r io.Reader, limit int64) (*staged, error) {
	key, err := secret.NewStreamKey()
	if err != nil {
		return nil, err
	}
	return s.stage("plain", key, func(w io.Writer) error {
		n, err := io.Copy(w, io.LimitReader(r, limit+1))
		if err == nil && n > limit {
			err = refuse("calls.error.too_big")
		}
		return err
	})
}

// ingest checks a staged upload named name (as the applicant's device
// named it) against the call and keeps its clean copy in the Blobs: an
// accepted extension, bytes of the container it names, within the size
// and length limits, its metadata removed by ffmpeg. ffprobe and ffmpeg
// read it decrypted as they go (serveStaged); ffmpeg writes the clean
// copy into a file that never has a name, whence it goes to the Blobs.
// The staged file is removed either way. A refusal says why
// (RefusalKey).
func (s *Store) ingest(ctx context.Context, c Call, field string, st *staged, name string) (StoredFile, error) {
	defer st.Close()
	ext := strings.TrimPrefix(strings.ToLower(filepath.Ext(name)), ".")
	if !c.Accepts(ext) {
		return StoredFile{}, refuse("calls.error.file_type_refused")
	}
	plain, size, err := st.open()
	if err != nil {
		return StoredFile{}, fmt.Errorf("calls: ingest: %w", err)
	}
	if size > int64(c.MaxFileMB)<<20 {
		return StoredFile{}, refuse("calls.error.too_big")
	}
	head, err := readHead(plain)
	if err != nil {
		return StoredFile{}, fmt.Errorf("calls: ingest: %w", err)
	}
	container := sniffVideo(head)
	if container == "" || container != containerOf(ext) {
		return StoredFile{}, refuse("calls.error.not_video")
	}
	url, stop, err := serveStaged(plain, size)
	if err != nil {
		return StoredFile{}, err
	}
	defer stop()
	secs, err := probeVideo(ctx, url, container, c.MaxVideoMinutes)
	if err != nil {
		return StoredFile{}, err
	}
	clean, err := s.unnamedFile()
	if err != nil {
		return StoredFile{}, err
	}
	defer clean.Close()
	if err := cleanVideo(ctx, url, clean, ext); err != nil {
		return StoredFile{}, err
	}
	cleanSize, err := clean.Seek(0, io.SeekEnd)
	if err == nil {
		_, err = clean.Seek(0, io.SeekStart)
	}
	if err != nil {
		return StoredFile{}, fmt.Errorf("calls: ingest: %w", err)
	}
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return StoredFile{}, err
	}
	key := "applications/" + hex.EncodeToString(b[:]) + "." + ext
	if err := s.blobs.Put(ctx, key, clean, cleanSize, videoTypes[ext]); err != nil {
		return StoredFile{}, fmt.Errorf("calls: keep %s: %w", key, err)
	}
	return StoredFile{Field: field, Key: key, Name: filepath.Base(name), Type: videoTypes[ext], Size: cleanSize, Duration: secs}, nil
}

// insertFile records a kept file for an application in tx, replacing
// the field's earlier file; it returns the key of the replaced blob, ""
// for none.
func (s *Store) insertFile(ctx context.Context, tx *db.Tx, appID int64, f StoredFile) (string, error) {
	var old string
	err := tx.QueryRowContext(ctx, `SELECT blob_key FROM application_files WHERE application_id = ? AND field = ?`, appID, f.Field).Scan(&old)
	if err == nil {
		if _, err := tx.ExecContext(ctx, `DELETE FROM application_files WHERE application_id = ? AND field = ?`, appID, f.Field); err != nil {
			return "", err
		}
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO application_files (application_id, field, blob_key, name, content_type, size, duration_seconds, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, appID, f.Field, f.Key, s.vault.Seal(f.Name, sealFileName), f.Type, f.Size, f.Duration, s.Now().Unix())
	if err != nil {
		return "", fmt.Errorf("calls: file of %d: %w", appID, err)
	}
	return old, nil
}

// Attach records kept files for the application a private link names,
// while uploads are open (the close plus the grace), replacing earlier
// files of the same fields. Files not recorded are deleted.
func (s *Store) Attach(ctx context.Context, token string, files ...StoredFile) error {
	a, err := s.ByManageToken(ctx, token)
	if err != nil {
		s.Discard(files...)
		return err
	}
	return s.attach(ctx, a.ID, a.EntryID, files...)
}

func (s *Store) attach(ctx context.Context, appID, entryID int64, files ...StoredFile) error {
	var replaced []string
	err := s.quiet.InTx(ctx, func(tx *db.Tx) error {
		c, err := s.Call(ctx, tx, entryID)
		if err != nil {
			return err
		}
		if !c.UploadOpen(s.Now()) {
			return ErrClosed
		}
		for _, f := range files {
			old, err := s.insertFile(ctx, tx, appID, f)
			if err != nil {
				return err
			}
			if old != "" {
				replaced = append(replaced, old)
			}
		}
		return nil
	})
	if err != nil {
		s.Discard(files...)
		return err
	}
	for _, k := range replaced {
		s.deleteBlob(ctx, k)
	}
	return nil
}

// Discard deletes kept files that no application records.
func (s *Store) Discard(files ...StoredFile) {
	for _, f := range files {
		s.deleteBlob(context.Background(), f.Key)
	}
}

func (s *Store) deleteBlob(ctx context.Context, key string) {
	if err := s.blobs.Delete(context.WithoutCancel(ctx), key); err != nil {
		slog.Error("calls: delete an application's file", "key", key, "err", err)
	}
}

// SweepOrphans deletes kept files that no application records: those of
// a call deleted with its applications (the rows go by their foreign
// key, the bytes cannot), or of a request that failed between keeping a
// file and recording it. A file younger than an hour may be on its way to
// its row and is left alone.
func (s *Store) SweepOrphans(ctx context.Context) (int, error) {
	n := 0
	for key, err := range s.blobs.List(ctx, "applications/") {
		if err != nil {
			return n, fmt.Errorf("calls: sweep files: %w", err)
		}
		var one int
		err := s.db.QueryRowContext(ctx, `SELECT 1 FROM application_files WHERE blob_key = ?`, key).Scan(&one)
		if err == nil {
			continue
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return n, fmt.Errorf("calls: sweep files: %w", err)
		}
		b, err := s.blobs.Open(ctx, key)
		if err != nil {
			continue // gone meanwhile
		}
		young := s.Now().Sub(b.ModTime()) < time.Hour
		_ = b.Close()
		if young {
			continue
		}
		if err := s.blobs.Delete(ctx, key); err != nil {
			return n, fmt.Errorf("calls: sweep files: %w", err)
		}
		n++
	}
	return n, nil
}
