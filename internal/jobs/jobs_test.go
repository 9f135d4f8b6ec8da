package jobs

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"peerpress/internal/db"
	"peerpress/internal/db/dbtest"
)

func enqueue(t *testing.T, d *db.DB, kind, payload string, fail bool) {
	t.Helper()
	err := d.InTx(context.Background(), func(tx *db.Tx) error {
		if err := Enqueue(context.Background(), tx, kind, []byte(payload), time.Now()); err != nil {
			return err
		}
		if fail {
			return errors.New("the write that caused the job failed")
		}
		return nil
	})
	if (err != nil) != fail {
		t.Fatalf("enqueue: %v", err)
	}
}

// A job exists exactly when the transaction that enqueued it commits.
func TestEnqueueIsTransactional(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		q := New(d)
		var got []string
		q.Handle("note", func(ctx context.Context, p []byte) error { got = append(got, string(p)); return nil }, 3)
		enqueue(t, d, "note", "committed", false)
		enqueue(t, d, "note", "rolled back", true)
		for {
			ran, err := q.RunOnce(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if !ran {
				break
			}
		}
		if len(got) != 1 || got[0] != "committed" {
			t.Fatalf("ran %v", got)
		}
		if p, f, _ := q.Counts(context.Background()); p != 0 || f != 0 {
			t.Fatalf("after running: %d pending, %d failed", p, f)
		}
	})
}

// A failing job is retried later, and kept as failed after its last try.
func TestRetryThenFail(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		q := New(d)
		now := time.Now()
		q.now = func() time.Time { return now }
		tries := 0
		q.Handle("flaky", func(ctx context.Context, p []byte) error { tries++; return errors.New("server down") }, 3)
		enqueue(t, d, "flaky", "x", false)
		ctx := context.Background()
		if ran, _ := q.RunOnce(ctx); !ran || tries != 1 {
			t.Fatalf("first try: ran %v, tries %d", ran, tries)
		}
		// Not due again until the backoff has passed.
		if ran, _ := q.RunOnce(ctx); ran {
			t.Fatal("retried at once")
		}
		for i := 0; i < 2; i++ {
			now = now.Add(7 * time.Hour)
			if ran, err := q.RunOnce(ctx); !ran || err != nil {
				t.Fatalf("retry %d: %v %v", i, ran, err)
			}
		}
		now = now.Add(7 * time.Hour)
		if ran, _ := q.RunOnce(ctx); ran || tries != 3 {
			t.Fatalf("a failed job ran again: tries %d", tries)
		}
		var lastErr string
		d.QueryRowContext(ctx, `SELECT last_error FROM jobs`).Scan(&lastErr)
		if p, f, _ := q.Counts(ctx); p != 0 || f != 1 || lastErr != "server down" {
			t.Fatalf("%d pending, %d failed, last error %q", p, f, lastErr)
		}
	})
}

// A permanent error fails the job at once; a panic is a failure, not a crash.
func TestPermanentAndPanic(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		q := New(d)
		q.Handle("bad", func(ctx context.Context, p []byte) error { return Permanent(errors.New("malformed")) }, 5)
		q.Handle("boom", func(ctx context.Context, p []byte) error { panic("boom") }, 1)
		enqueue(t, d, "bad", "x", false)
		enqueue(t, d, "boom", "x", false)
		ctx := context.Background()
		q.RunOnce(ctx)
		q.RunOnce(ctx)
		if p, f, _ := q.Counts(ctx); p != 0 || f != 2 {
			t.Fatalf("%d pending, %d failed", p, f)
		}
	})
}

// A worker that dies holding a job leaves it to be claimed again once its
// lease runs out: nothing is lost.
func TestLeaseExpiry(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		q := New(d)
		now := time.Now()
		q.now = func() time.Time { return now }
		q.Handle("mail", func(ctx context.Context, p []byte) error { return nil }, 3)
		enqueue(t, d, "mail", "x", false)
		ctx := context.Background()
		if c, err := q.claim(ctx); err != nil || c == nil {
			t.Fatalf("claim: %v %v", c, err)
		}
		// ...and the worker dies. Another finds nothing while the lease holds.
		if ran, _ := q.RunOnce(ctx); ran {
			t.Fatal("claimed twice during the lease")
		}
		now = now.Add(q.lease + time.Second)
		if ran, err := q.RunOnce(ctx); !ran || err != nil {
			t.Fatalf("after the lease: %v %v", ran, err)
		}
		if p, _, _ := q.Counts(ctx); p != 0 {
			t.Fatal("job left behind")
		}
	})
}

// Several workers run every job exactly once.
func TestConcurrentWorkers(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		q := New(d)
		q.poll = 10 * time.Millisecond
		var mu sync.Mutex
		seen := map[string]int{}
		var done atomic.Int32
		q.Handle("n", func(ctx context.Context, p []byte) error {
			mu.Lock()
			seen[string(p)]++
			mu.Unlock()
			done.Add(1)
			return nil
		}, 1)
		const n = 40
		for i := 0; i < n; i++ {
			enqueue(t, d, "n", time.Duration(i).String(), false)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		go q.Run(ctx, 4)
		for done.Load() < n && ctx.Err() == nil {
			time.Sleep(10 * time.Millisecond)
		}
		cancel()
		mu.Lock()
		defer mu.Unlock()
		if len(seen) != n {
			t.Fatalf("ran %d distinct jobs of %d", len(seen), n)
		}
		for p, c := range seen {
			if c != 1 {
				t.Errorf("job %s ran %d times", p, c)
			}
		}
	})
}

// Jobs of kinds nobody here handles are left for a process that does.
func TestUnknownKindsLeftAlone(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		q := New(d)
		q.Handle("known", func(ctx context.Context, p []byte) error { return nil }, 1)
		enqueue(t, d, "other", "x", false)
		if ran, _ := q.RunOnce(context.Background()); ran {
			t.Fatal("ran a job of a kind it does not handle")
		}
	})
}

func TestBackoff(t *testing.T) {
	if d := Backoff(1); d < 24*time.Second || d > 36*time.Second {
		t.Errorf("first backoff %v", d)
	}
	if d := Backoff(30); d > 7*time.Hour+12*time.Minute {
		t.Errorf("backoff not capped: %v", d)
	}
	if Backoff(5) <= Backoff(1) {
		t.Error("backoff does not grow")
	}
}
