package apptest

import (
	"bytes"
	"log/slog"
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
