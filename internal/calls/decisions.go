package calls

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"peerpress/internal/db"
	"peerpress/internal/mail"
	"peerpress/internal/participant"
)

// Decisions staff take on submissions.
const (
	Award     = "award"
	Shortlist = "shortlist"
	Declined  = "declined"
)

// ErrStillOpen: applicants are told of decisions once the call closed.
var ErrStillOpen = errors.New("calls: the call is still open")

// Decision is staff's decision on a submission, and what a winner agreed
// to publish.
type Decision struct {
	App      int64
	Decision string
	Category string // an award's
	Notified bool
	// PublicName and PublicWork are what the awards page shows, once
	// the winner agreed (Published).
	PublicName, PublicWork string
	Published              bool
}

// maxCategory bounds an award category and what a winner publishes.
const maxCategory = 200

// Decisions loads the decisions on a call's submissions, by submission.
func (s *Store) Decisions(ctx context.Context, entryID int64) (map[int64]Decision, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT d.application_id, d.decision, d.category, d.notified_at, d.public_name, d.public_work, d.published
		FROM application_decisions d JOIN applications a ON a.id = d.application_id WHERE a.entry_id = ?`, entryID)
	if err != nil {
		return nil, fmt.Errorf("calls: decisions of %d: %w", entryID, err)
	}
	defer rows.Close()
	out := map[int64]Decision{}
	for rows.Next() {
		var d Decision
		var notified int64
		if err := rows.Scan(&d.App, &d.Decision, &d.Category, &notified, &d.PublicName, &d.PublicWork, &d.Published); err != nil {
			return nil, fmt.Errorf("calls: decisions of %d: %w", entryID, err)
		}
		d.Notified = notified > 0
		out[d.App] = d
	}
	return out, rows.Err()
}

// Decide records a decision on a submission ("" takes it back), while
// the applicant has not been told of it. An award needs a category.
func (s *Store) Decide(ctx context.Context, appID int64, decision, category string) error {
	category = strings.TrimSpace(category)
	switch {
	case decision != "" && decision != Award && decision != Shortlist && decision != Declined:
		return &ScoreError{Fields: map[string]string{"decision": "form.invalid_choice"}}
	case decision == Award && category == "":
		return &ScoreError{Fields: map[string]string{"decision": "calls.decision.category_needed"}}
	case utf8.RuneCountInString(category) > maxCategory:
		return &ScoreError{Fields: map[string]string{"decision": "form.too_long"}}
	}
	if decision != Award {
		category = ""
	}
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		var notified int64
		err := tx.QueryRowContext(ctx, `SELECT notified_at FROM application_decisions WHERE application_id = ?`, appID).Scan(&notified)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("calls: decide: %w", err)
		}
		if notified > 0 {
			return &ScoreError{Fields: map[string]string{"decision": "calls.decision.already_told"}}
		}
		if decision == "" {
			_, err := tx.ExecContext(ctx, `DELETE FROM application_decisions WHERE application_id = ?`, appID)
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO application_decisions (entry_id, application_id, decision, category, decided_at)
			SELECT entry_id, id, ?, ?, ? FROM applications WHERE id = ?
			ON CONFLICT (application_id) DO UPDATE SET decision = excluded.decision, category = excluded.category, decided_at = excluded.decided_at`,
			decision, category, s.Now().Unix(), appID)
		if err != nil {
			return fmt.Errorf("calls: decide: %w", err)
		}
		return nil
	})
}

// Notify mails every applicant of the call whose decision they have not
// been told, in their language: a winner with a private link where they
// agree (or not) to publish their name and work; it returns how many
// were told. Only once the call closed (ErrStillOpen).
func (s *Store) Notify(ctx context.Context, entryID int64, origin, title func(lang string) string) (int, error) {
	c, err := s.Call(ctx, s.db, entryID)
	if err != nil {
		return 0, err
	}
	if c.State(s.Now()) != StateClosed {
		return 0, ErrStillOpen
	}
	told := 0
	// Loud: the awards page shows the awards told.
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT a.id, a.email, a.lang, d.decision, d.category FROM application_decisions d
			JOIN applications a ON a.id = d.application_id WHERE a.entry_id = ? AND d.notified_at = 0 ORDER BY a.id`, entryID)
		if err != nil {
			return err
		}
		type todo struct {
			id                              int64
			email, lang, decision, category string
		}
		var list []todo
		for rows.Next() {
			var t todo
			var sealed string
			if err := rows.Scan(&t.id, &sealed, &t.lang, &t.decision, &t.category); err != nil {
				rows.Close()
				return err
			}
			if t.email, err = s.vault.Open(sealed, sealEmail); err != nil {
				rows.Close()
				return fmt.Errorf("calls: notify %d: %w", t.id, err)
			}
			list = append(list, t)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, t := range list {
			if t.email == "" {
				continue // purged already: nobody to tell
			}
			l := s.langs.Localizer(t.lang)
			msg := mail.Message{To: t.email}
			callTitle := title(t.lang)
			var consent string
			switch t.decision {
			case Award:
				token, hash := participant.NewLink()
				consent = hash
				msg.Subject = l.T("calls.decision.award_subject", "Title", callTitle)
				msg.Text = l.T("calls.decision.award_body", "Title", callTitle, "Category", t.category,
					"Link", origin(t.lang)+"/"+t.lang+"/application/awards/"+token)
			case Shortlist:
				msg.Subject = l.T("calls.decision.shortlist_subject", "Title", callTitle)
				msg.Text = l.T("calls.decision.shortlist_body", "Title", callTitle)
			default:
				msg.Subject = l.T("calls.decision.declined_subject", "Title", callTitle)
				msg.Text = l.T("calls.decision.declined_body", "Title", callTitle)
			}
			if _, err := tx.ExecContext(ctx, `UPDATE application_decisions SET notified_at = ?, consent_hash = ? WHERE application_id = ?`,
				s.Now().Unix(), consent, t.id); err != nil {
				return err
			}
			if err := s.mailer.Send(ctx, tx, msg); err != nil {
				return err
			}
			told++
		}
		return nil
	})
	return told, err
}

// Winner is an award as its winner's private link shows it.
type Winner struct {
	App, EntryID int64
	Category     string
	Lang         string
	Decision
}

// WinnerByToken finds the award a winner's private link names.
func (s *Store) WinnerByToken(ctx context.Context, token string) (Winner, error) {
	hashes := participant.LookupHashes(token)
	if hashes == nil {
		return Winner{}, ErrBadToken
	}
	var w Winner
	err := s.db.QueryRowContext(ctx, `SELECT a.id, a.entry_id, a.lang, d.category, d.public_name, d.public_work, d.published
		FROM application_decisions d JOIN applications a ON a.id = d.application_id
		WHERE d.consent_hash = ? AND d.decision = ?`, hashes[0], Award).Scan(&w.App, &w.EntryID, &w.Lang, &w.Category, &w.PublicName, &w.PublicWork, &w.Published)
	if errors.Is(err, sql.ErrNoRows) {
		return Winner{}, ErrBadToken
	}
	if err != nil {
		return Winner{}, fmt.Errorf("calls: winner: %w", err)
	}
	w.Decision.App, w.Decision.Decision, w.Decision.Category = w.App, Award, w.Category
	return w, nil
}

// Publish records what a winner agreed to publish, or (publish false)
// that they do not agree: the awards page then names the category only.
// Loud: the awards page shows it.
func (s *Store) Publish(ctx context.Context, appID int64, publish bool, name, work string) error {
	name, work = strings.TrimSpace(name), strings.TrimSpace(work)
	if !publish {
		name, work = "", ""
	}
	_, err := s.db.ExecContext(ctx, `UPDATE application_decisions SET published = ?, public_name = ?, public_work = ? WHERE application_id = ?`,
		publish, name, work, appID)
	if err != nil {
		return fmt.Errorf("calls: publish %d: %w", appID, err)
	}
	return nil
}

// CheckPublic checks what a winner agrees to publish: a name, within
// bounds; the field's message key, or "".
func CheckPublic(name, work string) (string, string) {
	switch {
	case strings.TrimSpace(name) == "":
		return "public_name", "form.required"
	case utf8.RuneCountInString(name) > maxCategory:
		return "public_name", "form.too_long"
	case utf8.RuneCountInString(work) > maxCategory:
		return "public_work", "form.too_long"
	}
	return "", ""
}

// AwardLine is one line of a call's awards page.
type AwardLine struct {
	Category   string
	Name, Work string // empty when the winner did not agree to publish
}

// Awards lists a call's awards, by category then submission, with what
// each winner agreed to publish; nothing before the applicants are told.
// An award outlives its application (purged on schedule): what the
// winner agreed to publish stays.
func (s *Store) Awards(ctx context.Context, entryID int64) ([]AwardLine, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT d.category, d.public_name, d.public_work, d.published FROM application_decisions d
		WHERE d.entry_id = ? AND d.decision = ? AND d.notified_at > 0 ORDER BY d.category, d.id`, entryID, Award)
	if err != nil {
		return nil, fmt.Errorf("calls: awards of %d: %w", entryID, err)
	}
	defer rows.Close()
	var out []AwardLine
	for rows.Next() {
		var a AwardLine
		var published bool
		if err := rows.Scan(&a.Category, &a.Name, &a.Work, &published); err != nil {
			return nil, fmt.Errorf("calls: awards of %d: %w", entryID, err)
		}
		if !published {
			a.Name, a.Work = "", ""
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// AwardedCalls are the calls whose awards were told, and so have a public
// awards page.
func (s *Store) AwardedCalls(ctx context.Context) ([]int64, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT DISTINCT entry_id FROM application_decisions
		WHERE decision = ? AND notified_at > 0 ORDER BY entry_id`, Award)
	if err != nil {
		return nil, fmt.Errorf("calls: awarded calls: %w", err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("calls: awarded calls: %w", err)
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}
