package db_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"peerpress/internal/db"
	"peerpress/internal/db/dbtest"
)

// A start refreshes the planner's statistics of the tables that changed
// a lot since they were last analysed, and of none when nothing did: a
// whole VACUUM (ANALYZE) at every start was seconds of CPU on a large
// site (issue 23). SQLite's PRAGMA optimize decides for itself.
func TestOptimizeStaleRefreshesOnlyWhatChanged(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		if _, err := d.OptimizeStale(ctx); err != nil {
			t.Fatal(err)
		}
		if d.Engine != db.Postgres {
			return
		}
		if tables, err := d.OptimizeStale(ctx); err != nil || len(tables) != 0 {
			t.Fatalf("after a refresh and no change: refreshed %v (%v), want none", tables, err)
		}
		var analysed int
		if err := d.QueryRowContext(ctx, `SELECT COUNT(*) FROM pg_stat_user_tables WHERE relname = 'old_paths' AND (last_analyze IS NOT NULL OR last_autoanalyze IS NOT NULL)`).Scan(&analysed); err != nil || analysed != 1 {
			t.Fatalf("old_paths never analysed (%d, %v)", analysed, err)
		}
		// Many new rows: the table is stale. The inserting backend sends
		// its counts when its transaction ends, made to at once here.
		err := d.InTx(ctx, func(tx *db.Tx) error {
			for i := range 200 {
				if _, err := tx.ExecContext(ctx, `INSERT INTO old_paths (path, created_at) VALUES (?, 0)`, fmt.Sprintf("/old/%d", i)); err != nil {
					return err
				}
			}
			_, err := tx.ExecContext(ctx, `SELECT pg_stat_force_next_flush()`)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		tables, err := d.OptimizeStale(ctx)
		if err != nil || !slices.Contains(tables, "old_paths") {
			t.Fatalf("after 200 new rows: refreshed %v (%v), want old_paths among them", tables, err)
		}
		if tables, err := d.OptimizeStale(ctx); err != nil || len(tables) != 0 {
			t.Fatalf("once refreshed: refreshed %v (%v), want none", tables, err)
		}
	})
}
