package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"peerpress/internal/db"
	"peerpress/internal/participant"
)

// InviteLifetime is how long an invitation's link works.
const InviteLifetime = 7 * 24 * time.Hour

// Errors of invitations, to tell apart with errors.Is.
var (
	// ErrAlreadyActive means the person invited can sign in already: they
	// have a password.
	ErrAlreadyActive = errors.New("auth: this user has a password already")
	// ErrUserDisabled means the account invited is disabled.
	ErrUserDisabled = errors.New("auth: this user is disabled")
	// ErrNameTooLong means a display name is over 200 characters.
	ErrNameTooLong = errors.New("auth: name too long")
	// ErrInviteUsed means the invitation's link was used already.
	ErrInviteUsed = errors.New("auth: invitation already used")
	// ErrInviteInvalid means the link is expired, replaced by a newer
	// invitation, or was never one; which is not told.
	ErrInviteInvalid = errors.New("auth: invitation expired or unknown")
)

// maxName bounds a user's display name, in characters.
const maxName = 200

// Invitation is a request to invite someone.
type Invitation struct {
	Email string
	Name  string // kept when empty and the user exists
	Role  Role
	// Languages are a translator's; nil keeps an existing user's.
	Languages []string
	// Lang is the mail's language, and its link's page's.
	Lang string
	// By is the admin who invites; 0 from the command line.
	By int64
}

// Send enqueues the invitation's mail in tx, the invitation's own
// transaction: the mail goes if and only if the invitation is made.
type Send func(ctx context.Context, tx *db.Tx, u User, token string) error

// Invite makes a user who cannot sign in yet, or finds one (an imported
// author), gives them a new single-use link valid for InviteLifetime
// (earlier links of theirs stop working) and has send mail it, all in one
// transaction. An existing user takes the role given. It fails with
// ErrInvalidEmail, ErrNameTooLong, ErrAlreadyActive or ErrUserDisabled,
// changing nothing.
func (s *Store) Invite(ctx context.Context, in Invitation, send Send) (User, error) {
	email, err := participant.Normalize(in.Email)
	if err != nil {
		return User{}, ErrInvalidEmail
	}
	if _, err := ParseRole(string(in.Role)); err != nil {
		return User{}, err
	}
	name := strings.TrimSpace(in.Name)
	if utf8.RuneCountInString(name) > maxName {
		return User{}, ErrNameTooLong
	}
	token, hash := participant.NewLink()
	now := time.Now().Unix()
	var u User
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		var pw string
		var err error
		u, err = scanUser(tx.QueryRowContext(ctx, `SELECT `+userColumns+`, password_hash FROM users WHERE email = ?`, email), &pw)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			u = User{Email: email, Name: name, Role: in.Role, CreatedAt: time.Unix(now, 0).UTC()}
			if err := tx.QueryRowContext(ctx, `INSERT INTO users (email, name, password_hash, role, disabled, created_at)
				VALUES (?, ?, '', ?, ?, ?) RETURNING id`, u.Email, u.Name, string(u.Role), false, now).Scan(&u.ID); err != nil {
				return err
			}
		case err != nil:
			return err
		case pw != "":
			return ErrAlreadyActive
		case u.Disabled:
			return ErrUserDisabled
		default:
			u.Role = in.Role
			if name != "" {
				u.Name = name
			}
			if _, err := tx.ExecContext(ctx, `UPDATE users SET role = ?, name = ? WHERE id = ?`, string(u.Role), u.Name, u.ID); err != nil {
				return err
			}
		}
		if in.Languages != nil {
			if _, err := tx.ExecContext(ctx, `DELETE FROM user_languages WHERE user_id = ?`, u.ID); err != nil {
				return err
			}
			for _, l := range slices.Compact(slices.Sorted(slices.Values(in.Languages))) {
				if _, err := tx.ExecContext(ctx, `INSERT INTO user_languages (user_id, lang) VALUES (?, ?)`, u.ID, l); err != nil {
					return err
				}
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM invitations WHERE user_id = ? AND used_at = 0`, u.ID); err != nil {
			return err
		}
		var by any
		if in.By != 0 {
			by = in.By
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO invitations (token_hash, user_id, invited_by, lang, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)`,
			hash, u.ID, by, in.Lang, now, now+int64(InviteLifetime/time.Second)); err != nil {
			return err
		}
		return send(ctx, tx, u, token)
	})
	switch {
	case errors.Is(err, ErrAlreadyActive), errors.Is(err, ErrUserDisabled):
		return User{}, err
	case db.IsUniqueViolation(err): // made by someone else meanwhile
		return User{}, fmt.Errorf("auth: invite: %w", ErrEmailTaken)
	case err != nil:
		return User{}, fmt.Errorf("auth: invite: %w", err)
	}
	return u, nil
}

// PendingInvitation is the user an invitation's link is for, and the
// language it was sent in; ErrInviteUsed or ErrInviteInvalid when the
// link can no longer be used.
func (s *Store) PendingInvitation(ctx context.Context, token string) (User, string, error) {
	u, lang, _, err := s.invitation(ctx, s.db, token)
	return u, lang, err
}

func (s *Store) invitation(ctx context.Context, q db.Querier, token string) (u User, lang string, hash string, err error) {
	hashes := participant.LookupHashes(token)
	if hashes == nil {
		return User{}, "", "", ErrInviteInvalid
	}
	hash = participant.LinkHash(token)
	var expires, used int64
	u, err = scanUser(q.QueryRowContext(ctx, `SELECT u.id, u.email, u.name, u.role, u.disabled, u.created_at, i.lang, i.expires_at, i.used_at
		FROM invitations i JOIN users u ON u.id = i.user_id WHERE i.token_hash = ?`, hash), &lang, &expires, &used)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return User{}, "", "", ErrInviteInvalid
	case err != nil:
		return User{}, "", "", fmt.Errorf("auth: invitation: %w", err)
	case used != 0:
		return u, lang, hash, ErrInviteUsed
	case expires <= time.Now().Unix() || u.Disabled:
		return u, lang, hash, ErrInviteInvalid
	}
	return u, lang, hash, nil
}

// AcceptInvitation sets the password of the user the link is for, with
// the rules of every password, and uses the link up, in one transaction;
// the caller then signs them in. It fails with ErrWeakPassword,
// ErrInviteUsed or ErrInviteInvalid, changing nothing.
func (s *Store) AcceptInvitation(ctx context.Context, token, password string) (User, error) {
	if _, _, err := s.PendingInvitation(ctx, token); err != nil {
		return User{}, err
	}
	if err := checkPasswordStrength(password); err != nil {
		return User{}, err
	}
	pwHash, err := HashPassword(password) // slow: not inside the transaction
	if err != nil {
		return User{}, err
	}
	var u User
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		var hash string
		var err error
		if u, _, hash, err = s.invitation(ctx, tx, token); err != nil {
			return err
		}
		// The condition makes a second, simultaneous use change nothing.
		res, err := tx.ExecContext(ctx, `UPDATE invitations SET used_at = ? WHERE token_hash = ? AND used_at = 0`, time.Now().Unix(), hash)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return ErrInviteUsed
		}
		_, err = tx.ExecContext(ctx, `UPDATE users SET password_hash = ? WHERE id = ?`, pwHash, u.ID)
		return err
	})
	switch {
	case errors.Is(err, ErrInviteUsed), errors.Is(err, ErrInviteInvalid):
		return User{}, err
	case err != nil:
		return User{}, fmt.Errorf("auth: accept invitation: %w", err)
	}
	return u, nil
}

// PurgeInvitations deletes invitations that ended (used or expired) over
// InviteLifetime before now: their links have said so long enough.
func (s *Store) PurgeInvitations(ctx context.Context, now time.Time) (int64, error) {
	cut := now.Add(-InviteLifetime).Unix()
	res, err := s.quiet.ExecContext(ctx, `DELETE FROM invitations WHERE expires_at <= ? OR (used_at <> 0 AND used_at <= ?)`, cut, cut)
	if err != nil {
		return 0, fmt.Errorf("auth: purge invitations: %w", err)
	}
	return res.RowsAffected()
}

// UserStatus is where a user stands with signing in.
type UserStatus string

// A user is active (has a password), invited (a link waits), invitation
// expired, or not yet invited (added without a password, an imported
// author).
const (
	StatusActive        UserStatus = "active"
	StatusInvited       UserStatus = "invited"
	StatusInviteExpired UserStatus = "invite_expired"
	StatusNotInvited    UserStatus = "not_invited"
)

// UserStatuses are the users' statuses by id, for the users page.
func (s *Store) UserStatuses(ctx context.Context) (map[int64]UserStatus, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT u.id, u.password_hash <> '',
		COALESCE((SELECT MAX(i.expires_at) FROM invitations i WHERE i.user_id = u.id AND i.used_at = 0), 0) FROM users u`)
	if err != nil {
		return nil, fmt.Errorf("auth: user statuses: %w", err)
	}
	defer rows.Close()
	now := time.Now().Unix()
	out := map[int64]UserStatus{}
	for rows.Next() {
		var id, expires int64
		var active bool
		if err := rows.Scan(&id, &active, &expires); err != nil {
			return nil, fmt.Errorf("auth: user statuses: %w", err)
		}
		switch {
		case active:
			out[id] = StatusActive
		case expires > now:
			out[id] = StatusInvited
		case expires != 0:
			out[id] = StatusInviteExpired
		default:
			out[id] = StatusNotInvited
		}
	}
	return out, rows.Err()
}
