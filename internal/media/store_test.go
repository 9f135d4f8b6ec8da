package media_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"image/jpeg"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"peerpress/internal/db"
	"peerpress/internal/db/dbtest"
	"peerpress/internal/media"
)

// storedName is the only shape of path SaveImage may produce: the date and
// 22 characters of base64url randomness.
var storedName = regexp.MustCompile(`^[0-9]{4}/[0-9]{2}/[A-Za-z0-9_-]{22}\.(jpg|png)$`)

// newStore returns a store whose media folder does not exist yet, inside a
// data folder that also holds a secret file the Handler must never serve.
func newStore(t *testing.T, d *db.DB) (*media.Store, string) {
	t.Helper()
	data := t.TempDir()
	if err := os.WriteFile(filepath.Join(data, "secret.txt"), []byte("TOP-SECRET-DATA"), 0o600); err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(data, "media")
	return media.NewStore(d, media.Dir(root)), root
}

// filesUnder lists the regular files under root, slash-separated.
func filesUnder(t *testing.T, root string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) && p == root {
			return fs.SkipAll
		}
		if err != nil {
			return err
		}
		if !e.IsDir() {
			rel, _ := filepath.Rel(root, p)
			files = append(files, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func TestSaveImage(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, root := newStore(t, d)
		const alt = "Protest outside the ministry, Avenue Liberté"
		in := metadataJPEG(t, halves(40, 20), 6)

		before := time.Now().Add(-time.Second)
		m, err := s.SaveImage(ctx, bytes.NewReader(in), alt, "fr", media.Limits{})
		if err != nil {
			t.Fatalf("SaveImage: %v", err)
		}
		after := time.Now().Add(time.Second)

		if m.ID <= 0 {
			t.Errorf("ID = %d", m.ID)
		}
		if !storedName.MatchString(m.Path) || path.Ext(m.Path) != ".jpg" {
			t.Errorf("Path %q does not have the shape YYYY/MM/<22 random>.jpg", m.Path)
		}
		if want := m.CreatedAt.Format("2006/01/"); !strings.HasPrefix(m.Path, want) {
			t.Errorf("Path %q not under the upload month %s", m.Path, want)
		}
		for _, word := range []string{"Protest", "ministry", "Avenue", "Liberté", "holiday"} {
			if strings.Contains(strings.ToLower(m.Path), strings.ToLower(word)) {
				t.Errorf("Path %q contains user-given %q", m.Path, word)
			}
		}
		if m.CreatedAt.Before(before) || m.CreatedAt.After(after) {
			t.Errorf("CreatedAt %v not between %v and %v", m.CreatedAt, before, after)
		}
		if m.MIME != "image/jpeg" || m.Width != 20 || m.Height != 40 || m.Alt != alt || m.Lang != "fr" {
			t.Errorf("saved %+v", m)
		}
		if m.URL() != "/media/"+m.Path {
			t.Errorf("URL() = %q", m.URL())
		}

		// The stored bytes are what matters: they are what gets published.
		stored, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(m.Path)))
		if err != nil {
			t.Fatalf("stored file: %v", err)
		}
		if int64(len(stored)) != m.Bytes {
			t.Errorf("Bytes = %d, file has %d", m.Bytes, len(stored))
		}
		assertClean(t, stored)
		assertJPEGHasNoMetadataSegments(t, stored)
		img, err := jpeg.Decode(bytes.NewReader(stored))
		if err != nil {
			t.Fatalf("stored file does not decode: %v", err)
		}
		if b := img.Bounds(); b.Dx() != 20 || b.Dy() != 40 {
			t.Errorf("stored image is %v, want 20×40", b)
		}
		assertNear(t, "stored top", img.At(10, 5), red)

		// Folders are private to the service and its group.
		for _, dir := range []string{root, filepath.Dir(filepath.Join(root, filepath.FromSlash(m.Path)))} {
			st, err := os.Stat(dir)
			if err != nil {
				t.Fatal(err)
			}
			if perm := st.Mode().Perm(); perm&^0o750 != 0 {
				t.Errorf("%s has mode %v, want at most 0750", dir, perm)
			}
		}

		got, err := s.ByID(ctx, m.ID)
		if err != nil {
			t.Fatalf("ByID: %v", err)
		}
		if !reflect.DeepEqual(got, m) {
			t.Errorf("ByID = %+v\nwant   %+v", got, m)
		}

		// A second upload of the same bytes gets a different name.
		m2, err := s.SaveImage(ctx, bytes.NewReader(in), alt, "fr", media.Limits{})
		if err != nil {
			t.Fatal(err)
		}
		if m2.Path == m.Path || m2.ID == m.ID {
			t.Errorf("second upload reused %q / %d", m2.Path, m2.ID)
		}

		// Only the two finished files exist: no temporary files are left.
		files := filesUnder(t, root)
		if len(files) != 2 {
			t.Errorf("files under root: %q, want exactly the two uploads", files)
		}
		for _, f := range files {
			if f != m.Path && f != m2.Path {
				t.Errorf("unexpected file %q", f)
			}
		}

		if _, err := s.ByID(ctx, m2.ID+1000); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("ByID(missing) err = %v, want db.ErrNotFound", err)
		}
	})
}

func TestSetAlt(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, _ := newStore(t, d)
		m, err := s.SaveImage(ctx, bytes.NewReader(encodePNG(t, quadrants(8, 8))), "", "en", media.Limits{})
		if err != nil {
			t.Fatal(err)
		}
		if m.MIME != "image/png" || path.Ext(m.Path) != ".png" {
			t.Errorf("PNG saved as %s %s", m.MIME, m.Path)
		}
		if err := s.SetAlt(ctx, m.ID, "Four coloured squares"); err != nil {
			t.Fatalf("SetAlt: %v", err)
		}
		got, err := s.ByID(ctx, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Alt != "Four coloured squares" {
			t.Errorf("Alt = %q after SetAlt", got.Alt)
		}
		// Setting the same text again is not "not found".
		if err := s.SetAlt(ctx, m.ID, "Four coloured squares"); err != nil {
			t.Errorf("SetAlt with unchanged text: %v", err)
		}
		if err := s.SetAlt(ctx, m.ID+1000, "x"); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("SetAlt(missing) err = %v, want db.ErrNotFound", err)
		}
	})
}

func TestSaveImageRefusalWritesNothing(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, root := newStore(t, d)
		_, err := s.SaveImage(ctx, strings.NewReader("<svg xmlns='http://www.w3.org/2000/svg'/>"), "alt", "en", media.Limits{})
		if !errors.Is(err, media.ErrUnsupported) {
			t.Fatalf("err = %v, want ErrUnsupported", err)
		}
		if files := filesUnder(t, root); len(files) != 0 {
			t.Errorf("refused upload left files %q", files)
		}
		var n int
		if err := d.QueryRowContext(ctx, `SELECT COUNT(*) FROM media`).Scan(&n); err != nil || n != 0 {
			t.Errorf("media rows = %d (%v), want 0", n, err)
		}
	})
}

func TestSaveImageRemovesFileWhenInsertFails(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		s, root := newStore(t, d)
		d.Close() // every insert now fails, after the file is written
		_, err := s.SaveImage(context.Background(), bytes.NewReader(encodePNG(t, quadrants(8, 8))), "", "", media.Limits{})
		if err == nil {
			t.Fatal("SaveImage succeeded on a closed database")
		}
		if !strings.HasPrefix(err.Error(), "media: ") {
			t.Errorf("error %q lacks the package prefix", err)
		}
		if files := filesUnder(t, root); len(files) != 0 {
			t.Errorf("failed insert left files %q", files)
		}
	})
}

func get(t *testing.T, h http.Handler, method, target string) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, target, nil))
	return rec
}

func TestHandler(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, root := newStore(t, d)
		h := s.Handler()

		// Before anything is uploaded the folder does not exist: 404, not 500.
		if rec := get(t, h, "GET", "/media/2026/01/AAAAAAAAAAAAAAAAAAAAAA.jpg"); rec.Code != http.StatusNotFound {
			t.Errorf("no media folder yet: status %d, want 404", rec.Code)
		}

		m, err := s.SaveImage(ctx, bytes.NewReader(metadataJPEG(t, halves(40, 20), 6)), "a", "en", media.Limits{})
		if err != nil {
			t.Fatal(err)
		}
		stored, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(m.Path)))
		if err != nil {
			t.Fatal(err)
		}

		rec := get(t, h, "GET", m.URL())
		if rec.Code != http.StatusOK {
			t.Fatalf("GET %s: status %d", m.URL(), rec.Code)
		}
		if !bytes.Equal(rec.Body.Bytes(), stored) {
			t.Error("served body differs from the stored file")
		}
		wantHeaders := map[string]string{
			"Content-Type":           "image/jpeg",
			"Cache-Control":          "public, max-age=31536000, immutable",
			"X-Content-Type-Options": "nosniff",
		}
		for k, v := range wantHeaders {
			if got := rec.Header().Get(k); got != v {
				t.Errorf("%s = %q, want %q", k, got, v)
			}
		}

		rec = get(t, h, "HEAD", m.URL())
		if rec.Code != http.StatusOK || rec.Body.Len() != 0 || rec.Header().Get("Content-Type") != "image/jpeg" {
			t.Errorf("HEAD: status %d, %d body bytes, type %q", rec.Code, rec.Body.Len(), rec.Header().Get("Content-Type"))
		}
		if rec := get(t, h, "POST", m.URL()); rec.Code != http.StatusMethodNotAllowed {
			t.Errorf("POST: status %d, want 405", rec.Code)
		}

		// Things inside the folder that are not stored media: a stray
		// file, a folder with a media-like name, and a symbolic link with a
		// media-like name that points out of the folder at a real image.
		dir := path.Dir(m.Path)
		osDir := filepath.Join(root, filepath.FromSlash(dir))
		if err := os.WriteFile(filepath.Join(osDir, "notes.txt"), []byte("stray"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Mkdir(filepath.Join(osDir, "DDDDDDDDDDDDDDDDDDDDDD.jpg"), 0o750); err != nil {
			t.Fatal(err)
		}
		outside := filepath.Join(filepath.Dir(root), "outside.jpg")
		if err := os.WriteFile(outside, stored, 0o600); err != nil {
			t.Fatal(err)
		}
		linked := true
		if err := os.Symlink(outside, filepath.Join(osDir, "LLLLLLLLLLLLLLLLLLLLLL.jpg")); err != nil {
			t.Logf("no symbolic links here (%v): that case is not checked", err)
			linked = false
		}
		// Control: the outside file is a servable image by shape and content,
		// so the 404 below comes from the confinement, not from the file.
		if linked {
			if _, err := os.Stat(filepath.Join(osDir, "LLLLLLLLLLLLLLLLLLLLLL.jpg")); err != nil {
				t.Fatalf("symbolic link does not resolve: %v", err)
			}
		}

		notFound := []string{
			"/media/" + dir + "/ZZZZZZZZZZZZZZZZZZZZZZ.jpg", // well-formed, missing
			"/media/../secret.txt",
			"/media/" + dir + "/../../../secret.txt",
			"/media/..%2fsecret.txt",
			"/media/" + dir + "/..%2f..%2f..%2fsecret.txt",
			"/media/%2e%2e/secret.txt",
			"/media/..\\secret.txt",
			"/media//etc/passwd",
			"/media/" + dir + "/notes.txt",
			"/media/" + dir + "/DDDDDDDDDDDDDDDDDDDDDD.jpg",
			"/media/" + dir + "/LLLLLLLLLLLLLLLLLLLLLL.jpg",
			"/media/" + dir + "/",
			"/media/" + dir,
			"/media/" + path.Dir(dir) + "/",
			"/media/",
			"/media",
			"/other/" + m.Path,
			"/media/" + strings.TrimSuffix(m.Path, ".jpg") + ".png", // wrong extension
			"/media/" + m.Path + "/",
			"/media/./" + m.Path,
		}
		for _, target := range notFound {
			rec := get(t, h, "GET", target)
			if rec.Code != http.StatusNotFound {
				t.Errorf("GET %s: status %d, want 404", target, rec.Code)
			}
			if bytes.Contains(rec.Body.Bytes(), []byte("TOP-SECRET")) || bytes.Equal(rec.Body.Bytes(), stored) {
				t.Errorf("GET %s leaked a file", target)
			}
			if rec.Header().Get("Cache-Control") != "" {
				t.Errorf("GET %s: a 404 must not be cached for a year", target)
			}
		}
	})
}

// TestHandlerRange checks that the file is served through http.ServeContent,
// so resumable downloads work.
func TestHandlerRange(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		s, root := newStore(t, d)
		in := spliceAfterSOI(t, encodeJPEG(t, quadrants(32, 32)), segment(0xE1, exifOrientationOnly(binary.BigEndian, 1)))
		m, err := s.SaveImage(context.Background(), bytes.NewReader(in), "", "", media.Limits{})
		if err != nil {
			t.Fatal(err)
		}
		stored, _ := os.ReadFile(filepath.Join(root, filepath.FromSlash(m.Path)))
		req := httptest.NewRequest("GET", m.URL(), nil)
		req.Header.Set("Range", "bytes=0-9")
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, req)
		body, _ := io.ReadAll(rec.Body)
		if rec.Code != http.StatusPartialContent || !bytes.Equal(body, stored[:10]) {
			t.Errorf("Range: status %d, body % x; want 206 and % x", rec.Code, body, stored[:10])
		}
	})
}
