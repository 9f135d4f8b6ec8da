package search

import (
	"context"
	"strconv"

	"peerpress/internal/db"
)

// The tests' sites have a few thousand translations at most: with small
// ranges and a small first window, PostgreSQL's searches walk many
// partitions, created as the translations are indexed, and the engines
// comparison checks that the walk finds what SQLite does.
func init() { pgWindow, pgPartition = 30, 40 }

// PartitionSize is how many translation ids a partition holds in tests.
func PartitionSize() int64 { return pgPartition }

// HasPartitionFor reports whether PostgreSQL's search_docs has the
// partition a translation id goes into.
func HasPartitionFor(ctx context.Context, d *db.DB, id int64) bool {
	var ok bool
	err := d.QueryRowContext(ctx, `SELECT to_regclass(?) IS NOT NULL`, "search_docs_p"+strconv.FormatInt(id/pgPartition, 10)).Scan(&ok)
	return err == nil && ok
}
