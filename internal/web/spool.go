package web

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"peerpress/internal/secret"
)

// spoolPrefix names the temporary files of forms being received.
const spoolPrefix = "peerpress-spool-"

// spool is a temporary file sealed with a key that exists only in this
// process's memory (secret.StreamKey: authenticated chunks): what a
// participant uploads waits on disk while it arrives, and a copy of the
// disk, or a crash that leaves the file behind, shows nothing of it. It
// is removed on Close.
type spool struct {
	f      *os.File
	key    secret.StreamKey
	w      io.WriteCloser
	n      int64 // bytes written
	closed bool
}

func newSpool() (*spool, error) {
	key, err := secret.NewStreamKey()
	if err != nil {
		return nil, err
	}
	f, err := os.CreateTemp("", spoolPrefix)
	if err != nil {
		return nil, fmt.Errorf("web: spool a form: %w", err)
	}
	w, err := key.Seal(f)
	if err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, err
	}
	return &spool{f: f, key: key, w: w}, nil
}

func (s *spool) Write(p []byte) (int, error) {
	n, err := s.w.Write(p)
	s.n += int64(n)
	return n, err
}

// Contents is everything written, opened from the start, and its size;
// nothing can be written after.
func (s *spool) Contents() (io.Reader, int64, error) {
	if err := s.w.Close(); err != nil {
		return nil, 0, err
	}
	if _, err := s.f.Seek(0, io.SeekStart); err != nil {
		return nil, 0, err
	}
	r, err := s.key.Open(s.f)
	if err != nil {
		return nil, 0, err
	}
	return r, s.n, nil
}

// Close removes the file.
func (s *spool) Close() error {
	if s.closed {
		return nil
	}
	s.closed = true
	s.f.Close()
	return os.Remove(s.f.Name())
}

// RemoveStaleSpools deletes the temporary files of forms that a stopped
// or crashed peerpress left behind: sealed, they are unreadable without
// the key that died with it, but they take room. Files younger than an
// hour may be another instance's on the same machine, and are left.
func RemoveStaleSpools() {
	dir := os.TempDir()
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), spoolPrefix) {
			continue
		}
		if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > time.Hour {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}
