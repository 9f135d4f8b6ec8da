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
	"strings"
	"time"

	tusd "github.com/tus/tusd/v2/pkg/handler"

	"peerpress/internal/media"
	"peerpress/internal/secret"
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
// The description and the parts are sealed (secret.StreamKey) with the
// upload's own key, which is part of the upload's id, and so of the
// address the applicant's browser sends each PATCH to: the server holds
// it only while it answers a request, and stores it nowhere. A copy of
// the Blobs, the data folder or the database, taken while an upload is
// under way, shows nothing of the file nor of its name; an id whose key
// does not open the description names no upload.
//
// Each PATCH's bytes are first sealed into a file of the staging folder,
// then put into the Blobs with their size: a bucket then takes them as
// one request or in parts read from the file, and memory does not grow
// with the file, whatever the store.
type blobUploads struct {
	blobs media.Blobs
	store *Store
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
	return &blobUploads{blobs: s.blobs, store: s}
}

// uploadsPrefix starts the keys of uploads under way. It is not under
// "applications/", whose orphans SweepOrphans deletes after an hour: an
// upload may take longer.
const uploadsPrefix = "uploads/"

// uploadInfo is what the description of an upload keeps.
type uploadInfo struct {
	Size     int64
	Offset   int64
	MetaData tusd.MetaData
	// Parts are the offsets the kept parts start at, in order.
	Parts []int64
}

func infoKey(folder string) string { return uploadsPrefix + folder + "/info" }

func partKey(folder string, offset int64) string {
	return fmt.Sprintf("%s%s/part-%016d", uploadsPrefix, folder, offset)
}

// An upload's id is its folder (16 random bytes) and its key (32), in
// hexadecimal.
const (
	folderHex = 32
	uploadHex = folderHex + 2*len(secret.StreamKey{})
)

// parseUploadID splits an id NewUpload gave into the upload's folder and
// its key; anything else names no upload.
func parseUploadID(id string) (folder string, key secret.StreamKey, ok bool) {
	if len(id) != uploadHex {
		return "", key, false
	}
	if _, err := hex.DecodeString(id[:folderHex]); err != nil {
		return "", key, false
	}
	if _, err := hex.Decode(key[:], []byte(id[folderHex:])); err != nil {
		return "", key, false
	}
	return id[:folderHex], key, true
}

func (b *blobUploads) NewUpload(ctx context.Context, info tusd.FileInfo) (tusd.Upload, error) {
	var r [16]byte
	if _, err := rand.Read(r[:]); err != nil {
		return nil, err
	}
	key, err := secret.NewStreamKey()
	if err != nil {
		return nil, err
	}
	folder := hex.EncodeToString(r[:])
	u := &blobUpload{store: b, id: folder + hex.EncodeToString(key[:]), folder: folder, key: key,
		info: uploadInfo{Size: info.Size, MetaData: info.MetaData}}
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
	folder, key, ok := parseUploadID(id)
	if !ok {
		return nil, tusd.ErrNotFound
	}
	f, err := b.blobs.Open(ctx, infoKey(folder))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, tusd.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("calls: upload %s: %w", folder, err)
	}
	defer f.Close()
	u := &blobUpload{store: b, id: id, folder: folder, key: key}
	r, err := key.Open(io.LimitReader(f, 1<<20))
	if err != nil {
		return nil, tusd.ErrNotFound // not this upload's key
	}
	if err := json.NewDecoder(r).Decode(&u.info); err != nil {
		return nil, fmt.Errorf("calls: upload %s: unreadable description: %v", folder, err)
	}
	return u, nil
}

// AsTerminatableUpload lets drop remove an upload's keys.
func (b *blobUploads) AsTerminatableUpload(u tusd.Upload) tusd.TerminatableUpload {
	return u.(*blobUpload)
}

// blobUpload is one upload under way.
type blobUpload struct {
	store  *blobUploads
	id     string // folder and key
	folder string
	key    secret.StreamKey
	info   uploadInfo
}

// save writes the upload's description, sealed.
func (u *blobUpload) save(ctx context.Context) error {
	b, err := json.Marshal(u.info)
	if err != nil {
		return err
	}
	var sealed bytes.Buffer
	w, err := u.key.Seal(&sealed)
	if err != nil {
		return err
	}
	_, _ = w.Write(b) // into a bytes.Buffer
	if err := w.Close(); err != nil {
		return err
	}
	if err := u.store.blobs.Put(ctx, infoKey(u.folder), &sealed, int64(sealed.Len()), "application/octet-stream"); err != nil {
		return fmt.Errorf("calls: upload %s: %w", u.folder, err)
	}
	return nil
}

// WriteChunk keeps what src yields (tusd's reader ends early, without an
// error, when the connection drops: what arrived is kept) as the part at
// offset, sealed, then counts it in the description.
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
	var n int64
	st, err := u.store.store.stage("chunk", u.key, func(w io.Writer) error {
		var err error
		n, err = io.Copy(w, src)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("calls: upload %s: %w", u.folder, err)
	}
	defer st.Close()
	if n == 0 {
		return 0, nil
	}
	sealed, size, err := st.sealed()
	if err != nil {
		return 0, err
	}
	// The request may have ended (a dropped connection): what arrived is
	// kept all the same.
	ctx = context.WithoutCancel(ctx)
	if err := u.store.blobs.Put(ctx, partKey(u.folder, offset), sealed, size, "application/octet-stream"); err != nil {
		return 0, fmt.Errorf("calls: upload %s: %w", u.folder, err)
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
	return tusd.FileInfo{ID: u.id, Size: u.info.Size, Offset: u.info.Offset, MetaData: u.info.MetaData,
		Storage: map[string]string{"Type": "blobs", "Key": uploadsPrefix + u.folder}}, nil
}

// GetReader reads the parts in order, each opened when reached.
func (u *blobUpload) GetReader(ctx context.Context) (io.ReadCloser, error) {
	return &partsReader{ctx: ctx, u: u}, nil
}

func (u *blobUpload) FinishUpload(context.Context) error { return nil }

// Terminate deletes the upload's keys.
func (u *blobUpload) Terminate(ctx context.Context) error {
	return u.store.remove(ctx, u.folder)
}

// remove deletes the keys of the upload in folder: the parts, then the
// description.
func (b *blobUploads) remove(ctx context.Context, folder string) error {
	var keys []string
	for k, err := range b.blobs.List(ctx, uploadsPrefix+folder+"/") {
		if err != nil {
			return fmt.Errorf("calls: upload %s: %w", folder, err)
		}
		if k != infoKey(folder) {
			keys = append(keys, k)
		}
	}
	keys = append(keys, infoKey(folder))
	for _, k := range keys {
		if err := b.blobs.Delete(ctx, k); err != nil {
			return fmt.Errorf("calls: upload %s: %w", folder, err)
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
	left int64 // bytes the current part has still to give
}

func (p *partsReader) Read(b []byte) (int, error) {
	for {
		if p.r != nil {
			n, err := p.r.Read(b)
			p.left -= int64(n)
			if errors.Is(err, io.EOF) {
				p.cur.Close()
				p.cur, p.r = nil, nil
				if p.left != 0 {
					return n, fmt.Errorf("calls: upload %s: a part is not the length counted", p.u.folder)
				}
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
		blob, err := p.u.store.blobs.Open(p.ctx, partKey(p.u.folder, start))
		if err != nil {
			return 0, fmt.Errorf("calls: upload %s: %w", p.u.folder, err)
		}
		r, err := p.u.key.Open(blob)
		if err != nil {
			blob.Close()
			return 0, fmt.Errorf("calls: upload %s: part at %d: %w", p.u.folder, start, err)
		}
		p.next++
		p.cur, p.r, p.left = blob, r, end-start
	}
}

func (p *partsReader) Close() error {
	if p.cur != nil {
		return p.cur.Close()
	}
	return nil
}

// abandoned yields the folders of uploads whose description has not
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
