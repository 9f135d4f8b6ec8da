package calls

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"peerpress/internal/db"
)

// Review is one reviewer's review of one submission.
type Review struct {
	App, User int64
	// Scores are by criterion key.
	Scores    map[string]int
	Comments  string
	Assigned  time.Time
	Submitted time.Time // zero until submitted
}

// Done reports whether the review was submitted.
func (r Review) Done() bool { return !r.Submitted.IsZero() }

const reviewCols = `r.application_id, r.user_id, r.scores, r.comments, r.assigned_at, r.submitted_at`

func scanReview(row interface{ Scan(...any) error }) (Review, error) {
	var r Review
	var scores string
	var assigned, submitted int64
	if err := row.Scan(&r.App, &r.User, &scores, &r.Comments, &assigned, &submitted); err != nil {
		return r, err
	}
	if err := json.Unmarshal([]byte(scores), &r.Scores); err != nil {
		return r, fmt.Errorf("calls: scores of %d by %d: %w", r.App, r.User, err)
	}
	r.Assigned = time.Unix(assigned, 0).UTC()
	if submitted > 0 {
		r.Submitted = time.Unix(submitted, 0).UTC()
	}
	return r, nil
}

// ReviewOf loads the reviewer's review of a submission: ErrConflicted
// when they declared a conflict on it, ErrNotAssigned when it is not
// theirs.
func (s *Store) ReviewOf(ctx context.Context, appID, userID int64) (Review, error) {
	var one int
	err := s.db.QueryRowContext(ctx, `SELECT 1 FROM review_conflicts WHERE application_id = ? AND user_id = ?`, appID, userID).Scan(&one)
	if err == nil {
		return Review{}, ErrConflicted
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return Review{}, fmt.Errorf("calls: review: %w", err)
	}
	r, err := scanReview(s.db.QueryRowContext(ctx, `SELECT `+reviewCols+` FROM reviews r WHERE r.application_id = ? AND r.user_id = ?`, appID, userID))
	if errors.Is(err, sql.ErrNoRows) {
		return Review{}, ErrNotAssigned
	}
	if err != nil {
		return Review{}, fmt.Errorf("calls: review: %w", err)
	}
	return r, nil
}

// Reviews lists every review of a call's submissions, assigned or
// submitted, by submission then reviewer.
func (s *Store) Reviews(ctx context.Context, entryID int64) ([]Review, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+reviewCols+` FROM reviews r JOIN applications a ON a.id = r.application_id
		WHERE a.entry_id = ? ORDER BY r.application_id, r.user_id`, entryID)
	if err != nil {
		return nil, fmt.Errorf("calls: reviews of %d: %w", entryID, err)
	}
	defer rows.Close()
	var out []Review
	for rows.Next() {
		r, err := scanReview(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// MaxComments bounds a review's comments, in characters.
const MaxComments = 10000

// CheckScores checks a review's scores against the call's criteria:
// every criterion scored, each within 1 to its scale, nothing else. The
// result maps a criterion's key to its message key; empty when all is
// well.
func CheckScores(c Call, scores map[string]int) map[string]string {
	errs := map[string]string{}
	for _, cr := range c.Criteria {
		v, ok := scores[cr.Key]
		switch {
		case !ok:
			errs[cr.Key] = "calls.review.score_missing"
		case v < 1 || v > cr.Scale:
			errs[cr.Key] = "calls.review.score_out_of_range"
		}
	}
	for k := range scores {
		known := false
		for _, cr := range c.Criteria {
			known = known || cr.Key == k
		}
		if !known {
			errs[k] = "calls.review.score_unknown"
		}
	}
	return errs
}

// ScoreError is a review refused for its scores: nothing was saved.
type ScoreError struct{ Fields map[string]string }

func (e *ScoreError) Error() string { return "calls: scores out of range" }

// SubmitReview saves and submits the reviewer's scores and comments for
// a submission assigned to them; a reviewer may submit again to change
// them. Scores outside the call's scales are refused (*ScoreError),
// unassigned or conflicted submissions too (ErrNotAssigned,
// ErrConflicted), changing nothing.
func (s *Store) SubmitReview(ctx context.Context, c Call, appID, userID int64, scores map[string]int, comments string) error {
	if errs := CheckScores(c, scores); len(errs) > 0 {
		return &ScoreError{Fields: errs}
	}
	comments = strings.TrimSpace(comments)
	if utf8.RuneCountInString(comments) > MaxComments {
		return &ScoreError{Fields: map[string]string{"comments": "form.too_long"}}
	}
	if _, err := s.ReviewOf(ctx, appID, userID); err != nil {
		return err
	}
	raw, err := json.Marshal(scores)
	if err != nil {
		return err
	}
	return s.quiet.InTx(ctx, func(tx *db.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE reviews SET scores = ?, comments = ?, submitted_at = ? WHERE application_id = ? AND user_id = ?
			AND NOT EXISTS (SELECT 1 FROM review_conflicts c WHERE c.application_id = reviews.application_id AND c.user_id = reviews.user_id)`,
			string(raw), comments, s.Now().Unix(), appID, userID)
		if err != nil {
			return fmt.Errorf("calls: submit review: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return ErrNotAssigned
		}
		return nil
	})
}

// Submission opens a confirmed application with its files; ErrBadToken
// when there is none.
func (s *Store) Submission(ctx context.Context, id int64) (Application, error) {
	a, err := s.scanApplication(s.db.QueryRowContext(ctx, `SELECT `+appCols+` FROM applications WHERE id = ? AND status = ?`, id, Confirmed))
	if errors.Is(err, sql.ErrNoRows) {
		return a, ErrBadToken
	}
	if err != nil {
		return a, err
	}
	a.Files, err = s.files(ctx, s.db, a.ID)
	if err != nil {
		return a, err
	}
	// Once the call closed, the board sees the copy kept for it.
	var work string
	if err := s.db.QueryRowContext(ctx, `SELECT work FROM applications WHERE id = ?`, id).Scan(&work); err != nil {
		return a, fmt.Errorf("calls: submission %d: %w", id, err)
	}
	if work != "" {
		raw, err := s.vault.Open(work, sealWork)
		if err != nil {
			return a, fmt.Errorf("calls: submission %d: %w", id, err)
		}
		a.Answers = map[string][]string{}
		if err := json.Unmarshal([]byte(raw), &a.Answers); err != nil {
			return a, fmt.Errorf("calls: submission %d: %w", id, err)
		}
	}
	return a, nil
}
