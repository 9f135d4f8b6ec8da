package participant

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"peerpress/internal/db"
)

// Actions recorded in the audit log. Features add their own, named
// "<feature>.<what>".
const (
	ActionView   = "people/view"   // staff looked a person up
	ActionExport = "people/export" // and downloaded what is held
	ActionErase  = "people/erase"  // and erased it
)

// Access is one opening of personal data by staff: who, what, from which
// holder, how many records, when. It never holds the data, nor the email
// looked up (Subject is its keyed hash, comparable with AuditKey).
type Access struct {
	ID      int64
	At      time.Time
	UserID  int64  // the staff user; 0 for the command line
	Action  string // "people/export", "events/registrants_csv"
	Holder  string // "events/registrations"; "" when it is about no one holder
	Target  string // what was opened: "entry 12"
	Records int    // how many records were opened or erased
	Subject string // AuditKey of the person looked up, or ""
}

// ByCLI reports whether the command line did it.
func (a Access) ByCLI() bool { return a.UserID == 0 }

// AuditKey is what the audit log stores for the person: a keyed hash of
// their email for the audit alone.
func (s Subject) AuditKey() string { return s.Hash(auditPurpose) }

// Audit is the log of staff access to personal data.
type Audit struct {
	db  db.Quiet // the log shows on no public page
	now func() time.Time
}

// NewAudit returns the audit log kept in d.
func NewAudit(d *db.DB) *Audit { return &Audit{db: d.Quiet(), now: time.Now} }

// Record writes accesses in one transaction; a caller shows or exports
// the data only once this succeeded. A quiet write: no page shows it but
// /admin/audit, which is never cached.
func (a *Audit) Record(ctx context.Context, accesses ...Access) error {
	now := a.now().Unix()
	return a.db.InTx(ctx, func(tx *db.Tx) error {
		for _, x := range accesses {
			var user any
			if x.UserID != 0 {
				user = x.UserID
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO audit_log (at, user_id, action, holder, target, records, subject) VALUES (?, ?, ?, ?, ?, ?, ?)`,
				now, user, x.Action, x.Holder, x.Target, x.Records, x.Subject); err != nil {
				return fmt.Errorf("participant: audit: %w", err)
			}
		}
		return nil
	})
}

// RecordLookup records a look-up of who with action: one row per holder
// that had records, or one row saying nothing was found.
func (a *Audit) RecordLookup(ctx context.Context, userID int64, action string, who Subject, counts []Count) error {
	var rows []Access
	for _, c := range counts {
		if c.N > 0 {
			rows = append(rows, Access{UserID: userID, Action: action, Holder: c.Holder, Records: c.N, Subject: who.AuditKey()})
		}
	}
	if len(rows) == 0 {
		rows = append(rows, Access{UserID: userID, Action: action, Subject: who.AuditKey()})
	}
	return a.Record(ctx, rows...)
}

// CountRecords counts records per holder, in the order holders first
// appear.
func CountRecords(recs []Record) []Count {
	var out []Count
	idx := map[string]int{}
	for _, r := range recs {
		i, ok := idx[r.Holder]
		if !ok {
			i = len(out)
			idx[r.Holder] = i
			out = append(out, Count{Holder: r.Holder})
		}
		out[i].N++
	}
	return out
}

// Page returns the page-th page (from 1) of the log, newest first, with
// per rows a page, and how many rows there are in all.
func (a *Audit) Page(ctx context.Context, page, per int) ([]Access, int, error) {
	return a.Filtered(ctx, AuditFilter{}, page, per)
}

// AuditFilter narrows the log to one staff member, one action, or both;
// zero values do not narrow.
type AuditFilter struct {
	UserID int64
	Action string
}

func (f AuditFilter) where() (string, []any) {
	var conds []string
	var args []any
	if f.UserID != 0 {
		conds, args = append(conds, "user_id = ?"), append(args, f.UserID)
	}
	if f.Action != "" {
		conds, args = append(conds, "action = ?"), append(args, f.Action)
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// Filtered is Page for the rows f keeps.
func (a *Audit) Filtered(ctx context.Context, f AuditFilter, page, per int) ([]Access, int, error) {
	where, args := f.where()
	var total int
	if err := a.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log`+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("participant: audit: %w", err)
	}
	if page < 1 {
		page = 1
	}
	rows, err := a.db.QueryContext(ctx, `SELECT id, at, user_id, action, holder, target, records, subject FROM audit_log`+where+`
		ORDER BY id DESC LIMIT ? OFFSET ?`, append(args, per, (page-1)*per)...)
	if err != nil {
		return nil, 0, fmt.Errorf("participant: audit: %w", err)
	}
	defer rows.Close()
	var out []Access
	for rows.Next() {
		var x Access
		var at int64
		var user sql.NullInt64
		if err := rows.Scan(&x.ID, &at, &user, &x.Action, &x.Holder, &x.Target, &x.Records, &x.Subject); err != nil {
			return nil, 0, fmt.Errorf("participant: audit: %w", err)
		}
		x.At, x.UserID = time.Unix(at, 0).UTC(), user.Int64
		out = append(out, x)
	}
	return out, total, rows.Err()
}

// Actions lists the actions the log holds, for the filter.
func (a *Audit) Actions(ctx context.Context) ([]string, error) {
	rows, err := a.db.QueryContext(ctx, `SELECT DISTINCT action FROM audit_log ORDER BY action`)
	if err != nil {
		return nil, fmt.Errorf("participant: audit actions: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, fmt.Errorf("participant: audit actions: %w", err)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// Recorder writes to the audit log: what a feature area holds when it
// records staff actions (publishing, exports, settings), so that areas
// need not know one another, only this.
type Recorder interface {
	Record(ctx context.Context, accesses ...Access) error
}
