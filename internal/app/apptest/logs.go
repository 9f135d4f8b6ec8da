package apptest

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
)

// Logs is what the site logged, at debug level, since CaptureLogs.
type Logs struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *Logs) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// String is everything logged so far.
func (l *Logs) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// CaptureLogs sends the process's log, at debug level, to the Logs it
// returns until the test ends, for tests that look for personal data in
// it. The log is the process's: such a test must run serially
// (Options.Serial).
func CaptureLogs(t *testing.T) *Logs {
	t.Helper()
	logs := &Logs{}
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	t.Cleanup(func() { slog.SetDefault(prev) })
	return logs
}

// FailedJobsWithout checks that no job row (its payload or its last
// error) carries any of canaries in the clear, and returns how many jobs
// failed for good, for the test to check it looked at a failure.
func FailedJobsWithout(t *testing.T, s *Site, canaries ...string) int {
	t.Helper()
	rows, err := s.App.DB.QueryContext(context.Background(), `SELECT state, payload, last_error FROM jobs`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	failed := 0
	for rows.Next() {
		var state, payload, lastErr string
		if err := rows.Scan(&state, &payload, &lastErr); err != nil {
			t.Fatal(err)
		}
		if state == "failed" {
			failed++
		}
		for _, canary := range canaries {
			if strings.Contains(payload, canary) || strings.Contains(lastErr, canary) {
				t.Errorf("a job row carries %q in the clear: %.200q", canary, lastErr)
			}
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return failed
}
