package media_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"testing"

	"peerpress/internal/media"
	"peerpress/internal/media/blobtest"
)

// s3Store returns the config of an empty store on the S3-compatible
// server that PEERPRESS_TEST_S3 names (http://host:port; scripts/test
// starts SeaweedFS for it): the bucket every test shares, under a prefix
// of this test's own, then prefix. (A bucket each would exhaust the
// server's volumes: SeaweedFS gives each bucket volumes of its own.)
func s3Store(t *testing.T, prefix string) media.S3Config {
	t.Helper()
	addr := os.Getenv("PEERPRESS_TEST_S3")
	if addr == "" {
		t.Skip("no S3-compatible server: set PEERPRESS_TEST_S3=http://host:port (scripts/test starts SeaweedFS)")
	}
	u, err := url.Parse(addr)
	if err != nil || u.Host == "" {
		t.Fatalf("PEERPRESS_TEST_S3=%q is not an http://host:port address", addr)
	}
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	c := media.S3Config{Endpoint: u.Host, Secure: u.Scheme == "https", Region: "us-east-1",
		Bucket: "peerpress-test", Prefix: "t-" + hex.EncodeToString(b[:]) + "/" + prefix,
		AccessKey: "peerpress-test", SecretKey: "peerpress-test-secret"}
	if err := media.MakeS3Bucket(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	return c
}

// A bucket keeps the Blobs contract, with and without a prefix.
func TestS3Conformance(t *testing.T) {
	for _, prefix := range []string{"", "site-one/media/"} {
		t.Run("prefix="+strings.TrimSuffix(prefix, "/"), func(t *testing.T) {
			b, err := media.S3(s3Store(t, prefix))
			if err != nil {
				t.Fatal(err)
			}
			if err := media.CheckS3(context.Background(), b); err != nil {
				t.Fatal(err)
			}
			blobtest.Run(t, b)
		})
	}
}

// A bucket that does not exist, or a store that does not answer, is a
// clear message at start rather than a failed first upload.
func TestS3Unreachable(t *testing.T) {
	c := s3Store(t, "")
	c.Bucket += "-missing"
	b, err := media.S3(c)
	if err != nil {
		t.Fatal(err)
	}
	if err := media.CheckS3(context.Background(), b); err == nil || !strings.Contains(err.Error(), "has no bucket") {
		t.Errorf("a missing bucket: %v", err)
	}
	c.Endpoint = "127.0.0.1:1" // nothing listens there
	b, err = media.S3(c)
	if err != nil {
		t.Fatal(err)
	}
	if err := media.CheckS3(context.Background(), b); err == nil || !strings.Contains(err.Error(), "does not answer") {
		t.Errorf("no server: %v", err)
	}
}

func TestParseS3URL(t *testing.T) {
	for _, c := range []struct {
		in   string
		want media.S3Config
		err  string
	}{
		{in: "s3://media?endpoint=127.0.0.1:8333&secure=false&region=eu", want: media.S3Config{Bucket: "media", Endpoint: "127.0.0.1:8333", Region: "eu"}},
		{in: "s3://media/site-one?endpoint=s3.example.org", want: media.S3Config{Bucket: "media", Endpoint: "s3.example.org", Secure: true, Prefix: "site-one/"}},
		{in: "s3://key:secret@media?endpoint=s3.example.org", err: "environment"},
		{in: "s3://media", err: "no endpoint"},
		{in: "https://media?endpoint=x", err: "not an s3://"},
		{in: "s3://media?endpoint=x&secure=maybe", err: "neither true nor false"},
		{in: "s3://media?endpoint=x&acl=public", err: "unknown setting"},
		{in: "s3://media/../up?endpoint=x", err: "cannot begin a key"},
	} {
		got, err := media.ParseS3URL(c.in)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s: error %v, want one saying %q", c.in, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("%s: %+v, %v; want %+v", c.in, got, err, c.want)
		}
	}
}
