package media_test

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"peerpress/internal/media"
	"peerpress/internal/media/blobtest"
)

// The local folder keeps the Blobs contract.
func TestDirConformance(t *testing.T) {
	root := filepath.Join(t.TempDir(), "media")
	blobtest.Run(t, media.Dir(root))
	// Nothing is left in the folder, not even a temporary file.
	if files := filesUnder(t, root); len(files) != 0 {
		t.Errorf("files left: %q", files)
	}
}

// A key is the file's path under the folder, the layout of sites made
// before blobs, with private modes; a folder that does not exist yet is
// an empty store.
func TestDirLayout(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	root := filepath.Join(data, "media")
	b := media.Dir(root)
	for k, err := range b.List(ctx, "") {
		t.Errorf("List before the folder exists: %q, %v", k, err)
	}
	if err := b.Delete(ctx, "2026/01/x.jpg"); err != nil {
		t.Errorf("Delete before the folder exists: %v", err)
	}
	if _, err := b.Open(ctx, "2026/01/x.jpg"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Open before the folder exists: %v", err)
	}

	// A file written by an older peerpress is a blob.
	if err := os.MkdirAll(filepath.Join(root, "2025", "12"), 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "2025", "12", "old.jpg"), []byte("old"), 0o640); err != nil {
		t.Fatal(err)
	}
	r, err := b.Open(ctx, "2025/12/old.jpg")
	if err != nil {
		t.Fatal(err)
	}
	r.Close()

	if err := b.Put(ctx, "2026/01/new.jpg", strings.NewReader("new"), 3, "image/jpeg"); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(root, "2026", "01", "new.jpg"))
	if err != nil || string(got) != "new" {
		t.Fatalf("file of 2026/01/new.jpg: %q, %v", got, err)
	}
	for _, p := range []string{root, filepath.Join(root, "2026"), filepath.Join(root, "2026", "01")} {
		if st, err := os.Stat(p); err != nil || st.Mode().Perm()&^0o750 != 0 {
			t.Errorf("folder %s: %v, %v; want at most 0750", p, st.Mode(), err)
		}
	}
	if st, err := os.Stat(filepath.Join(root, "2026", "01", "new.jpg")); err != nil || st.Mode().Perm() != 0o640 {
		t.Errorf("file mode %v, %v; want 0640", st.Mode(), err)
	}
}

// No key and no symbolic link reaches outside the folder: a bad key writes
// nothing anywhere, and a link pointing out is not a blob.
func TestDirConfinement(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	root := filepath.Join(data, "media")
	secret := filepath.Join(data, "secret.txt")
	if err := os.WriteFile(secret, []byte("TOP-SECRET-DATA"), 0o600); err != nil {
		t.Fatal(err)
	}
	b := media.Dir(root)
	for _, key := range []string{"../secret.txt", "a/../../secret.txt", "/" + filepath.ToSlash(secret), "..\\secret.txt"} {
		if err := b.Put(ctx, key, strings.NewReader("overwritten"), -1, ""); !errors.Is(err, media.ErrBadKey) {
			t.Errorf("Put(%q): %v, want ErrBadKey", key, err)
		}
		if err := b.Delete(ctx, key); !errors.Is(err, media.ErrBadKey) {
			t.Errorf("Delete(%q): %v, want ErrBadKey", key, err)
		}
		if r, err := b.Open(ctx, key); !errors.Is(err, media.ErrBadKey) {
			if err == nil {
				r.Close()
			}
			t.Errorf("Open(%q): %v, want ErrBadKey", key, err)
		}
	}
	if got, err := os.ReadFile(secret); err != nil || string(got) != "TOP-SECRET-DATA" {
		t.Fatalf("secret file: %q, %v", got, err)
	}
	entries, _ := os.ReadDir(data)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if !slices.Equal(names, []string{"secret.txt"}) {
		t.Errorf("data folder holds %q after refused keys", names)
	}

	// A symbolic link inside the folder, pointing out of it.
	if err := b.Put(ctx, "2026/01/real.jpg", bytes.NewReader([]byte("real")), 4, ""); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(secret, filepath.Join(root, "2026", "01", "link.jpg")); err != nil {
		t.Skipf("no symbolic links here: %v", err)
	}
	if r, err := b.Open(ctx, "2026/01/link.jpg"); err == nil {
		r.Close()
		t.Error("Open followed a link out of the folder")
	}
	if err := b.Copy(ctx, "2026/01/link.jpg", "2026/01/copied.jpg"); err == nil {
		t.Error("Copy followed a link out of the folder")
	}
	var keys []string
	for k, err := range b.List(ctx, "") {
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, k)
	}
	if !slices.Equal(keys, []string{"2026/01/real.jpg"}) {
		t.Errorf("List = %q, want only the real file", keys)
	}
}
