package media_test

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"peerpress/internal/db"
	"peerpress/internal/db/dbtest"
	"peerpress/internal/media"
)

// With redirects, a stored office document is a redirect whose signed
// address asks the bucket for its type and for attachment, while a PDF
// is served by the handler itself, in its sandbox, which a bucket cannot
// send.
func TestS3RedirectKeepsPDFs(t *testing.T) {
	cfg := s3Store(t, "redirect/")
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		b, err := media.S3(cfg)
		if err != nil {
			t.Fatal(err)
		}
		s := media.NewStore(d, b)
		if err := s.RedirectFor(10 * time.Minute); err != nil {
			t.Fatal(err)
		}
		pdf, err := s.SaveDocument(ctx, bytes.NewReader(plainPDF()), "en", media.DocLimits{})
		if err != nil {
			t.Fatal(err)
		}
		rec := get(t, s.Handler(), "GET", pdf.URL())
		if rec.Code != http.StatusOK || rec.Header().Get("Content-Security-Policy") != "sandbox" || rec.Body.Len() == 0 {
			t.Fatalf("GET %s: %d, CSP %q; want the PDF served here, sandboxed", pdf.URL(), rec.Code, rec.Header().Get("Content-Security-Policy"))
		}
		// An office document's redirect carries what the bucket must send.
		if err := b.Put(ctx, "2026/12/AAAAAAAAAAAAAAAAAAAAAA.docx", strings.NewReader("PK"), 2, ""); err != nil {
			t.Fatal(err)
		}
		rec = get(t, s.Handler(), "GET", "/media/2026/12/AAAAAAAAAAAAAAAAAAAAAA.docx")
		loc := rec.Header().Get("Location")
		if rec.Code != http.StatusFound || !strings.Contains(loc, "response-content-disposition=attachment") ||
			!strings.Contains(loc, "response-content-type=application%2Fvnd.openxmlformats-officedocument.wordprocessingml.document") {
			t.Fatalf("GET a .docx: %d to %q", rec.Code, loc)
		}
		res, err := http.Get(loc)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Disposition") != "attachment" {
			t.Errorf("the signed address: %d, Content-Disposition %q", res.StatusCode, res.Header.Get("Content-Disposition"))
		}
		// Paths of no upload's shape are still 404s, never signed.
		if rec := get(t, s.Handler(), "GET", "/media/applications/x.mp4"); rec.Code != http.StatusNotFound {
			t.Errorf("a path of no upload's shape: %d", rec.Code)
		}
	})
}

// Files in a folder cannot be signed.
func TestRedirectNeedsBucket(t *testing.T) {
	d := dbtest.NewSQLite(t)
	s := media.NewStore(d, media.Dir(t.TempDir()))
	if err := s.RedirectFor(10 * time.Minute); err == nil || !strings.Contains(err.Error(), "bucket") {
		t.Errorf("a folder: %v", err)
	}
}
