package auth

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"peerpress/internal/db"
	"peerpress/internal/participant"
)

// The sign-in limiter's curve: the first freeFailures wrong passwords in
// a row cost nothing; then each one makes the next attempt wait twice as
// long, from backoffBase up to backoffCap. A guesser gets a few dozen
// tries a day; the real person, who knows the password, waits at most
// backoffCap and is never locked out for good.
const (
	freeFailures = 3
	backoffBase  = time.Second
	backoffCap   = 15 * time.Minute
	// limitIdle is how long an untouched limiter row is kept.
	limitIdle = 24 * time.Hour
)

// ErrThrottled means the sign-in was refused before the password was
// checked, because of recent failures; the error is a *ThrottledError
// saying how long to wait.
var ErrThrottled = errors.New("auth: too many sign-in attempts")

// ThrottledError is ErrThrottled with the wait before the next attempt.
type ThrottledError struct{ Wait time.Duration }

func (e *ThrottledError) Error() string {
	return fmt.Sprintf("auth: too many sign-in attempts; next in %s", e.Wait)
}

// Is makes errors.Is(err, ErrThrottled) hold.
func (e *ThrottledError) Is(target error) bool { return target == ErrThrottled }

// backoff is the wait after the n-th failure in a row.
func backoff(n int) time.Duration {
	if n <= freeFailures {
		return 0
	}
	shift := min(n-freeFailures-1, 20)
	return min(backoffBase<<shift, backoffCap)
}

// limitKeys are the limiter's rows for a sign-in: the address typed (a
// hash of it, so the table is no list of staff addresses or of what was
// tried) and, when it is a user's, the account. Sorted, so that
// concurrent attempts lock rows in the same order.
func limitKeys(email string, userID int64) []string {
	typed := lookupEmail(email)
	if typed == "" {
		typed = strings.ToLower(strings.TrimSpace(email))
	}
	sum := sha256.Sum256([]byte("peerpress sign-in limiter\x00" + typed))
	keys := []string{"email:" + hex.EncodeToString(sum[:16])}
	if userID != 0 {
		keys = append(keys, "user:"+strconv.FormatInt(userID, 10))
	}
	slices.Sort(keys)
	return keys
}

// reserve counts an attempt on each key and, unless a key is still
// waiting out its backoff, takes the attempt as a failure in advance
// (a success clears it): the reservation is written before the password
// is hashed, so attempts in parallel are counted one by one and cannot
// all slip in before the first failure is recorded. It returns
// *ThrottledError when the attempt must not go on, and whether this
// attempt is the one that started a backoff (a burst worth auditing).
func (s *Store) reserve(ctx context.Context, keys []string) (burst bool, err error) {
	now := s.now()
	var wait time.Duration
	err = s.quiet.InTx(ctx, func(tx *db.Tx) error {
		wait, burst = 0, false
		for _, k := range keys {
			if _, err := tx.ExecContext(ctx, `INSERT INTO login_limits (key, updated_at) VALUES (?, ?) ON CONFLICT (key) DO NOTHING`, k, now.Unix()); err != nil {
				return err
			}
			// Counting the attempt first also locks the row until commit.
			if _, err := tx.ExecContext(ctx, `UPDATE login_limits SET attempts = attempts + 1, updated_at = ? WHERE key = ?`, now.Unix(), k); err != nil {
				return err
			}
		}
		for _, k := range keys {
			var failures int
			var next int64
			if err := tx.QueryRowContext(ctx, `SELECT failures, next_at FROM login_limits WHERE key = ?`, k).Scan(&failures, &next); err != nil {
				return err
			}
			if next > now.Unix() {
				wait = max(wait, time.Duration(next-now.Unix())*time.Second)
			}
		}
		if wait > 0 {
			return nil // the attempts are counted; nothing else changes
		}
		for _, k := range keys {
			res, err := tx.ExecContext(ctx, `UPDATE login_limits SET failures = failures + 1 WHERE key = ? AND next_at <= ?`, k, now.Unix())
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n != 1 {
				wait = backoffBase // taken meanwhile: try again shortly
				return nil
			}
			var failures int
			if err := tx.QueryRowContext(ctx, `SELECT failures FROM login_limits WHERE key = ?`, k).Scan(&failures); err != nil {
				return err
			}
			if d := backoff(failures); d > 0 {
				if _, err := tx.ExecContext(ctx, `UPDATE login_limits SET next_at = ? WHERE key = ?`, now.Add(d).Unix(), k); err != nil {
					return err
				}
			}
			if failures == freeFailures+1 {
				burst = true
			}
		}
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("auth: sign-in limiter: %w", err)
	}
	if wait > 0 {
		return false, &ThrottledError{Wait: wait}
	}
	return burst, nil
}

type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// clearLimits forgets the failures on keys: the person signed in, or
// chose a new password.
func (s *Store) clearLimits(ctx context.Context, q execer, keys ...string) error {
	for _, k := range keys {
		if _, err := q.ExecContext(ctx, `DELETE FROM login_limits WHERE key = ?`, k); err != nil {
			return fmt.Errorf("auth: sign-in limiter: %w", err)
		}
	}
	return nil
}

// LoginAttempts returns how many sign-in attempts were counted for the
// address email since its last success: for tests and the audit.
func (s *Store) LoginAttempts(ctx context.Context, email string) (attempts, failures int, err error) {
	err = s.db.QueryRowContext(ctx, `SELECT attempts, failures FROM login_limits WHERE key = ?`, limitKeys(email, 0)[0]).Scan(&attempts, &failures)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, 0, fmt.Errorf("auth: sign-in attempts: %w", err)
	}
	return attempts, failures, nil
}

// PurgeLoginLimits deletes limiter rows untouched for a day, whose
// backoff is long over.
func (s *Store) PurgeLoginLimits(ctx context.Context, now time.Time) error {
	if _, err := s.quiet.ExecContext(ctx, `DELETE FROM login_limits WHERE updated_at < ? AND next_at < ?`, now.Add(-limitIdle).Unix(), now.Unix()); err != nil {
		return fmt.Errorf("auth: purge sign-in limiter: %w", err)
	}
	return nil
}

// SignIn is Authenticate behind the limiter: the attempt is reserved
// per address and per account before any password is hashed, refused
// with *ThrottledError while a backoff runs, and a success clears the
// failures. A burst of failures (the one that starts the backoff) is
// written to the audit log, without the address typed.
func (s *Store) SignIn(ctx context.Context, email, password string) (User, error) {
	var userID int64
	if e := lookupEmail(email); e != "" {
		err := s.db.QueryRowContext(ctx, `SELECT id FROM users WHERE email = ?`, e).Scan(&userID)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return User{}, fmt.Errorf("auth: sign in: %w", err)
		}
	}
	keys := limitKeys(email, userID)
	burst, err := s.reserve(ctx, keys)
	if err != nil {
		return User{}, err
	}
	u, err := s.Authenticate(ctx, email, password)
	if err != nil {
		if burst {
			target := "unknown address"
			if userID != 0 {
				target = "user " + strconv.FormatInt(userID, 10)
			}
			s.Record(ctx, participant.Access{UserID: userID, Action: ActionSignInFailures, Target: target, Records: freeFailures + 1})
		}
		return User{}, err
	}
	if err := s.clearLimits(ctx, s.quiet, keys...); err != nil {
		return User{}, err
	}
	s.Record(ctx, participant.Access{UserID: u.ID, Action: ActionSignIn})
	return u, nil
}
