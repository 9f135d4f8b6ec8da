// Package jobs is peerpress's durable background queue, kept in the same
// database as everything else: mail, reminders, image variants, purges.
//
// A job is enqueued inside the transaction of the write that causes it, so
// it exists exactly when that write commits, and it survives restarts.
// Workers claim jobs with a lease; a worker that dies leaves its job to be
// claimed again when the lease runs out, so every job runs at least once.
// Failures are retried with exponential backoff up to a job's limit, then
// kept as failed for an operator to see.
//
// Each kind of job may be held to a number running at once in a process
// and to a rate across every instance (Options), so that a flood of one
// kind leaves workers for the others. When told to stop, Run claims
// nothing more and lets the jobs under way finish.
//
// Periodic tasks (Task) run once per slot across every instance sharing
// the database: the first instance to claim a task's slot runs it.
package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"peerpress/internal/db"
)

// Handler runs one job. A returned error schedules a retry.
type Handler func(ctx context.Context, payload []byte) error

// Permanent wraps an error that retrying cannot fix (a malformed payload,
// an address the server refused for good): the job fails at once.
func Permanent(err error) error { return permanentError{err} }

type permanentError struct{ error }

func (p permanentError) Unwrap() error { return p.error }

// Options say how the jobs of one kind run.
type Options struct {
	// MaxAttempts is how often a job may be tried before it is kept as
	// failed; at least 1.
	MaxAttempts int
	// Concurrency is the most jobs of the kind this process runs at once;
	// 0 leaves it to the number of workers. A kind at its limit is skipped
	// by the claim, so the other workers take jobs of other kinds.
	Concurrency int
	// Rate is the most jobs of the kind started per second by all the
	// instances sharing the database together (a mail provider's limit
	// is the account's, not one server's); 0 means no limit. After a
	// quiet spell Burst jobs may start at once; default 1. A kind at its
	// rate is skipped by the claim like one at its concurrency.
	Rate  float64
	Burst int
	// Keep is set by a kind whose payloads carry personal data (a mail's
	// recipient): a job of the kind that failed for good is deleted once
	// it is this old, on the schedule of the data it carries, rather than
	// kept for an operator forever. 0: failed jobs are kept.
	Keep time.Duration
}

type kind struct {
	handler Handler
	opt     Options
	running int   // jobs of the kind this process runs now
	freeAt  int64 // Unix ms from which the rate allows the next job, as this process last saw it
}

// Queue runs the jobs of the kinds registered with Handle, and the tasks
// given to Schedule.
type Queue struct {
	// Grace is how long the jobs and tasks under way may go on once Run's
	// context has ended, before their own context is cancelled. Default
	// 20 s.
	Grace time.Duration
	// Observe, when set, hears how each run of a job ended: "done",
	// "retry" (it failed and will be tried again) or "failed" (for good).
	// Set it before Run.
	Observe func(kind, outcome string)

	db    db.Quiet // the queue's bookkeeping shows on no page
	now   func() time.Time
	lease time.Duration
	poll  time.Duration

	claimMu sync.Mutex // one claim at a time in this process, so no kind exceeds its concurrency
	mu      sync.Mutex
	kinds   map[string]*kind
	tasks   []Task
	wake    chan struct{}
}

// New returns a queue over d.
func New(d *db.DB) *Queue {
	return &Queue{Grace: 20 * time.Second, db: d.Quiet(), now: time.Now, lease: 5 * time.Minute, poll: 2 * time.Second,
		kinds: map[string]*kind{}, wake: make(chan struct{}, 1)}
}

// Handle registers the handler of a kind of job and how often it may be
// tried, with no limit of concurrency or rate.
func (q *Queue) Handle(name string, h Handler, maxAttempts int) {
	q.HandleWith(name, h, Options{MaxAttempts: maxAttempts})
}

// HandleWith registers the handler of a kind of job and how it runs.
func (q *Queue) HandleWith(name string, h Handler, opt Options) {
	opt.MaxAttempts = max(1, opt.MaxAttempts)
	opt.Concurrency = max(0, opt.Concurrency)
	opt.Rate = max(0, opt.Rate)
	opt.Burst = max(1, opt.Burst)
	q.mu.Lock()
	defer q.mu.Unlock()
	k := &kind{handler: h, opt: opt}
	if old, ok := q.kinds[name]; ok {
		k.running, k.freeAt = old.running, old.freeAt
	}
	q.kinds[name] = k
}

// Enqueue adds a job inside tx, to run at runAt or as soon after as a
// worker is free.
func Enqueue(ctx context.Context, tx *db.Tx, kind string, payload []byte, runAt time.Time) error {
	return EnqueueUntil(ctx, tx, kind, payload, runAt, time.Time{})
}

// EnqueueUntil is Enqueue for a job whose payload carries personal data
// its holder keeps until purgeAt: failed for good, the job goes then
// (PurgeFailed), or after its kind's Keep if that comes first. A zero
// purgeAt leaves it to Keep.
func EnqueueUntil(ctx context.Context, tx *db.Tx, kind string, payload []byte, runAt, purgeAt time.Time) error {
	purge := int64(0)
	if !purgeAt.IsZero() {
		purge = purgeAt.Unix()
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO jobs (kind, payload, state, attempts, run_at, locked_until, last_error, created_at, purge_at)
		VALUES (?, ?, 'pending', 0, ?, 0, '', ?, ?)`, kind, string(payload), runAt.Unix(), time.Now().Unix(), purge)
	if err != nil {
		return fmt.Errorf("jobs: enqueue %s: %w", kind, err)
	}
	return nil
}

// EnqueueFrom adds, inside tx, one job of kind per row of a query whose
// one column is named payload (text), to run at runAt: a fan-out of
// many small jobs (an update's deliveries) in one statement, without
// holding the payloads in memory. It returns how many it added.
func EnqueueFrom(ctx context.Context, tx *db.Tx, kind string, runAt time.Time, query string, args ...any) (int64, error) {
	all := append([]any{kind, runAt.Unix(), time.Now().Unix()}, args...)
	res, err := tx.ExecContext(ctx, `INSERT INTO jobs (kind, payload, state, attempts, run_at, locked_until, last_error, created_at, purge_at)
		SELECT ?, p.payload, 'pending', 0, ?, 0, '', ?, 0 FROM (`+query+`) AS p`, all...) // #nosec G202 -- query is the caller's constant SQL
	if err != nil {
		return 0, fmt.Errorf("jobs: enqueue %s: %w", kind, err)
	}
	return res.RowsAffected()
}

// Wake tells idle workers in this process to look for jobs now, rather
// than at their next poll; call it after committing an Enqueue.
func (q *Queue) Wake() {
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// claimed is a job a worker holds the lease of.
type claimed struct {
	id       int64
	kind     string
	payload  string
	attempts int
}

// errRateTaken says that another worker took the rate's last free start
// between choosing a job and taking the start: choose again.
var errRateTaken = errors.New("jobs: rate taken meanwhile")

// claim leases the next due job of a kind with room for one more: under
// its concurrency in this process, and under its rate everywhere.
func (q *Queue) claim(ctx context.Context) (*claimed, error) {
	q.claimMu.Lock()
	defer q.claimMu.Unlock()
	q.mu.Lock()
	open := make([]string, 0, len(q.kinds))
	rated := false
	for name, k := range q.kinds {
		if k.opt.Concurrency == 0 || k.running < k.opt.Concurrency {
			open = append(open, name)
			rated = rated || k.opt.Rate > 0
		}
	}
	q.mu.Unlock()
	if len(open) == 0 {
		return nil, nil
	}
	slices.Sort(open)
	now := q.now()
	for range 3 {
		c, err := q.claimOnce(ctx, now, open, rated)
		if errors.Is(err, errRateTaken) {
			continue
		}
		return c, err
	}
	return nil, nil
}

func (q *Queue) claimOnce(ctx context.Context, now time.Time, open []string, rated bool) (*claimed, error) {
	var c claimed
	var freeAt int64
	err := q.db.InTx(ctx, func(tx *db.Tx) error {
		kinds, kindArgs := db.InList(open)
		args := append([]any{now.Unix(), now.Unix()}, kindArgs...)
		query := `SELECT id, kind FROM jobs WHERE state = 'pending' AND run_at <= ? AND locked_until <= ?
			AND kind IN (` + kinds + `)`
		if rated {
			query += ` AND kind NOT IN (SELECT kind FROM job_rates WHERE free_at > ?)`
			args = append(args, now.UnixMilli())
		}
		query += ` ORDER BY run_at, id LIMIT 1` + tx.SkipLocked()
		if err := tx.QueryRowContext(ctx, query, args...).Scan(&c.id, &c.kind); err != nil {
			return err
		}
		q.mu.Lock()
		opt := q.kinds[c.kind].opt
		q.mu.Unlock()
		if opt.Rate > 0 {
			var err error
			if freeAt, err = takeRate(ctx, tx, c.kind, opt, now); err != nil {
				return err
			}
		}
		return tx.QueryRowContext(ctx, `UPDATE jobs SET locked_until = ?, attempts = attempts + 1 WHERE id = ?
			RETURNING payload, attempts`, now.Add(q.lease).Unix(), c.id).Scan(&c.payload, &c.attempts)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		if errors.Is(err, errRateTaken) {
			return nil, err
		}
		return nil, fmt.Errorf("jobs: claim: %w", err)
	}
	q.mu.Lock()
	k := q.kinds[c.kind]
	k.running++
	k.freeAt = max(k.freeAt, freeAt)
	q.mu.Unlock()
	return &c, nil
}

// takeRate takes one start from the rate of kind, as a generic cell rate
// algorithm over one row: free_at is when the next start is allowed, and
// each start moves it on by the interval, from no earlier than Burst-1
// intervals ago. On PostgreSQL the row lock makes concurrent claims of a
// kind take turns, and the second sees the first's free_at; on SQLite the
// single writer does the same. It returns the new free_at.
func takeRate(ctx context.Context, tx *db.Tx, kind string, opt Options, now time.Time) (int64, error) {
	interval := int64(math.Ceil(1000 / opt.Rate)) // rounded up: never faster than the rate
	ms := now.UnixMilli()
	floor := ms - int64(opt.Burst-1)*interval
	var freeAt int64
	err := tx.QueryRowContext(ctx, `INSERT INTO job_rates (kind, free_at) VALUES (?, ?)
		ON CONFLICT (kind) DO UPDATE SET free_at = CASE WHEN job_rates.free_at > ? THEN job_rates.free_at ELSE ? END + ?
		WHERE job_rates.free_at <= ?
		RETURNING free_at`, kind, floor+interval, floor, floor, interval, ms).Scan(&freeAt)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, errRateTaken
	}
	if err != nil {
		return 0, fmt.Errorf("rate of %s: %w", kind, err)
	}
	return freeAt, nil
}

// RunOnce claims one due job and runs it. It reports whether there was one.
func (q *Queue) RunOnce(ctx context.Context) (bool, error) {
	return q.runOnce(ctx, ctx)
}

// runOnce claims a job under ctx and runs it under work, a context that
// outlives ctx at shutdown by the queue's grace.
func (q *Queue) runOnce(ctx, work context.Context) (bool, error) {
	c, err := q.claim(ctx)
	if err != nil || c == nil {
		return false, err
	}
	q.mu.Lock()
	k := q.kinds[c.kind]
	h, maxAttempts := k.handler, k.opt.MaxAttempts
	q.mu.Unlock()
	defer func() {
		q.mu.Lock()
		q.kinds[c.kind].running-- // the kind's entry, even if HandleWith replaced it meanwhile
		q.mu.Unlock()
	}()
	runErr := run(work, h, []byte(c.payload))
	// The outcome is recorded even when shutdown cancelled the job's
	// context: a job done must not be done again.
	rec, cancel := context.WithTimeout(context.WithoutCancel(work), 10*time.Second)
	defer cancel()
	if runErr == nil {
		q.observe(c.kind, "done")
		if _, err := q.db.ExecContext(rec, `DELETE FROM jobs WHERE id = ?`, c.id); err != nil {
			return true, fmt.Errorf("jobs: finish %d: %w", c.id, err)
		}
		return true, nil
	}
	var perm permanentError
	// What a job's error says is stored and logged without the addresses
	// and private links it may quote (a mail server's "550 <someone@…>
	// rejected"): the job table and the log outlive the data they carry.
	msg := Scrub(runErr.Error())
	if len(msg) > 1000 {
		msg = msg[:1000]
	}
	if errors.As(runErr, &perm) || c.attempts >= maxAttempts {
		q.observe(c.kind, "failed")
		slog.Error("job failed for good", "job_id", c.id, "kind", c.kind, "attempts", c.attempts, "err", msg)
		_, err = q.db.ExecContext(rec, `UPDATE jobs SET state = 'failed', locked_until = 0, last_error = ? WHERE id = ?`, msg, c.id)
	} else {
		q.observe(c.kind, "retry")
		next := q.now().Add(Backoff(c.attempts))
		slog.Warn("job failed; will retry", "job_id", c.id, "kind", c.kind, "attempts", c.attempts, "retry_at", next.UTC().Format(time.RFC3339), "err", msg)
		_, err = q.db.ExecContext(rec, `UPDATE jobs SET run_at = ?, locked_until = 0, last_error = ? WHERE id = ?`, next.Unix(), msg, c.id)
	}
	if err != nil {
		return true, fmt.Errorf("jobs: record failure of %d: %w", c.id, err)
	}
	return true, nil
}

func (q *Queue) observe(kind, outcome string) {
	if q.Observe != nil {
		q.Observe(kind, outcome)
	}
}

// CountsByKind reports, for each kind with jobs in the table, how many
// wait (pending) and how many failed for good.
func (q *Queue) CountsByKind(ctx context.Context) (pending, failed map[string]int, err error) {
	rows, err := q.db.QueryContext(ctx, `SELECT kind, state, COUNT(*) FROM jobs GROUP BY kind, state`)
	if err != nil {
		return nil, nil, fmt.Errorf("jobs: count by kind: %w", err)
	}
	defer rows.Close()
	pending, failed = map[string]int{}, map[string]int{}
	for rows.Next() {
		var kind, state string
		var n int
		if err := rows.Scan(&kind, &state, &n); err != nil {
			return nil, nil, fmt.Errorf("jobs: count by kind: %w", err)
		}
		if state == "failed" {
			failed[kind] = n
		} else {
			pending[kind] = n
		}
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("jobs: count by kind: %w", err)
	}
	return pending, failed, nil
}

// run calls h, turning a panic into an error so one bad job cannot stop a
// worker.
func run(ctx context.Context, h Handler, payload []byte) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("panic: %v", v)
		}
	}()
	return h(ctx, payload)
}

// Backoff is how long to wait before try attempts+1: 30 s doubling up to
// 6 h, with ±20% jitter so that retries after an outage spread out.
func Backoff(attempts int) time.Duration {
	d := 30 * time.Second << min(attempts-1, 10)
	d = min(d, 6*time.Hour)
	return time.Duration(float64(d) * (0.8 + 0.4*rand.Float64())) // #nosec G404 -- retry jitter, not a secret
}

// Run runs workers, and the tasks given to Schedule, until ctx ends. Then
// it claims nothing more and returns once the jobs and tasks under way
// have finished. Those run with a context of their own that is cancelled
// only Grace after ctx ends, so that a message being sent when the server
// is told to stop is sent once, not cut off and sent again after a restart.
func (q *Queue) Run(ctx context.Context, workers int) {
	work, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	grace := q.Grace
	stop := context.AfterFunc(ctx, func() { time.AfterFunc(grace, cancel) })
	defer stop()
	q.mu.Lock()
	tasks := slices.Clone(q.tasks)
	q.mu.Unlock()
	var wg sync.WaitGroup
	for range max(1, workers) {
		wg.Go(func() { q.work(ctx, work) })
	}
	for _, t := range tasks {
		wg.Go(func() { q.runTask(ctx, work, t) })
	}
	wg.Wait()
}

// work is one worker: it runs jobs while there are some, and otherwise
// waits to be woken, for a kind's rate to allow the next, or for the poll.
func (q *Queue) work(ctx, work context.Context) {
	for ctx.Err() == nil {
		ran, err := q.runOnce(ctx, work)
		if err != nil && ctx.Err() == nil {
			slog.Error("jobs", "err", err)
		}
		if ran && err == nil {
			continue
		}
		timer := time.NewTimer(q.idle())
		select {
		case <-ctx.Done():
		case <-q.wake:
		case <-timer.C:
		}
		timer.Stop()
	}
}

// idle is how long a worker that found nothing to do waits: the poll, or
// less when a kind's rate allows its next job sooner.
func (q *Queue) idle() time.Duration {
	wait := q.poll
	now := q.now().UnixMilli()
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, k := range q.kinds {
		if k.freeAt > now {
			wait = min(wait, time.Duration(k.freeAt-now)*time.Millisecond)
		}
	}
	return max(wait, time.Millisecond)
}

// PurgeFailed deletes the jobs that failed for good once the personal
// data they carry is due to go at its holder (EnqueueUntil), and those
// of every kind that declared Options.Keep once older than it, whichever
// comes first; it returns how many it deleted.
func (q *Queue) PurgeFailed(ctx context.Context, now time.Time) (int, error) {
	res, err := q.db.ExecContext(ctx, `DELETE FROM jobs WHERE state = 'failed' AND purge_at > 0 AND purge_at <= ?`, now.Unix())
	if err != nil {
		return 0, fmt.Errorf("jobs: purge failed: %w", err)
	}
	n, _ := res.RowsAffected()
	total := int(n)
	q.mu.Lock()
	keep := map[string]time.Duration{}
	for name, k := range q.kinds {
		if k.opt.Keep > 0 {
			keep[name] = k.opt.Keep
		}
	}
	q.mu.Unlock()
	for name, d := range keep {
		res, err := q.db.ExecContext(ctx, `DELETE FROM jobs WHERE kind = ? AND state = 'failed' AND created_at < ?`, name, now.Add(-d).Unix())
		if err != nil {
			return total, fmt.Errorf("jobs: purge failed %s: %w", name, err)
		}
		n, _ := res.RowsAffected()
		total += int(n)
	}
	return total, nil
}

// Counts reports how many jobs wait and how many failed for good.
func (q *Queue) Counts(ctx context.Context) (pending, failed int, err error) {
	err = q.db.QueryRowContext(ctx, `SELECT
		COALESCE(SUM(CASE WHEN state = 'pending' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN state = 'failed' THEN 1 ELSE 0 END), 0) FROM jobs`).Scan(&pending, &failed)
	return pending, failed, err
}
