package calls

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"peerpress/internal/db"
)

// Errors of the review board, which handlers turn into messages.
var (
	// ErrNotAssigned: the reviewer has no review of this submission.
	ErrNotAssigned = errors.New("calls: this submission is not assigned to the reviewer")
	// ErrConflicted: the reviewer declared a conflict of interest on it.
	ErrConflicted = errors.New("calls: the reviewer declared a conflict of interest")
	// ErrNotOnBoard: the user does not sit on the call's board.
	ErrNotOnBoard = errors.New("calls: the user does not sit on this board")
)

// Board is how a call's review board works.
type Board struct {
	EntryID int64
	// Blind hides every identity field from the reviewers: they see the
	// work only (files under a neutral name, links, the work's language).
	Blind bool
	// ShowScores lets a reviewer see the others' scores once they have
	// submitted theirs.
	ShowScores bool
	// PerSubmission is how many reviewers the automatic assignment gives
	// each submission.
	PerSubmission int
	// Normalise ranks on each reviewer's z-scores, so that a harsh and a
	// lenient reviewer weigh the same.
	Normalise bool
	// IdentityDays is how long after the close the applicants' identity
	// and contact fields are kept (what winners agreed to publish aside).
	IdentityDays             int
	SealedAt, IdentityPurged time.Time
}

// DefaultBoard is a call's board until staff set it: blind, two
// reviewers a submission, identities kept 30 days after the close.
func DefaultBoard(entryID int64) Board {
	return Board{EntryID: entryID, Blind: true, PerSubmission: 2, IdentityDays: 30}
}

// Board loads a call's board settings.
func (s *Store) Board(ctx context.Context, entryID int64) (Board, error) {
	b := DefaultBoard(entryID)
	var sealed, purged int64
	err := s.db.QueryRowContext(ctx, `SELECT blind, show_scores, per_submission, normalise, identity_days, sealed_at, identity_purged_at
		FROM call_boards WHERE entry_id = ?`, entryID).Scan(&b.Blind, &b.ShowScores, &b.PerSubmission, &b.Normalise, &b.IdentityDays, &sealed, &purged)
	if errors.Is(err, sql.ErrNoRows) {
		return b, nil
	}
	if err != nil {
		return b, fmt.Errorf("calls: board %d: %w", entryID, err)
	}
	if sealed > 0 {
		b.SealedAt = time.Unix(sealed, 0).UTC()
	}
	if purged > 0 {
		b.IdentityPurged = time.Unix(purged, 0).UTC()
	}
	return b, nil
}

// Board settings' bounds.
const (
	MaxPerSubmission = 20
	MaxIdentityDays  = 3650
)

// SaveBoard saves a call's board settings, checked by the handler.
func (s *Store) SaveBoard(ctx context.Context, b Board) error {
	if b.PerSubmission < 1 || b.PerSubmission > MaxPerSubmission || b.IdentityDays < 0 || b.IdentityDays > MaxIdentityDays {
		return fmt.Errorf("calls: board %d: settings out of range", b.EntryID)
	}
	_, err := s.quiet.ExecContext(ctx, `INSERT INTO call_boards (entry_id, blind, show_scores, per_submission, normalise, identity_days)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (entry_id) DO UPDATE SET blind = excluded.blind, show_scores = excluded.show_scores,
		per_submission = excluded.per_submission, normalise = excluded.normalise, identity_days = excluded.identity_days`,
		b.EntryID, b.Blind, b.ShowScores, b.PerSubmission, b.Normalise, b.IdentityDays)
	if err != nil {
		return fmt.Errorf("calls: save board %d: %w", b.EntryID, err)
	}
	return nil
}

// Reviewer is a member of a call's board.
type Reviewer struct {
	UserID      int64
	Name, Email string
}

// Label is the reviewer's name, or else their email.
func (r Reviewer) Label() string {
	if r.Name != "" {
		return r.Name
	}
	return r.Email
}

// Reviewers lists a call's board, by name.
func (s *Store) Reviewers(ctx context.Context, entryID int64) ([]Reviewer, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT u.id, u.name, u.email FROM call_reviewers cr JOIN users u ON u.id = cr.user_id
		WHERE cr.entry_id = ? ORDER BY u.name, u.email, u.id`, entryID)
	if err != nil {
		return nil, fmt.Errorf("calls: board of %d: %w", entryID, err)
	}
	defer rows.Close()
	var out []Reviewer
	for rows.Next() {
		var r Reviewer
		if err := rows.Scan(&r.UserID, &r.Name, &r.Email); err != nil {
			return nil, fmt.Errorf("calls: board of %d: %w", entryID, err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// AddReviewer seats a user on a call's board, in tx (an invitation's
// transaction); seated already is no error.
func AddReviewer(ctx context.Context, tx *db.Tx, entryID, userID int64, now time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO call_reviewers (entry_id, user_id, added_at) VALUES (?, ?, ?)
		ON CONFLICT (entry_id, user_id) DO NOTHING`, entryID, userID, now.Unix())
	if err != nil {
		return fmt.Errorf("calls: seat %d on %d: %w", userID, entryID, err)
	}
	return nil
}

// RemoveReviewer takes a user off a call's board, with the reviews they
// have not submitted; those they submitted stay in the ranking.
func (s *Store) RemoveReviewer(ctx context.Context, entryID, userID int64) error {
	return s.quiet.InTx(ctx, func(tx *db.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM call_reviewers WHERE entry_id = ? AND user_id = ?`, entryID, userID); err != nil {
			return fmt.Errorf("calls: unseat %d: %w", userID, err)
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM reviews WHERE user_id = ? AND submitted_at = 0
			AND application_id IN (SELECT id FROM applications WHERE entry_id = ?)`, userID, entryID)
		return err
	})
}

// Sits reports whether the user sits on the call's board.
func (s *Store) Sits(ctx context.Context, entryID, userID int64) (bool, error) {
	var one int
	err := s.db.QueryRowContext(ctx, `SELECT 1 FROM call_reviewers WHERE entry_id = ? AND user_id = ?`, entryID, userID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("calls: board seat: %w", err)
	}
	return true, nil
}

// BoardsOf lists the calls whose board the user sits on.
func (s *Store) BoardsOf(ctx context.Context, userID int64) ([]int64, error) {
	return queryIDs(ctx, s.db, `SELECT entry_id FROM call_reviewers WHERE user_id = ? ORDER BY entry_id`, userID)
}

// Submissions lists the confirmed applications to a call, oldest first:
// what the board reviews.
func (s *Store) Submissions(ctx context.Context, entryID int64) ([]int64, error) {
	return queryIDs(ctx, s.db, `SELECT id FROM applications WHERE entry_id = ? AND status = ? ORDER BY id`, entryID, Confirmed)
}

// submission loads a confirmed application, without opening it.
func (s *Store) submissionCall(ctx context.Context, appID int64) (int64, error) {
	var entryID int64
	err := s.db.QueryRowContext(ctx, `SELECT entry_id FROM applications WHERE id = ? AND status = ?`, appID, Confirmed).Scan(&entryID)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, ErrBadToken
	}
	if err != nil {
		return 0, fmt.Errorf("calls: submission %d: %w", appID, err)
	}
	return entryID, nil
}

// SubmissionCall is the call a confirmed application was made to;
// ErrBadToken when there is none.
func (s *Store) SubmissionCall(ctx context.Context, appID int64) (int64, error) {
	return s.submissionCall(ctx, appID)
}

// Pair is one reviewer on one submission.
type Pair struct{ App, User int64 }

// Conflicts lists the conflicts of interest declared on a call's
// submissions.
func (s *Store) Conflicts(ctx context.Context, entryID int64) (map[Pair]bool, error) {
	return s.pairs(ctx, `SELECT c.application_id, c.user_id FROM review_conflicts c JOIN applications a ON a.id = c.application_id
		WHERE a.entry_id = ?`, entryID)
}

func (s *Store) pairs(ctx context.Context, query string, args ...any) (map[Pair]bool, error) {
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("calls: %w", err)
	}
	defer rows.Close()
	out := map[Pair]bool{}
	for rows.Next() {
		var p Pair
		if err := rows.Scan(&p.App, &p.User); err != nil {
			return nil, fmt.Errorf("calls: %w", err)
		}
		out[p] = true
	}
	return out, rows.Err()
}

// DeclareConflict records that the reviewer has a conflict of interest
// on a submission of a call whose board they sit on; their review of it,
// if any, goes: a conflicted score never counts.
func (s *Store) DeclareConflict(ctx context.Context, appID, userID int64) error {
	entryID, err := s.submissionCall(ctx, appID)
	if err != nil {
		return err
	}
	if ok, err := s.Sits(ctx, entryID, userID); err != nil || !ok {
		return cmpErr(err, ErrNotOnBoard)
	}
	return s.quiet.InTx(ctx, func(tx *db.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO review_conflicts (application_id, user_id, declared_at) VALUES (?, ?, ?)
			ON CONFLICT (application_id, user_id) DO NOTHING`, appID, userID, s.Now().Unix()); err != nil {
			return fmt.Errorf("calls: conflict: %w", err)
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM reviews WHERE application_id = ? AND user_id = ?`, appID, userID)
		return err
	})
}

func cmpErr(err, otherwise error) error {
	if err != nil {
		return err
	}
	return otherwise
}

// Assign gives a submission to a reviewer of its call's board by hand:
// never to one who declared a conflict on it (ErrConflicted).
func (s *Store) Assign(ctx context.Context, appID, userID int64) error {
	entryID, err := s.submissionCall(ctx, appID)
	if err != nil {
		return err
	}
	return s.quiet.InTx(ctx, func(tx *db.Tx) error {
		return s.assign(ctx, tx, entryID, appID, userID)
	})
}

func (s *Store) assign(ctx context.Context, tx *db.Tx, entryID, appID, userID int64) error {
	var one int
	err := tx.QueryRowContext(ctx, `SELECT 1 FROM call_reviewers WHERE entry_id = ? AND user_id = ?`, entryID, userID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotOnBoard
	}
	if err != nil {
		return fmt.Errorf("calls: assign: %w", err)
	}
	err = tx.QueryRowContext(ctx, `SELECT 1 FROM review_conflicts WHERE application_id = ? AND user_id = ?`, appID, userID).Scan(&one)
	if err == nil {
		return ErrConflicted
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("calls: assign: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO reviews (application_id, user_id, assigned_at) VALUES (?, ?, ?)
		ON CONFLICT (application_id, user_id) DO NOTHING`, appID, userID, s.Now().Unix()); err != nil {
		return fmt.Errorf("calls: assign: %w", err)
	}
	return nil
}

// Unassign takes a submission from a reviewer, with their review of it
// unless they submitted it already.
func (s *Store) Unassign(ctx context.Context, appID, userID int64) error {
	_, err := s.quiet.ExecContext(ctx, `DELETE FROM reviews WHERE application_id = ? AND user_id = ? AND submitted_at = 0`, appID, userID)
	if err != nil {
		return fmt.Errorf("calls: unassign: %w", err)
	}
	return nil
}

// AutoAssign gives every submission of the call up to the board's
// PerSubmission reviewers, keeping the assignments made already (PlanAssignments);
// it returns how many it made.
func (s *Store) AutoAssign(ctx context.Context, entryID int64) (int, error) {
	b, err := s.Board(ctx, entryID)
	if err != nil {
		return 0, err
	}
	made := 0
	err = s.quiet.InTx(ctx, func(tx *db.Tx) error {
		if err := lockCall(ctx, tx, entryID); err != nil {
			return err
		}
		subs, err := queryIDs(ctx, tx, `SELECT id FROM applications WHERE entry_id = ? AND status = ? ORDER BY id`, entryID, Confirmed)
		if err != nil {
			return err
		}
		board, err := queryIDs(ctx, tx, `SELECT user_id FROM call_reviewers WHERE entry_id = ? ORDER BY user_id`, entryID)
		if err != nil {
			return err
		}
		have, err := s.pairsIn(ctx, tx, `SELECT r.application_id, r.user_id FROM reviews r JOIN applications a ON a.id = r.application_id
			WHERE a.entry_id = ?`, entryID)
		if err != nil {
			return err
		}
		conflicts, err := s.pairsIn(ctx, tx, `SELECT c.application_id, c.user_id FROM review_conflicts c JOIN applications a ON a.id = c.application_id
			WHERE a.entry_id = ?`, entryID)
		if err != nil {
			return err
		}
		for _, p := range PlanAssignments(subs, board, have, conflicts, b.PerSubmission) {
			if err := s.assign(ctx, tx, entryID, p.App, p.User); err != nil {
				return err
			}
			made++
		}
		return nil
	})
	return made, err
}

func (s *Store) pairsIn(ctx context.Context, tx *db.Tx, query string, args ...any) (map[Pair]bool, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("calls: %w", err)
	}
	defer rows.Close()
	out := map[Pair]bool{}
	for rows.Next() {
		var p Pair
		if err := rows.Scan(&p.App, &p.User); err != nil {
			return nil, fmt.Errorf("calls: %w", err)
		}
		out[p] = true
	}
	return out, rows.Err()
}

// PlanAssignments decides which reviewers to add so that each submission
// has n, taking submissions in order and, for each, the eligible
// reviewers (on the board, no conflict declared on it, not assigned to
// it yet) with the fewest assignments so far, the lower user id first
// on a tie. The existing assignments count in the loads. The result is
// the same for the same input: submissions and board are taken sorted.
// A submission with fewer than n eligible reviewers gets them all.
func PlanAssignments(subs, board []int64, have, conflicts map[Pair]bool, n int) []Pair {
	subs, board = slices.Sorted(slices.Values(subs)), slices.Sorted(slices.Values(board))
	have = maps.Clone(have)
	if have == nil {
		have = map[Pair]bool{}
	}
	load := map[int64]int{}
	count := map[int64]int{}
	for p := range have {
		load[p.User]++
		count[p.App]++
	}
	var out []Pair
	for _, app := range subs {
		for count[app] < n {
			best := int64(0)
			for _, u := range board {
				p := Pair{app, u}
				if have[p] || conflicts[p] {
					continue
				}
				if best == 0 || load[u] < load[best] {
					best = u
				}
			}
			if best == 0 {
				break
			}
			p := Pair{app, best}
			have[p] = true
			load[best]++
			count[app]++
			out = append(out, p)
		}
	}
	return out
}
