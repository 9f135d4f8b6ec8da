package db

import (
	"context"
	"fmt"
	"math"
	"time"
)

// Clock reads the database server's clock. With several instances on one
// PostgreSQL it is the clock they share: an instance compares its own
// with it to find that it is off (see app.App.Ready). On SQLite it is the
// machine's own, read by SQLite.
func (d *DB) Clock(ctx context.Context) (time.Time, error) {
	query := `SELECT EXTRACT(EPOCH FROM clock_timestamp())::float8`
	if d.Engine != Postgres {
		query = `SELECT (julianday('now') - 2440587.5) * 86400.0`
	}
	var sec float64
	if err := d.read.QueryRowContext(ctx, query).Scan(&sec); err != nil {
		return time.Time{}, fmt.Errorf("db: clock: %w", err)
	}
	whole, frac := math.Modf(sec)
	return time.Unix(int64(whole), int64(frac*1e9)), nil
}
