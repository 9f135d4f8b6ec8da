package updates

// Moving a list in and out: a CSV of subscribers with the evidence of
// their consent, read and checked whole before anything is stored, each
// refused row reported by its line; and the list out for administrators,
// recorded in the staff audit log.

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"peerpress/internal/content"
	"peerpress/internal/db"
	"peerpress/internal/i18n"
	"peerpress/internal/jobs"
	"peerpress/internal/mail"
	"peerpress/internal/participant"
)

// Limits of an import.
const (
	ImportLimit   = 16 << 20 // bytes of the file
	maxImportRows = 200_000
	maxSource     = 300
)

// CSVColumns are the columns of an export, which an import reads back;
// an import needs email, consent_date and consent_source.
var CSVColumns = []string{"email", "status", "language", "second_language", "topics", "text_only", "consent_date", "consent_source"}

var requiredColumns = []string{"email", "consent_date", "consent_source"}

// ImportRow is one line of an import, checked.
type ImportRow struct {
	Line    int // in the file, the header being line 1
	Email   string
	Prefs   Prefs
	Consent time.Time
	Source  string
	Problem i18n.Msg // why the row is refused; Key "" when it is not
}

// ErrImport is a file refused as a whole; its Msg says why.
type ErrImport struct{ Msg i18n.Msg }

func (e *ErrImport) Error() string { return "updates: import: " + e.Msg.Key }

func refuseFile(key string, args ...any) error { return &ErrImport{Msg: i18n.M(key, args...)} }

// ParseImport reads an import file: UTF-8 (a byte-order mark is
// skipped), comma or semicolon separated, a header naming columns of
// CSVColumns. Each row needs an address, the date consent was given
// (YYYY-MM-DD or RFC 3339, not in the future) and where (the source);
// languages must be ones of langs (the first is the default), topics
// ones of Topics. A row that fails is kept with its Problem.
func ParseImport(data []byte, langs []string, now time.Time) ([]ImportRow, error) {
	if !utf8.Valid(data) || bytes.IndexByte(data, 0) >= 0 {
		return nil, refuseFile("updates.import.err_utf8")
	}
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, refuseFile("updates.import.err_empty")
	}
	cr := csv.NewReader(bytes.NewReader(data))
	first, _, _ := bytes.Cut(data, []byte("\n"))
	if bytes.Count(first, []byte(";")) > bytes.Count(first, []byte(",")) {
		cr.Comma = ';'
	}
	cr.FieldsPerRecord = -1
	head, err := cr.Read()
	if err != nil {
		return nil, refuseFile("updates.import.err_csv", "Line", 1)
	}
	col := map[string]int{}
	for i, h := range head {
		name := strings.ReplaceAll(strings.ToLower(strings.TrimSpace(h)), " ", "_")
		if !slices.Contains(CSVColumns, name) {
			return nil, refuseFile("updates.import.err_column", "Column", h, "Columns", strings.Join(CSVColumns, ", "))
		}
		col[name] = i
	}
	for _, req := range requiredColumns {
		if _, ok := col[req]; !ok {
			return nil, refuseFile("updates.import.err_missing", "Column", req)
		}
	}
	get := func(rec []string, name string) string {
		if i, ok := col[name]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	var rows []ImportRow
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			return nil, refuseFile("updates.import.err_csv", "Line", line)
		}
		if len(rows) >= maxImportRows {
			return nil, refuseFile("updates.import.err_rows", "Max", maxImportRows)
		}
		if strings.TrimSpace(strings.Join(rec, "")) == "" {
			continue
		}
		rows = append(rows, checkRow(line, get, rec, langs, now))
	}
	return rows, nil
}

func checkRow(line int, get func([]string, string) string, rec []string, langs []string, now time.Time) ImportRow {
	row := ImportRow{Line: line, Source: get(rec, "consent_source")}
	fail := func(key string) ImportRow { row.Problem = i18n.M(key); return row }
	email, err := participant.Normalize(get(rec, "email"))
	if err != nil {
		return fail("updates.import.row_email")
	}
	row.Email = email
	when := get(rec, "consent_date")
	if when == "" {
		return fail("updates.import.row_no_consent")
	}
	t, err := time.Parse("2006-01-02", when)
	if err != nil {
		if t, err = time.Parse(time.RFC3339, when); err != nil {
			return fail("updates.import.row_date")
		}
	}
	if t.After(now) {
		return fail("updates.import.row_date")
	}
	row.Consent = t.UTC()
	if row.Source == "" {
		return fail("updates.import.row_no_source")
	}
	if utf8.RuneCountInString(row.Source) > maxSource || strings.ContainsAny(row.Source, "\r\n") {
		return fail("updates.import.row_source")
	}
	row.Prefs.Lang = get(rec, "language")
	if row.Prefs.Lang == "" && len(langs) > 0 {
		row.Prefs.Lang = langs[0]
	}
	if !slices.Contains(langs, row.Prefs.Lang) {
		return fail("updates.import.row_lang")
	}
	if row.Prefs.Lang2 = get(rec, "second_language"); row.Prefs.Lang2 != "" && !slices.Contains(langs, row.Prefs.Lang2) {
		return fail("updates.import.row_lang")
	}
	for _, tp := range strings.FieldsFunc(get(rec, "topics"), func(r rune) bool { return r == ',' || r == ' ' || r == '|' }) {
		if !slices.ContainsFunc(Topics(), func(k content.Kind) bool { return string(k) == tp }) {
			return fail("updates.import.row_topic")
		}
		if !slices.Contains(row.Prefs.Topics, tp) {
			row.Prefs.Topics = append(row.Prefs.Topics, tp)
		}
	}
	switch strings.ToLower(get(rec, "text_only")) {
	case "", "0", "false", "no":
	case "1", "true", "yes":
		row.Prefs.TextOnly = true
	default:
		return fail("updates.import.row_text_only")
	}
	return row
}

// ImportResult is what an import did.
type ImportResult struct {
	Added    int
	Merged   int         // on the list already, or twice in the file: one kept
	Refused  []ImportRow // with their Problem, by line
	Confirms int         // confirmation mails queued (Added, with the option)
}

// Import adds the rows in one transaction. An address on the list
// already, or earlier in the file, is merged (kept as it is); one that
// unsubscribed or was erased is refused, for only its owner may put it
// back. With confirm, the new addresses get a confirmation link and
// count once they follow it (double opt-in); without, they are active
// on the consent the file gives.
func (s *Store) Import(ctx context.Context, rows []ImportRow, confirm bool, origin string) (ImportResult, error) {
	var res ImportResult
	err := s.quiet.InTx(ctx, func(tx *db.Tx) error {
		res = ImportResult{}
		seen := map[string]bool{}
		now := s.Now()
		for _, row := range rows {
			if row.Problem.Key != "" {
				res.Refused = append(res.Refused, row)
				continue
			}
			hash := s.vault.Hash(hashEmail, row.Email)
			if seen[hash] {
				res.Merged++
				continue
			}
			seen[hash] = true
			var status string
			err := tx.QueryRowContext(ctx, `SELECT status FROM subscribers WHERE email_hash = ?`, hash).Scan(&status)
			switch {
			case err == nil && (status == Unsubscribed || status == Erased):
				row.Problem = i18n.M("updates.import.row_left")
				res.Refused = append(res.Refused, row)
				continue
			case err == nil:
				res.Merged++
				continue
			case !errors.Is(err, sql.ErrNoRows):
				return fmt.Errorf("updates: import line %d: %w", row.Line, err)
			}
			textOnly := 0
			if row.Prefs.TextOnly {
				textOnly = 1
			}
			sealed := s.vault.Seal(row.Email, sealEmail)
			if confirm {
				token, tokHash := participant.NewLink()
				if _, err := tx.ExecContext(ctx, `INSERT INTO subscribers (email_hash, email, lang, lang2, topics, text_only, status,
					confirm_hash, confirm_expires, consent_source, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
					hash, sealed, row.Prefs.Lang, row.Prefs.Lang2, joinTopics(row.Prefs.Topics), textOnly, Pending, tokHash,
					now.Add(importConfirmWithin).Unix(), row.Source, now.Unix(), now.Unix()); err != nil {
					return fmt.Errorf("updates: import line %d: %w", row.Line, err)
				}
				l := s.langs.Localizer(row.Prefs.Lang)
				if err := s.mailer.Send(ctx, tx, mail.Message{To: row.Email, Subject: l.T("updates.mail.confirm_subject"),
					Text:  l.T("updates.mail.confirm_body", "Link", origin+"/"+row.Prefs.Lang+"/updates/confirm/"+token, "Hours", int(importConfirmWithin/time.Hour)),
					Until: now.Add(importConfirmWithin)}); err != nil {
					return err
				}
				res.Confirms++
			} else {
				salt, _ := participant.NewLink()
				if _, err := tx.ExecContext(ctx, `INSERT INTO subscribers (email_hash, email, lang, lang2, topics, text_only, status,
					link_salt, consent_at, consent_source, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
					hash, sealed, row.Prefs.Lang, row.Prefs.Lang2, joinTopics(row.Prefs.Topics), textOnly, Active, salt,
					row.Consent.Unix(), row.Source, now.Unix(), now.Unix()); err != nil {
					return fmt.Errorf("updates: import line %d: %w", row.Line, err)
				}
			}
			res.Added++
		}
		return nil
	})
	return res, err
}

// importConfirmWithin is how long an imported address has to confirm:
// longer than a form's, since the mail comes unasked.
const importConfirmWithin = 7 * 24 * time.Hour

// WriteCSV writes every subscriber who has an address (active, paused,
// bouncing, pending) as CSVColumns, and returns how many. Values a
// spreadsheet would take for formulas are defused.
func (s *Store) WriteCSV(ctx context.Context, w io.Writer) (int, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+subCols+` FROM subscribers WHERE email <> '' ORDER BY id`)
	if err != nil {
		return 0, fmt.Errorf("updates: export: %w", err)
	}
	defer rows.Close()
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVColumns); err != nil {
		return 0, err
	}
	n := 0
	for rows.Next() {
		sub, err := s.scanSubscriber(rows)
		if err != nil {
			return n, err
		}
		consent := ""
		if !sub.ConsentAt.IsZero() {
			consent = sub.ConsentAt.Format(time.RFC3339)
		}
		if err := cw.Write([]string{cell(sub.Email), sub.Status, sub.Lang, sub.Lang2, strings.Join(sub.Topics, " "),
			strconv.FormatBool(sub.TextOnly), consent, cell(sub.ConsentSource)}); err != nil {
			return n, err
		}
		n++
	}
	if err := rows.Err(); err != nil {
		return n, err
	}
	cw.Flush()
	return n, cw.Error()
}

// cell defuses a value against spreadsheet formulas: one starting with
// = + - @ (or a tab or carriage return) gets a quote in front.
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// SeedKind is the job that adds a list of subscribers given as an import
// CSV (the demo's invented members), as active on the consent the file
// gives. It is a job because whoever has the list may not have the site
// key that seals the addresses; the server that runs it does.
const SeedKind = "updates:seed"

// EnqueueSeed adds a seed job inside tx, due a few seconds later: a bulk
// load waits behind the mail of a server's first moments.
func EnqueueSeed(ctx context.Context, tx *db.Tx, csvText string) error {
	return jobs.Enqueue(ctx, tx, SeedKind, []byte(csvText), time.Now().Add(3*time.Second))
}

// runSeed imports a seed job's list; rows refused are left out.
func (s *Store) runSeed(ctx context.Context, payload []byte) error {
	var langs []string
	for _, l := range s.langs.Enabled() {
		langs = append(langs, l.Code)
	}
	rows, err := ParseImport(payload, langs, s.Now())
	if err != nil {
		return jobs.Permanent(err)
	}
	_, err = s.Import(ctx, rows, false, "")
	return err
}
