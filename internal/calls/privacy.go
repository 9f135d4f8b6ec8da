package calls

import (
	"context"
	"encoding/json"
	"fmt"

	"peerpress/internal/db"
	"peerpress/internal/participant"
)

// sealWork is the context of the applications' work column: what the
// board sees of a submission once its answers are sealed away.
const sealWork = "applications.work"

// reviewerAnswers is what of an application's answers a board sees: the
// work (file fields' links, the work's language), and on a call that is
// not blind every answer.
func reviewerAnswers(c Call, b Board, answers map[string][]string) map[string][]string {
	out := map[string][]string{}
	for _, f := range c.Form {
		if v := answers[f.Key]; len(v) > 0 && (f.Type == File || !b.Blind) {
			out[f.Key] = v
		}
	}
	if v := answers[workLanguageKey]; len(v) > 0 {
		out[workLanguageKey] = v
	}
	return out
}

// workOnly keeps of answers the work alone: file fields' links and the
// work's language.
func workOnly(c Call, answers map[string][]string) map[string][]string {
	return reviewerAnswers(c, Board{Blind: true}, answers)
}

func (s *Store) sealJSON(v any, context string) string {
	raw, _ := json.Marshal(v)
	return s.vault.Seal(string(raw), context)
}

// SealClosed runs once a call has closed (the close, plus the uploads'
// grace): for each application it keeps a copy of what the board sees,
// sealed with the site key, and reseals the answers to the
// organisation's public key when the site has one, so that the server
// alone can no longer read them; staff open them with the key (`peerpress
// unseal`, an unlocked session). Applications cannot change after the
// close, so nothing needs the site key to read them any more. It returns
// how many applications it sealed.
func (s *Store) SealClosed(ctx context.Context) (int, error) {
	now := s.Now()
	ids, err := queryIDs(ctx, s.db, `SELECT c.entry_id FROM calls c LEFT JOIN call_boards b ON b.entry_id = c.entry_id
		WHERE c.closes_at + c.grace_minutes * 60 < ? AND COALESCE(b.sealed_at, 0) = 0`, now.Unix())
	if err != nil {
		return 0, err
	}
	total := 0
	for _, entryID := range ids {
		c, err := s.Call(ctx, s.db, entryID)
		if err != nil {
			return total, err
		}
		b, err := s.Board(ctx, entryID)
		if err != nil {
			return total, err
		}
		n := 0
		err = s.quiet.InTx(ctx, func(tx *db.Tx) error {
			rows, err := tx.QueryContext(ctx, `SELECT id, answers FROM applications WHERE entry_id = ?`, entryID)
			if err != nil {
				return err
			}
			type app struct {
				id      int64
				answers string
			}
			var list []app
			for rows.Next() {
				var a app
				if err := rows.Scan(&a.id, &a.answers); err != nil {
					rows.Close()
					return err
				}
				list = append(list, a)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			for _, a := range list {
				if participant.IsSealedForStaff(a.answers) {
					continue
				}
				raw, err := s.vault.Open(a.answers, sealAnswers)
				if err != nil {
					return fmt.Errorf("calls: seal %d: %w", a.id, err)
				}
				var answers map[string][]string
				if err := json.Unmarshal([]byte(raw), &answers); err != nil {
					return fmt.Errorf("calls: seal %d: %w", a.id, err)
				}
				sealed := a.answers
				if s.vault.OrgRecipient() != "" {
					sealed = s.vault.SealForStaff(raw, sealAnswers)
				}
				if _, err := tx.ExecContext(ctx, `UPDATE applications SET work = ?, answers = ? WHERE id = ?`,
					s.sealJSON(reviewerAnswers(c, b, answers), sealWork), sealed, a.id); err != nil {
					return err
				}
				n++
			}
			_, err = tx.ExecContext(ctx, `INSERT INTO call_boards (entry_id, sealed_at) VALUES (?, ?)
				ON CONFLICT (entry_id) DO UPDATE SET sealed_at = excluded.sealed_at`, entryID, now.Unix())
			return err
		})
		if err != nil {
			return total, fmt.Errorf("calls: seal call %d: %w", entryID, err)
		}
		total += n
	}
	return total, nil
}

// PurgeIdentities runs the board's IdentityDays after a call closed:
// every application loses its email (and the keyed hash that finds it),
// its answers and its files' names as the applicant's device gave them;
// what stays is the work the board scored (files, their links, the
// work's language), the scores, the decisions and what winners agreed
// to publish, until the call's retention purge deletes the rest. It
// returns how many applications it purged.
func (s *Store) PurgeIdentities(ctx context.Context) (int, error) {
	now := s.Now()
	ids, err := queryIDs(ctx, s.db, `SELECT c.entry_id FROM calls c JOIN call_boards b ON b.entry_id = c.entry_id
		WHERE b.sealed_at > 0 AND b.identity_purged_at = 0 AND c.closes_at + b.identity_days * 86400 < ?`, now.Unix())
	if err != nil {
		return 0, err
	}
	total := 0
	for _, entryID := range ids {
		c, err := s.Call(ctx, s.db, entryID)
		if err != nil {
			return total, err
		}
		n := 0
		err = s.quiet.InTx(ctx, func(tx *db.Tx) error {
			rows, err := tx.QueryContext(ctx, `SELECT id, work FROM applications WHERE entry_id = ?`, entryID)
			if err != nil {
				return err
			}
			works := map[int64]string{}
			for rows.Next() {
				var id int64
				var w string
				if err := rows.Scan(&id, &w); err != nil {
					rows.Close()
					return err
				}
				works[id] = w
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			for id, w := range works {
				work := map[string][]string{}
				if w != "" {
					raw, err := s.vault.Open(w, sealWork)
					if err != nil {
						return fmt.Errorf("calls: purge %d: %w", id, err)
					}
					if err := json.Unmarshal([]byte(raw), &work); err != nil {
						return fmt.Errorf("calls: purge %d: %w", id, err)
					}
				}
				if _, err := tx.ExecContext(ctx, `UPDATE applications SET email = '', email_hash = '', manage_hash = '', answers = ?, work = ?
					WHERE id = ?`, s.sealAnswers(map[string][]string{}), s.sealJSON(workOnly(c, work), sealWork), id); err != nil {
					return err
				}
				if _, err := tx.ExecContext(ctx, `UPDATE application_files SET name = '' WHERE application_id = ?`, id); err != nil {
					return err
				}
				n++
			}
			_, err = tx.ExecContext(ctx, `UPDATE call_boards SET identity_purged_at = ? WHERE entry_id = ?`, now.Unix(), entryID)
			return err
		})
		if err != nil {
			return total, fmt.Errorf("calls: purge identities of %d: %w", entryID, err)
		}
		total += n
	}
	return total, nil
}

// closeTask is the periodic work of closed calls.
func (s *Store) closeTask(ctx context.Context) error {
	if _, err := s.SealClosed(ctx); err != nil {
		return err
	}
	_, err := s.PurgeIdentities(ctx)
	return err
}
