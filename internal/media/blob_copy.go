package media

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"path"
)

// CopyReport says what CopyAll did.
type CopyReport struct {
	// Copied counts the blobs written; Kept those the destination held
	// already with the same bytes (an earlier, interrupted run's).
	Copied, Kept int
	Bytes        int64 // copied
}

// CopyAll copies every blob of from into to, each verified by reading it
// back and comparing its SHA-256 with the source's, so that a site can
// move its files between a folder and a bucket. It can be run again after
// an interruption or a failure: a blob the destination already holds with
// the same bytes is kept, not sent again. progress, when not nil, is
// called after each blob. Nothing is deleted from either side.
func CopyAll(ctx context.Context, from, to Blobs, progress func(key string, r CopyReport)) (CopyReport, error) {
	var rep CopyReport
	for key, err := range from.List(ctx, "") {
		if err != nil {
			return rep, err
		}
		copied, n, err := copyOne(ctx, from, to, key)
		if err != nil {
			return rep, err
		}
		if copied {
			rep.Copied++
			rep.Bytes += n
		} else {
			rep.Kept++
		}
		if progress != nil {
			progress(key, rep)
		}
	}
	return rep, nil
}

// copyOne copies one blob unless to holds it already, and verifies it.
func copyOne(ctx context.Context, from, to Blobs, key string) (copied bool, n int64, err error) {
	src, err := from.Open(ctx, key)
	if err != nil {
		return false, 0, err
	}
	defer src.Close()
	want, err := blobSum(src)
	if err != nil {
		return false, 0, fmt.Errorf("media: read %s: %w", key, err)
	}
	if have, err := sumOf(ctx, to, key); err == nil && bytes.Equal(have, want) {
		return false, 0, nil
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return false, 0, err
	}
	if _, err := src.Seek(0, io.SeekStart); err != nil {
		return false, 0, fmt.Errorf("media: read %s: %w", key, err)
	}
	if err := to.Put(ctx, key, src, src.Size(), contentTypeOf(key)); err != nil {
		return false, 0, err
	}
	have, err := sumOf(ctx, to, key)
	if err != nil {
		return false, 0, err
	}
	if !bytes.Equal(have, want) {
		return false, 0, fmt.Errorf("media: %s differs from its source once copied: nothing was deleted; run the copy again", key)
	}
	return true, src.Size(), nil
}

func sumOf(ctx context.Context, b Blobs, key string) ([]byte, error) {
	r, err := b.Open(ctx, key)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	sum, err := blobSum(r)
	if err != nil {
		return nil, fmt.Errorf("media: read %s: %w", key, err)
	}
	return sum, nil
}

func blobSum(r io.Reader) ([]byte, error) {
	h := sha256.New()
	if _, err := io.Copy(h, r); err != nil {
		return nil, err
	}
	return h.Sum(nil), nil
}

// contentTypeOf is the type a copied blob is stored with, from its
// extension: the media store serves files with the type it recorded, so
// this only helps a bucket served directly.
func contentTypeOf(key string) string { return mime.TypeByExtension(path.Ext(key)) }
