package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"time"

	"peerpress/internal/db"
)

// Task is work done periodically, once per slot across all the instances
// that share the database: reminders that are due, a purge, upkeep. A
// feature declares its tasks and the composition root gives them to
// Schedule.
type Task struct {
	// Name identifies the task in the database and in the log, such as
	// "events/reminders" (a slash, so that it is not taken for a message
	// key). Keep it stable: it keys the task's slots.
	Name string
	// Every is the length of a slot. Slots are counted from the Unix
	// epoch, so that every instance agrees on them: a task of every
	// minute runs at the start of each minute, one of every 24 hours
	// after midnight UTC, and at the start of a process whose current
	// slot has not run yet.
	Every time.Duration
	// Run does the work. An error is logged and the task tried again in
	// the next slot; a panic counts as an error. Errors are logged as
	// they are, so they must not carry personal data.
	Run func(ctx context.Context) error
	// Due, when set, says when the task is wanted before its next slot,
	// such as the time of the next scheduled publication. Every instance
	// then runs it at that moment (a second after it, as times are kept
	// in seconds), on its own, outside the once-per-slot rule: a task with
	// Due must be harmless to run twice at once, such as an UPDATE of what
	// is due.
	Due func(ctx context.Context) (at time.Time, ok bool, err error)
	// AtStart runs the task also when Run starts, on every instance, if
	// the current slot was run already: for work a restart may call for,
	// such as the planner's statistics after a bulk load.
	AtStart bool
}

// Schedule adds periodic tasks, which Run runs beside the workers. It
// panics on a task without a name, period or function, or with a name
// already scheduled: those are mistakes in the code, not in the data.
func (q *Queue) Schedule(tasks ...Task) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, t := range tasks {
		if t.Name == "" || t.Every <= 0 || t.Run == nil {
			panic(fmt.Sprintf("jobs: task %q needs a name, a period and a function", t.Name))
		}
		for _, old := range q.tasks {
			if old.Name == t.Name {
				panic(fmt.Sprintf("jobs: task %q scheduled twice", t.Name))
			}
		}
		q.tasks = append(q.tasks, t)
	}
}

// runTask runs t in each slot this instance wins, and at the moments its
// Due names, until ctx ends. It claims slots under ctx and runs t under
// work, which outlives ctx by the queue's grace.
func (q *Queue) runTask(ctx, work context.Context, t Task) {
	last := int64(math.MinInt64) // the last slot this instance tried
	early := false               // woken by Due rather than by the next slot
	// owed: this instance won the last slot, but the database did not
	// answer the run; it runs again in a moment, within the slot.
	owed := false
	for started := false; ctx.Err() == nil; started = true {
		now := q.now()
		slot := slotOf(now, t.Every)
		unclaimed := false // the database did not answer the claim
		switch {
		case slot > last:
			won, err := q.claimSlot(ctx, t, slot, now)
			owed = false
			switch {
			case err != nil:
				// Tried again soon, within the slot: a database restart
				// at midnight must not cost a daily purge its day.
				unclaimed = true
			case won:
				last = slot
				owed = db.Unavailable(q.runTaskOnce(work, t))
			default:
				last = slot
				if !started && t.AtStart && ctx.Err() == nil {
					q.runTaskOnce(work, t)
				}
			}
		case owed || early:
			owed = db.Unavailable(q.runTaskOnce(work, t)) && owed
		}
		now = q.now()
		wait := time.Duration((slot+1)*int64(t.Every) - now.UnixNano())
		if unclaimed || owed {
			wait = min(wait, q.poll)
		}
		early = false
		if t.Due != nil {
			if at, ok, err := t.Due(ctx); err != nil {
				if ctx.Err() == nil {
					slog.Error("task: when due", "task", t.Name, "err", err)
				}
			} else if ok {
				if d := max(at.Sub(now)+time.Second, time.Second); d < wait {
					wait, early = d, true
				}
			}
		}
		timer := time.NewTimer(max(wait, time.Millisecond))
		select {
		case <-ctx.Done():
		case <-timer.C:
		}
		timer.Stop()
	}
}

// slotOf is the number of the slot of length every that holds now.
func slotOf(now time.Time, every time.Duration) int64 {
	ns := now.UnixNano()
	s := ns / int64(every)
	if ns < 0 && ns%int64(every) != 0 {
		s-- // floor, for clocks before 1970 in tests
	}
	return s
}

// trySlot runs t if this instance is the first to claim slot, and
// reports whether it was.
//
// The claim is one statement: the task's row holds the last slot claimed,
// and an upsert raises it only if it is lower. On PostgreSQL a second
// instance's upsert waits for the first's row lock and then finds the slot
// taken (INSERT … ON CONFLICT DO UPDATE decides on the latest committed
// row, even under READ COMMITTED); on SQLite, one writer at a time, across
// processes too, does the same. So each slot is claimed once. An instance
// that dies while running its task loses that slot: the next one runs.
func (q *Queue) trySlot(ctx, work context.Context, t Task, slot int64, now time.Time) bool {
	won, err := q.claimSlot(ctx, t, slot, now)
	if err != nil || !won {
		return false
	}
	q.runTaskOnce(work, t)
	return true
}

// claimSlot claims slot for t (see trySlot), and reports whether this
// instance won it; an error says the database did not answer, and the
// slot may still be free.
func (q *Queue) claimSlot(ctx context.Context, t Task, slot int64, now time.Time) (bool, error) {
	res, err := q.db.ExecContext(ctx, `INSERT INTO task_slots (name, slot, claimed_at) VALUES (?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET slot = excluded.slot, claimed_at = excluded.claimed_at
		WHERE task_slots.slot < excluded.slot`, t.Name, slot, now.Unix())
	var n int64
	if err == nil {
		n, err = res.RowsAffected()
	}
	if err != nil {
		if ctx.Err() == nil {
			slog.Error("task: claim its slot; tried again in a moment", "task", t.Name, "err", err)
		}
		return false, err
	}
	return n == 1, nil
}

// runTaskOnce runs t, logging its error or panic.
// runTaskOnce runs t, logging its error or panic, which it returns.
func (q *Queue) runTaskOnce(ctx context.Context, t Task) error {
	err := run(ctx, func(ctx context.Context, _ []byte) error { return t.Run(ctx) }, nil)
	switch {
	case db.Unavailable(err):
		slog.Error("task failed: the database does not answer; tried again in a moment", "task", t.Name, "err", err)
	case err != nil:
		slog.Error("task failed; next slot tries again", "task", t.Name, "err", err)
	}
	return err
}
