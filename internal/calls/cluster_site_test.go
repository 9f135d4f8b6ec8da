package calls_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"peerpress/internal/app"
	"peerpress/internal/app/apptest"
	"peerpress/internal/calls"
	"peerpress/internal/db"
	"peerpress/internal/db/dbtest"
	"peerpress/internal/demo"
	"peerpress/internal/media"
)

// twoInstances runs fn with two sites on one database and one store of
// applicants' files, as two `peerpress serve` behind a load balancer:
// each with its own connections, data folder (and so staging folder) and
// page cache. The store is the first site's folder, or, with
// PEERPRESS_TEST_S3, a bucket (the "/s3" subtests).
func twoInstances(t *testing.T, fn func(t *testing.T, a, b *site)) {
	eachStore(t, func(t *testing.T, at string) {
		guard := apptest.QuickGuard()
		apptest.Run(t, apptest.Options{Guard: &guard, Config: func(c *app.Config) { c.Applications = at }}, func(t *testing.T, sa *apptest.Site) {
			other := dbtest.OpenSecond(t, sa.App.DB)
			sb := apptest.New(t, other, apptest.Options{Guard: &guard, Config: func(c *app.Config) {
				c.Applications, c.SiteKey = at, sa.App.Config.SiteKey
			}})
			e, err := sa.App.Content.BySlug(context.Background(), "en", demo.DemoCallSlug)
			if err != nil {
				t.Fatal(err)
			}
			c, _ := calls.Of(e)
			fn(t, &site{Site: sa, entryID: e.ID, call: c}, &site{Site: sb, entryID: e.ID, call: c})
		})
	})
}

// eachStore runs fn with the address of a store of applicants' files:
// a folder of its own, and with PEERPRESS_TEST_S3 a bucket (the "/s3"
// subtests).
func eachStore(t *testing.T, fn func(t *testing.T, at string)) {
	stores := map[string]func(t *testing.T) string{"folder": func(t *testing.T) string { return filepath.Join(t.TempDir(), "applications") }}
	if addr := os.Getenv("PEERPRESS_TEST_S3"); addr != "" {
		stores["s3"] = func(t *testing.T) string { return testBucket(t, addr) }
	}
	for name, store := range stores {
		t.Run(name, func(t *testing.T) { fn(t, store(t)) })
	}
}

// testBucket is an s3:// address of applicants' files under a prefix of
// the test's own in the bucket the tests share.
func testBucket(t testing.TB, addr string) string {
	u, err := url.Parse(addr)
	if err != nil || u.Host == "" {
		t.Fatalf("PEERPRESS_TEST_S3=%q is not an http://host:port address", addr)
	}
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	cfg := media.S3Config{Endpoint: u.Host, Bucket: "peerpress-test", Region: "us-east-1"}
	if err := media.MakeS3Bucket(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	return "s3://peerpress-test/apps-" + hex.EncodeToString(b[:]) + "?endpoint=" + u.Host + "&secure=false&region=us-east-1"
}

// A resumable upload begun through one instance, whose connection drops,
// continues through another (the load balancer sent the retry there): the
// second instance knows the offset, takes the rest, and keeps the
// cleaned file, which the applicant's page shows on both.
func TestUploadContinuesOnAnotherInstance(t *testing.T) {
	twoInstances(t, func(t *testing.T, a, b *site) {
		c := a.Client()
		manage := a.applyAndConfirm(c, "two@example.org")
		token := manage[strings.LastIndex(manage, "/")+1:]
		video := phoneVideo(t, 2)
		ua, ub := tus{t: t, base: a.Server.URL}, tus{t: t, base: b.Server.URL}
		path := ua.create(token, len(video))
		half := len(video) / 2
		dropMidway(t, a.Server.URL, path, video, half)
		if at := ub.offset(path); at != half {
			t.Fatalf("the other instance says offset %d, want the %d bytes sent to the first", at, half)
		}
		if res := ub.patch(path, half, video[half:]); res.StatusCode != http.StatusNoContent {
			t.Fatalf("the rest through the other instance: %d", res.StatusCode)
		}
		for _, s := range []*site{a, b} {
			s.Client().Get(manage).Must(t, http.StatusOK, "Sent: phone film.mp4")
		}
		var blobKey string
		if err := a.App.DB.QueryRowContext(context.Background(), `SELECT blob_key FROM application_files`).Scan(&blobKey); err != nil {
			t.Fatal(err)
		}
		kept, err := b.App.Calls.Blobs().Open(context.Background(), blobKey)
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(kept)
		kept.Close()
		if tags := probeTags(t, data); strings.Contains(tags, "48.8584") || len(data) == 0 {
			t.Fatalf("the kept file (%d bytes) has its location: %s", len(data), tags)
		}
		// The parts go once the file is kept. (SeaweedFS may list a key
		// for a moment after answering its deletion: it is given 5 s.)
		for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(100 * time.Millisecond) {
			var left []string
			for k, err := range a.App.Calls.Blobs().List(context.Background(), "uploads/") {
				if err != nil {
					t.Fatal(err)
				}
				left = append(left, k)
			}
			if len(left) == 0 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("upload parts left: %v", left)
			}
		}
	})
}

// On PostgreSQL two instances never write one upload at once: while one
// receives a PATCH, a PATCH of the same upload through the other waits
// for it, then finds the offset moved (409), rather than writing the same
// bytes beside it.
func TestUploadLockedAcrossInstances(t *testing.T) {
	twoInstances(t, func(t *testing.T, a, b *site) {
		if a.App.DB.Engine != db.Postgres {
			return // an SQLite site is one process: its lock is tusd's, in memory (TestTusUploadResumes)
		}
		c := a.Client()
		manage := a.applyAndConfirm(c, "lock@example.org")
		token := manage[strings.LastIndex(manage, "/")+1:]
		video := phoneVideo(t, 2)
		ua, ub := tus{t: t, base: a.Server.URL}, tus{t: t, base: b.Server.URL}
		path := ua.create(token, len(video))
		half := len(video) / 2
		// A slow client on the first instance: half the body, then silence.
		host := strings.TrimPrefix(a.Server.URL, "http://")
		conn, err := net.Dial("tcp", host)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		head := "PATCH " + path + " HTTP/1.1\r\nHost: " + host + "\r\nTus-Resumable: 1.0.0\r\n" +
			"Upload-Offset: 0\r\nContent-Type: application/offset+octet-stream\r\nContent-Length: " + strconv.Itoa(len(video)) + "\r\n\r\n"
		if _, err := conn.Write(append([]byte(head), video[:half]...)); err != nil {
			t.Fatal(err)
		}
		time.Sleep(500 * time.Millisecond) // the first instance holds the lock
		answered := make(chan int, 1)
		go func() { answered <- ub.patch(path, 0, video).StatusCode }()
		select {
		case code := <-answered:
			t.Fatalf("the other instance answered %d while the upload was being written", code)
		case <-time.After(time.Second):
		}
		// The slow client goes: the first instance keeps its half and lets
		// the lock go; the waiting PATCH now finds the offset moved.
		if err := conn.(*net.TCPConn).CloseWrite(); err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, conn)
		select {
		case code := <-answered:
			if code != http.StatusConflict {
				t.Fatalf("the waiting PATCH at offset 0: %d, want 409", code)
			}
		case <-time.After(25 * time.Second):
			t.Fatal("the waiting PATCH never got the lock")
		}
		if at := ub.offset(path); at != half {
			t.Fatalf("offset %d, want the %d bytes of the first instance", at, half)
		}
	})
}
