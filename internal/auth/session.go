package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"peerpress/internal/db"
)

// SessionLifetime is how long a session lasts after sign-in, however
// busy: its absolute lifetime.
const SessionLifetime = 14 * 24 * time.Hour

// DefaultIdleTimeout ends a session nobody used for half an hour: a
// staff laptop left open in a shared place does not stay signed in.
const DefaultIdleTimeout = 30 * time.Minute

// touchEvery is how often a session's last use is written: often enough
// for the idle timeout, rarely enough not to write on every request.
const touchEvery = time.Minute

// tokenBytes is the entropy of session and CSRF tokens.
const tokenBytes = 32

// tokenLen is the length of an encoded token; anything else cannot be a
// session token and is turned away without a query.
var tokenLen = base64.RawURLEncoding.EncodedLen(tokenBytes)

// Session is a signed-in browser.
type Session struct {
	ID        string // a short public name of the session, for its owner's list
	UserID    int64
	CSRFToken string    // echoed in forms as the "csrf" field
	ExpiresAt time.Time // UTC, whole seconds
	LastSeen  time.Time // UTC, to the minute
	// MustEnrol marks the session of an admin who must set up a second
	// factor before anything else (the site requires it).
	MustEnrol bool
}

// Session stages (sessions.stage).
const (
	stageSignedIn     = 0
	stageSecondFactor = 1 // password given; opens nothing
	stageMustEnrol    = 2 // opens only the enrolment
)

// sessionID is a session's public name: the start of its token's hash,
// which opens nothing.
func sessionID(tokenHash string) string { return tokenHash[:16] }

func newToken() (string, error) {
	b := make([]byte, tokenBytes)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("auth: random token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// hashToken is what the sessions table keeps instead of the token, so that
// a leaked copy of the database cannot be used to sign in.
func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// CreateSession starts a session for the user and returns the token to put
// in the cookie. It fails with db.ErrNotFound when the user does not exist
// or is disabled.
func (s *Store) CreateSession(ctx context.Context, userID int64) (token string, sess Session, err error) {
	return s.StartSession(ctx, userID, "")
}

// StartSession is CreateSession for a browser whose User-Agent header is
// userAgent: the session list shows its browser and system, nothing more.
func (s *Store) StartSession(ctx context.Context, userID int64, userAgent string) (token string, sess Session, err error) {
	return s.startSession(ctx, userID, userAgent, stageSignedIn)
}

func (s *Store) startSession(ctx context.Context, userID int64, userAgent string, stage int) (token string, sess Session, err error) {
	token, err = newToken()
	if err != nil {
		return "", Session{}, err
	}
	csrf, err := newToken()
	if err != nil {
		return "", Session{}, err
	}
	now := s.now().Unix()
	sess = Session{
		ID:        sessionID(hashToken(token)),
		UserID:    userID,
		CSRFToken: csrf,
		ExpiresAt: time.Unix(now, 0).Add(SessionLifetime).UTC(),
		LastSeen:  time.Unix(now, 0).UTC(),
		MustEnrol: stage == stageMustEnrol,
	}
	if stage == stageSecondFactor {
		sess.ExpiresAt = time.Unix(now, 0).Add(SecondFactorWindow).UTC()
	}
	err = s.quiet.InTx(ctx, func(tx *db.Tx) error {
		var disabled bool
		err := tx.QueryRowContext(ctx, `SELECT disabled FROM users WHERE id = ?`, userID).Scan(&disabled)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && disabled) {
			return db.ErrNotFound
		}
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx,
			`INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at, agent, last_seen, stage) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			hashToken(token), userID, csrf, now, sess.ExpiresAt.Unix(), DeviceSummary(userAgent), now, stage)
		return err
	})
	if err != nil {
		return "", Session{}, fmt.Errorf("auth: create session for user %d: %w", userID, err)
	}
	return token, sess, nil
}

// SessionByToken returns the session the token opens and its user, and
// notes that it was used. It returns db.ErrNotFound when the token is
// unknown, the session has expired or sat idle past IdleTimeout, or the
// user is disabled.
func (s *Store) SessionByToken(ctx context.Context, token string) (Session, User, error) {
	if len(token) != tokenLen {
		return Session{}, User{}, fmt.Errorf("auth: session: %w", db.ErrNotFound)
	}
	var (
		sess              Session
		expires, lastSeen int64
		lang              string
		stage, twoFactor  int
	)
	now := s.now()
	idleSince := int64(0)
	if idle := s.idleTimeout(); idle > 0 {
		idleSince = now.Add(-idle).Unix()
	}
	th := hashToken(token)
	u, err := scanUser(s.db.QueryRowContext(ctx,
		`SELECT u.id, u.email, u.name, u.role, u.disabled, u.created_at, s.csrf_token, s.expires_at, s.last_seen, u.lang,
		        s.stage, CASE WHEN u.totp_sealed <> '' OR EXISTS (SELECT 1 FROM passkeys p WHERE p.user_id = u.id) THEN 1 ELSE 0 END
		 FROM sessions s JOIN users u ON u.id = s.user_id
		 WHERE s.token_hash = ? AND s.expires_at > ? AND s.last_seen > ? AND u.disabled = ? AND s.stage <> ?`,
		th, now.Unix(), idleSince, false, stageSecondFactor), &sess.CSRFToken, &expires, &lastSeen, &lang, &stage, &twoFactor)
	if errors.Is(err, sql.ErrNoRows) {
		return Session{}, User{}, fmt.Errorf("auth: session: %w", db.ErrNotFound)
	}
	if err != nil {
		return Session{}, User{}, fmt.Errorf("auth: session: %w", err)
	}
	u.Lang, u.TwoFactor = lang, twoFactor == 1
	sess.MustEnrol = stage == stageMustEnrol
	sess.ID = sessionID(th)
	sess.UserID = u.ID
	sess.ExpiresAt = time.Unix(expires, 0).UTC()
	sess.LastSeen = time.Unix(lastSeen, 0).UTC()
	if now.Sub(sess.LastSeen) >= touchEvery {
		if _, err := s.quiet.ExecContext(ctx, `UPDATE sessions SET last_seen = ? WHERE token_hash = ?`, now.Unix(), th); err != nil {
			return Session{}, User{}, fmt.Errorf("auth: session: %w", err)
		}
	}
	if u.Role == RoleTranslator {
		if u.Languages, err = s.Languages(ctx, u.ID); err != nil {
			return Session{}, User{}, err
		}
	}
	return sess, u, nil
}

// idleTimeout is how long a session may sit unused: the site's setting,
// or IdleTimeout.
func (s *Store) idleTimeout() time.Duration {
	if s.IdleSetting != nil {
		if d := s.IdleSetting(); d > 0 {
			return d
		}
	}
	return s.IdleTimeout
}

// DeleteSession ends the session the token opens (signing out). Deleting a
// session that does not exist is not an error, so signing out twice is
// harmless.
func (s *Store) DeleteSession(ctx context.Context, token string) error {
	if _, err := s.quiet.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = ?`, hashToken(token)); err != nil {
		return fmt.Errorf("auth: delete session: %w", err)
	}
	return nil
}

// PurgeExpiredSessions deletes the sessions that have expired, or sat
// idle past IdleTimeout, by now and returns how many it deleted; answered
// passkey challenges that expired go too.
func (s *Store) PurgeExpiredSessions(ctx context.Context, now time.Time) (int64, error) {
	idleSince := int64(0)
	if idle := s.idleTimeout(); idle > 0 {
		idleSince = now.Add(-idle).Unix()
	}
	if err := s.purgeSpentChallenges(ctx, now); err != nil {
		return 0, err
	}
	res, err := s.quiet.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at <= ? OR last_seen <= ?`, now.Unix(), idleSince)
	if err != nil {
		return 0, fmt.Errorf("auth: purge sessions: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("auth: purge sessions: %w", err)
	}
	return n, nil
}
