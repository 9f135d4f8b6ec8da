package wordpress

import (
	"os"
	"testing"

	"peerpress/internal/db"
	"peerpress/internal/db/dbtest"
)

// BenchmarkImport imports the export named by PEERPRESS_BENCH_WXR (make one
// with go run ./scripts/wxrgen) into a new SQLite database, or PostgreSQL
// with PEERPRESS_BENCH_POSTGRES=1. BENCHMARKS.md has the figures of the
// command itself, with its memory.
func BenchmarkImport(b *testing.B) {
	path := os.Getenv("PEERPRESS_BENCH_WXR")
	if path == "" {
		b.Skip("PEERPRESS_BENCH_WXR names no export")
	}
	for b.Loop() {
		b.StopTimer()
		var d *db.DB
		if os.Getenv("PEERPRESS_BENCH_POSTGRES") != "" {
			d = dbtest.NewPostgres(b)
		} else {
			d = dbtest.NewSQLite(b)
		}
		b.StartTimer()
		if _, err := importFile(b, d, path, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
