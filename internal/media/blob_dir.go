package media

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"iter"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Dir returns Blobs kept as files in the local folder root, one file per
// key at the key's path (key "2026/11/x.jpg" is root/2026/11/x.jpg, the
// layout peerpress has always used). The folder and its subfolders are
// created when first written to, with mode 0750, files with mode 0640, so
// a reverse proxy in the service's group could serve them. Every access
// goes through an os.Root: neither a key nor a symbolic link inside the
// folder can reach a file outside it. Only regular files are blobs. A
// crash during Put can leave a temporary file (its name starts with a
// dot, so it is never a key); nothing else can.
func Dir(root string) Blobs { return dirBlobs{root: root} }

type dirBlobs struct{ root string }

// tempPrefix starts the names of files being written. No key has an
// element starting with a dot, so they are never opened or listed.
const tempPrefix = ".put-"

// openRoot opens the folder. A folder not made yet is fs.ErrNotExist.
func (d dirBlobs) openRoot() (*os.Root, error) {
	return os.OpenRoot(d.root)
}

// Put writes r to a temporary file beside the key's file, syncs it and
// renames it over the key's file, so that the key's file is never
// partial, even after a crash.
func (d dirBlobs) Put(ctx context.Context, key string, r io.Reader, size int64, _ string) (err error) {
	if err := checkKey(key); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("media: put %s: %w", key, err)
	}
	if err := os.MkdirAll(d.root, 0o750); err != nil {
		return fmt.Errorf("media: put %s: create folder: %w", key, err)
	}
	root, err := d.openRoot()
	if err != nil {
		return fmt.Errorf("media: put %s: %w", key, err)
	}
	defer root.Close()
	name := filepath.FromSlash(key)
	dir := filepath.Dir(name)
	if err := root.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("media: put %s: create folder: %w", key, err)
	}
	var rnd [12]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		return fmt.Errorf("media: put %s: %w", key, err)
	}
	tmp := filepath.Join(dir, tempPrefix+hex.EncodeToString(rnd[:]))
	f, err := root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o640)
	if err != nil {
		return fmt.Errorf("media: put %s: %w", key, err)
	}
	defer func() {
		if err != nil {
			f.Close()
			root.Remove(tmp)
		}
	}()
	// Readable by the group, like the folder, whatever the umask.
	if err := f.Chmod(0o640); err != nil {
		return fmt.Errorf("media: put %s: %w", key, err)
	}
	n, err := io.Copy(f, ctxReader{ctx, r})
	if err != nil {
		return fmt.Errorf("media: put %s: %w", key, err)
	}
	if size >= 0 && n != size {
		return fmt.Errorf("media: put %s: got %d bytes, want %d", key, n, size)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("media: put %s: %w", key, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("media: put %s: %w", key, err)
	}
	if err := root.Rename(tmp, name); err != nil {
		return fmt.Errorf("media: put %s: %w", key, err)
	}
	// Make the rename itself durable. Not every platform can sync a
	// folder, and the file is complete either way, so failure is ignored.
	if df, err := root.Open(dir); err == nil {
		_ = df.Sync()
		df.Close()
	}
	return nil
}

// ctxReader stops a long copy when its context ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

func (d dirBlobs) Open(ctx context.Context, key string) (Blob, error) {
	if err := checkKey(key); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("media: open %s: %w", key, err)
	}
	root, err := d.openRoot()
	if err != nil {
		return nil, fmt.Errorf("media: open %s: %w", key, err)
	}
	defer root.Close() // the file stays open
	f, err := root.Open(filepath.FromSlash(key))
	if err != nil {
		return nil, fmt.Errorf("media: open %s: %w", key, err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("media: open %s: %w", key, err)
	}
	if !st.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("media: open %s: not a file: %w", key, fs.ErrNotExist)
	}
	return dirBlob{f: f, size: st.Size(), mod: st.ModTime()}, nil
}

// dirBlob is an open file of a Dir.
type dirBlob struct {
	f    *os.File
	size int64
	mod  time.Time
}

func (b dirBlob) Read(p []byte) (int, error)                   { return b.f.Read(p) }
func (b dirBlob) Seek(offset int64, whence int) (int64, error) { return b.f.Seek(offset, whence) }
func (b dirBlob) Close() error                                 { return b.f.Close() }
func (b dirBlob) Size() int64                                  { return b.size }
func (b dirBlob) ModTime() time.Time                           { return b.mod }

func (d dirBlobs) Delete(ctx context.Context, key string) error {
	if err := checkKey(key); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("media: delete %s: %w", key, err)
	}
	root, err := d.openRoot()
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("media: delete %s: %w", key, err)
	}
	defer root.Close()
	name := filepath.FromSlash(key)
	// A folder is not a blob: Remove would take an empty one away.
	if st, err := root.Lstat(name); errors.Is(err, fs.ErrNotExist) || err == nil && st.IsDir() {
		return nil
	}
	if err := root.Remove(name); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("media: delete %s: %w", key, err)
	}
	return nil
}

// Copy writes a new file: a hard link would do, but a copy is what every
// backend can do, and files are small.
func (d dirBlobs) Copy(ctx context.Context, from, to string) error {
	if err := checkKey(to); err != nil {
		return err
	}
	b, err := d.Open(ctx, from)
	if err != nil {
		return err
	}
	defer b.Close()
	return d.Put(ctx, to, b, b.Size(), "")
}

// List walks the folder the prefix names, pruning subfolders that cannot
// hold a match. Keys come in the walk's order.
func (d dirBlobs) List(ctx context.Context, prefix string) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		if err := checkPrefix(prefix); err != nil {
			yield("", err)
			return
		}
		root, err := d.openRoot()
		if errors.Is(err, fs.ErrNotExist) {
			return
		}
		if err != nil {
			yield("", fmt.Errorf("media: list %s: %w", prefix, err))
			return
		}
		defer root.Close()
		start := "."
		if i := strings.LastIndex(prefix, "/"); i >= 0 {
			start = prefix[:i]
		}
		stopped := false
		err = fs.WalkDir(root.FS(), start, func(p string, e fs.DirEntry, err error) error {
			if err != nil {
				if p == start && errors.Is(err, fs.ErrNotExist) {
					return fs.SkipAll
				}
				return err
			}
			if err := ctx.Err(); err != nil {
				return err
			}
			if e.IsDir() {
				if p != start && (strings.HasPrefix(e.Name(), ".") || !strings.HasPrefix(p+"/", prefix) && !strings.HasPrefix(prefix, p+"/")) {
					return fs.SkipDir
				}
				return nil
			}
			if !e.Type().IsRegular() || !strings.HasPrefix(p, prefix) || !ValidKey(p) {
				return nil
			}
			if !yield(p, nil) {
				stopped = true
				return fs.SkipAll
			}
			return nil
		})
		if err != nil && !stopped {
			yield("", fmt.Errorf("media: list %s: %w", prefix, err))
		}
	}
}
