package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// `media copy` copies the data folder's media to another folder, verified,
// and says so; a second run sends nothing; a bad destination is a clear
// message.
func TestMediaCopy(t *testing.T) {
	data := t.TempDir()
	photo := filepath.Join(data, "media", "2026", "11", "photo.jpg")
	if err := os.MkdirAll(filepath.Dir(photo), 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(photo, []byte("jpeg bytes"), 0o600); err != nil {
		t.Fatal(err)
	}
	to := filepath.Join(t.TempDir(), "moved")
	code, out, errOut := run(t, "", "media", "copy", "--to", to, "--data", data)
	if code != 0 || !strings.Contains(out, "1 files copied (0 MB) and verified, 0 already there") {
		t.Fatalf("copy: %d %q %q", code, out, errOut)
	}
	if b, err := os.ReadFile(filepath.Join(to, "2026", "11", "photo.jpg")); err != nil || string(b) != "jpeg bytes" {
		t.Fatalf("copied file: %q, %v", b, err)
	}
	if code, out, _ := run(t, "", "media", "copy", "--to", to, "--data", data); code != 0 || !strings.Contains(out, "0 files copied (0 MB) and verified, 1 already there") {
		t.Fatalf("again: %d %q", code, out)
	}
	for _, c := range []struct{ to, want string }{
		{"s3://media", "names no endpoint"},
		{"s3://media?endpoint=127.0.0.1:1&secure=false", "does not answer"},
	} {
		if code, _, errOut := run(t, "", "media", "copy", "--to", c.to, "--data", data); code != 1 || !strings.Contains(errOut, c.want) {
			t.Errorf("--to %s: %d %q, want a message saying %q", c.to, code, errOut, c.want)
		}
	}
}

// `media copy --files applications` copies applicants' files, not the
// media; --files names one of the two.
func TestMediaCopyApplications(t *testing.T) {
	data := t.TempDir()
	for name, body := range map[string]string{"applications/applications/a.mp4": "film", "media/2026/11/photo.jpg": "jpeg"} {
		path := filepath.Join(data, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	to := filepath.Join(t.TempDir(), "private")
	code, out, errOut := run(t, "", "media", "copy", "--files", "applications", "--to", to, "--data", data)
	if code != 0 || !strings.Contains(out, "1 files copied") {
		t.Fatalf("copy: %d %q %q", code, out, errOut)
	}
	if b, err := os.ReadFile(filepath.Join(to, "applications", "a.mp4")); err != nil || string(b) != "film" {
		t.Fatalf("copied file: %q, %v", b, err)
	}
	if _, err := os.Stat(filepath.Join(to, "2026")); !os.IsNotExist(err) {
		t.Errorf("the media went along: %v", err)
	}
	if code, _, errOut := run(t, "", "media", "copy", "--files", "photos", "--to", to, "--data", data); code == 0 || !strings.Contains(errOut, "media or applications") {
		t.Errorf("--files photos: %d %q", code, errOut)
	}
}
