package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"peerpress/internal/db"
)

// APITokenPrefix starts every personal API token, so that a token pasted
// where it should not be (a chat, a repository) is easy to recognise.
const APITokenPrefix = "pp_"

// MaxTokenName bounds a token's name, in characters.
const MaxTokenName = 100

// ErrTokenName means a token's name is empty or too long.
var ErrTokenName = errors.New("auth: a token needs a name of at most 100 characters")

// APIToken is a personal API token as its owner sees it listed: never the
// token itself, which is shown once at creation and not kept.
type APIToken struct {
	ID         int64
	UserID     int64
	Name       string
	CreatedAt  time.Time
	LastUsedAt time.Time // zero: never used
}

// usedEvery is how often a token's last use is written down: at most
// once a minute, so that a busy program does not write on every request.
const usedEvery = 60

// CreateAPIToken makes a new token for the user and returns it with the
// secret to hand over; only its SHA-256 is stored.
func (s *Store) CreateAPIToken(ctx context.Context, userID int64, name string) (APIToken, string, error) {
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > MaxTokenName || !utf8.ValidString(name) || strings.ContainsRune(name, 0) {
		return APIToken{}, "", ErrTokenName
	}
	raw, err := newToken()
	if err != nil {
		return APIToken{}, "", err
	}
	secret := APITokenPrefix + raw
	t := APIToken{UserID: userID, Name: name, CreatedAt: time.Unix(time.Now().Unix(), 0).UTC()}
	err = s.quiet.InTx(ctx, func(tx *db.Tx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO api_tokens (user_id, name, token_hash, created_at) VALUES (?, ?, ?, ?) RETURNING id`,
			userID, name, hashToken(secret), t.CreatedAt.Unix()).Scan(&t.ID)
	})
	if err != nil {
		return APIToken{}, "", fmt.Errorf("auth: create API token: %w", err)
	}
	return t, secret, nil
}

// APITokens lists a user's tokens, newest first.
func (s *Store) APITokens(ctx context.Context, userID int64) ([]APIToken, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, user_id, name, created_at, COALESCE(last_used_at, 0) FROM api_tokens WHERE user_id = ? ORDER BY id DESC`, userID)
	if err != nil {
		return nil, fmt.Errorf("auth: API tokens: %w", err)
	}
	defer rows.Close()
	var out []APIToken
	for rows.Next() {
		var t APIToken
		var created, used int64
		if err := rows.Scan(&t.ID, &t.UserID, &t.Name, &created, &used); err != nil {
			return nil, fmt.Errorf("auth: API tokens: %w", err)
		}
		t.CreatedAt = time.Unix(created, 0).UTC()
		if used != 0 {
			t.LastUsedAt = time.Unix(used, 0).UTC()
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// RevokeAPIToken deletes one of the user's tokens; db.ErrNotFound when the
// user has no such token (someone else's included).
func (s *Store) RevokeAPIToken(ctx context.Context, userID, tokenID int64) error {
	res, err := s.quiet.ExecContext(ctx, `DELETE FROM api_tokens WHERE id = ? AND user_id = ?`, tokenID, userID)
	if err != nil {
		return fmt.Errorf("auth: revoke API token: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("auth: revoke API token %d: %w", tokenID, db.ErrNotFound)
	}
	return nil
}

// UserByAPIToken returns the enabled user a token belongs to, with a
// translator's languages, and notes the token's use. It returns
// db.ErrNotFound for an unknown or revoked token or a disabled user.
func (s *Store) UserByAPIToken(ctx context.Context, secret string) (User, error) {
	raw, ok := strings.CutPrefix(secret, APITokenPrefix)
	if !ok || len(raw) != tokenLen {
		return User{}, fmt.Errorf("auth: API token: %w", db.ErrNotFound)
	}
	var id, used int64
	hash := hashToken(secret)
	u, err := scanUser(s.db.QueryRowContext(ctx,
		`SELECT u.id, u.email, u.name, u.role, u.disabled, u.created_at, t.id, COALESCE(t.last_used_at, 0)
		 FROM api_tokens t JOIN users u ON u.id = t.user_id
		 WHERE t.token_hash = ? AND u.disabled = ?`, hash, false), &id, &used)
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, fmt.Errorf("auth: API token: %w", db.ErrNotFound)
	}
	if err != nil {
		return User{}, fmt.Errorf("auth: API token: %w", err)
	}
	if u.Role == RoleTranslator {
		if u.Languages, err = s.Languages(ctx, u.ID); err != nil {
			return User{}, err
		}
	}
	if now := time.Now().Unix(); now-used >= usedEvery {
		// Quiet: no page shows it, so the page cache need not start over.
		if _, err := s.quiet.ExecContext(ctx, `UPDATE api_tokens SET last_used_at = ? WHERE id = ?`, now, id); err != nil {
			return User{}, fmt.Errorf("auth: API token use: %w", err)
		}
	}
	return u, nil
}
