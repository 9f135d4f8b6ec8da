package app_test

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"context"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"net/http/httptest"
	"net/url"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"

	"peerpress/internal/app"
	"peerpress/internal/app/apptest"
	"peerpress/internal/db/dbtest"
	"peerpress/internal/demo"
	"peerpress/internal/guard"
	"peerpress/internal/secret"
	"peerpress/internal/web/webtest"
)

// BenchmarkAttackMemory repeats the security audit's memory attacks
// (F3) on one server at once: 200 sign-in attempts in parallel with
// unknown emails, and twelve anonymous tributes with the heaviest photos
// a visitor can send (four each of: a 16-bit 40-megapixel PNG of 320 KB,
// an 8-bit 40-megapixel PNG, an 8-bit 25-megapixel PNG, which is
// accepted). It reports the process's peak resident memory during the
// attack (peak-RSS-MB); the budget is 300 MB. Run it alone, since the
// peak is the whole test binary's:
//
//	go test ./internal/app -run '^$' -bench AttackMemory -benchtime 1x
func BenchmarkAttackMemory(b *testing.B) {
	app.SoftMemoryLimit() // as serve does
	ctx := context.Background()
	d := dbtest.NewSQLite(b)
	login, err := demo.Load(ctx, d, []string{"en"})
	if err != nil {
		b.Fatal(err)
	}
	a, err := app.New(ctx, app.Config{DataDir: b.TempDir(), Languages: []string{"en"}, TimeZone: "UTC", SiteKey: secret.NewKey()}, d)
	if err != nil {
		b.Fatal(err)
	}
	// A guard that lets the attack through quickly: as from many addresses.
	a.Guard = guard.New([]byte("bench guard key"), guard.NewDBStore(d), apptest.QuickGuard())
	if err := a.Rebuild(ctx); err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(a.Handler)
	defer srv.Close()

	// The demo campaign's wall, opened by its editor.
	const slug = "remember-every-name"
	e, err := a.Content.BySlug(ctx, "en", slug)
	if err != nil {
		b.Fatal(err)
	}
	admin := webtest.NewClient(b, srv.URL)
	csrf := admin.SignIn(login.Email, login.Password)
	admin.Post("/admin/entries/"+strconv.FormatInt(e.ID, 10)+"/campaign", url.Values{"csrf": {csrf}, "lang": {"en"},
		"wall_open": {"yes"}, "starts_on": {"2026-08-01"}, "ends_on": {"2026-08-31"}}).Must(b, 303)

	photos := []struct {
		name        string
		w, h, depth int
		status      int
	}{
		{"16-bit 40 MP", 8000, 5000, 16, 422},
		{"8-bit 40 MP", 8000, 5000, 8, 422},
		{"8-bit 25 MP", 5000, 5000, 8, 303},
	}
	pngs := make([][]byte, len(photos))
	for i, p := range photos {
		pngs[i] = blankPNG(b, p.w, p.h, p.depth)
	}

	for b.Loop() {
		runtime.GC()
		resetPeakRSS(b)
		before := statusKB(b, "VmRSS:")
		var wg sync.WaitGroup
		failures := make(chan string, 300)
		for i := range 200 {
			wg.Go(func() {
				c := webtest.NewClient(b, srv.URL)
				r := c.Post("/admin/login", url.Values{"email": {fmt.Sprintf("nobody%d@example.org", i)}, "password": {"guess-" + strconv.Itoa(i)}})
				if r.Status >= 500 {
					failures <- fmt.Sprintf("sign-in: %d", r.Status)
				}
			})
		}
		for i := range 12 {
			p := photos[i%len(photos)]
			data := pngs[i%len(photos)]
			wg.Go(func() {
				c := webtest.NewClient(b, srv.URL)
				wall := "/en/campaigns/" + slug + "/tributes"
				f := c.GuardedForm(wall+"/new", 8, apptest.FormWait, url.Values{"remembered": {"Name " + strconv.Itoa(i)},
					"body": {"Remembered."}, "email": {fmt.Sprintf("friend%d@example.org", i)}, "consent_publish": {"yes"}, "consent_rights": {"yes"}})
				r := c.PostFile(wall, f, "photo", "photo.png", data)
				if r.Status != p.status {
					failures <- fmt.Sprintf("%s: status %d, want %d: %s", p.name, r.Status, p.status, errorLines(r.Body))
				}
			})
		}
		wg.Wait()
		close(failures)
		for f := range failures {
			b.Error(f)
		}
		b.ReportMetric(float64(before)/(1<<10), "RSS-before-MB")
		b.ReportMetric(float64(statusKB(b, "VmHWM:"))/(1<<10), "peak-RSS-MB")
	}
}

// blankPNG is a PNG of w×h black RGBA pixels at depth bits a channel,
// compressed row by row as it is written: the test never holds the
// decoded image, which is what the server must not do either.
func blankPNG(b *testing.B, w, h, depth int) []byte {
	b.Helper()
	var out bytes.Buffer
	out.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(typ string, data []byte) {
		binary.Write(&out, binary.BigEndian, uint32(len(data)))
		out.WriteString(typ)
		out.Write(data)
		crc := crc32.NewIEEE()
		crc.Write([]byte(typ))
		crc.Write(data)
		binary.Write(&out, binary.BigEndian, crc.Sum32())
	}
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], uint32(w))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(h))
	ihdr[8], ihdr[9] = byte(depth), 6 // RGBA
	chunk("IHDR", ihdr)
	var idat bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&idat, zlib.BestCompression)
	row := make([]byte, 1+w*4*depth/8) // filter byte 0, then black
	for range h {
		zw.Write(row)
	}
	zw.Close()
	chunk("IDAT", idat.Bytes())
	chunk("IEND", nil)
	return out.Bytes()
}

// resetPeakRSS starts the kernel's count of the process's peak resident
// memory afresh (Linux: writing 5 to clear_refs).
func resetPeakRSS(b *testing.B) {
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		b.Skipf("cannot reset the peak resident memory here: %v", err)
	}
}

// statusKB reads one of the kernel's figures of this process in kB:
// VmRSS, its resident memory now; VmHWM, its peak since resetPeakRSS.
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

// errorLines are the lines of a page that carry an error message.
func errorLines(page string) string {
	var out []string
	for l := range strings.Lines(page) {
		if strings.Contains(l, "error") || strings.Contains(l, "alert") {
			out = append(out, strings.TrimSpace(l))
		}
	}
	return strings.Join(out, "\n")
}
