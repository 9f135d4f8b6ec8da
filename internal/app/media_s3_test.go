package app_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"

	"peerpress/internal/app"
	"peerpress/internal/app/apptest"
	"peerpress/internal/db/dbtest"
	"peerpress/internal/media"
	"peerpress/internal/secret"
)

// A site started with --media s3://… keeps an upload in the bucket, not in
// its data folder, and serves it from there, ranges included.
func TestS3MediaOnSite(t *testing.T) {
	addr := os.Getenv("PEERPRESS_TEST_S3")
	if addr == "" {
		t.Skip("no S3-compatible server: set PEERPRESS_TEST_S3=http://host:port (scripts/test starts SeaweedFS)")
	}
	u, err := url.Parse(addr)
	if err != nil {
		t.Fatal(err)
	}
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	// The bucket the tests share (media's tests make it too), under a
	// prefix of this test's own.
	bucket, prefix := "peerpress-test", "site-"+hex.EncodeToString(b[:])
	cfg := media.S3Config{Endpoint: u.Host, Bucket: bucket, Prefix: prefix + "/", Region: "us-east-1"}
	if err := media.MakeS3Bucket(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	at := "s3://" + bucket + "/" + prefix + "?endpoint=" + u.Host + "&secure=false&region=us-east-1"
	apptest.Run(t, apptest.Options{Languages: []string{"en"}, Config: func(c *app.Config) { c.Media = at }}, func(t *testing.T, s *apptest.Site) {
		ctx := context.Background()
		img := image.NewRGBA(image.Rect(0, 0, 64, 48))
		for x := range 64 {
			img.Set(x, x%48, color.RGBA{200, 30, 30, 255})
		}
		var buf bytes.Buffer
		if err := png.Encode(&buf, img); err != nil {
			t.Fatal(err)
		}
		m, err := s.App.Media.SaveImage(ctx, &buf, "A red line", "en", media.DefaultLimits())
		if err != nil {
			t.Fatal(err)
		}
		// In the bucket, under the prefix, and nowhere in the folder.
		blobs, err := media.S3(cfg)
		if err != nil {
			t.Fatal(err)
		}
		stored, err := blobs.Open(ctx, m.Path)
		if err != nil {
			t.Fatalf("the upload is not in the bucket: %v", err)
		}
		want, _ := io.ReadAll(stored)
		stored.Close()
		if _, err := os.Stat(app.MediaDir(s.App.Config)); !os.IsNotExist(err) {
			t.Errorf("the media folder exists (%v): uploads went to the disk", err)
		}
		res, err := http.Get(s.Server.URL + m.URL())
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || !bytes.Equal(got, want) {
			t.Fatalf("GET %s: %d, %d bytes; want the %d stored", m.URL(), res.StatusCode, len(got), len(want))
		}
		req, _ := http.NewRequest(http.MethodGet, s.Server.URL+m.URL(), nil)
		req.Header.Set("Range", "bytes=10-19")
		res, err = http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		part, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusPartialContent || !bytes.Equal(part, want[10:20]) {
			t.Errorf("a range: %d %q, want 206 and bytes 10-19", res.StatusCode, part)
		}
	})
}

// A bucket that does not exist stops the site at start, plainly.
func TestS3MissingBucketStopsStart(t *testing.T) {
	addr := os.Getenv("PEERPRESS_TEST_S3")
	if addr == "" {
		t.Skip("no S3-compatible server: set PEERPRESS_TEST_S3=http://host:port (scripts/test starts SeaweedFS)")
	}
	u, _ := url.Parse(addr)
	_, err := app.Blobs(context.Background(), app.Config{Media: "s3://no-such-bucket-here?endpoint=" + u.Host + "&secure=false"})
	if err == nil || !bytes.Contains([]byte(err.Error()), []byte(`has no bucket "no-such-bucket-here"`)) {
		t.Errorf("start with a missing bucket: %v", err)
	}
}

// With --media-redirect, an image is answered with a redirect to a
// signed address of the bucket, whose answer has the bytes and the
// headers the site would send (PDFs: media's TestS3RedirectKeepsPDFs).
func TestS3MediaRedirect(t *testing.T) {
	addr := os.Getenv("PEERPRESS_TEST_S3")
	if addr == "" {
		t.Skip("no S3-compatible server: set PEERPRESS_TEST_S3=http://host:port (scripts/test starts SeaweedFS)")
	}
	u, err := url.Parse(addr)
	if err != nil {
		t.Fatal(err)
	}
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	bucket, prefix := "peerpress-test", "redirect-"+hex.EncodeToString(b[:])
	if err := media.MakeS3Bucket(context.Background(), media.S3Config{Endpoint: u.Host, Bucket: bucket, Region: "us-east-1"}); err != nil {
		t.Fatal(err)
	}
	at := "s3://" + bucket + "/" + prefix + "?endpoint=" + u.Host + "&secure=false&region=us-east-1"
	// Signing needs credentials, from the environment as a site has them
	// (SeaweedFS without its own accounts takes any).
	t.Setenv("AWS_ACCESS_KEY_ID", "peerpress-test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "peerpress-test-secret")
	apptest.Run(t, apptest.Options{Languages: []string{"en"}, Serial: true, Config: func(c *app.Config) { c.Media, c.MediaRedirect = at, "10m" }}, func(t *testing.T, s *apptest.Site) {
		ctx := context.Background()
		img := image.NewRGBA(image.Rect(0, 0, 32, 32))
		img.Set(3, 3, color.RGBA{10, 200, 30, 255})
		var buf bytes.Buffer
		if err := png.Encode(&buf, img); err != nil {
			t.Fatal(err)
		}
		m, err := s.App.Media.SaveImage(ctx, &buf, "A green dot", "en", media.DefaultLimits())
		if err != nil {
			t.Fatal(err)
		}
		noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		res, err := noFollow.Get(s.Server.URL + m.URL())
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		loc := res.Header.Get("Location")
		if res.StatusCode != http.StatusFound || !strings.HasPrefix(loc, "http://"+u.Host+"/"+bucket+"/"+prefix+"/") ||
			!strings.Contains(loc, "X-Amz-Signature=") {
			t.Fatalf("GET %s: %d to %q, want a redirect to a signed address of the bucket", m.URL(), res.StatusCode, loc)
		}
		if cc := res.Header.Get("Cache-Control"); cc != "public, max-age=300" {
			t.Errorf("the redirect's Cache-Control: %q, want half the signature's 10 minutes", cc)
		}
		res, err = http.Get(loc)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || len(got) == 0 || res.Header.Get("Content-Type") != "image/png" ||
			res.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" {
			t.Fatalf("the signed address: %d, %d bytes, %q, %q", res.StatusCode, len(got), res.Header.Get("Content-Type"), res.Header.Get("Cache-Control"))
		}
	})
}

// Redirects need a bucket, and a duration that S3 can sign for: a site
// asked for them otherwise does not start, and says why.
func TestMediaRedirectRefused(t *testing.T) {
	d := dbtest.NewSQLite(t)
	key := secret.NewKey()
	for value, want := range map[string]string{
		"15m":   "need the media in a bucket",
		"soon":  `"soon" is not a duration`,
		"1000h": "between 1m and 168h",
		"20m":   "signing needs the store's credentials",
	} {
		cfg := app.Config{DataDir: t.TempDir(), Languages: []string{"en"}, TimeZone: "UTC", SiteKey: key, MediaRedirect: value}
		if value == "1000h" || value == "20m" {
			if addr := os.Getenv("PEERPRESS_TEST_S3"); addr != "" {
				u, _ := url.Parse(addr)
				cfg.Media = "s3://peerpress-test?endpoint=" + u.Host + "&secure=false&region=us-east-1"
			} else {
				continue
			}
		}
		_, err := app.New(context.Background(), cfg, d)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("--media-redirect %s: %v, want %q", value, err, want)
		}
	}
}
