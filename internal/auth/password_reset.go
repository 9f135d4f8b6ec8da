package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"peerpress/internal/db"
	"peerpress/internal/participant"
)

// ResetLifetime is how long a password reset link works.
const ResetLifetime = time.Hour

// resetQuiet is how long after a reset link no other is sent.
const resetQuiet = 5 * time.Minute

// ErrResetInvalid means a reset link was used already, expired, was
// replaced by a newer one or by a password change, or never was one;
// which is not told.
var ErrResetInvalid = errors.New("auth: reset link used, expired or unknown")

// ChangePassword replaces the user's password when current is theirs,
// and signs them out everywhere (the caller starts a new session for the
// browser that asked). A wrong current password counts on the account's
// sign-in limiter, so a borrowed session cannot guess it either.
func (s *Store) ChangePassword(ctx context.Context, userID int64, current, next string) error {
	if err := checkPasswordStrength(next); err != nil {
		return err
	}
	keys := []string{"user:" + strconv.FormatInt(userID, 10)}
	if _, err := s.reserve(ctx, keys); err != nil {
		return err
	}
	var hash string
	if err := s.db.QueryRowContext(ctx, `SELECT password_hash FROM users WHERE id = ?`, userID).Scan(&hash); err != nil {
		return fmt.Errorf("auth: change password: %w", err)
	}
	if hash == "" || len(current) > maxPasswordBytes {
		return ErrBadCredentials
	}
	ok, err := CheckPassword(hash, current)
	if err != nil {
		return fmt.Errorf("auth: change password of user %d: %w", userID, err)
	}
	if !ok {
		return ErrBadCredentials
	}
	if err := s.SetPassword(ctx, userID, next); err != nil {
		return err
	}
	s.Record(ctx, participant.Access{UserID: userID, Action: ActionPasswordChange})
	return nil
}

// RequestPasswordReset makes a single-use link for the user with that
// email, valid for ResetLifetime, and has send mail it in the same
// transaction. An unknown, disabled or not yet invited address does
// nothing and returns nil, so that the caller answers the same either
// way.
func (s *Store) RequestPasswordReset(ctx context.Context, email string, send Send) error {
	email = lookupEmail(email)
	if email == "" {
		return nil
	}
	token, hash := participant.NewLink()
	now := s.now().Unix()
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		var pw string
		u, err := scanUser(tx.QueryRowContext(ctx, `SELECT `+userColumns+`, password_hash FROM users WHERE email = ?`, email), &pw)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && (u.Disabled || pw == "")) {
			return nil
		}
		if err != nil {
			return err
		}
		// A link made minutes ago is still on its way: no second mail, so
		// the public form cannot flood a staff inbox.
		var recent int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM password_resets WHERE user_id = ? AND used_at = 0 AND created_at > ?`,
			u.ID, now-int64(resetQuiet/time.Second)).Scan(&recent); err != nil {
			return err
		}
		if recent > 0 {
			return nil
		}
		// One link at a time: a new request replaces the last.
		if _, err := tx.ExecContext(ctx, `DELETE FROM password_resets WHERE user_id = ?`, u.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO password_resets (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)`,
			hash, u.ID, now, now+int64(ResetLifetime/time.Second)); err != nil {
			return err
		}
		return send(ctx, tx, u, token)
	})
	if err != nil {
		return fmt.Errorf("auth: request password reset: %w", err)
	}
	return nil
}

// resetUser finds the user a live reset link is for.
func (s *Store) resetUser(ctx context.Context, q db.Querier, token string) (User, string, error) {
	if !participant.ValidToken(token) {
		return User{}, "", ErrResetInvalid
	}
	hash := participant.LinkHash(token)
	u, err := scanUser(q.QueryRowContext(ctx, `SELECT u.id, u.email, u.name, u.role, u.disabled, u.created_at
		FROM password_resets r JOIN users u ON u.id = r.user_id
		WHERE r.token_hash = ? AND r.used_at = 0 AND r.expires_at > ? AND u.disabled = ?`, hash, s.now().Unix(), false))
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, "", ErrResetInvalid
	}
	if err != nil {
		return User{}, "", fmt.Errorf("auth: password reset: %w", err)
	}
	return u, hash, nil
}

// PasswordResetUser returns the user a reset link is for, or
// ErrResetInvalid.
func (s *Store) PasswordResetUser(ctx context.Context, token string) (User, error) {
	u, _, err := s.resetUser(ctx, s.db, token)
	return u, err
}

// ResetPassword sets a new password through a reset link, which then
// stops working, and signs the user out everywhere. The account's
// sign-in failures are forgotten: the person proved they read the mail.
func (s *Store) ResetPassword(ctx context.Context, token, password string) (User, error) {
	if err := checkPasswordStrength(password); err != nil {
		return User{}, err
	}
	pwHash, err := HashPassword(password)
	if err != nil {
		return User{}, err
	}
	var u User
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		var hash string
		var err error
		if u, hash, err = s.resetUser(ctx, tx, token); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE password_resets SET used_at = ? WHERE token_hash = ? AND used_at = 0`, s.now().Unix(), hash)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return ErrResetInvalid
		}
		return s.replacePassword(ctx, tx, u, pwHash)
	})
	if errors.Is(err, ErrResetInvalid) {
		return User{}, err
	}
	if err != nil {
		return User{}, fmt.Errorf("auth: reset password: %w", err)
	}
	s.Record(ctx, participant.Access{UserID: u.ID, Action: ActionPasswordReset})
	return u, nil
}

// replacePassword stores a new password hash in tx and undoes what the
// old password opened: every session, every other reset link, and the
// sign-in failures counted against the account and its address.
func (s *Store) replacePassword(ctx context.Context, tx *db.Tx, u User, hash string) error {
	res, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = ? WHERE id = ?`, hash, u.ID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return db.ErrNotFound
	}
	for _, q := range []string{`DELETE FROM sessions WHERE user_id = ?`, `DELETE FROM password_resets WHERE user_id = ? AND used_at = 0`} {
		if _, err := tx.ExecContext(ctx, q, u.ID); err != nil {
			return err
		}
	}
	return s.clearLimits(ctx, tx, limitKeys(u.Email, u.ID)...)
}

// SetAdminLanguage records the language the user reads the admin in;
// "" returns to the browser's.
func (s *Store) SetAdminLanguage(ctx context.Context, userID int64, lang string) error {
	if err := s.updateUser(ctx, "set language", userID, false, `UPDATE users SET lang = ? WHERE id = ?`, lang, userID); err != nil {
		return err
	}
	s.Record(ctx, participant.Access{UserID: userID, Action: ActionLanguageChoice, Target: lang})
	return nil
}
