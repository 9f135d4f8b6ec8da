package calls_test

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"peerpress/internal/app"
	"peerpress/internal/app/apptest"
	"peerpress/internal/db/dbtest"
)

// outage is a store of applicants' files, and how it goes away and comes
// back.
type outage struct {
	config   func(c *app.Config)
	down, up func(t *testing.T)
}

// While the store of applicants' files does not answer, a resumable
// upload's PATCH and HEAD answer 503 with a message in the applicant's
// language (not tusd's 500 with the store's error, which names it), and
// keep what was acknowledged: once the store is back, the upload goes on
// from where it was, and the file is kept.
func TestTusStoreUnavailable(t *testing.T) {
	stores := map[string]func(t *testing.T) outage{"folder": func(t *testing.T) outage {
		var store string
		return outage{
			config: func(c *app.Config) {
				store = filepath.Join(c.DataDir, "applicants-store")
				c.Applications = store
			},
			// Its folder is a file while it is away.
			down: func(t *testing.T) {
				if err := os.Rename(store, store+".away"); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(store, []byte("not a folder"), 0o600); err != nil {
					t.Fatal(err)
				}
			},
			up: func(t *testing.T) {
				if err := os.Remove(store); err != nil {
					t.Fatal(err)
				}
				if err := os.Rename(store+".away", store); err != nil {
					t.Fatal(err)
				}
			},
		}
	}}
	if addr := os.Getenv("PEERPRESS_TEST_S3"); addr != "" {
		// SeaweedFS behind a proxy the test cuts: the bucket does not
		// answer, as when the store or the network to it is down.
		stores["s3"] = func(t *testing.T) outage {
			bucket := testBucket(t, addr)
			u, _ := url.Parse(addr)
			proxy := dbtest.NewProxy(t, u.Host)
			bucket = strings.Replace(bucket, "endpoint="+u.Host, "endpoint="+proxy.Addr(), 1)
			return outage{config: func(c *app.Config) { c.Applications = bucket },
				down: func(*testing.T) { proxy.Cut() }, up: func(*testing.T) { proxy.Restore() }}
		}
	}
	for name, store := range stores {
		t.Run(name, func(t *testing.T) {
			testTusStoreUnavailable(t, store(t))
		})
	}
}

func testTusStoreUnavailable(t *testing.T, o outage) {
	// One engine after the other: the outage's store (and proxy) is one.
	runWith(t, apptest.Options{Config: o.config, Serial: true}, func(t *testing.T, s *site) {
		c := s.Client()
		manage := s.applyAndConfirm(c, "outage@example.org")
		token := manage[strings.LastIndex(manage, "/")+1:]
		video := phoneVideo(t, 2)
		u := tus{t: t, base: s.Server.URL}
		path := u.create(token, len(video))
		half := len(video) / 2
		if res := u.patch(path, 0, video[:half]); res.StatusCode != http.StatusNoContent {
			t.Fatalf("first half: %d", res.StatusCode)
		}

		o.down(t)
		french := map[string]string{"Accept-Language": "fr", "Upload-Offset": strconv.Itoa(half),
			"Content-Type": "application/offset+octet-stream"}
		for _, method := range []string{http.MethodPatch, http.MethodHead} {
			var body io.Reader
			if method == http.MethodPatch {
				body = bytes.NewReader(video[half:])
			}
			status, text := tusAnswer(t, s.Server.URL, method, path, body, french)
			if status != http.StatusServiceUnavailable {
				t.Fatalf("%s while the store is away: %d %q, want 503", method, status, text)
			}
			if method == http.MethodPatch && !strings.Contains(text, "réessayez dans une minute") {
				t.Fatalf("PATCH while the store is away says %q, want the French message", text)
			}
			if strings.Contains(text, "applicants-store") || strings.Contains(text, "uploads/") || strings.Contains(text, "127.0.0.1") {
				t.Fatalf("%s while the store is away shows the store: %q", method, text)
			}
		}
		// A new upload cannot begin either, and says why.
		status, text := tusAnswer(t, s.Server.URL, http.MethodPost, "/uploads/applications/", nil, map[string]string{
			"Upload-Length": "100", "Upload-Metadata": meta("token", token, "field", "film", "filename", "b.mp4", "lang", "es")})
		if status != http.StatusServiceUnavailable || !strings.Contains(text, "vuelva a intentarlo en un minuto") {
			t.Fatalf("a new upload while the store is away: %d %q, want 503 in Spanish", status, text)
		}

		// The store is back: the upload goes on from the half acknowledged.
		o.up(t)
		if at := u.offset(path); at != half {
			t.Fatalf("offset %d once the store is back, want the %d bytes acknowledged", at, half)
		}
		if res := u.patch(path, half, video[half:]); res.StatusCode != http.StatusNoContent {
			t.Fatalf("the rest once the store is back: %d", res.StatusCode)
		}
		c.Get(manage).Must(t, http.StatusOK, "Sent: phone film.mp4")
	})
}

// tusAnswer sends one tus request and returns the status and body.
func tusAnswer(t *testing.T, base, method, path string, body io.Reader, headers map[string]string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, base+path, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Tus-Resumable", "1.0.0")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}
