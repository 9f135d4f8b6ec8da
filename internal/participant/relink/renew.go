package relink

import (
	"context"
	"time"

	"peerpress/internal/db"
	"peerpress/internal/participant"
)

// Every is how often one row may get a fresh link, however often it is
// asked for: a form that mails cannot be a mail cannon.
const Every = 10 * time.Minute

// Table says where an area keeps the links its form renews: Name, a
// table with id, email_hash and relinked_at columns; HashColumn, the
// column that holds a link's hash; Shown, the columns the mail names a
// row by. All are constants of the area's code.
type Table struct {
	Name, HashColumn, Shown string
}

// Renew gives each row of t sent from the address whose keyed hash is
// emailHash a new link inside tx, unless it got one in the last Every;
// the old link stops working. row gives, for the value of each row
// found, where to read t.Shown's columns and where to put the new
// link's token. The values come in the rows' order, to be mailed in the
// same transaction.
func Renew[T any](ctx context.Context, tx *db.Tx, t Table, emailHash string, now time.Time, row func(*T) (shown []any, token *string)) ([]T, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, `+t.Shown+` FROM `+t.Name+` WHERE email_hash = ? AND relinked_at <= ? ORDER BY id`,
		emailHash, now.Add(-Every).Unix())
	if err != nil {
		return nil, err
	}
	var ids []int64
	var out []T
	for rows.Next() {
		var id int64
		var v T
		shown, _ := row(&v)
		if err := rows.Scan(append([]any{&id}, shown...)...); err != nil {
			rows.Close()
			return nil, err
		}
		ids, out = append(ids, id), append(out, v)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i, id := range ids {
		var hash string
		_, token := row(&out[i])
		*token, hash = participant.NewLink()
		if _, err := tx.ExecContext(ctx, `UPDATE `+t.Name+` SET `+t.HashColumn+` = ?, relinked_at = ? WHERE id = ?`, hash, now.Unix(), id); err != nil {
			return nil, err
		}
	}
	return out, nil
}
