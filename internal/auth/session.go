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

// SessionLifetime is how long a session lasts after sign-in.
const SessionLifetime = 14 * 24 * time.Hour

// tokenBytes is the entropy of session and CSRF tokens.
const tokenBytes = 32

// tokenLen is the length of an encoded token; anything else cannot be a
// session token and is turned away without a query.
var tokenLen = base64.RawURLEncoding.EncodedLen(tokenBytes)

// Session is a signed-in browser.
type Session struct {
	UserID    int64
	CSRFToken string    // echoed in forms as the "csrf" field
	ExpiresAt time.Time // UTC, whole seconds
}

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
	token, err = newToken()
	if err != nil {
		return "", Session{}, err
	}
	csrf, err := newToken()
	if err != nil {
		return "", Session{}, err
	}
	now := time.Now().Unix()
	sess = Session{
		UserID:    userID,
		CSRFToken: csrf,
		ExpiresAt: time.Unix(now, 0).Add(SessionLifetime).UTC(),
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
			`INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
			hashToken(token), userID, csrf, now, sess.ExpiresAt.Unix())
		return err
	})
	if err != nil {
		return "", Session{}, fmt.Errorf("auth: create session for user %d: %w", userID, err)
	}
	return token, sess, nil
}

// SessionByToken returns the session the token opens and its user. It
// returns db.ErrNotFound when the token is unknown, the session has expired
// or the user is disabled.
func (s *Store) SessionByToken(ctx context.Context, token string) (Session, User, error) {
	if len(token) != tokenLen {
		return Session{}, User{}, fmt.Errorf("auth: session: %w", db.ErrNotFound)
	}
	var (
		sess    Session
		expires int64
	)
	u, err := scanUser(s.db.QueryRowContext(ctx,
		`SELECT u.id, u.email, u.name, u.role, u.disabled, u.created_at, s.csrf_token, s.expires_at
		 FROM sessions s JOIN users u ON u.id = s.user_id
		 WHERE s.token_hash = ? AND s.expires_at > ? AND u.disabled = ?`,
		hashToken(token), time.Now().Unix(), false), &sess.CSRFToken, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return Session{}, User{}, fmt.Errorf("auth: session: %w", db.ErrNotFound)
	}
	if err != nil {
		return Session{}, User{}, fmt.Errorf("auth: session: %w", err)
	}
	sess.UserID = u.ID
	sess.ExpiresAt = time.Unix(expires, 0).UTC()
	if u.Role == RoleTranslator {
		if u.Languages, err = s.Languages(ctx, u.ID); err != nil {
			return Session{}, User{}, err
		}
	}
	return sess, u, nil
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

// PurgeExpiredSessions deletes the sessions that have expired by now and
// returns how many it deleted.
func (s *Store) PurgeExpiredSessions(ctx context.Context, now time.Time) (int64, error) {
	res, err := s.quiet.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at <= ?`, now.Unix())
	if err != nil {
		return 0, fmt.Errorf("auth: purge sessions: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("auth: purge sessions: %w", err)
	}
	return n, nil
}
