package media_test

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"peerpress/internal/media"
)

// A site's files move from a folder to another store (a bucket, in
// service) and back, verified; an interrupted copy goes on where it
// stopped, and a destination holding other bytes under a key is corrected.
func TestCopyAll(t *testing.T) {
	ctx := context.Background()
	from := media.Dir(filepath.Join(t.TempDir(), "media"))
	files := map[string]string{
		"2026/11/photo.jpg":      strings.Repeat("jpeg bytes ", 1000),
		"2026/11/photo-w480.jpg": "smaller",
		"2026/12/report.pdf":     "%PDF-1.7 …",
	}
	for k, v := range files {
		if err := from.Put(ctx, k, strings.NewReader(v), int64(len(v)), ""); err != nil {
			t.Fatal(err)
		}
	}
	check := func(t *testing.T, to media.Blobs) {
		t.Helper()
		for k, v := range files {
			r, err := to.Open(ctx, k)
			if err != nil {
				t.Fatalf("%s: %v", k, err)
			}
			var b bytes.Buffer
			_, err = b.ReadFrom(r)
			r.Close()
			if err != nil || b.String() != v {
				t.Errorf("%s: %q, %v", k, b.String(), err)
			}
		}
	}
	stores := map[string]func(t *testing.T) media.Blobs{
		"folder": func(t *testing.T) media.Blobs { return media.Dir(filepath.Join(t.TempDir(), "copy")) },
		"s3": func(t *testing.T) media.Blobs {
			b, err := media.S3(s3Store(t, "moved/"))
			if err != nil {
				t.Fatal(err)
			}
			return b
		},
	}
	for name, mk := range stores {
		t.Run(name, func(t *testing.T) {
			to := mk(t)
			// As if an earlier run stopped after one file, and another
			// key holds bytes of an older version.
			if err := to.Put(ctx, "2026/11/photo-w480.jpg", strings.NewReader("smaller"), 7, ""); err != nil {
				t.Fatal(err)
			}
			if err := to.Put(ctx, "2026/12/report.pdf", strings.NewReader("stale"), 5, ""); err != nil {
				t.Fatal(err)
			}
			rep, err := media.CopyAll(ctx, from, to, nil)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Copied != 2 || rep.Kept != 1 {
				t.Errorf("copied %d, kept %d; want 2 and 1", rep.Copied, rep.Kept)
			}
			check(t, to)
			// Again: nothing to send.
			if rep, err = media.CopyAll(ctx, from, to, nil); err != nil || rep.Copied != 0 || rep.Kept != 3 {
				t.Errorf("again: %+v, %v", rep, err)
			}
			// And back into an empty folder.
			back := media.Dir(filepath.Join(t.TempDir(), "back"))
			if rep, err = media.CopyAll(ctx, to, back, nil); err != nil || rep.Copied != 3 {
				t.Errorf("back: %+v, %v", rep, err)
			}
			check(t, back)
		})
	}
}
