package calls

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"time"

	tusd "github.com/tus/tusd/v2/pkg/handler"

	"peerpress/internal/media"
)

// blobUploads keeps resumable uploads in the area's Blobs (tusd's
// DataStore), so that an upload begun through one instance continues
// through any other: each upload is a folder of keys under uploadsPrefix,
// its description (info) and one part per PATCH, named by the offset it
// starts at. A part is written before the description that counts it, so
// a crash between the two leaves a part the description does not count,
// which the next PATCH at that offset replaces: the offset the
// description gives is always the bytes kept.
//
// Each PATCH's bytes are first written to a file of the staging folder,
// then put into the Blobs with their size: a bucket then takes them as
// one request or in parts read from the file, and memory does not grow
// with the file, whatever the store.
type blobUploads struct {
	blobs   media.Blobs
	staging func() (string, error)
	// unavailable, when set, turns a failure of the store into the
	// answer the applicant sees, in their language (tusServer.unavailable);
	// unset, the failure is returned as it is.
	unavailable func(lang string, err error) error
}

// failed is err, as the applicant should see it.
func (b *blobUploads) failed(lang string, err error) error {
	if b.unavailable == nil {
		return err
	}
	return b.unavailable(lang, err)
}

// uploads is the store's resumable uploads.
func (s *Store) uploads() *blobUploads {
	return &blobUploads{blobs: s.blobs, staging: s.stagingDir}
}

// uploadsPrefix starts the keys of uploads under way. It is not under
// "applications/", whose orphans SweepOrphans deletes after an hour: an
// upload may take longer.
const uploadsPrefix = "uploads/"

// uploadInfo is what the description of an upload keeps.
type uploadInfo struct {
	ID       string
	Size     int64
	Offset   int64
	MetaData tusd.MetaData
	// Parts are the offsets the kept parts start at, in order.
	Parts []int64
}

func infoKey(id string) string { return uploadsPrefix + id + "/info" }

func partKey(id string, offset int64) string {
	return fmt.Sprintf("%s%s/part-%016d", uploadsPrefix, id, offset)
}

// validUploadID reports whether id has the shape NewUpload gives: 32
// hexadecimal digits. Anything else names no upload.
func validUploadID(id string) bool {
	if len(id) != 32 {
		return false
	}
	_, err := hex.DecodeString(id)
	return err == nil
}

func (b *blobUploads) NewUpload(ctx context.Context, info tusd.FileInfo) (tusd.Upload, error) {
	var r [16]byte
	if _, err := rand.Read(r[:]); err != nil {
		return nil, err
	}
	u := &blobUpload{store: b, info: uploadInfo{ID: hex.EncodeToString(r[:]), Size: info.Size, MetaData: info.MetaData}}
	if err := u.save(ctx); err != nil {
		return nil, b.failed(info.MetaData["lang"], err)
	}
	return u, nil
}

func (b *blobUploads) GetUpload(ctx context.Context, id string) (tusd.Upload, error) {
	u, err := b.getUpload(ctx, id)
	if err != nil && !errors.Is(err, tusd.ErrNotFound) {
		return nil, b.failed("", err)
	}
	return u, err
}

// getUpload is GetUpload, its failures as they are: the caller knows the
// applicant's language.
func (b *blobUploads) getUpload(ctx context.Context, id string) (tusd.Upload, error) {
	if !validUploadID(id) {
		return nil, tusd.ErrNotFound
	}
	f, err := b.blobs.Open(ctx, infoKey(id))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, tusd.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("calls: upload %s: %w", id, err)
	}
	defer f.Close()
	u := &blobUpload{store: b}
	if err := json.NewDecoder(io.LimitReader(f, 1<<20)).Decode(&u.info); err != nil || u.info.ID != id {
		return nil, fmt.Errorf("calls: upload %s: unreadable description: %v", id, err)
	}
	return u, nil
}

// AsTerminatableUpload lets drop remove an upload's keys.
func (b *blobUploads) AsTerminatableUpload(u tusd.Upload) tusd.TerminatableUpload {
	return u.(*blobUpload)
}

// blobUpload is one upload under way.
type blobUpload struct {
	store *blobUploads
	info  uploadInfo
}

// save writes the upload's description.
func (u *blobUpload) save(ctx context.Context) error {
	b, err := json.Marshal(u.info)
	if err != nil {
		return err
	}
	if err := u.store.blobs.Put(ctx, infoKey(u.info.ID), bytes.NewReader(b), int64(len(b)), "application/json"); err != nil {
		return fmt.Errorf("calls: upload %s: %w", u.info.ID, err)
	}
	return nil
}

// WriteChunk keeps what src yields (tusd's reader ends early, without an
// error, when the connection drops: what arrived is kept) as the part at
// offset, then counts it in the description.
func (u *blobUpload) WriteChunk(ctx context.Context, offset int64, src io.Reader) (int64, error) {
	if offset != u.info.Offset {
		return 0, tusd.ErrMismatchOffset
	}
	n, err := u.writeChunk(ctx, offset, src)
	if err != nil {
		return 0, u.store.failed(u.info.MetaData["lang"], err)
	}
	return n, nil
}

// writeChunk is WriteChunk, its failures as they are.
func (u *blobUpload) writeChunk(ctx context.Context, offset int64, src io.Reader) (int64, error) {
	dir, err := u.store.staging()
	if err != nil {
		return 0, err
	}
	f, err := os.CreateTemp(dir, "chunk-*")
	if err != nil {
		return 0, fmt.Errorf("calls: upload %s: %w", u.info.ID, err)
	}
	defer os.Remove(f.Name())
	defer f.Close()
	n, err := io.Copy(f, src)
	if err != nil {
		return 0, fmt.Errorf("calls: upload %s: %w", u.info.ID, err)
	}
	if n == 0 {
		return 0, nil
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return 0, err
	}
	// The request may have ended (a dropped connection): what arrived is
	// kept all the same.
	ctx = context.WithoutCancel(ctx)
	if err := u.store.blobs.Put(ctx, partKey(u.info.ID, offset), f, n, "application/octet-stream"); err != nil {
		return 0, fmt.Errorf("calls: upload %s: %w", u.info.ID, err)
	}
	u.info.Parts = append(u.info.Parts, offset)
	u.info.Offset += n
	if err := u.save(ctx); err != nil {
		u.info.Parts = u.info.Parts[:len(u.info.Parts)-1]
		u.info.Offset -= n
		return 0, err
	}
	return n, nil
}

func (u *blobUpload) GetInfo(context.Context) (tusd.FileInfo, error) {
	return tusd.FileInfo{ID: u.info.ID, Size: u.info.Size, Offset: u.info.Offset, MetaData: u.info.MetaData,
		Storage: map[string]string{"Type": "blobs", "Key": uploadsPrefix + u.info.ID}}, nil
}

// GetReader reads the parts in order, each opened when reached.
func (u *blobUpload) GetReader(ctx context.Context) (io.ReadCloser, error) {
	return &partsReader{ctx: ctx, u: u}, nil
}

func (u *blobUpload) FinishUpload(context.Context) error { return nil }

// Terminate deletes the upload's keys: the parts, then the description.
func (u *blobUpload) Terminate(ctx context.Context) error {
	var keys []string
	for k, err := range u.store.blobs.List(ctx, uploadsPrefix+u.info.ID+"/") {
		if err != nil {
			return fmt.Errorf("calls: upload %s: %w", u.info.ID, err)
		}
		if k != infoKey(u.info.ID) {
			keys = append(keys, k)
		}
	}
	keys = append(keys, infoKey(u.info.ID))
	for _, k := range keys {
		if err := u.store.blobs.Delete(ctx, k); err != nil {
			return fmt.Errorf("calls: upload %s: %w", u.info.ID, err)
		}
	}
	return nil
}

// partsReader reads an upload's parts one after the other, each no
// further than where the next one starts.
type partsReader struct {
	ctx  context.Context
	u    *blobUpload
	next int // the part to open next
	cur  media.Blob
	r    io.Reader
}

func (p *partsReader) Read(b []byte) (int, error) {
	for {
		if p.r != nil {
			n, err := p.r.Read(b)
			if errors.Is(err, io.EOF) {
				p.cur.Close()
				p.cur, p.r = nil, nil
				if n > 0 {
					return n, nil
				}
				continue
			}
			return n, err
		}
		parts := p.u.info.Parts
		if p.next >= len(parts) {
			return 0, io.EOF
		}
		start, end := parts[p.next], p.u.info.Offset
		if p.next+1 < len(parts) {
			end = parts[p.next+1]
		}
		blob, err := p.u.store.blobs.Open(p.ctx, partKey(p.u.info.ID, start))
		if err != nil {
			return 0, fmt.Errorf("calls: upload %s: %w", p.u.info.ID, err)
		}
		if blob.Size() < end-start {
			blob.Close()
			return 0, fmt.Errorf("calls: upload %s: part at %d is short", p.u.info.ID, start)
		}
		p.next++
		p.cur, p.r = blob, io.LimitReader(blob, end-start)
	}
}

func (p *partsReader) Close() error {
	if p.cur != nil {
		return p.cur.Close()
	}
	return nil
}

// abandonedUploads yields the ids of uploads whose description has not
// changed since before cutoff.
func (b *blobUploads) abandoned(ctx context.Context, cutoff time.Time) ([]string, error) {
	var ids []string
	for k, err := range b.blobs.List(ctx, uploadsPrefix) {
		if err != nil {
			return ids, fmt.Errorf("calls: sweep uploads: %w", err)
		}
		id, rest, ok := strings.Cut(strings.TrimPrefix(k, uploadsPrefix), "/")
		if !ok || rest != "info" {
			continue
		}
		f, err := b.blobs.Open(ctx, k)
		if err != nil {
			continue // gone meanwhile
		}
		old := f.ModTime().Before(cutoff)
		f.Close()
		if old {
			ids = append(ids, id)
		}
	}
	return ids, nil
}
