package media

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"io/fs"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"time"

	"peerpress/internal/db"
	"peerpress/internal/jobs"
)

// VariantWidths are the widths of the smaller copies made of every stored
// image, for srcset: a phone, a tablet or laptop, a wide screen. An image
// is never made larger, so a narrow upload gets fewer (or no) variants.
var VariantWidths = []int{480, 960, 1600}

// JobVariants is the kind of the background job that makes an image's
// variants. SaveImage enqueues it in the transaction that records the
// image, so it exists exactly when the image does and survives restarts.
const JobVariants = "image-variants"

// Variant is a smaller copy of a stored image.
type Variant struct {
	Width  int
	Height int
	Path   string // key in the Store's Blobs, like Media.Path
	Bytes  int64
}

// URL is the address the variant is served at by Store.Handler.
func (v Variant) URL() string { return "/media/" + v.Path }

// SrcSet is the srcset attribute value offering the image's variants and
// the image itself, each with its width; "" when there are no variants
// yet (the job has not run) so templates can leave srcset out.
func (m Media) SrcSet() string {
	if len(m.Variants) == 0 || m.Width == 0 || !strings.HasPrefix(m.MIME, "image/") {
		return ""
	}
	var b strings.Builder
	for _, v := range m.Variants {
		if v.Width >= m.Width {
			continue
		}
		b.WriteString(v.URL() + " " + strconv.Itoa(v.Width) + "w, ")
	}
	b.WriteString(m.URL() + " " + strconv.Itoa(m.Width) + "w")
	return b.String()
}

// Register has q run the variants and file deletion jobs of this store,
// and lets SaveImage wake q's workers when it enqueues one. Decoding and
// encoding images takes a core: one at a time, so that mail goes on
// beside a batch.
func (s *Store) Register(q *jobs.Queue) {
	s.queue = q
	q.HandleWith(JobVariants, s.makeVariants, jobs.Options{MaxAttempts: 5, Concurrency: 1})
	// Many tries: until it succeeds, a deleted file is still served.
	q.Handle(JobDeleteFiles, s.runDeleteFiles, 20)
}

// variantsJob is the payload of a JobVariants job.
type variantsJob struct {
	MediaID int64 `json:"media_id"`
}

// enqueueVariants adds the job that makes m's variants inside tx.
func enqueueVariants(ctx context.Context, tx *db.Tx, mediaID int64) error {
	payload, err := json.Marshal(variantsJob{MediaID: mediaID})
	if err != nil {
		return err
	}
	return jobs.Enqueue(ctx, tx, JobVariants, payload, time.Now())
}

// makeVariants is the JobVariants handler. It reads the stored image — the
// already cleaned copy, never the upload — scales it to each width smaller
// than its own and encodes each copy afresh from pixels, so the variants
// carry no metadata either. It is safe to run twice: widths already made
// are skipped. An image deleted meanwhile is nothing to do.
func (s *Store) makeVariants(ctx context.Context, payload []byte) error {
	var job variantsJob
	if err := json.Unmarshal(payload, &job); err != nil || job.MediaID <= 0 {
		return jobs.Permanent(fmt.Errorf("media: variants payload %q: %v", payload, err))
	}
	m, err := s.ByID(ctx, job.MediaID)
	if errors.Is(err, db.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if m.MIME != mimeJPEG && m.MIME != mimePNG {
		return nil
	}
	have := map[int]bool{}
	for _, v := range m.Variants {
		have[v.Width] = true
	}
	var img image.Image
	for _, w := range VariantWidths {
		if w >= m.Width || have[w] {
			continue
		}
		if img == nil {
			data, err := s.readFile(ctx, m.Path)
			if errors.Is(err, fs.ErrNotExist) {
				return nil // deleted between the query and now
			}
			if err != nil {
				return fmt.Errorf("media: variants of %d: %w", m.ID, err)
			}
			k := kindPNG
			if m.MIME == mimeJPEG {
				k = kindJPEG
			}
			cfg, err := decodeConfig(k, data)
			if err != nil {
				return jobs.Permanent(fmt.Errorf("media: variants of %d: header: %w", m.ID, err))
			}
			release, err := reserveDecode(k, data, cfg, 1)
			if err != nil {
				return jobs.Permanent(fmt.Errorf("media: variants of %d: %w", m.ID, err))
			}
			defer release()
			if img, err = decode(k, data); err != nil {
				return jobs.Permanent(fmt.Errorf("media: variants of %d: decode: %w", m.ID, err))
			}
		}
		if err := s.saveVariant(ctx, m, img, w); err != nil {
			return err
		}
	}
	return nil
}

// readFile returns the bytes stored at rel.
func (s *Store) readFile(ctx context.Context, rel string) ([]byte, error) {
	b, err := s.blobs.Open(ctx, rel)
	if err != nil {
		return nil, err
	}
	defer b.Close()
	return io.ReadAll(b)
}

// saveVariant scales img to width w (keeping its proportions), writes it
// next to the original and records it.
func (s *Store) saveVariant(ctx context.Context, m Media, img image.Image, w int) error {
	h := max(1, (m.Height*w+m.Width/2)/m.Width)
	dst := scaleDown(img, w, h)
	var buf bytes.Buffer
	var err error
	ext := extPNG
	if m.MIME == mimeJPEG {
		ext = extJPEG
		err = jpeg.Encode(&buf, dst, &jpeg.Options{Quality: jpegQuality})
	} else {
		err = (&png.Encoder{CompressionLevel: png.DefaultCompression}).Encode(&buf, dst)
	}
	if err != nil {
		return fmt.Errorf("media: encode variant %d of %d: %w", w, m.ID, err)
	}
	rel, err := randomName(monthFolder(time.Now().UTC()), ext)
	if err != nil {
		return err
	}
	if err := s.blobs.Put(ctx, rel, bytes.NewReader(buf.Bytes()), int64(buf.Len()), m.MIME); err != nil {
		return err
	}
	// A normal write, not a quiet one: pages that show the image gain
	// their srcset, so cached copies must go.
	res, err := s.db.ExecContext(ctx, `INSERT INTO media_variants (media_id, width, height, path, bytes)
		SELECT ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM media WHERE id = ?)
		ON CONFLICT (media_id, width) DO NOTHING`, m.ID, w, h, rel, buf.Len(), m.ID)
	var n int64
	if err == nil {
		n, err = res.RowsAffected()
	}
	if err != nil || n == 0 {
		// The image went, or another worker made this width first. A
		// copy left behind is named by nothing and was never published.
		if derr := s.blobs.Delete(context.WithoutCancel(ctx), rel); derr != nil {
			slog.Warn("media: delete an unrecorded variant", "media_id", m.ID, "err", derr)
		}
	}
	if err != nil {
		return fmt.Errorf("media: record variant %d of %d: %w", w, m.ID, err)
	}
	return nil
}

// loadVariants fills the Variants of each of ms, narrowest first.
func (s *Store) loadVariants(ctx context.Context, ms []*Media) error {
	if len(ms) == 0 {
		return nil
	}
	byID := make(map[int64]*Media, len(ms))
	args := make([]any, 0, len(ms))
	for _, m := range ms {
		if _, dup := byID[m.ID]; !dup {
			args = append(args, m.ID)
		}
		byID[m.ID] = m
	}
	rows, err := s.db.QueryContext(ctx, `SELECT media_id, width, height, path, bytes FROM media_variants
		WHERE media_id IN (`+db.Marks(len(args))+`) ORDER BY media_id, width`, args...)
	if err != nil {
		return fmt.Errorf("media: variants: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var v Variant
		if err := rows.Scan(&id, &v.Width, &v.Height, &v.Path, &v.Bytes); err != nil {
			return fmt.Errorf("media: variants: %w", err)
		}
		byID[id].Variants = append(byID[id].Variants, v)
	}
	return rows.Err()
}

// ByIDs returns the media with the given ids that exist, with their
// variants, keyed by id: one query for a gallery instead of one per image.
func (s *Store) ByIDs(ctx context.Context, ids []int64) (map[int64]Media, error) {
	out := map[int64]Media{}
	if len(ids) == 0 {
		return out, nil
	}
	ids = append([]int64(nil), ids...)
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	args := make([]any, 0, len(ids))
	for i, id := range ids {
		if i == 0 || id != ids[i-1] {
			args = append(args, id)
		}
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+mediaCols+` FROM media WHERE id IN (`+db.Marks(len(args))+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("media: media by ids: %w", err)
	}
	var ms []*Media
	for rows.Next() {
		m, err := scanMedia(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		ms = append(ms, &m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("media: media by ids: %w", err)
	}
	if err := s.loadVariants(ctx, ms); err != nil {
		return nil, err
	}
	for _, m := range ms {
		out[m.ID] = *m
	}
	return out, nil
}

// scanMedia reads one row of mediaCols.
func scanMedia(row interface{ Scan(...any) error }) (Media, error) {
	var m Media
	var created int64
	if err := row.Scan(&m.ID, &m.Path, &m.MIME, &m.Bytes, &m.Width, &m.Height, &m.Alt, &m.Lang, &created); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return Media{}, db.ErrNotFound
		}
		return Media{}, fmt.Errorf("media: scan: %w", err)
	}
	m.CreatedAt = time.Unix(created, 0).UTC()
	return m, nil
}

// variantPaths lists the files of a media item's variants, for Delete.
func variantPaths(ctx context.Context, tx *db.Tx, id int64) ([]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT path FROM media_variants WHERE media_id = ?`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var paths []string
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			return nil, err
		}
		paths = append(paths, p)
	}
	return paths, rows.Err()
}
