package calls_test

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"peerpress/internal/app"
	"peerpress/internal/db/dbtest"
	"peerpress/internal/demo"
	"peerpress/internal/secret"
)

// BenchmarkLargeUploadMemory uploads one large video (CALLS_BENCH_MB,
// 200 by default; the budget is for 2048) to the demo call
// through the tus endpoint over loopback, in the 8 MB chunks upload.js
// sends, and reports the test process's resident memory before and its
// peak during the upload, checks and cleaning included (ffprobe and
// ffmpeg run as their own processes). The budget is less than 50 MB of
// growth, whatever the size. With PEERPRESS_TEST_S3 the upload's parts
// and the kept file go to a bucket there. Run it alone, since the peak
// is the whole test binary's:
//
//	go test ./internal/calls -run '^$' -bench LargeUploadMemory -benchtime 1x
func BenchmarkLargeUploadMemory(b *testing.B) {
	mb := 200
	if v, err := strconv.Atoi(os.Getenv("CALLS_BENCH_MB")); err == nil && v > 0 {
		mb = v
	}
	ctx := context.Background()
	video := rawVideo(b, mb)
	st, err := os.Stat(video)
	if err != nil {
		b.Fatal(err)
	}
	d := dbtest.NewSQLite(b)
	if _, err := demo.Load(ctx, d, []string{"en"}); err != nil {
		b.Fatal(err)
	}
	cfg := app.Config{DataDir: b.TempDir(), Languages: []string{"en"}, TimeZone: "UTC", SiteKey: secret.NewKey()}
	if addr := os.Getenv("PEERPRESS_TEST_S3"); addr != "" {
		cfg.Applications = testBucket(b, addr) // the parts and the kept file go to the bucket
	}
	a, err := app.New(ctx, cfg, d)
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(a.Handler)
	defer srv.Close()
	e, err := a.Content.BySlug(ctx, "en", demo.DemoCallSlug)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		token, err := a.Calls.ConfirmedApplication(ctx, e.ID, "bench"+strconv.Itoa(b.N)+"@example.org")
		if err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
			b.Skipf("cannot reset the peak resident memory here: %v", err)
		}
		before := statusKB(b, "VmRSS:")
		u := tus{t: nil, base: srv.URL}
		path := u.createB(b, token, st.Size())
		f, err := os.Open(video)
		if err != nil {
			b.Fatal(err)
		}
		const chunk = 8 << 20
		for off := int64(0); off < st.Size(); off += chunk {
			n := min(chunk, st.Size()-off)
			req, _ := http.NewRequest(http.MethodPatch, srv.URL+path, io.NewSectionReader(f, off, n))
			req.ContentLength = n
			req.Header.Set("Tus-Resumable", "1.0.0")
			req.Header.Set("Upload-Offset", strconv.FormatInt(off, 10))
			req.Header.Set("Content-Type", "application/offset+octet-stream")
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != http.StatusNoContent {
				b.Fatalf("PATCH at %d: %d %s", off, res.StatusCode, body)
			}
		}
		f.Close()
		b.ReportMetric(float64(st.Size())/(1<<20), "upload-MB")
		b.ReportMetric(float64(before)/(1<<10), "RSS-before-MB")
		b.ReportMetric(float64(statusKB(b, "VmHWM:")-before)/(1<<10), "RSS-growth-MB")
	}
}

// rawVideo makes a QuickTime file of about mb megabytes cheaply:
// uncompressed frames of ffmpeg's test pattern.
func rawVideo(b *testing.B, mb int) string {
	path := filepath.Join(b.TempDir(), "big.mov")
	frames := mb<<20/(640*480*2) - 1 // under mb MB with the container
	out, err := exec.Command("ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=s=640x480:r=25", "-frames:v", strconv.Itoa(frames),
		"-c:v", "rawvideo", "-pix_fmt", "uyvy422", path).CombinedOutput()
	if err != nil {
		b.Fatalf("ffmpeg: %v\n%s", err, out)
	}
	return path
}

// createB starts an upload for a benchmark.
func (u tus) createB(b *testing.B, token string, size int64) string {
	req, _ := http.NewRequest(http.MethodPost, u.base+"/uploads/applications/", nil)
	req.Header.Set("Tus-Resumable", "1.0.0")
	req.Header.Set("Upload-Length", strconv.FormatInt(size, 10))
	req.Header.Set("Upload-Metadata", meta("token", token, "field", "film", "filename", "big.mov", "lang", "en"))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusCreated {
		b.Fatalf("create: %d", res.StatusCode)
	}
	loc, err := res.Location()
	if err != nil {
		b.Fatal(err)
	}
	return loc.Path
}

// statusKB reads one of the kernel's figures of this process in kB:
// VmRSS, its resident memory now; VmHWM, its peak since clear_refs.
func statusKB(b *testing.B, field string) int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), field); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err != nil {
				b.Fatal(err)
			}
			return kb
		}
	}
	b.Fatalf("no %s in /proc/self/status", field)
	return 0
}
