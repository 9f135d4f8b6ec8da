package calls

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"peerpress/internal/db"
	"peerpress/internal/i18n"
	"peerpress/internal/mail"
	"peerpress/internal/media"
	"peerpress/internal/participant"
)

// Purposes of keyed hashes and contexts of sealed columns.
const (
	hashEmail     = "calls:application-email"
	sealEmail     = "applications.email"
	sealAnswers   = "applications.answers"
	sealFileName  = "application_files.name"
	confirmWithin = 48 * time.Hour
)

// Errors of the store, which handlers turn into messages.
var (
	ErrBadToken = errors.New("calls: no application has this link")
	ErrClosed   = errors.New("calls: the call is not taking applications")
	ErrNoCall   = errors.New("calls: no such call")
)

// Application statuses: an application counts once its email is confirmed.
const (
	Pending   = "pending"
	Confirmed = "confirmed"
)

// Application is one application to a call, opened.
type Application struct {
	ID      int64
	EntryID int64
	Email   string
	// Answers are by field key; a checkboxes field has several values.
	Answers   map[string][]string
	Lang      string
	Status    string
	CreatedAt time.Time
	UpdatedAt time.Time
	Files     []StoredFile
	// SealedAnswers holds the answers as sealed to the organisation's
	// key since the call closed, when Answers is empty for that.
	SealedAnswers string
}

// StoredFile is a file of an application, kept in the area's Blobs.
type StoredFile struct {
	ID       int64
	Field    string
	Key      string
	Name     string
	Type     string
	Size     int64
	Duration int // seconds, for a video
}

// Store keeps calls' applications. Every write is quiet: no public page
// shows an application.
type Store struct {
	db     *db.DB
	quiet  db.Quiet
	vault  *participant.Vault
	mailer *mail.Mailer
	blobs  media.Blobs
	langs  *i18n.Bundle // every catalog: mail goes in the applicant's language
	// Staging is the folder of the data folder where uploads wait to be
	// checked and cleaned; set by the module.
	Staging string
	// Now is the store's clock; tests move it.
	Now func() time.Time
}

// NewStore returns a store. The vault must be the site key's.
func NewStore(d *db.DB, vault *participant.Vault, mailer *mail.Mailer, blobs media.Blobs) (*Store, error) {
	if vault == nil {
		return nil, errors.New("calls: no site key")
	}
	var codes []string
	for _, l := range i18n.Available() {
		codes = append(codes, l.Code)
	}
	langs, err := i18n.New(codes)
	if err != nil {
		return nil, err
	}
	return &Store{db: d, quiet: d.Quiet(), vault: vault, mailer: mailer, blobs: blobs, langs: langs, Now: time.Now}, nil
}

// Call loads a call's settings.
func (s *Store) Call(ctx context.Context, q db.Querier, entryID int64) (Call, error) {
	_, c, err := scanCall(q.QueryRowContext(ctx, `SELECT `+callCols+` FROM calls WHERE entry_id = ?`, entryID))
	if errors.Is(err, sql.ErrNoRows) {
		return Call{}, ErrNoCall
	}
	if err != nil {
		return Call{}, fmt.Errorf("calls: call %d: %w", entryID, err)
	}
	return c, nil
}

// appCols are the columns scanApplication reads.
const appCols = `id, entry_id, email, answers, lang, status, created_at, updated_at`

func (s *Store) scanApplication(row interface{ Scan(...any) error }) (Application, error) {
	var a Application
	var email, answers string
	var created, updated int64
	if err := row.Scan(&a.ID, &a.EntryID, &email, &answers, &a.Lang, &a.Status, &created, &updated); err != nil {
		return a, err
	}
	var err error
	if a.Email, err = s.vault.Open(email, sealEmail); err != nil {
		return a, fmt.Errorf("calls: open application %d: %w", a.ID, err)
	}
	raw, err := s.vault.Open(answers, sealAnswers)
	if errors.Is(err, participant.ErrLocked) {
		// Sealed to the organisation's key since the close (SealClosed).
		a.Answers, a.SealedAnswers = map[string][]string{}, answers
		a.CreatedAt, a.UpdatedAt = time.Unix(created, 0).UTC(), time.Unix(updated, 0).UTC()
		return a, nil
	}
	if err != nil {
		return a, fmt.Errorf("calls: open application %d: %w", a.ID, err)
	}
	if err := json.Unmarshal([]byte(raw), &a.Answers); err != nil {
		return a, fmt.Errorf("calls: answers of %d: %w", a.ID, err)
	}
	a.CreatedAt, a.UpdatedAt = time.Unix(created, 0).UTC(), time.Unix(updated, 0).UTC()
	return a, nil
}

// byLink finds the application a confirm or manage link names.
func (s *Store) byLink(ctx context.Context, q db.Querier, column, token string) (Application, error) {
	hashes := participant.LookupHashes(token)
	if hashes == nil {
		return Application{}, ErrBadToken
	}
	// column is one of two literals, never input.
	a, err := s.scanApplication(q.QueryRowContext(ctx, `SELECT `+appCols+` FROM applications WHERE `+column+` = ?`, hashes[0])) // #nosec G202 -- column is confirm_hash or manage_hash
	if errors.Is(err, sql.ErrNoRows) {
		return Application{}, ErrBadToken
	}
	if err != nil {
		return Application{}, err
	}
	a.Files, err = s.files(ctx, q, a.ID)
	return a, err
}

// ByManageToken finds the application a private link names, with its
// files.
func (s *Store) ByManageToken(ctx context.Context, token string) (Application, error) {
	return s.byLink(ctx, s.db, "manage_hash", token)
}

// ByConfirmToken finds the pending application a confirmation link
// names, while the link is valid.
func (s *Store) ByConfirmToken(ctx context.Context, token string) (Application, error) {
	a, err := s.byLink(ctx, s.db, "confirm_hash", token)
	if err != nil {
		return a, err
	}
	var expires int64
	if err := s.db.QueryRowContext(ctx, `SELECT confirm_expires FROM applications WHERE id = ?`, a.ID).Scan(&expires); err != nil {
		return a, fmt.Errorf("calls: application %d: %w", a.ID, err)
	}
	if a.Status != Pending || s.Now().Unix() > expires {
		return Application{}, ErrBadToken
	}
	return a, nil
}

// files lists an application's files.
func (s *Store) files(ctx context.Context, q db.Querier, appID int64) ([]StoredFile, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, field, blob_key, name, content_type, size, duration_seconds FROM application_files
		WHERE application_id = ? ORDER BY id`, appID)
	if err != nil {
		return nil, fmt.Errorf("calls: files of %d: %w", appID, err)
	}
	defer rows.Close()
	var out []StoredFile
	for rows.Next() {
		var f StoredFile
		var name string
		if err := rows.Scan(&f.ID, &f.Field, &f.Key, &name, &f.Type, &f.Size, &f.Duration); err != nil {
			return nil, fmt.Errorf("calls: files of %d: %w", appID, err)
		}
		if f.Name, err = s.vault.Open(name, sealFileName); err != nil {
			return nil, fmt.Errorf("calls: file %d: %w", f.ID, err)
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

func (s *Store) sealAnswers(answers map[string][]string) string {
	raw, _ := json.Marshal(answers)
	return s.vault.Seal(string(raw), sealAnswers)
}

// lockCall serialises the applications to one call inside tx, so that
// "one application per email" holds on PostgreSQL as on SQLite.
func lockCall(ctx context.Context, tx *db.Tx, entryID int64) error {
	if _, err := tx.ExecContext(ctx, `UPDATE calls SET kept_applications = kept_applications WHERE entry_id = ?`, entryID); err != nil {
		return fmt.Errorf("calls: lock call %d: %w", entryID, err)
	}
	return nil
}

// ApplyInput is what the application form sends.
type ApplyInput struct {
	EntryID int64
	Lang    string
	Origin  string // scheme://host of the site, for the links in mail
	Email   string
	Answers map[string][]string
	// Title is the call's title in Lang, for the mail.
	Title string
	// Files are kept already (ingest); Apply records them with the
	// application, or deletes them when it stores nothing.
	Files []StoredFile
}

// Apply records a pending application and mails the link that confirms
// it, at the instant the server takes it: after the close it is refused
// with ErrClosed. When the call takes one application per email and the
// address has one confirmed already, nothing is stored and the address is
// mailed a new private link to its application instead; the page says
// "check your mail" either way, so the form tells nobody who applied.
func (s *Store) Apply(ctx context.Context, in ApplyInput) error {
	email, err := participant.Normalize(in.Email)
	if err != nil {
		return fmt.Errorf("calls: apply: %w", err)
	}
	hash := s.vault.Hash(hashEmail, email)
	kept := false // the files are recorded with a new application
	defer func() {
		if !kept {
			s.Discard(in.Files...)
		}
	}()
	return s.quiet.InTx(ctx, func(tx *db.Tx) error {
		kept = false
		if err := lockCall(ctx, tx, in.EntryID); err != nil {
			return err
		}
		c, err := s.Call(ctx, tx, in.EntryID)
		if err != nil {
			return err
		}
		now := s.Now()
		if !c.Open(now) {
			return ErrClosed
		}
		l := s.langs.Localizer(in.Lang)
		if c.OnePerEmail {
			var id int64
			err := tx.QueryRowContext(ctx, `SELECT id FROM applications WHERE entry_id = ? AND email_hash = ? AND status = ?`,
				in.EntryID, hash, Confirmed).Scan(&id)
			if err == nil {
				token, tokHash := participant.NewLink()
				if _, err := tx.ExecContext(ctx, `UPDATE applications SET manage_hash = ? WHERE id = ?`, tokHash, id); err != nil {
					return fmt.Errorf("calls: new link of %d: %w", id, err)
				}
				// A mail that fails for good is of no use after a while,
				// and carries the address and the link: it goes then.
				return s.mailer.Send(ctx, tx, mail.Message{To: email, Subject: l.T("calls.mail.already_subject", "Title", in.Title),
					Text: l.T("calls.mail.already_body", "Title", in.Title, "Link", manageURL(in.Origin, in.Lang, token)), Until: now.Add(confirmWithin)})
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("calls: apply: %w", err)
			}
			// An earlier application never confirmed gives way to this one.
			if _, err := tx.ExecContext(ctx, `DELETE FROM applications WHERE entry_id = ? AND email_hash = ? AND status = ?`,
				in.EntryID, hash, Pending); err != nil {
				return fmt.Errorf("calls: apply: %w", err)
			}
		}
		token, tokHash := participant.NewLink()
		var id int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO applications (entry_id, email_hash, email, answers, lang, status,
			confirm_hash, confirm_expires, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			in.EntryID, hash, s.vault.Seal(email, sealEmail), s.sealAnswers(in.Answers), in.Lang, Pending,
			tokHash, now.Add(confirmWithin).Unix(), now.Unix(), now.Unix()).Scan(&id); err != nil {
			return fmt.Errorf("calls: apply: %w", err)
		}
		for _, f := range in.Files {
			if _, err := s.insertFile(ctx, tx, id, f); err != nil {
				return err
			}
		}
		kept = true
		// Unconfirmed, the application is deleted after confirmWithin: a
		// confirmation that failed for good goes with it, not a week later.
		return s.mailer.Send(ctx, tx, mail.Message{To: email, Subject: l.T("calls.mail.confirm_subject", "Title", in.Title),
			Text: l.T("calls.mail.confirm_body", "Title", in.Title, "Link", confirmURL(in.Origin, in.Lang, token),
				"Hours", int(confirmWithin/time.Hour)), Until: now.Add(confirmWithin)})
	})
}

func confirmURL(origin, lang, token string) string {
	return origin + "/" + lang + "/application/confirm/" + token
}

func manageURL(origin, lang, token string) string {
	return origin + "/" + lang + "/application/manage/" + token
}

// Confirm confirms the application a confirmation link names, gives it a
// private link and mails the receipt with that link; it returns the
// application and the link's token. A second application from an
// address that has one confirmed meanwhile is dropped (ErrBadToken).
func (s *Store) Confirm(ctx context.Context, token, origin, title string) (Application, string, error) {
	a, err := s.ByConfirmToken(ctx, token)
	if err != nil {
		return a, "", err
	}
	manage, manageHash := participant.NewLink()
	err = s.quiet.InTx(ctx, func(tx *db.Tx) error {
		if err := lockCall(ctx, tx, a.EntryID); err != nil {
			return err
		}
		c, err := s.Call(ctx, tx, a.EntryID)
		if err != nil {
			return err
		}
		hash := s.vault.Hash(hashEmail, a.Email)
		if c.OnePerEmail {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM applications WHERE entry_id = ? AND email_hash = ? AND status = ?`,
				a.EntryID, hash, Confirmed).Scan(&n); err != nil {
				return fmt.Errorf("calls: confirm: %w", err)
			}
			if n > 0 {
				_, err := tx.ExecContext(ctx, `DELETE FROM applications WHERE id = ?`, a.ID)
				if err == nil {
					err = ErrBadToken
				}
				return err
			}
		}
		res, err := tx.ExecContext(ctx, `UPDATE applications SET status = ?, confirm_hash = '', confirm_expires = 0, manage_hash = ?
			WHERE id = ? AND status = ?`, Confirmed, manageHash, a.ID, Pending)
		if err != nil {
			return fmt.Errorf("calls: confirm %d: %w", a.ID, err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return ErrBadToken
		}
		l := s.langs.Localizer(a.Lang)
		zone := c.Zone()
		return s.mailer.Send(ctx, tx, mail.Message{To: a.Email, Subject: l.T("calls.mail.receipt_subject", "Title", title),
			Text: l.T("calls.mail.receipt_body", "Title", title, "Link", manageURL(origin, a.Lang, manage),
				"Deadline", l.DateTime(c.ClosesAt.In(zone))+" ("+zone.String()+")") + "\n\n" + s.summary(l, c, a)})
	})
	if err != nil {
		return a, "", err
	}
	a.Status = Confirmed
	return a, manage, nil
}

// summary is what the receipt repeats of the application: each answer
// by its field's label, and the files by name.
func (s *Store) summary(l *i18n.Localizer, c Call, a Application) string {
	out := ""
	for _, f := range c.Form {
		vals := slices.Clone(a.Answers[f.Key])
		if len(vals) == 0 && f.Type != File {
			continue
		}
		line := f.Wording(a.Lang).Label + ": "
		switch f.Type {
		case File:
			for _, sf := range a.Files {
				if sf.Field == f.Key {
					vals = append(vals, sf.Name)
				}
			}
			if len(vals) == 0 {
				continue
			}
		case Country:
			for i, v := range vals {
				vals[i] = i18n.CountryName(v, a.Lang)
			}
		case Choice, Checkboxes:
			options := f.Wording(a.Lang).Options
			for i, v := range vals {
				if n, err := strconv.Atoi(v); err == nil && n >= 0 && n < len(options) {
					vals[i] = options[n]
				}
			}
		}
		for i, v := range vals {
			if i > 0 {
				line += ", "
			}
			line += v
		}
		out += line + "\n"
	}
	if lang := a.Answers[workLanguageKey]; len(lang) > 0 {
		out += l.T("calls.apply.work_language") + ": " + languageLabel(lang[0], a.Lang) + "\n"
	}
	return out
}

// Update changes the answers of the application a private link names,
// until the call closes.
func (s *Store) Update(ctx context.Context, token string, answers map[string][]string) error {
	a, err := s.ByManageToken(ctx, token)
	if err != nil {
		return err
	}
	return s.quiet.InTx(ctx, func(tx *db.Tx) error {
		c, err := s.Call(ctx, tx, a.EntryID)
		if err != nil {
			return err
		}
		if !c.Open(s.Now()) {
			return ErrClosed
		}
		_, err = tx.ExecContext(ctx, `UPDATE applications SET answers = ?, updated_at = ? WHERE id = ?`,
			s.sealAnswers(answers), s.Now().Unix(), a.ID)
		return err
	})
}

// Withdraw deletes the application a private link names and its files,
// at once.
func (s *Store) Withdraw(ctx context.Context, token string) error {
	a, err := s.ByManageToken(ctx, token)
	if err != nil {
		return err
	}
	return s.deleteApplications(ctx, a.ID)
}

// deleteApplications deletes applications with their files' rows, then
// their blobs. A blob that cannot be deleted is logged, by its key only:
// the application is gone either way.
func (s *Store) deleteApplications(ctx context.Context, ids ...int64) error {
	var keys []string
	err := s.quiet.InTx(ctx, func(tx *db.Tx) error {
		for _, id := range ids {
			rows, err := tx.QueryContext(ctx, `SELECT blob_key FROM application_files WHERE application_id = ?`, id)
			if err != nil {
				return err
			}
			for rows.Next() {
				var k string
				if err := rows.Scan(&k); err != nil {
					rows.Close()
					return err
				}
				keys = append(keys, k)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM applications WHERE id = ?`, id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("calls: delete applications: %w", err)
	}
	for _, k := range keys {
		s.deleteBlob(ctx, k)
	}
	return nil
}

// DropUnconfirmed deletes applications whose confirmation link expired.
func (s *Store) DropUnconfirmed(ctx context.Context) (int, error) {
	ids, err := queryIDs(ctx, s.db, `SELECT id FROM applications WHERE status = ? AND confirm_expires < ?`, Pending, s.Now().Unix())
	if err != nil {
		return 0, err
	}
	return len(ids), s.deleteApplications(ctx, ids...)
}

func queryIDs(ctx context.Context, q db.Querier, query string, args ...any) ([]int64, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("calls: %w", err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("calls: %w", err)
		}
		out = append(out, id)
	}
	return out, rows.Err()
}
