package media

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"iter"
	"strings"
	"time"
	"unicode/utf8"
)

// Blobs stores the bytes of uploaded and derived files under keys such as
// "2026/11/Ab3x…q.jpg". The Store keeps what the files are in the
// database and their bytes in a Blobs, so that where the bytes live (a
// local folder, see Dir; an S3 bucket) is the business of the Blobs alone.
// Package blobtest checks an implementation against this contract.
//
// Keys are slash-separated paths (see ValidKey); every method refuses any
// other key with an error that wraps ErrBadKey, so no key can reach
// anything outside the store. Implementations are safe for concurrent use.
type Blobs interface {
	// Put stores the bytes r yields under key, replacing what was
	// there. size is their number, or -1 when unknown; a different count
	// is an error. Put is atomic for readers: until it returns, Open and
	// List see the key's previous bytes (or nothing), never part of the
	// new ones, and a failed Put stores nothing. contentType is the type
	// the bytes are served as; a backend may ignore it.
	Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error
	// Open returns the bytes stored under key. A missing key is an error
	// that wraps fs.ErrNotExist. The caller closes the Blob.
	Open(ctx context.Context, key string) (Blob, error)
	// Delete removes key. A missing key is not an error.
	Delete(ctx context.Context, key string) error
	// Copy stores the bytes of from under to as well, as Put would. A
	// missing from is an error that wraps fs.ErrNotExist.
	Copy(ctx context.Context, from, to string) error
	// List yields every key that starts with prefix, in no particular
	// order (a string prefix, not a folder: "2026/1" yields keys under
	// "2026/10/" too). A failure is yielded once, with an empty key, and
	// ends the sequence. prefix "" lists everything.
	List(ctx context.Context, prefix string) iter.Seq2[string, error]
}

// Blob is the stored bytes of one key, open for reading. Seek lets
// http.ServeContent answer range requests.
type Blob interface {
	io.ReadSeekCloser
	// Size is the number of bytes.
	Size() int64
	// ModTime is when the bytes were stored.
	ModTime() time.Time
}

// ErrBadKey is wrapped by the errors of Blobs methods given a key that
// ValidKey refuses.
var ErrBadKey = errors.New("invalid blob key")

// maxKeyLen is the longest key, in bytes: S3's limit.
const maxKeyLen = 1024

// ValidKey reports whether key can name a blob: 1 to 1024 bytes of UTF-8
// without control characters or backslashes, made of non-empty elements
// separated by single slashes, no element starting with a dot (so no "."
// or "..", and names such as Dir's temporary files are never keys), no
// slash at either end. Such a key means the same thing in a local folder
// on any system and in a bucket, and cannot climb out of either.
func ValidKey(key string) bool {
	if len(key) == 0 || len(key) > maxKeyLen || !utf8.ValidString(key) || !fs.ValidPath(key) {
		return false
	}
	for _, c := range key {
		if c < 0x20 || c == 0x7f || c == '\\' {
			return false
		}
	}
	for elem := range strings.SplitSeq(key, "/") {
		if strings.HasPrefix(elem, ".") {
			return false
		}
	}
	return true
}

// checkKey returns an error wrapping ErrBadKey unless key is valid.
func checkKey(key string) error {
	if !ValidKey(key) {
		return fmt.Errorf("media: %w: %q", ErrBadKey, key)
	}
	return nil
}

// checkPrefix returns an error wrapping ErrBadKey unless prefix can begin
// a valid key: "" or a key's first bytes ("2026/", "2026/1").
func checkPrefix(prefix string) error {
	if prefix == "" || ValidKey(prefix+"x") {
		return nil
	}
	return fmt.Errorf("media: %w: prefix %q", ErrBadKey, prefix)
}
