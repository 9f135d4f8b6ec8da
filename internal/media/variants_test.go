package media_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"image/jpeg"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"peerpress/internal/db"
	"peerpress/internal/db/dbtest"
	"peerpress/internal/jobs"
	"peerpress/internal/media"
)

// runJobs runs every due job of q.
func runJobs(t *testing.T, q *jobs.Queue) {
	t.Helper()
	for {
		ran, err := q.RunOnce(context.Background())
		if err != nil {
			t.Fatalf("job: %v", err)
		}
		if !ran {
			return
		}
	}
}

// A large photo with GPS, XMP, IPTC and a comment gets its responsive
// sizes from the background job: each a real, clean JPEG of the right
// width, offered in srcset, and gone with the image.
func TestVariantsAreMadeInTheBackgroundAndClean(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, root := newStore(t, d)
		q := jobs.New(d)
		s.Register(q)
		// Orientation 6 turns the 1000×2000 pixels into a 2000×1000 photo.
		m, err := s.SaveImage(ctx, bytes.NewReader(metadataJPEG(t, halves(1000, 2000), 6)), "A banner", "en", media.Limits{})
		if err != nil {
			t.Fatal(err)
		}
		if m.Width != 2000 || m.Height != 1000 {
			t.Fatalf("saved %d×%d, want 2000×1000", m.Width, m.Height)
		}
		if got, _ := s.ByID(ctx, m.ID); len(got.Variants) != 0 || got.SrcSet() != "" {
			t.Fatalf("variants before the job ran: %+v", got.Variants)
		}

		runJobs(t, q)
		got, err := s.ByID(ctx, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		var widths []int
		for _, v := range got.Variants {
			widths = append(widths, v.Width)
			stored, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(v.Path)))
			if err != nil {
				t.Fatalf("variant %d: %v", v.Width, err)
			}
			if !storedName.MatchString(v.Path) || int64(len(stored)) != v.Bytes {
				t.Errorf("variant %+v: bad path or size %d", v, len(stored))
			}
			assertClean(t, stored)
			assertJPEGHasNoMetadataSegments(t, stored)
			img, err := jpeg.Decode(bytes.NewReader(stored))
			if err != nil {
				t.Fatalf("variant %d does not decode: %v", v.Width, err)
			}
			if b := img.Bounds(); b.Dx() != v.Width || b.Dy() != v.Width/2 || v.Height != v.Width/2 {
				t.Errorf("variant %d is %v (recorded %d high)", v.Width, b, v.Height)
			}
		}
		if !slices.Equal(widths, []int{480, 960, 1600}) {
			t.Fatalf("variant widths %v, want 480 960 1600", widths)
		}
		set := got.SrcSet()
		for _, want := range []string{got.Variants[0].URL() + " 480w", got.Variants[2].URL() + " 1600w", m.URL() + " 2000w"} {
			if !strings.Contains(set, want) {
				t.Errorf("srcset %q lacks %q", set, want)
			}
		}
		// Served like any stored image.
		if rec := get(t, s.Handler(), "GET", got.Variants[0].URL()); rec.Code != 200 || rec.Header().Get("Content-Type") != "image/jpeg" {
			t.Errorf("GET variant: %d %s", rec.Code, rec.Header().Get("Content-Type"))
		}

		// Running the job again (a retry after a crash) makes nothing twice.
		if err := d.InTx(ctx, func(tx *db.Tx) error {
			return jobs.Enqueue(ctx, tx, media.JobVariants, []byte(`{"media_id":`+itoa(m.ID)+`}`), m.CreatedAt)
		}); err != nil {
			t.Fatal(err)
		}
		runJobs(t, q)
		if files := filesUnder(t, root); len(files) != 4 {
			t.Errorf("after a second run, files %q, want the image and 3 variants", files)
		}

		if err := s.Delete(ctx, m.ID); err != nil {
			t.Fatal(err)
		}
		if files := filesUnder(t, root); len(files) != 0 {
			t.Errorf("after Delete, files left: %q", files)
		}
	})
}

// A narrow image is never enlarged: it gets only the smaller widths.
func TestVariantsNeverUpscale(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, _ := newStore(t, d)
		q := jobs.New(d)
		s.Register(q)
		m, err := s.SaveImage(ctx, bytes.NewReader(encodePNG(t, halves(600, 300))), "", "en", media.Limits{})
		if err != nil {
			t.Fatal(err)
		}
		runJobs(t, q)
		got, err := s.ByID(ctx, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Variants) != 1 || got.Variants[0].Width != 480 || !strings.HasSuffix(got.Variants[0].Path, ".png") {
			t.Fatalf("variants %+v, want one 480 PNG", got.Variants)
		}
		if _, err := s.ByID(ctx, m.ID+99); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("missing: %v", err)
		}
	})
}

// metadataWebP is an extended WebP (VP8X) whose image data is followed by
// EXIF (with GPS) and XMP chunks, as phones and editors write them.
func metadataWebP(t *testing.T) []byte {
	t.Helper()
	simple := losslessWebP(10, 6, 255)
	vp8l := simple[12:] // the "VP8L" chunk, header and all
	chunk := func(typ string, data []byte) []byte {
		out := append([]byte(typ), binary.LittleEndian.AppendUint32(nil, uint32(len(data)))...)
		out = append(out, data...)
		if len(data)%2 == 1 {
			out = append(out, 0)
		}
		return out
	}
	vp8x := make([]byte, 10)
	vp8x[0] = 0x08 | 0x04 // EXIF and XMP present
	vp8x[4], vp8x[7] = 10-1, 6-1
	xmp := `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF><rdf:Description xmlns:xmp="http://ns.adobe.com/xap/1.0/" exif:GPSLatitude="48,51.2345N">` + xmpSecret + `</rdf:Description></rdf:RDF></x:xmpmeta>`
	body := []byte("WEBP")
	body = append(body, chunk("VP8X", vp8x)...)
	body = append(body, vp8l...)
	body = append(body, chunk("EXIF", exifWithGPS(binary.LittleEndian, 1))...)
	body = append(body, chunk("XMP ", []byte(xmp))...)
	out := append([]byte("RIFF"), binary.LittleEndian.AppendUint32(nil, uint32(len(body)))...)
	return append(out, body...)
}

// A WebP upload carrying EXIF with GPS and XMP is stored as a JPEG of its
// pixels only.
func TestWebPMetadataRemovedOnStoredBytes(t *testing.T) {
	in := metadataWebP(t)
	if !bytes.Contains(in, []byte(xmpSecret)) || !bytes.Contains(in, gpsLatitude(binary.LittleEndian)) {
		t.Fatal("fixture lacks its metadata")
	}
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		s, root := newStore(t, d)
		m, err := s.SaveImage(context.Background(), bytes.NewReader(in), "", "en", media.Limits{})
		if err != nil {
			t.Fatalf("SaveImage: %v", err)
		}
		if m.MIME != "image/jpeg" || m.Width != 10 || m.Height != 6 {
			t.Fatalf("saved %+v", m)
		}
		stored, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(m.Path)))
		if err != nil {
			t.Fatal(err)
		}
		assertClean(t, stored)
		assertJPEGHasNoMetadataSegments(t, stored)
		img, err := jpeg.Decode(bytes.NewReader(stored))
		if err != nil {
			t.Fatal(err)
		}
		assertNear(t, "left", img.At(1, 3), red)
		assertNear(t, "right", img.At(8, 3), green)
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// Rekey moves an image and its sizes to new addresses: the old ones answer
// 404, the new ones serve the same bytes, and a size whose file has gone
// missing does not stop it.
func TestRekeyMovesEveryFile(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, root := newStore(t, d)
		q := jobs.New(d)
		s.Register(q)
		m, err := s.SaveImage(ctx, bytes.NewReader(encodeJPEG(t, quadrants(2000, 1000))), "A crowd", "en", media.Limits{})
		if err != nil {
			t.Fatal(err)
		}
		runJobs(t, q)
		before, err := s.ByID(ctx, m.ID)
		if err != nil || len(before.Variants) != len(media.VariantWidths) {
			t.Fatalf("before: %+v, %v", before, err)
		}
		file := func(rel string) string { return filepath.Join(root, filepath.FromSlash(rel)) }
		want := map[int][]byte{} // width (0: the original) → bytes
		urls := []string{before.URL()}
		for _, v := range before.Variants {
			urls = append(urls, v.URL())
		}
		for w, rel := range map[int]string{0: before.Path, 480: before.Variants[0].Path, 960: before.Variants[1].Path} {
			data, err := os.ReadFile(file(rel))
			if err != nil {
				t.Fatal(err)
			}
			want[w] = data
		}
		// The widest size's file is lost (a disk restored from backup).
		if err := os.Remove(file(before.Variants[2].Path)); err != nil {
			t.Fatal(err)
		}

		if err := s.Rekey(ctx, m.ID); err != nil {
			t.Fatal(err)
		}
		after, err := s.ByID(ctx, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range urls {
			if rec := get(t, s.Handler(), "GET", u); rec.Code != 404 {
				t.Errorf("old address %s: %d, want 404", u, rec.Code)
			}
		}
		for w, rel := range map[int]string{0: after.Path, 480: after.Variants[0].Path, 960: after.Variants[1].Path} {
			if slices.Contains(urls, "/media/"+rel) {
				t.Errorf("width %d kept its address %s", w, rel)
			}
			rec := get(t, s.Handler(), "GET", "/media/"+rel)
			if rec.Code != 200 || !bytes.Equal(rec.Body.Bytes(), want[w]) {
				t.Errorf("new address of width %d: %d, %d bytes, want the %d bytes it had", w, rec.Code, rec.Body.Len(), len(want[w]))
			}
		}
		if after.Variants[2].Path != before.Variants[2].Path {
			t.Errorf("the missing size's row moved to %s", after.Variants[2].Path)
		}
		if err := s.Rekey(ctx, m.ID+1000); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("Rekey of a missing image: %v, want db.ErrNotFound", err)
		}
	})
}
