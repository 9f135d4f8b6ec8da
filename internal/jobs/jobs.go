// Package jobs is peerpress's durable background queue, kept in the same
// database as everything else: mail, reminders, image variants, purges.
//
// A job is enqueued inside the transaction of the write that causes it, so
// it exists exactly when that write commits, and it survives restarts.
// Workers claim jobs with a lease; a worker that dies leaves its job to be
// claimed again when the lease runs out, so every job runs at least once.
// Failures are retried with exponential backoff up to a job's limit, then
// kept as failed for an operator to see.
package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
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

type kind struct {
	handler     Handler
	maxAttempts int
}

// Queue runs the jobs of the kinds registered with Handle.
type Queue struct {
	db    *db.DB
	now   func() time.Time
	lease time.Duration
	poll  time.Duration

	mu    sync.RWMutex
	kinds map[string]kind
	wake  chan struct{}
}

// New returns a queue over d.
func New(d *db.DB) *Queue {
	return &Queue{db: d, now: time.Now, lease: 5 * time.Minute, poll: 2 * time.Second, kinds: map[string]kind{}, wake: make(chan struct{}, 1)}
}

// Handle registers the handler of a kind of job and how often it may be
// tried.
func (q *Queue) Handle(name string, h Handler, maxAttempts int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.kinds[name] = kind{handler: h, maxAttempts: max(1, maxAttempts)}
}

// Enqueue adds a job inside tx, to run at runAt or as soon after as a
// worker is free.
func Enqueue(ctx context.Context, tx *db.Tx, kind string, payload []byte, runAt time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO jobs (kind, payload, state, attempts, run_at, locked_until, last_error, created_at)
		VALUES (?, ?, 'pending', 0, ?, 0, '', ?)`, kind, string(payload), runAt.Unix(), time.Now().Unix())
	if err != nil {
		return fmt.Errorf("jobs: enqueue %s: %w", kind, err)
	}
	return nil
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

func (q *Queue) claim(ctx context.Context) (*claimed, error) {
	q.mu.RLock()
	names := make([]any, 0, len(q.kinds))
	for name := range q.kinds {
		names = append(names, name)
	}
	q.mu.RUnlock()
	if len(names) == 0 {
		return nil, nil
	}
	now := q.now().Unix()
	var c claimed
	err := q.db.InTxQuiet(ctx, func(tx *db.Tx) error {
		args := append([]any{now + int64(q.lease/time.Second), now, now}, names...)
		return tx.QueryRowContext(ctx, `UPDATE jobs SET locked_until = ?, attempts = attempts + 1
			WHERE id = (SELECT id FROM jobs WHERE state = 'pending' AND run_at <= ? AND locked_until <= ?
				AND kind IN (?`+strings.Repeat(", ?", len(names)-1)+`)
				ORDER BY run_at, id LIMIT 1`+tx.SkipLocked()+`)
			RETURNING id, kind, payload, attempts`, args...).Scan(&c.id, &c.kind, &c.payload, &c.attempts)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("jobs: claim: %w", err)
	}
	return &c, nil
}

// RunOnce claims one due job and runs it. It reports whether there was one.
func (q *Queue) RunOnce(ctx context.Context) (bool, error) {
	c, err := q.claim(ctx)
	if err != nil || c == nil {
		return false, err
	}
	q.mu.RLock()
	k := q.kinds[c.kind]
	q.mu.RUnlock()
	runErr := run(ctx, k.handler, []byte(c.payload))
	if runErr == nil {
		if _, err := q.db.ExecQuiet(ctx, `DELETE FROM jobs WHERE id = ?`, c.id); err != nil {
			return true, fmt.Errorf("jobs: finish %d: %w", c.id, err)
		}
		return true, nil
	}
	var perm permanentError
	msg := runErr.Error()
	if len(msg) > 1000 {
		msg = msg[:1000]
	}
	if errors.As(runErr, &perm) || c.attempts >= k.maxAttempts {
		slog.Error("job failed for good", "job_id", c.id, "kind", c.kind, "attempts", c.attempts, "err", runErr)
		_, err = q.db.ExecQuiet(ctx, `UPDATE jobs SET state = 'failed', locked_until = 0, last_error = ? WHERE id = ?`, msg, c.id)
	} else {
		next := q.now().Add(Backoff(c.attempts))
		slog.Warn("job failed; will retry", "job_id", c.id, "kind", c.kind, "attempts", c.attempts, "retry_at", next.UTC().Format(time.RFC3339), "err", runErr)
		_, err = q.db.ExecQuiet(ctx, `UPDATE jobs SET run_at = ?, locked_until = 0, last_error = ? WHERE id = ?`, next.Unix(), msg, c.id)
	}
	if err != nil {
		return true, fmt.Errorf("jobs: record failure of %d: %w", c.id, err)
	}
	return true, nil
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
	return time.Duration(float64(d) * (0.8 + 0.4*rand.Float64()))
}

// Run runs workers until ctx ends.
func (q *Queue) Run(ctx context.Context, workers int) {
	var wg sync.WaitGroup
	for range max(1, workers) {
		wg.Go(func() {
			for ctx.Err() == nil {
				ran, err := q.RunOnce(ctx)
				if err != nil && ctx.Err() == nil {
					slog.Error("jobs", "err", err)
				}
				if ran && err == nil {
					continue
				}
				select {
				case <-ctx.Done():
				case <-q.wake:
				case <-time.After(q.poll):
				}
			}
		})
	}
	wg.Wait()
}

// Counts reports how many jobs wait and how many failed for good.
func (q *Queue) Counts(ctx context.Context) (pending, failed int, err error) {
	err = q.db.QueryRowContext(ctx, `SELECT
		COALESCE(SUM(CASE WHEN state = 'pending' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN state = 'failed' THEN 1 ELSE 0 END), 0) FROM jobs`).Scan(&pending, &failed)
	return pending, failed, err
}
