package calls_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// phoneVideo makes a short MP4 as a phone writes it: with the place it
// was filmed (the ©xyz atom ffmpeg writes for -metadata location), in
// the test's folder.
func phoneVideo(t testing.TB, seconds int) []byte {
	t.Helper()
	path := filepath.Join(t.TempDir(), "phone.mp4")
	out, err := exec.Command("ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=s=64x48:r=10", "-f", "lavfi", "-i", "sine=d="+strconv.Itoa(seconds),
		"-t", strconv.Itoa(seconds), "-c:v", "libx264", "-c:a", "aac", "-metadata", "location=+48.8584+002.2945/", "-metadata", "title=Filmed at home",
		path).CombinedOutput()
	if err != nil {
		t.Fatalf("ffmpeg: %v\n%s", err, out)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if tags := probeTags(t, b); !strings.Contains(tags, "48.8584") {
		t.Fatalf("the test video has no location to remove: %s", tags)
	}
	return b
}

// probeTags is every metadata tag ffprobe finds in a file, as JSON.
func probeTags(t testing.TB, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "probe.mp4")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("ffprobe", "-v", "error", "-show_entries", "format_tags:stream_tags", "-of", "json", path).Output()
	if err != nil {
		t.Fatalf("ffprobe: %v", err)
	}
	return string(out)
}

// storedFiles reads every file kept for applications (not the parts of
// uploads under way, kept beside them).
func (s *site) storedFiles() map[string][]byte {
	s.T.Helper()
	out := map[string][]byte{}
	root := filepath.Join(s.App.Config.DataDir, "applications", "applications")
	_ = filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			s.T.Fatal(err)
		}
		out[path] = b
		return nil
	})
	return out
}

// A video sent with the form itself is kept without the place it was
// filmed, never at a public address, and goes when the application is
// withdrawn.
func TestPlainUploadLosesLocation(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		c := s.Client()
		fields := s.form(c, answers("phone@example.org"))
		fields.Del("a_film_link")
		c.PostFile(applyURL, fields, "a_film", "my film.mp4", phoneVideo(t, 2)).Must(t, http.StatusOK, "Check your mail")
		stored := s.storedFiles()
		if len(stored) != 1 {
			t.Fatalf("%d files kept, want 1", len(stored))
		}
		for path, b := range stored {
			if tags := probeTags(t, b); strings.Contains(tags, "48.8584") || strings.Contains(tags, "Filmed at home") {
				t.Fatalf("%s keeps its metadata: %s", path, tags)
			}
			if strings.Contains(path, "my film") {
				t.Fatalf("the applicant's file name is in the storage: %s", path)
			}
		}
		r := c.Post(s.mailedPath("phone@example.org", true), nil)
		manage := strings.TrimSuffix(r.Location, "?confirmed=1")
		c.Get(manage).Must(t, http.StatusOK, "Sent: my film.mp4", `data-tus-endpoint="/uploads/applications/"`)
		c.Post(manage+"/withdraw", nil).Must(t, http.StatusOK, "Application withdrawn")
		if n := len(s.storedFiles()); n != 0 {
			t.Fatalf("%d files kept after withdrawal", n)
		}
	})
}

// A file that only looks like a video by its name is refused with a
// clear message, and nothing is stored.
func TestRenamedFileRefused(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		c := s.Client()
		fields := s.form(c, answers("renamed@example.org"))
		fields.Del("a_film_link")
		c.PostFile(applyURL, fields, "a_film", "holiday.mp4", []byte("%PDF-1.7\nnot a video at all\n")).
			Must(t, http.StatusUnprocessableEntity, "This file is not a video we can read.")
		fields = s.form(c, answers("renamed@example.org"))
		c.PostFile(applyURL, fields, "a_film", "film.avi", phoneVideo(t, 1)).Must(t, http.StatusUnprocessableEntity, "This call does not take files of this type.")
		if n := s.applications(); n != 0 {
			t.Fatalf("%d applications stored", n)
		}
		if n := len(s.storedFiles()); n != 0 {
			t.Fatalf("%d files kept", n)
		}
	})
}

// tus is a client of the site's tus endpoint.
type tus struct {
	t    *testing.T
	base string
}

func (u tus) do(method, path string, body io.Reader, headers map[string]string) *http.Response {
	u.t.Helper()
	req, err := http.NewRequest(method, u.base+path, body)
	if err != nil {
		u.t.Fatal(err)
	}
	req.Header.Set("Tus-Resumable", "1.0.0")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		u.t.Fatal(err)
	}
	res.Body.Close()
	return res
}

func meta(pairs ...string) string {
	var parts []string
	for i := 0; i < len(pairs); i += 2 {
		parts = append(parts, pairs[i]+" "+base64.StdEncoding.EncodeToString([]byte(pairs[i+1])))
	}
	return strings.Join(parts, ",")
}

// create starts an upload of size bytes for the application token names
// and returns its path.
func (u tus) create(token string, size int) string {
	u.t.Helper()
	res := u.do(http.MethodPost, "/uploads/applications/", nil, map[string]string{"Upload-Length": strconv.Itoa(size),
		"Upload-Metadata": meta("token", token, "field", "film", "filename", "phone film.mp4", "lang", "en")})
	if res.StatusCode != http.StatusCreated {
		u.t.Fatalf("create: %d", res.StatusCode)
	}
	loc, err := res.Location()
	if err != nil {
		u.t.Fatal(err)
	}
	return loc.Path
}

func (u tus) offset(path string) int {
	u.t.Helper()
	res := u.do(http.MethodHead, path, nil, nil)
	if res.StatusCode != http.StatusOK {
		u.t.Fatalf("HEAD %s: %d", path, res.StatusCode)
	}
	n, _ := strconv.Atoi(res.Header.Get("Upload-Offset"))
	return n
}

func (u tus) patch(path string, offset int, data []byte) *http.Response {
	return u.do(http.MethodPatch, path, bytes.NewReader(data), map[string]string{"Upload-Offset": strconv.Itoa(offset),
		"Content-Type": "application/offset+octet-stream"})
}

// dropMidway sends a PATCH of all of data at offset 0 over a connection
// that closes after the first n bytes of the body, as a phone losing its
// network does, and waits for the server's answer to it.
func dropMidway(t *testing.T, base, path string, data []byte, n int) {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	head := "PATCH " + path + " HTTP/1.1\r\nHost: " + strings.TrimPrefix(base, "http://") + "\r\nTus-Resumable: 1.0.0\r\n" +
		"Upload-Offset: 0\r\nContent-Type: application/offset+octet-stream\r\nContent-Length: " + strconv.Itoa(len(data)) + "\r\n\r\n"
	if _, err := conn.Write(append([]byte(head), data[:n]...)); err != nil {
		t.Fatal(err)
	}
	if err := conn.(*net.TCPConn).CloseWrite(); err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, conn) // the server's answer, once it has stored what came
}

// A resumable upload interrupted midway asks where it stopped and sends
// only the missing bytes; wrong offsets and lengths are refused; the
// finished file is cleaned, kept and named on the private page.
func TestTusUploadResumes(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		c := s.Client()
		manage := s.applyAndConfirm(c, "resume@example.org")
		token := manage[strings.LastIndex(manage, "/")+1:]
		video := phoneVideo(t, 3)
		u := tus{t: t, base: s.Server.URL}
		path := u.create(token, len(video))

		// The connection drops halfway through the body: the server keeps
		// what arrived, and says so when asked.
		half := len(video) / 2
		dropMidway(t, s.Server.URL, path, video, half)
		at := u.offset(path)
		if at != half {
			t.Fatalf("offset %d after the drop, want the %d bytes sent", at, half)
		}
		// A PATCH at any other offset is refused, and changes nothing.
		if res := u.patch(path, 0, video); res.StatusCode != http.StatusConflict {
			t.Fatalf("PATCH at a wrong offset: %d, want 409", res.StatusCode)
		}
		// More bytes than the upload's length are refused.
		if res := u.patch(path, at, append(bytes.Clone(video[at:]), 0, 0, 0)); res.StatusCode < 400 || res.StatusCode >= 500 {
			t.Fatalf("PATCH past the length: %d, want a 4xx", res.StatusCode)
		}
		if got := u.offset(path); got != at {
			t.Fatalf("offset %d after refused PATCHes, want %d", got, at)
		}
		// Only the missing bytes go.
		if res := u.patch(path, at, video[at:]); res.StatusCode != http.StatusNoContent {
			t.Fatalf("the rest: %d", res.StatusCode)
		}
		stored := s.storedFiles()
		if len(stored) != 1 {
			t.Fatalf("%d files kept, want 1", len(stored))
		}
		for _, b := range stored {
			if tags := probeTags(t, b); strings.Contains(tags, "48.8584") {
				t.Fatalf("the kept file has its location: %s", tags)
			}
		}
		c.Get(manage).Must(t, http.StatusOK, "Sent: phone film.mp4")
		// The upload's parts and staged bytes are gone once kept.
		for k, err := range s.App.Calls.Blobs().List(context.Background(), "uploads/") {
			t.Fatalf("upload parts left: %q %v", k, err)
		}
		staged, _ := filepath.Glob(filepath.Join(s.App.Config.DataDir, "uploads", "*"))
		if len(staged) != 0 {
			t.Fatalf("staged files left: %v", staged)
		}
	})
}

// Creating an upload needs a live private link, a file field, an
// accepted type and a length within the call's limit; a renamed file is
// refused when its last byte is in.
func TestTusRefusals(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		c := s.Client()
		manage := s.applyAndConfirm(c, "tus@example.org")
		token := manage[strings.LastIndex(manage, "/")+1:]
		// One character changed: to another, whatever it was.
		tampered := token[:42] + "A"
		if token[42] == 'A' {
			tampered = token[:42] + "B"
		}
		u := tus{t: t, base: s.Server.URL}
		for name, m := range map[string]string{
			"tampered token": meta("token", tampered, "field", "film", "filename", "a.mp4"),
			"no token":       meta("field", "film", "filename", "a.mp4"),
			"not a file":     meta("token", token, "field", "name", "filename", "a.mp4"),
			"wrong type":     meta("token", token, "field", "film", "filename", "a.exe"),
		} {
			res := u.do(http.MethodPost, "/uploads/applications/", nil, map[string]string{"Upload-Length": "100", "Upload-Metadata": m})
			if res.StatusCode < 400 || res.StatusCode >= 500 {
				t.Fatalf("%s: %d, want a 4xx", name, res.StatusCode)
			}
		}
		res := u.do(http.MethodPost, "/uploads/applications/", nil, map[string]string{"Upload-Length": strconv.Itoa(3 << 30),
			"Upload-Metadata": meta("token", token, "field", "film", "filename", "a.mp4")})
		if res.StatusCode != http.StatusRequestEntityTooLarge {
			t.Fatalf("3 GB: %d, want 413", res.StatusCode)
		}
		if res := u.do(http.MethodHead, "/uploads/applications/0123456789abcdef", nil, nil); res.StatusCode != http.StatusNotFound {
			t.Fatalf("HEAD of no upload: %d", res.StatusCode)
		}
		fake := []byte("this is a text file with a video's name")
		path := u.create(token, len(fake))
		if res := u.patch(path, 0, fake); res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("renamed file: %d, want 422", res.StatusCode)
		}
		if n := len(s.storedFiles()); n != 0 {
			t.Fatalf("%d files kept", n)
		}
		// After withdrawal, an upload under way stops.
		path = u.create(token, 10)
		c.Post(manage+"/withdraw", nil).Must(t, http.StatusOK)
		if res := u.patch(path, 0, []byte("0123456789")); res.StatusCode != http.StatusNotFound {
			t.Fatalf("PATCH after withdrawal: %d", res.StatusCode)
		}
	})
}

// Uploads abandoned for a day leave the staging folder; fresh ones stay.
func TestSweepStaged(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		dir := filepath.Join(s.App.Calls.Staging, "tus")
		if err := os.MkdirAll(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"abandoned", "abandoned.info", "fresh"} {
			if err := os.WriteFile(filepath.Join(dir, name), []byte("x"), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		old := time.Now().Add(-25 * time.Hour)
		for _, name := range []string{"abandoned", "abandoned.info"} {
			if err := os.Chtimes(filepath.Join(dir, name), old, old); err != nil {
				t.Fatal(err)
			}
		}
		n, err := s.App.Calls.SweepStaged(context.Background())
		if err != nil || n != 2 {
			t.Fatalf("swept %d, %v; want the 2 abandoned files", n, err)
		}
		left, _ := filepath.Glob(filepath.Join(dir, "*"))
		if len(left) != 1 || filepath.Base(left[0]) != "fresh" {
			t.Fatalf("left %v, want the fresh upload", left)
		}
	})
}

// Deleting a call takes its applications' rows by their foreign key; the
// sweep deletes their files, and leaves alone a file just kept.
func TestDeletedCallLeavesNoFiles(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		ctx := context.Background()
		c := s.Client()
		fields := s.form(c, answers("deleted@example.org"))
		fields.Del("a_film_link")
		c.PostFile(applyURL, fields, "a_film", "film.mp4", phoneVideo(t, 1)).Must(t, http.StatusOK, "Check your mail")
		if _, err := s.App.DB.ExecContext(ctx, `DELETE FROM entries WHERE id = ?`, s.entryID); err != nil {
			t.Fatal(err)
		}
		if n, err := s.App.Calls.SweepOrphans(ctx); err != nil || n != 0 {
			t.Fatalf("swept %d, %v; want a file kept just now left alone", n, err)
		}
		s.App.Calls.Now = func() time.Time { return time.Now().Add(2 * time.Hour) }
		if n, err := s.App.Calls.SweepOrphans(ctx); err != nil || n != 1 {
			t.Fatalf("swept %d, %v; want the deleted call's file", n, err)
		}
		if n := len(s.storedFiles()); n != 0 {
			t.Fatalf("%d files kept", n)
		}
	})
}

// A QuickTime video from a phone, sent from the private page with the
// form itself, loses the place, the make and the model the phone wrote.
func TestPhoneMovFromPrivatePage(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		path := filepath.Join(t.TempDir(), "iphone.mov")
		out, err := exec.Command("ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=s=64x48:r=10", "-t", "1", "-c:v", "libx264",
			"-movflags", "use_metadata_tags", "-metadata", "com.apple.quicktime.location.ISO6709=+48.8584+002.2945+035.000/",
			"-metadata", "com.apple.quicktime.make=Apple", "-metadata", "com.apple.quicktime.model=iPhone 15", path).CombinedOutput()
		if err != nil {
			t.Fatalf("ffmpeg: %v\n%s", err, out)
		}
		mov, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if tags := probeTags(t, mov); !strings.Contains(tags, "iPhone 15") {
			t.Fatalf("the test video has no device to remove: %s", tags)
		}
		c := s.Client()
		manage := s.applyAndConfirm(c, "mov@example.org")
		fields := answers("")
		fields.Del("email")
		fields.Del("a_film_link")
		r := c.PostFile(manage, fields, "a_film", "iphone.mov", mov)
		if r.Status != http.StatusSeeOther {
			t.Fatalf("update with a file: %d\n%s", r.Status, r.Body)
		}
		stored := s.storedFiles()
		if len(stored) != 1 {
			t.Fatalf("%d files kept, want 1", len(stored))
		}
		for _, b := range stored {
			if tags := probeTags(t, b); strings.Contains(tags, "48.8584") || strings.Contains(tags, "iPhone") || strings.Contains(tags, "Apple") {
				t.Fatalf("the kept file keeps the phone's metadata: %s", tags)
			}
		}
		c.Get(manage).Must(t, http.StatusOK, "Sent: iphone.mov")
	})
}

// An upload begun before the deadline may finish within the call's grace
// (an hour in the demo); no upload begins after the deadline, and none
// goes on after the grace.
func TestUploadGrace(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		c := s.Client()
		manage := s.applyAndConfirm(c, "grace@example.org")
		token := manage[strings.LastIndex(manage, "/")+1:]
		video := phoneVideo(t, 1)
		u := tus{t: t, base: s.Server.URL}
		early := u.create(token, len(video))
		late := u.create(token, len(video))
		half := len(video) / 2
		for _, p := range []string{early, late} {
			if res := u.patch(p, 0, video[:half]); res.StatusCode != http.StatusNoContent {
				t.Fatalf("first half: %d", res.StatusCode)
			}
		}
		closes := s.call.ClosesAt
		s.App.Calls.Now = func() time.Time { return closes.Add(30 * time.Minute) }
		res := u.do(http.MethodPost, "/uploads/applications/", nil, map[string]string{"Upload-Length": "100",
			"Upload-Metadata": meta("token", token, "field", "film", "filename", "a.mp4")})
		if res.StatusCode != http.StatusForbidden {
			t.Fatalf("an upload begun after the deadline: %d, want 403", res.StatusCode)
		}
		if res := u.patch(early, half, video[half:]); res.StatusCode != http.StatusNoContent {
			t.Fatalf("finishing within the grace: %d", res.StatusCode)
		}
		s.App.Calls.Now = func() time.Time { return closes.Add(61 * time.Minute) }
		if res := u.patch(late, half, video[half:]); res.StatusCode != http.StatusForbidden {
			t.Fatalf("finishing after the grace: %d, want 403", res.StatusCode)
		}
		if n := len(s.storedFiles()); n != 1 {
			t.Fatalf("%d files kept, want the one finished in time", n)
		}
	})
}
