package participant

import (
	"context"
	"fmt"
	"strings"

	"peerpress/internal/db"
)

// Table describes a table's sealed columns, for ResealTable.
type Table struct {
	Name    string   // the table
	Key     string   // its integer primary key column
	Where   string   // an extra condition on the rows to reseal, or ""
	Columns []Column // the sealed columns
}

// Column is a sealed column and the context its values are sealed for.
// Staff marks a column of what staff need and the server does not
// (Vault.SealForStaff), which a reseal moves to the organisation's key.
type Column struct {
	Name, Context string
	Staff         bool
}

// resealBatch is how many rows one transaction reseals.
const resealBatch = 200

// ResealTable reseals every non-empty value of t's sealed columns, a
// batch of rows at a time, each batch in a transaction, and returns how
// many values changed. Each value is replaced only if it is still the
// value that was read, so a row a visitor changes meanwhile keeps their
// change (sealed with whichever key their server had; a second run moves
// it). Nothing public changes: the writes are quiet.
func ResealTable(ctx context.Context, d *db.DB, t Table, reseal Resealer) (int, error) {
	cols := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		cols[i] = c.Name
	}
	where := t.Key + " > ?"
	if t.Where != "" {
		where += " AND (" + t.Where + ")"
	}
	query := `SELECT ` + t.Key + `, ` + strings.Join(cols, ", ") + ` FROM ` + t.Name + ` WHERE ` + where +
		` ORDER BY ` + t.Key + ` LIMIT ` + fmt.Sprint(resealBatch)
	changed := 0
	var last int64
	for {
		type row struct {
			key  int64
			vals []string
		}
		rows, err := d.QueryContext(ctx, query, last)
		if err != nil {
			return changed, fmt.Errorf("participant: reseal %s: %w", t.Name, err)
		}
		var batch []row
		for rows.Next() {
			r := row{vals: make([]string, len(cols))}
			dest := []any{&r.key}
			for i := range r.vals {
				dest = append(dest, &r.vals[i])
			}
			if err := rows.Scan(dest...); err != nil {
				rows.Close()
				return changed, fmt.Errorf("participant: reseal %s: %w", t.Name, err)
			}
			batch = append(batch, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return changed, fmt.Errorf("participant: reseal %s: %w", t.Name, err)
		}
		if len(batch) == 0 {
			return changed, nil
		}
		n := 0
		err = d.Quiet().InTx(ctx, func(tx *db.Tx) error {
			for _, r := range batch {
				for i, c := range t.Columns {
					if r.vals[i] == "" {
						continue
					}
					out, ok, err := reseal(r.vals[i], c.Context, c.Staff)
					if err != nil {
						return fmt.Errorf("%s %d %s: %w", t.Key, r.key, c.Name, err)
					}
					if !ok {
						continue
					}
					if _, err := tx.ExecContext(ctx, `UPDATE `+t.Name+` SET `+c.Name+` = ? WHERE `+t.Key+` = ? AND `+c.Name+` = ?`,
						out, r.key, r.vals[i]); err != nil {
						return err
					}
					n++
				}
			}
			return nil
		})
		if err != nil {
			return changed, fmt.Errorf("participant: reseal %s: %w", t.Name, err)
		}
		changed += n
		last = batch[len(batch)-1].key
	}
}
