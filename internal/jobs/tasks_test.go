package jobs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"peerpress/internal/db"
	"peerpress/internal/db/dbtest"
)

// Four instances on one database, all trying every slot at the same
// moment: each slot runs exactly once.
func TestTaskOncePerSlot(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		var mu sync.Mutex
		runs := map[int64]int{}
		var slot int64
		task := Task{Name: "purge", Every: time.Minute, Run: func(ctx context.Context) error {
			mu.Lock()
			runs[slot]++
			mu.Unlock()
			return nil
		}}
		queues := []*Queue{New(d)}
		for range 3 {
			queues = append(queues, New(dbtest.OpenSecond(t, d)))
		}
		start := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
		for i := range 20 {
			now := start.Add(time.Duration(i) * time.Minute)
			slot = slotOf(now, task.Every)
			var won atomic.Int32
			var wg sync.WaitGroup
			for _, q := range queues {
				wg.Go(func() {
					if q.trySlot(ctx, ctx, task, slot, now) {
						won.Add(1)
					}
				})
			}
			wg.Wait()
			if won.Load() != 1 {
				t.Fatalf("slot %d: %d instances ran it", i, won.Load())
			}
			// An instance whose clock is behind finds the slot before
			// taken too.
			if queues[0].trySlot(ctx, ctx, task, slot-1, now.Add(-time.Minute)) {
				t.Fatalf("slot %d ran again late", i-1)
			}
		}
		if len(runs) != 20 {
			t.Fatalf("%d slots ran, want 20", len(runs))
		}
		for s, n := range runs {
			if n != 1 {
				t.Errorf("slot %d ran %d times", s, n)
			}
		}
	})
}

// Two running instances with a task of every 100 ms: the slots go on
// running, and never more runs than slots went by.
func TestTaskRunnerAcrossInstances(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		const every = 100 * time.Millisecond
		var runs atomic.Int32
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		start := time.Now()
		for _, h := range []*db.DB{d, dbtest.OpenSecond(t, d)} {
			q := New(h)
			q.Schedule(Task{Name: "tick", Every: every, Run: func(ctx context.Context) error { runs.Add(1); return nil }})
			wg.Go(func() { q.Run(ctx, 1) })
		}
		deadline := start.Add(20 * time.Second)
		for runs.Load() < 5 && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		cancel()
		wg.Wait()
		slots := slotOf(time.Now(), every) - slotOf(start, every) + 1
		if n := int64(runs.Load()); n < 5 || n > slots {
			t.Fatalf("%d runs in %d slots; want at least 5, at most one per slot", n, slots)
		}
	})
}

// A task that fails or panics is tried again in the next slot, and the
// runner goes on.
func TestTaskFailureAndPanic(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		q := New(d)
		calls := 0
		task := Task{Name: "flaky", Every: time.Hour, Run: func(ctx context.Context) error {
			calls++
			switch calls {
			case 1:
				panic("boom")
			case 2:
				return errors.New("server down")
			}
			return nil
		}}
		now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
		for i := range 3 {
			if !q.trySlot(ctx, ctx, task, slotOf(now, task.Every), now) {
				t.Fatalf("slot %d did not run", i)
			}
			now = now.Add(time.Hour)
		}
		if calls != 3 {
			t.Fatalf("%d calls, want 3", calls)
		}
	})
}

// A task is also run when its Due says so, before its next slot.
func TestTaskDue(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		q := New(d)
		var calls atomic.Int32
		var due atomic.Bool
		due.Store(true)
		q.Schedule(Task{Name: "publish", Every: time.Hour,
			Run: func(ctx context.Context) error { calls.Add(1); return nil },
			Due: func(ctx context.Context) (time.Time, bool, error) {
				if !due.Load() {
					return time.Time{}, false, nil
				}
				return time.Now(), true, nil
			},
		})
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { q.Run(ctx, 1); close(done) }()
		defer func() { cancel(); <-done }()
		deadline := time.Now().Add(20 * time.Second)
		for calls.Load() < 2 && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		if n := calls.Load(); n < 2 {
			t.Fatalf("%d calls: the due time did not run the task before its next slot", n)
		}
	})
}

// A task marked AtStart runs when an instance starts even though another
// instance ran the current slot; one without the mark waits for the next.
func TestTaskAtStart(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		ok := func(ctx context.Context) error { return nil }
		now := time.Now()
		first := New(d)
		for _, name := range []string{"optimize", "purge"} {
			if !first.trySlot(ctx, ctx, Task{Name: name, Every: time.Hour, Run: ok}, slotOf(now, time.Hour), now) {
				t.Fatalf("%s: the first instance did not run the slot", name)
			}
		}
		var optimized, purged atomic.Int32
		q := New(dbtest.OpenSecond(t, d))
		q.now = func() time.Time { return now } // the hour cannot turn under the test
		q.Schedule(
			Task{Name: "optimize", Every: time.Hour, AtStart: true, Run: func(ctx context.Context) error { optimized.Add(1); return nil }},
			Task{Name: "purge", Every: time.Hour, Run: func(ctx context.Context) error { purged.Add(1); return nil }},
		)
		runCtx, cancel := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { q.Run(runCtx, 1); close(done) }()
		deadline := time.Now().Add(20 * time.Second)
		for optimized.Load() == 0 && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		cancel()
		<-done
		if optimized.Load() != 1 || purged.Load() != 0 {
			t.Fatalf("at start: optimize ran %d times, purge %d; want 1 and 0", optimized.Load(), purged.Load())
		}
	})
}

func TestScheduleRefusesMistakes(t *testing.T) {
	q := New(nil)
	ok := func(ctx context.Context) error { return nil }
	q.Schedule(Task{Name: "a", Every: time.Minute, Run: ok})
	for _, bad := range []Task{
		{Name: "", Every: time.Minute, Run: ok},
		{Name: "b", Run: ok},
		{Name: "c", Every: time.Minute},
		{Name: "a", Every: time.Minute, Run: ok},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("task %+v accepted", bad)
				}
			}()
			q.Schedule(bad)
		}()
	}
}

// A slot whose claim the database did not answer (PostgreSQL restarting)
// is claimed again once the database is back, within the slot: a daily
// task does not lose its day to a restart at midnight. (SQLite has no
// server to lose.)
func TestTaskClaimedOnceTheDatabaseIsBack(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		if d.Engine != db.Postgres {
			return
		}
		through, proxy := dbtest.OpenThrough(t, d)
		q := New(through)
		q.poll = 20 * time.Millisecond
		ran := make(chan struct{}, 1)
		q.Schedule(Task{Name: "daily", Every: 24 * time.Hour, Run: func(context.Context) error {
			ran <- struct{}{}
			return nil
		}})
		proxy.Cut()
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() {
			q.Run(ctx, 1)
			close(done)
		}()
		defer func() {
			cancel()
			<-done
		}()
		time.Sleep(200 * time.Millisecond) // a few claims fail meanwhile
		select {
		case <-ran:
			t.Fatal("the task ran while the database was away")
		default:
		}
		proxy.Restore()
		select {
		case <-ran:
		case <-time.After(30 * time.Second):
			t.Fatal("the day's slot was not claimed once the database was back")
		}
	})
}

// A task whose run met the database away (the connection cut midway) runs
// again in a moment, within its slot, rather than waiting for the next
// slot: a day, for a daily purge. A task that failed otherwise waits.
func TestTaskRunAgainAfterTheDatabaseWasAway(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		q := New(d)
		q.poll = 10 * time.Millisecond
		var away, broken atomic.Int32
		ran := make(chan string, 4)
		q.Schedule(Task{Name: "away", Every: 24 * time.Hour, Run: func(context.Context) error {
			if away.Add(1) == 1 {
				return fmt.Errorf("purge: %w", io.ErrUnexpectedEOF)
			}
			ran <- "away"
			return nil
		}}, Task{Name: "broken", Every: 24 * time.Hour, Run: func(context.Context) error {
			broken.Add(1)
			return errors.New("a bug")
		}})
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() {
			q.Run(ctx, 1)
			close(done)
		}()
		select {
		case <-ran:
		case <-time.After(30 * time.Second):
			t.Fatal("the task that met the database away did not run again")
		}
		for broken.Load() == 0 {
			time.Sleep(time.Millisecond)
		}
		time.Sleep(20 * q.poll) // time enough for a wrong retry
		cancel()
		<-done
		if n := broken.Load(); n != 1 {
			t.Fatalf("the task that failed otherwise ran %d times in its slot, want 1", n)
		}
	})
}
