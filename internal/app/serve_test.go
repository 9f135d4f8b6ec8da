package app_test

import (
	"context"
	"net"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"peerpress/internal/db"
	"peerpress/internal/jobs"
)

// When the server is told to stop while a job runs, it stops accepting
// requests but returns only once the job has finished — with a context
// that was not cancelled under it — and the job is recorded done, not
// left for a retry that would send its mail twice.
func TestServeDrainsJobsOnStop(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		d := s.App.DB
		started, release := make(chan struct{}), make(chan struct{})
		var completed atomic.Bool
		s.App.Jobs.Handle("test.slow", func(ctx context.Context, p []byte) error {
			close(started)
			select {
			case <-release:
			case <-ctx.Done():
				return ctx.Err()
			}
			completed.Store(true)
			return nil
		}, 3)
		ctx := context.Background()
		if err := d.InTx(ctx, func(tx *db.Tx) error {
			return jobs.Enqueue(ctx, tx, "test.slow", []byte("{}"), time.Now())
		}); err != nil {
			t.Fatal(err)
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := "http://" + ln.Addr().String()
		serveCtx, stop := context.WithCancel(ctx)
		defer stop()
		served := make(chan error, 1)
		go func() { served <- s.App.Serve(serveCtx, ln) }()
		select {
		case <-started:
		case <-time.After(30 * time.Second):
			t.Fatal("the job did not start")
		}
		if r, err := http.Get(addr + "/en/"); err != nil || r.StatusCode != http.StatusOK {
			t.Fatalf("before the stop: %v %v", r, err)
		} else {
			r.Body.Close()
		}
		stop()
		select {
		case err := <-served:
			t.Fatalf("Serve returned (%v) while a job was under way", err)
		case <-time.After(300 * time.Millisecond):
		}
		if r, err := http.Get(addr + "/en/"); err == nil {
			r.Body.Close()
			t.Fatal("a request was accepted after the stop")
		}
		close(release)
		select {
		case err := <-served:
			if err != nil {
				t.Fatalf("Serve: %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Fatal("Serve did not return after the job finished")
		}
		if !completed.Load() {
			t.Fatal("Serve returned before the job completed")
		}
		var left int
		if err := d.QueryRowContext(ctx, `SELECT COUNT(*) FROM jobs WHERE kind = 'test.slow'`).Scan(&left); err != nil || left != 0 {
			t.Fatalf("%d test jobs left (%v): the job was not recorded done", left, err)
		}
	})
}
