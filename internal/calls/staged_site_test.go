package calls_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"peerpress/internal/app"
	"peerpress/internal/app/apptest"
	"peerpress/internal/db/dbtest"
)

// canaryVideo is a film as a phone writes it, its index (moov) at the
// end, with the place it was filmed and a title that name the applicant:
// the canaries a seized disk must not show.
func canaryVideo(t *testing.T) (video []byte, canaries []string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "canary.mp4")
	out, err := exec.Command("ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=s=64x48:r=10", "-t", "3",
		"-c:v", "libx264", "-metadata", "location=+48.8584+002.2945/", "-metadata", "title=CANARYZQ7 Maria filmed at home",
		path).CombinedOutput()
	if err != nil {
		t.Fatalf("ffmpeg: %v\n%s", err, out)
	}
	video, err = os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if i, j := bytes.Index(video, []byte("moov")), bytes.Index(video, []byte("mdat")); i < j {
		t.Fatal("the test film has its index first: it would not show that ffmpeg seeks")
	}
	return video, []string{"CANARYZQ7", "48.8584"}
}

// inTheClear lists the files under roots, and the keys of the Blobs
// under prefixes, whose bytes hold any of needles.
func (s *site) inTheClear(t *testing.T, needles [][]byte, roots []string, prefixes ...string) []string {
	t.Helper()
	var found []string
	has := func(b []byte) bool {
		for _, n := range needles {
			if bytes.Contains(b, n) {
				return true
			}
		}
		return false
	}
	for _, root := range roots {
		_ = filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
			if err == nil && d.Type().IsRegular() && !strings.Contains(p, "peerpress-dbtest") {
				if b, err := os.ReadFile(p); err == nil && has(b) {
					found = append(found, p)
				}
			}
			return nil
		})
	}
	ctx := context.Background()
	for _, prefix := range prefixes {
		for k, err := range s.App.Calls.Blobs().List(ctx, prefix) {
			if err != nil {
				t.Fatal(err)
			}
			f, err := s.App.Calls.Blobs().Open(ctx, k)
			if err != nil {
				continue
			}
			b, _ := io.ReadAll(f)
			f.Close()
			if has(b) {
				found = append(found, "blob "+k)
			}
		}
	}
	return found
}

// A film sent through the resumable upload in several PATCHes, with the
// place it was filmed in it, is never in the clear on the server: not
// in the data folder, the temporary folder or the store of applicants'
// files (a folder, or a bucket), while the upload is half done, nor
// after it is kept (clean, without the place); its name is not there
// either. On both engines, with the store in a folder and in a bucket.
func TestTusUploadNeverInTheClear(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	video, canaries := canaryVideo(t)
	// Bytes from the middle of the film (its pictures): any copy of the
	// parts in the clear holds them.
	pictures := video[len(video)/3 : len(video)/3+64]
	eachStore(t, func(t *testing.T, at string) {
		guard := apptest.QuickGuard()
		apptest.Run(t, apptest.Options{Guard: &guard, Serial: true, Config: func(c *app.Config) { c.Applications = at }}, func(t *testing.T, a *apptest.Site) {
			s := siteOf(t, a)
			c := s.Client()
			manage := s.applyAndConfirm(c, "canary.film@example.org")
			token := manage[strings.LastIndex(manage, "/")+1:]
			u := tus{t: t, base: s.Server.URL}
			path := u.create(token, len(video))
			roots := []string{s.App.Config.DataDir, tmp}
			if !strings.HasPrefix(at, "s3:") {
				roots = append(roots, at)
			}
			needles := [][]byte{pictures, []byte("phone film")}
			for _, c := range canaries {
				needles = append(needles, []byte(c))
			}

			third := len(video) / 3
			for _, r := range [][2]int{{0, third}, {third, 2 * third}} {
				if res := u.patch(path, r[0], video[r[0]:r[1]]); res.StatusCode != http.StatusNoContent {
					t.Fatalf("PATCH %v: %d", r, res.StatusCode)
				}
			}
			parts := 0
			for _, err := range s.App.Calls.Blobs().List(context.Background(), "uploads/") {
				if err != nil {
					t.Fatal(err)
				}
				parts++
			}
			if parts < 3 {
				t.Fatalf("%d keys of the upload under way, want its description and two parts: the test sees nothing", parts)
			}
			if found := s.inTheClear(t, needles, roots, "uploads/", "applications/"); len(found) > 0 {
				t.Fatalf("two thirds uploaded, the film or its name is in the clear in %v", found)
			}
			// Another address with the upload's folder but not its key
			// names no upload.
			forged := path[:len(path)-64] + strings.Repeat("0", 64)
			if res := u.do(http.MethodHead, forged, nil, nil); res.StatusCode != http.StatusNotFound {
				t.Fatalf("HEAD without the upload's key: %d, want 404", res.StatusCode)
			}

			if res := u.patch(path, 2*third, video[2*third:]); res.StatusCode != http.StatusNoContent {
				t.Fatalf("the last PATCH: %d", res.StatusCode)
			}
			c.Get(manage).Must(t, http.StatusOK, "Sent: phone film.mp4")
			if found := s.inTheClear(t, needles[1:], roots, "uploads/", "applications/"); len(found) > 0 {
				t.Fatalf("once kept, the place or the title is in the clear in %v", found)
			}
			staged, _ := filepath.Glob(filepath.Join(s.App.Calls.Staging, "*"))
			if len(staged) != 0 {
				t.Fatalf("staged files left: %v", staged)
			}
			// The engines share the store: the next one starts it empty.
			var kept []string
			for k, err := range s.App.Calls.Blobs().List(context.Background(), "applications/") {
				if err != nil {
					t.Fatal(err)
				}
				kept = append(kept, k)
			}
			for _, k := range kept {
				if err := s.App.Calls.Blobs().Delete(context.Background(), k); err != nil {
					t.Fatal(err)
				}
			}
		})
	})
}

// What a crashed or killed peerpress left in the staging folder (sealed,
// with a key that died with it) goes as soon as a peerpress starts on
// the data folder; a file another running peerpress holds stays.
func TestStagedLeftoversSweptAtStart(t *testing.T) {
	guard := apptest.QuickGuard()
	apptest.Run(t, apptest.Options{Guard: &guard}, func(t *testing.T, a *apptest.Site) {
		dir := a.App.Calls.Staging
		if err := os.MkdirAll(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		left, held := filepath.Join(dir, "chunk-1234"), filepath.Join(dir, "tus-5678")
		for _, p := range []string{left, held} {
			if err := os.WriteFile(p, []byte("sealed bytes"), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		f, err := os.Open(held)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
			t.Fatal(err)
		}
		other := dbtest.OpenSecond(t, a.App.DB)
		apptest.New(t, other, apptest.Options{Guard: &guard, Config: func(c *app.Config) {
			c.DataDir, c.SiteKey = a.App.Config.DataDir, a.App.Config.SiteKey
		}})
		if _, err := os.Stat(left); !os.IsNotExist(err) {
			t.Errorf("a crash's leftover is still there after a start: %v", err)
		}
		if _, err := os.Stat(held); err != nil {
			t.Errorf("a file a running peerpress holds went: %v", err)
		}
	})
}
