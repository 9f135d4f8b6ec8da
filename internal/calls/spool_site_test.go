package calls_test

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"peerpress/internal/app/apptest"
)

// A video sent with the application form waits on disk while it arrives
// (a slow phone, a dropped connection) sealed, never in the clear: a
// copy of the disk, or a crash mid-upload, shows nothing of it. The test
// holds the body open after 3 MB of a file full of a canary and looks in
// the temporary folder, then lets it finish.
func TestApplicationFileNeverInTempInTheClear(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	guard := apptest.QuickGuard()
	apptest.Run(t, apptest.Options{Guard: &guard, Serial: true}, func(t *testing.T, a *apptest.Site) {
		s := &site{Site: a}
		c := s.Client()
		fields := s.form(c, answers("spool@example.org"))
		const canary = "CANARYZQ7FILMEDATHOME"
		pr, pw := io.Pipe()
		mw := multipart.NewWriter(pw)
		done := make(chan int, 1)
		go func() {
			req, _ := http.NewRequest(http.MethodPost, s.Server.URL+applyURL, pr)
			req.Header.Set("Content-Type", mw.FormDataContentType())
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				done <- 0
				return
			}
			res.Body.Close()
			done <- res.StatusCode
		}()
		for k, vs := range fields {
			for _, v := range vs {
				mw.WriteField(k, v)
			}
		}
		fw, _ := mw.CreateFormFile("a_film", "home.mp4")
		fw.Write(bytes.Repeat([]byte(canary), 3<<20/len(canary)))

		// Wait until the server has put those bytes somewhere (a file
		// over 1 MB in the temporary folder), then read everything there.
		var found []string
		deadline := time.Now().Add(20 * time.Second)
		for len(found) == 0 && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond)
			filepath.WalkDir(tmp, func(p string, d os.DirEntry, err error) error {
				if err == nil && !d.IsDir() {
					if fi, err := d.Info(); err == nil && fi.Size() > 1<<20 {
						found = append(found, p)
					}
				}
				return nil
			})
		}
		if len(found) == 0 {
			t.Fatal("the server kept nothing of the upload on disk while it arrived: the test cannot see where it waits")
		}
		for _, p := range found {
			if b, err := os.ReadFile(p); err == nil && bytes.Contains(b, []byte(canary)) {
				t.Errorf("the file being received is in the clear in %s", p)
			}
		}
		mw.Close()
		pw.Close()
		if code := <-done; code == 0 || code >= 500 {
			t.Errorf("the form answered %d", code)
		}
		filepath.WalkDir(tmp, func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && !strings.Contains(p, "peerpress-dbtest") {
				if b, err := os.ReadFile(p); err == nil && bytes.Contains(b, []byte(canary)) {
					t.Errorf("the file sent is left in the clear in %s", p)
				}
			}
			return nil
		})
	})
}
