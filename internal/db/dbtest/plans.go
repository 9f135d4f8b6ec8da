package dbtest

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"peerpress/internal/db"
)

// Prepare prepares query (with ? placeholders) as the statement "q" on a
// PostgreSQL connection of its own to d's database, with plan_cache_mode
// set to mode, as pgx prepares a statement in service. It returns the
// connection, args written as EXECUTE q(…) takes them, and what closes
// the connection.
func Prepare(t testing.TB, d *db.DB, query string, args []any, mode string) (c *sql.Conn, values string, done func()) {
	t.Helper()
	ctx := context.Background()
	conn, err := sql.Open("pgx", URL(t, d))
	if err != nil {
		t.Fatal(err)
	}
	c, err = conn.Conn(ctx)
	if err != nil {
		conn.Close()
		t.Fatal(err)
	}
	done = func() { c.Close(); conn.Close() }
	n := 0
	numbered := regexp.MustCompile(`\?`).ReplaceAllStringFunc(query, func(string) string { n++; return "$" + strconv.Itoa(n) })
	if _, err := c.ExecContext(ctx, "SET plan_cache_mode = "+mode); err != nil {
		done()
		t.Fatal(err)
	}
	if _, err := c.ExecContext(ctx, "PREPARE q AS "+numbered); err != nil {
		done()
		t.Fatalf("prepare %s: %v", numbered, err)
	}
	vs := make([]string, len(args))
	for i, a := range args {
		switch v := a.(type) {
		case int64:
			vs[i] = strconv.FormatInt(v, 10)
		case int:
			vs[i] = strconv.Itoa(v)
		case bool:
			vs[i] = strconv.FormatBool(v)
		default:
			vs[i] = "'" + strings.ReplaceAll(fmt.Sprint(v), "'", "''") + "'"
		}
	}
	return c, strings.Join(vs, ", "), done
}

// UsesGenericPlan reports whether PostgreSQL, left to choose as in
// service, runs query with its generic plan once it has tried five custom
// ones. A query it never does is planned again on every execution,
// which for peerpress's reads costs more than running them (issue 23).
func UsesGenericPlan(t testing.TB, d *db.DB, query string, args []any) bool {
	t.Helper()
	ctx := context.Background()
	c, values, done := Prepare(t, d, query, args, "auto")
	defer done()
	for range 7 {
		if _, err := c.ExecContext(ctx, "EXECUTE q("+values+")"); err != nil {
			t.Fatal(err)
		}
	}
	var generic int64
	if err := c.QueryRowContext(ctx, "SELECT generic_plans FROM pg_prepared_statements WHERE name = 'q'").Scan(&generic); err != nil {
		t.Fatal(err)
	}
	return generic > 0
}
