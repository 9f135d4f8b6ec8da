package db

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Copies of the whole database, for backups. SQLite copies its file
// (VACUUM INTO, a consistent snapshot while the site serves);
// PostgreSQL writes every table's rows from one REPEATABLE READ
// transaction in the format below, so that no tool (pg_dump) is needed.
//
// The dump format is JSON lines. A table starts with
//
//	{"table": "entries", "columns": ["id", "kind", …]}
//
// and each of its rows follows as one line, an array with one value per
// column, each a one-key object naming its type: {"i": "42"} (an
// integer, in decimal, so that no JSON reader rounds it), {"f": 1.5},
// {"s": "text"}, {"b": "base64 bytes"}, {"t": "RFC 3339 time"},
// {"?": true}, or null.

// SQLitePath is the file of a SQLite database; "" on PostgreSQL.
func (d *DB) SQLitePath(ctx context.Context) (string, error) {
	if d.Engine != SQLite {
		return "", nil
	}
	var seq int
	var name, file string
	if err := d.read.QueryRowContext(ctx, `PRAGMA database_list`).Scan(&seq, &name, &file); err != nil {
		return "", fmt.Errorf("db: database file: %w", err)
	}
	return file, nil
}

// SnapshotSQLite writes a consistent copy of the SQLite database to path,
// which must not exist; it is created readable by its owner only.
func (d *DB) SnapshotSQLite(ctx context.Context, path string) error {
	if d.Engine != SQLite {
		return errors.New("db: a file snapshot is for SQLite")
	}
	// VACUUM INTO takes an empty file: made first, for its permissions.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600) // #nosec G304 -- the backup path the operator named
	if err != nil {
		return fmt.Errorf("db: snapshot: %w", err)
	}
	f.Close()
	if _, err := d.read.ExecContext(ctx, `VACUUM INTO ?`, path); err != nil {
		os.Remove(path)
		return fmt.Errorf("db: snapshot: %w", err)
	}
	return nil
}

// tables lists the tables that hold rows (on PostgreSQL not the parents
// of partitioned tables, whose rows are their partitions').
func tables(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, engine Engine) ([]string, error) {
	query := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`
	if engine == Postgres {
		query = `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
			WHERE n.nspname = current_schema() AND c.relkind = 'r' ORDER BY c.relname`
	}
	rows, err := q.QueryContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("db: tables: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// Empty reports whether the database has no tables at all: the only kind
// a restore writes into.
func (d *DB) Empty(ctx context.Context) (bool, error) {
	ts, err := tables(ctx, d.read, d.Engine)
	return len(ts) == 0, err
}

type dumpHeader struct {
	Table   string   `json:"table"`
	Columns []string `json:"columns"`
	// A PostgreSQL partition made at run time (search_docs_pN): its
	// parent and bounds, to make it again before its rows go in.
	PartitionOf string `json:"partition_of,omitempty"`
	Bound       string `json:"bound,omitempty"`
}

// partitionBoundRe is the only kind of bound a restore makes a partition
// with.
var partitionBoundRe = regexp.MustCompile(`^FOR VALUES FROM \('?-?[0-9]+'?\) TO \('?-?[0-9]+'?\)$`)

// Dump writes every table's rows to w, all read in one transaction
// (REPEATABLE READ on PostgreSQL), so the copy is consistent while the
// site serves.
func (d *DB) Dump(ctx context.Context, w io.Writer) error {
	tx, err := d.read.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if d.Engine == SQLite {
		tx, err = d.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	}
	if err != nil {
		return fmt.Errorf("db: dump: %w", err)
	}
	defer tx.Rollback()
	ts, err := tables(ctx, tx, d.Engine)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	for _, t := range ts {
		if err := dumpTable(ctx, tx, d.Engine, t, enc); err != nil {
			return fmt.Errorf("db: dump %s: %w", t, err)
		}
	}
	return bw.Flush()
}

func dumpTable(ctx context.Context, tx *sql.Tx, engine Engine, table string, enc *json.Encoder) error {
	h := dumpHeader{Table: table}
	if engine == Postgres {
		err := tx.QueryRowContext(ctx, `SELECT p.relname, pg_get_expr(c.relpartbound, c.oid) FROM pg_class c
			JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = current_schema()
			JOIN pg_inherits i ON i.inhrelid = c.oid JOIN pg_class p ON p.oid = i.inhparent
			WHERE c.relname = $1 AND c.relispartition`, table).Scan(&h.PartitionOf, &h.Bound)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
	}
	rows, err := tx.QueryContext(ctx, `SELECT * FROM `+table) // #nosec G202 -- a table name from the database's own catalogue, not from input
	if err != nil {
		return err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	h.Columns = cols
	if err := enc.Encode(h); err != nil {
		return err
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	out := make([]map[string]any, len(cols))
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		for i, v := range vals {
			out[i] = encodeValue(v)
		}
		if err := enc.Encode(out); err != nil {
			return err
		}
	}
	return rows.Err()
}

func encodeValue(v any) map[string]any {
	switch x := v.(type) {
	case nil:
		return nil
	case int64:
		return map[string]any{"i": strconv.FormatInt(x, 10)}
	case int32:
		return map[string]any{"i": strconv.FormatInt(int64(x), 10)}
	case int:
		return map[string]any{"i": strconv.Itoa(x)}
	case float64:
		return map[string]any{"f": x}
	case bool:
		return map[string]any{"?": x}
	case []byte:
		return map[string]any{"b": base64.StdEncoding.EncodeToString(x)}
	case time.Time:
		return map[string]any{"t": x.Format(time.RFC3339Nano)}
	case string:
		return map[string]any{"s": x}
	default:
		return map[string]any{"s": fmt.Sprint(x)}
	}
}

func decodeValue(m map[string]json.RawMessage) (any, error) {
	if m == nil {
		return nil, nil
	}
	for k, raw := range m {
		switch k {
		case "i":
			var s string
			if err := json.Unmarshal(raw, &s); err != nil {
				return nil, err
			}
			return strconv.ParseInt(s, 10, 64)
		case "f":
			var f float64
			err := json.Unmarshal(raw, &f)
			return f, err
		case "?":
			var b bool
			err := json.Unmarshal(raw, &b)
			return b, err
		case "b":
			var s string
			if err := json.Unmarshal(raw, &s); err != nil {
				return nil, err
			}
			return base64.StdEncoding.DecodeString(s)
		case "t":
			var s string
			if err := json.Unmarshal(raw, &s); err != nil {
				return nil, err
			}
			return time.Parse(time.RFC3339Nano, s)
		case "s":
			var s string
			err := json.Unmarshal(raw, &s)
			return s, err
		}
	}
	return nil, fmt.Errorf("db: load: a value of no known type")
}

// Load writes what Dump wrote into this database, freshly migrated to the
// same schema, in one transaction: the rows migrations made are replaced,
// and foreign keys and triggers are not applied while the copy goes in
// (on PostgreSQL this takes a role allowed to set
// session_replication_role, such as the database's superuser).
func (d *DB) Load(ctx context.Context, r io.Reader) error {
	ts, err := tables(ctx, d.read, d.Engine)
	if err != nil {
		return err
	}
	if d.Engine == SQLite {
		// Foreign keys are checked per connection, outside a transaction.
		if _, err := d.write.ExecContext(ctx, `PRAGMA foreign_keys = OFF`); err != nil {
			return fmt.Errorf("db: load: %w", err)
		}
		defer d.write.ExecContext(context.WithoutCancel(ctx), `PRAGMA foreign_keys = ON`)
	}
	err = d.Quiet().InTx(ctx, func(tx *Tx) error {
		if d.Engine == Postgres {
			if _, err := tx.ExecContext(ctx, `SET LOCAL session_replication_role = replica`); err != nil {
				return fmt.Errorf("a restore into PostgreSQL needs a role that may turn off foreign keys and triggers while it loads (a superuser): %w", err)
			}
		}
		for _, t := range ts {
			if _, err := tx.ExecContext(ctx, `DELETE FROM `+t); err != nil {
				return err
			}
		}
		known := map[string]bool{}
		for _, t := range ts {
			known[t] = true
		}
		dec := json.NewDecoder(bufio.NewReader(r))
		var insert string
		var ncols int
		for {
			var line json.RawMessage
			if err := dec.Decode(&line); errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				return err
			}
			if len(line) > 0 && line[0] == '{' {
				var h dumpHeader
				if err := json.Unmarshal(line, &h); err != nil {
					return err
				}
				if !known[h.Table] && d.Engine == Postgres && validName(h.PartitionOf) && validName(h.Table) && partitionBoundRe.MatchString(h.Bound) {
					if _, err := tx.ExecContext(ctx, `CREATE TABLE `+h.Table+` PARTITION OF `+h.PartitionOf+` `+h.Bound); err != nil {
						return err
					}
					known[h.Table] = true
				}
				if !known[h.Table] {
					return fmt.Errorf("table %q is not in this database's schema", h.Table)
				}
				for _, c := range h.Columns {
					if !validName(c) {
						return fmt.Errorf("table %s: column %q", h.Table, c)
					}
				}
				ncols = len(h.Columns)
				insert = `INSERT INTO ` + h.Table + ` (` + strings.Join(h.Columns, ", ") + `) VALUES (` +
					Marks(ncols) + `)`
				continue
			}
			var cells []map[string]json.RawMessage
			if err := json.Unmarshal(line, &cells); err != nil {
				return err
			}
			if insert == "" || len(cells) != ncols {
				return errors.New("a row outside a table, or of the wrong width")
			}
			args := make([]any, ncols)
			for i, c := range cells {
				v, err := decodeValue(c)
				if err != nil {
					return err
				}
				args[i] = v
			}
			if _, err := tx.ExecContext(ctx, insert, args...); err != nil {
				return err
			}
		}
		if d.Engine == Postgres {
			// Identity columns go on after the largest id restored.
			rows, err := tx.QueryContext(ctx, `SELECT table_name FROM information_schema.columns
				WHERE table_schema = current_schema() AND column_name = 'id' AND is_identity = 'YES'`)
			if err != nil {
				return err
			}
			var withID []string
			for rows.Next() {
				var t string
				rows.Scan(&t)
				withID = append(withID, t)
			}
			rows.Close()
			for _, t := range withID {
				if !known[t] {
					continue
				}
				if _, err := tx.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence('`+t+`', 'id'), GREATEST((SELECT COALESCE(MAX(id), 0) FROM `+t+`), 1))`); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("db: load: %w", err)
	}
	return nil
}

// validName is a column name as the dump may give it: letters, digits
// and underscores.
func validName(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}
