package web

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// spoolPrefix names the temporary files of forms being received.
const spoolPrefix = "peerpress-spool-"

// spool is a temporary file sealed with a key that exists only in this
// process's memory (AES-CTR): what a participant uploads waits on disk
// while it arrives, and a copy of the disk, or a crash that leaves the
// file behind, shows nothing of it. It is removed on Close.
type spool struct {
	f      *os.File
	block  cipher.Block
	iv     []byte
	w      io.Writer
	closed bool
}

func newSpool() (*spool, error) {
	key := make([]byte, 32)
	iv := make([]byte, aes.BlockSize)
	rand.Read(key)
	rand.Read(iv)
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	f, err := os.CreateTemp("", spoolPrefix)
	if err != nil {
		return nil, fmt.Errorf("web: spool a form: %w", err)
	}
	return &spool{f: f, block: block, iv: iv, w: cipher.StreamWriter{S: cipher.NewCTR(block, iv), W: f}}, nil
}

func (s *spool) Write(p []byte) (int, error) { return s.w.Write(p) }

// Contents is everything written, opened from the start, and its size.
func (s *spool) Contents() (io.Reader, int64, error) {
	size, err := s.f.Seek(0, io.SeekCurrent)
	if err != nil {
		return nil, 0, err
	}
	if _, err := s.f.Seek(0, io.SeekStart); err != nil {
		return nil, 0, err
	}
	return cipher.StreamReader{S: cipher.NewCTR(s.block, s.iv), R: s.f}, size, nil
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
