package jobs

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"peerpress/internal/db"
	"peerpress/internal/db/dbtest"
)

// A rate-limited kind starts no more jobs than its rate allows, counted
// on a clock the test moves, and jobs of other kinds go past it meanwhile.
func TestRate(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		q := New(d)
		var now time.Time
		q.now = func() time.Time { return now }
		var bulk, urgent int
		q.HandleWith("bulk", func(ctx context.Context, p []byte) error { bulk++; return nil }, Options{MaxAttempts: 1, Rate: 4, Burst: 2})
		q.Handle("urgent", func(ctx context.Context, p []byte) error { urgent++; return nil }, 1)
		for range 100 {
			enqueue(t, d, "bulk", "x", false)
		}
		// The queue's clock starts past every job's run_at, however long
		// the enqueuing took (seconds on a loaded machine), and the urgent
		// job below is due at once by the same clock.
		now = time.Now().Add(time.Second)
		drain := func() {
			t.Helper()
			for {
				ran, err := q.RunOnce(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if !ran {
					return
				}
			}
		}
		drain()
		if bulk != 2 {
			t.Fatalf("at first %d jobs ran, want the burst of 2", bulk)
		}
		if err := d.InTx(ctx, func(tx *db.Tx) error { return Enqueue(ctx, tx, "urgent", []byte("x"), now.Add(-time.Second)) }); err != nil {
			t.Fatal(err)
		}
		drain()
		if urgent != 1 || bulk != 2 {
			t.Fatalf("with bulk at its rate: %d urgent, %d bulk ran; want 1 and 2", urgent, bulk)
		}
		// 4 a second: one every 250 ms. Ten seconds in steps of 50 ms.
		for range 200 {
			now = now.Add(50 * time.Millisecond)
			drain()
		}
		if bulk != 2+40 {
			t.Fatalf("after 10 s at 4 a second: %d ran, want 42", bulk)
		}
	})
}

// The rate holds across instances: two queues on one database share it.
func TestRateAcrossInstances(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		now := time.Now().Add(time.Second)
		var ran atomic.Int32
		queues := []*Queue{New(d), New(dbtest.OpenSecond(t, d))}
		for _, q := range queues {
			q.now = func() time.Time { return now }
			q.HandleWith("bulk", func(ctx context.Context, p []byte) error { ran.Add(1); return nil }, Options{Rate: 2})
		}
		for range 20 {
			enqueue(t, d, "bulk", "x", false)
		}
		for step := range 10 { // 5 s in steps of 500 ms: one job per step
			if step > 0 {
				now = now.Add(500 * time.Millisecond)
			}
			var wg sync.WaitGroup
			for _, q := range queues {
				wg.Go(func() {
					for {
						if ok, err := q.RunOnce(ctx); err != nil || !ok {
							return
						}
					}
				})
			}
			wg.Wait()
			if got := int(ran.Load()); got != step+1 {
				t.Fatalf("after %d steps of 500 ms at 2 a second: %d ran, want %d", step, got, step+1)
			}
		}
	})
}

// A slow kind flooding the queue, held to one job at a time or to a rate,
// leaves the other workers free for a job of another kind.
func TestSaturatedKindDoesNotBlockOthers(t *testing.T) {
	for _, limit := range []struct {
		name string
		opt  Options
	}{
		{"concurrency", Options{MaxAttempts: 1, Concurrency: 1}},
		{"rate", Options{MaxAttempts: 1, Rate: 10}},
	} {
		t.Run(limit.name, func(t *testing.T) {
			dbtest.Run(t, func(t *testing.T, d *db.DB) {
				q := New(d)
				q.poll = 10 * time.Millisecond
				var running, most, bulkDone atomic.Int32
				q.HandleWith("newsletter", func(ctx context.Context, p []byte) error {
					n := running.Add(1)
					for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
					}
					time.Sleep(20 * time.Millisecond)
					running.Add(-1)
					bulkDone.Add(1)
					return nil
				}, limit.opt)
				urgentAfter := make(chan int32, 1)
				q.Handle("confirmation", func(ctx context.Context, p []byte) error {
					urgentAfter <- bulkDone.Load()
					return nil
				}, 1)
				for range 300 {
					enqueue(t, d, "newsletter", "x", false)
				}
				enqueue(t, d, "confirmation", "x", false) // last in the queue's order
				ctx, cancel := context.WithCancel(context.Background())
				done := make(chan struct{})
				go func() { q.Run(ctx, 3); close(done) }()
				defer func() { cancel(); <-done }()
				select {
				case n := <-urgentAfter:
					if n > 30 {
						t.Errorf("the confirmation waited for %d newsletter jobs", n)
					}
				case <-time.After(20 * time.Second):
					t.Fatal("the confirmation did not run while the newsletter flooded the queue")
				}
				if m := most.Load(); limit.opt.Concurrency == 1 && m > 1 {
					t.Errorf("%d newsletter jobs ran at once, want at most 1", m)
				}
			})
		})
	}
}

// When Run's context ends, a job under way finishes with a context that is
// still alive, and is recorded done; no new job is claimed.
func TestRunDrainsOnStop(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		q := New(d)
		q.poll = 10 * time.Millisecond
		started, release := make(chan struct{}), make(chan struct{})
		var runs atomic.Int32
		q.Handle("send", func(ctx context.Context, p []byte) error {
			if runs.Add(1) > 1 {
				return nil
			}
			close(started)
			select {
			case <-release:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}, 3)
		enqueue(t, d, "send", "1", false)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { q.Run(ctx, 2); close(done) }()
		<-started
		enqueue(t, d, "send", "2", false)
		cancel()
		select {
		case <-done:
			t.Fatal("Run returned while a job was under way")
		case <-time.After(100 * time.Millisecond):
		}
		close(release)
		<-done
		if n := runs.Load(); n != 1 {
			t.Errorf("%d jobs ran; the second should wait for the next start", n)
		}
		if p, f, _ := q.Counts(context.Background()); p != 1 || f != 0 {
			t.Fatalf("%d pending, %d failed; want the first done and the second pending", p, f)
		}
	})
}

// A job still running when the grace is over has its context cancelled,
// and is retried later like any failure.
func TestRunGraceEnds(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		q := New(d)
		q.Grace = 50 * time.Millisecond
		started := make(chan struct{})
		q.Handle("stuck", func(ctx context.Context, p []byte) error {
			close(started)
			<-ctx.Done()
			return ctx.Err()
		}, 3)
		enqueue(t, d, "stuck", "x", false)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { q.Run(ctx, 1); close(done) }()
		<-started
		cancel()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatal("Run did not return after its grace")
		}
		var lastErr string
		d.QueryRowContext(context.Background(), `SELECT last_error FROM jobs`).Scan(&lastErr)
		if p, _, _ := q.Counts(context.Background()); p != 1 || lastErr != context.Canceled.Error() {
			t.Fatalf("%d pending, last error %q; want the job kept for a retry", p, lastErr)
		}
	})
}
