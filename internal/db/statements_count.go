package db

import (
	"context"
	"sync"
)

// Statements records the statements a DB sends on behalf of one context
// (see CountStatements): how a test holds a page to its round trips to
// the database, the cost that a cold page on PostgreSQL pays most for.
type Statements struct {
	mu    sync.Mutex
	texts []string
}

type statementsKey struct{}

// CountStatements returns a context whose reads and writes through a DB
// (or one of its transactions) are recorded in the returned Statements.
func CountStatements(ctx context.Context) (context.Context, *Statements) {
	s := &Statements{}
	return context.WithValue(ctx, statementsKey{}, s), s
}

// Texts are the statements recorded so far, in the order they were sent.
func (s *Statements) Texts() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.texts...)
}

// count records query if ctx asks for it.
func count(ctx context.Context, query string) {
	if s, ok := ctx.Value(statementsKey{}).(*Statements); ok {
		s.mu.Lock()
		s.texts = append(s.texts, query)
		s.mu.Unlock()
	}
}
