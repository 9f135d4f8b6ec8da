package updates_test

import (
	"context"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"peerpress/internal/app"
	"peerpress/internal/content"
	"peerpress/internal/db"
	"peerpress/internal/db/dbtest"
	"peerpress/internal/demo"
	"peerpress/internal/mail"
	"peerpress/internal/secret"
	"peerpress/internal/updates"
)

// The budget of issue 20: queue an update for 100,000 subscribers in
// under 10 s; send at 500 messages/s or more to an SMTP server on
// loopback with the rate limit off; resident memory flat while sending.
//
//	go test ./internal/updates -run '^$' -bench Updates -benchtime 1x
//
// UPDATES_BENCH_QUEUE (100000) subscribers are queued,
// UPDATES_BENCH_SEND (5000) are sent to; UPDATES_BENCH_ENGINE=postgres
// runs on PostgreSQL (PEERPRESS_TEST_POSTGRES).

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// countingSMTP is an SMTP server on loopback that reads and counts what
// it receives and keeps nothing, so that its memory is not the site's.
type countingSMTP struct{ n atomic.Int64 }

type countSession struct{ srv *countingSMTP }

func (s countSession) Reset()                               {}
func (s countSession) Logout() error                        { return nil }
func (s countSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s countSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (s countSession) Data(r io.Reader) error {
	_, err := io.Copy(io.Discard, r)
	s.srv.n.Add(1)
	return err
}
func (c *countingSMTP) session(*smtp.Conn) (smtp.Session, error) { return countSession{c}, nil }

func benchSite(b *testing.B, subscribers int) (*app.App, *countingSMTP, int64) {
	b.Helper()
	ctx := context.Background()
	var d *db.DB
	if os.Getenv("UPDATES_BENCH_ENGINE") == "postgres" {
		d = dbtest.NewPostgres(b)
	} else {
		d = dbtest.NewSQLite(b)
	}
	if _, err := demo.Load(ctx, d, []string{"en", "es"}); err != nil {
		b.Fatal(err)
	}
	cs := &countingSMTP{}
	srv := smtp.NewServer(smtp.BackendFunc(cs.session))
	srv.Domain, srv.AllowInsecureAuth = "localhost", true
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	go srv.Serve(ln)
	b.Cleanup(func() { srv.Close() })
	a, err := app.New(ctx, app.Config{DataDir: b.TempDir(), Languages: []string{"en", "es"}, TimeZone: "UTC", SiteKey: secret.NewKey(),
		Mail: mail.Config{URL: "smtp://" + ln.Addr().String() + "?tls=none", From: "network@example.org"}}, d)
	if err != nil {
		b.Fatal(err)
	}
	// The subscribers, as an import would add them.
	var csv strings.Builder
	csv.WriteString("email,language,consent_date,consent_source\n")
	for i := range subscribers {
		lang := "en"
		if i%3 == 0 {
			lang = "es"
		}
		csv.WriteString("member" + strconv.Itoa(i) + "@example.org," + lang + ",2025-01-01,bench\n")
	}
	rows, err := updates.ParseImport([]byte(csv.String()), []string{"en", "es"}, time.Now())
	if err != nil {
		b.Fatal(err)
	}
	if res, err := a.Updates.Store.Import(ctx, rows, false, "https://example.org"); err != nil || res.Added != subscribers {
		b.Fatalf("import: %+v %v", res, err)
	}
	past := time.Now().Add(-time.Hour)
	id, err := a.Content.SaveEntry(ctx, 0, content.EntryInput{Kind: updates.Kind}, content.TranslationInput{Lang: "en", Title: "Bench update",
		Slug: "bench-update", Summary: "A summary.", Body: "Some **news** for members.", Status: content.Published, PublishAt: past}, 0)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := a.Content.SaveTranslation(ctx, id, content.TranslationInput{Lang: "es", Title: "Boletín de prueba", Slug: "boletin-prueba",
		Summary: "Un resumen.", Body: "Noticias.", Status: content.Published, PublishAt: past}, 0); err != nil {
		b.Fatal(err)
	}
	return a, cs, id
}

// rssKB reads this process's resident memory.
func rssKB() int {
	b, _ := os.ReadFile("/proc/self/status")
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			n, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			return n
		}
	}
	return 0
}

func BenchmarkUpdatesQueue(b *testing.B) {
	n := envInt("UPDATES_BENCH_QUEUE", 100_000)
	a, _, id := benchSite(b, n)
	ctx := context.Background()
	for b.Loop() {
		if err := a.Updates.Sender.Schedule(ctx, id, time.Now(), "https://example.org"); err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		queued, err := a.Updates.Sender.QueueNow(ctx, id)
		if err != nil || int(queued) != n {
			b.Fatalf("queued %d of %d: %v", queued, n, err)
		}
		b.ReportMetric(time.Since(start).Seconds(), "s/queue")
	}
	b.ReportMetric(float64(n), "subscribers")
}

func BenchmarkUpdatesSend(b *testing.B) {
	n := envInt("UPDATES_BENCH_SEND", 5000)
	a, cs, id := benchSite(b, n)
	ctx := context.Background()
	for b.Loop() {
		if err := a.Updates.Sender.Schedule(ctx, id, time.Now(), "https://example.org"); err != nil {
			b.Fatal(err)
		}
		if _, err := a.Updates.Sender.QueueNow(ctx, id); err != nil {
			b.Fatal(err)
		}
		runCtx, stop := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { a.Jobs.Run(runCtx, 4); close(done) }()
		start, rss0, rssMax := time.Now(), rssKB(), 0
		var rssAtHalf int
		for cs.n.Load() < int64(n) {
			time.Sleep(100 * time.Millisecond)
			rssMax = max(rssMax, rssKB())
			if rssAtHalf == 0 && cs.n.Load() >= int64(n/2) {
				rssAtHalf = rssKB()
			}
			if time.Since(start) > 10*time.Minute {
				b.Fatalf("only %d of %d sent in 10 minutes", cs.n.Load(), n)
			}
		}
		elapsed := time.Since(start)
		stop()
		<-done
		p, err := a.Updates.Sender.Progress(ctx, id)
		if err != nil || p.Sent != n {
			b.Fatalf("progress %+v %v", p, err)
		}
		b.ReportMetric(float64(n)/elapsed.Seconds(), "msg/s")
		b.ReportMetric(float64(rss0)/1024, "MB-rss-start")
		b.ReportMetric(float64(rssAtHalf)/1024, "MB-rss-half")
		b.ReportMetric(float64(rssMax)/1024, "MB-rss-max")
	}
}
