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
	"peerpress/internal/secret"
)

// Errors callers are expected to tell apart, for instance to show a form
// message. Test with errors.Is: they may come wrapped.
var (
	// ErrBadCredentials means the email is unknown, the password is wrong or
	// the account is disabled; which one is not revealed on purpose.
	ErrBadCredentials = errors.New("auth: wrong email or password")
	// ErrEmailTaken means another user already has that email address.
	ErrEmailTaken = errors.New("auth: email address already in use")
	// ErrInvalidEmail means the email address is not a plain, valid address.
	ErrInvalidEmail = errors.New("auth: invalid email address")
	// ErrWeakPassword means the password is shorter than 10 characters or
	// longer than 1024 bytes.
	ErrWeakPassword = errors.New("auth: password must be at least 10 characters and at most 1024 bytes")
)

// Password limits (an email's are participant.Normalize's).
const (
	minPasswordChars = 10
	maxPasswordBytes = 1024 // argon2 hashes any length; this keeps requests cheap
)

// User is a person who can sign in to the admin.
type User struct {
	ID        int64
	Email     string // trimmed and lowercased
	Name      string
	Role      Role
	Disabled  bool
	CreatedAt time.Time // UTC
	// Languages are the languages a translator may translate into; loaded
	// with the session and by ListUsers.
	Languages []string
	// Lang is the language the user chose for the admin, "" for their
	// browser's; loaded with the session.
	Lang string
	// TwoFactor tells that the user signs in with a second factor;
	// loaded with the session.
	TwoFactor bool
}

// CanTranslate reports whether the user may change translations in lang:
// a translator only in assigned languages, a moderator never, everyone
// else (as far as they may edit the entry) always.
func (u User) CanTranslate(lang string) bool {
	switch u.Role {
	case RoleTranslator:
		return slices.Contains(u.Languages, lang)
	case RoleModerator, RoleReviewer:
		return false
	}
	return true
}

// Store keeps users and sessions in the database.
type Store struct {
	db *db.DB // users: their names are on pages
	// quiet writes sessions and API tokens, which no page shows.
	quiet db.Quiet
	audit *participant.Audit
	// IdleTimeout ends a session unused for this long (DefaultIdleTimeout
	// unless the site sets it); 0: never.
	IdleTimeout time.Duration
	// IdleSetting, when set, is the site's idle timeout as its settings
	// give it now, read at every use; 0 from it keeps IdleTimeout.
	IdleSetting func() time.Duration
	// Now is the clock, replaced in tests.
	Now func() time.Time
	// Secrets seals two-factor keys (the site key); without it, nobody
	// can enrol.
	Secrets *secret.Box
	// RequireTwoFactor tells whether the site requires a second factor
	// of this user (the setting "admins must use two-factor"); nil: never.
	RequireTwoFactor func(u User) bool
}

// NewStore returns a Store on d.
func NewStore(d *db.DB) *Store {
	return &Store{db: d, quiet: d.Quiet(), audit: participant.NewAudit(d), IdleTimeout: DefaultIdleTimeout, Now: time.Now}
}

func (s *Store) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

// lookupEmail is an address as users are stored and found: normalised
// (participant.Normalize: trimmed and lower-cased, so lookups and the
// unique index are case-insensitive); "" for what is not an address,
// which finds nobody.
func lookupEmail(email string) string {
	n, err := participant.Normalize(email)
	if err != nil {
		return ""
	}
	return n
}

func checkPasswordStrength(password string) error {
	if len(password) > maxPasswordBytes || utf8.RuneCountInString(password) < minPasswordChars {
		return ErrWeakPassword
	}
	return nil
}

// CreateUser adds a user. The email is trimmed and lowercased; it fails with
// ErrInvalidEmail, ErrWeakPassword or ErrEmailTaken as the case may be.
func (s *Store) CreateUser(ctx context.Context, email, name string, role Role, password string) (User, error) {
	email, err := participant.Normalize(email)
	if err != nil {
		return User{}, ErrInvalidEmail
	}
	if _, err := ParseRole(string(role)); err != nil {
		return User{}, err
	}
	if err := checkPasswordStrength(password); err != nil {
		return User{}, err
	}
	hash, err := HashPassword(password)
	if err != nil {
		return User{}, err
	}
	u := User{
		Email:     email,
		Name:      strings.TrimSpace(name),
		Role:      role,
		CreatedAt: time.Unix(time.Now().Unix(), 0).UTC(),
	}
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		return tx.QueryRowContext(ctx,
			`INSERT INTO users (email, name, password_hash, role, disabled, created_at)
			 VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
			u.Email, u.Name, hash, string(u.Role), false, u.CreatedAt.Unix()).Scan(&u.ID)
	})
	if db.IsUniqueViolation(err) {
		return User{}, ErrEmailTaken
	}
	if err != nil {
		return User{}, fmt.Errorf("auth: create user: %w", err)
	}
	return u, nil
}

// AddWithoutPassword adds, inside tx, a user who cannot sign in until
// they are invited (Invite) and choose a password: an author brought in by an import, whose
// entries keep their name, and whose old password hash is never imported.
// It returns the id of the user who already has that email, if any.
func AddWithoutPassword(ctx context.Context, tx *db.Tx, email, name string, role Role) (id int64, existed bool, err error) {
	email, err = participant.Normalize(email)
	if err != nil {
		return 0, false, ErrInvalidEmail
	}
	if _, err := ParseRole(string(role)); err != nil {
		return 0, false, err
	}
	err = tx.QueryRowContext(ctx, `SELECT id FROM users WHERE email = ?`, email).Scan(&id)
	if err == nil {
		return id, true, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return 0, false, fmt.Errorf("auth: add user: %w", err)
	}
	// An empty hash matches no password (Authenticate).
	err = tx.QueryRowContext(ctx, `INSERT INTO users (email, name, password_hash, role, disabled, created_at)
		VALUES (?, ?, '', ?, ?, ?) RETURNING id`, email, strings.TrimSpace(name), string(role), false, time.Now().Unix()).Scan(&id)
	if err != nil {
		return 0, false, fmt.Errorf("auth: add user: %w", err)
	}
	return id, false, nil
}

const userColumns = `id, email, name, role, disabled, created_at`

type scanner interface{ Scan(dest ...any) error }

func scanUser(row scanner, extra ...any) (User, error) {
	var (
		u       User
		role    string
		created int64
	)
	dest := append([]any{&u.ID, &u.Email, &u.Name, &role, &u.Disabled, &created}, extra...)
	if err := row.Scan(dest...); err != nil {
		return User{}, err
	}
	u.Role = Role(role)
	u.CreatedAt = time.Unix(created, 0).UTC()
	return u, nil
}

// userWhere loads the one user matching cond, or db.ErrNotFound.
func (s *Store) userWhere(ctx context.Context, what, cond string, args ...any) (User, error) {
	u, err := scanUser(s.db.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE `+cond, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, fmt.Errorf("auth: user %s: %w", what, db.ErrNotFound)
	}
	if err != nil {
		return User{}, fmt.Errorf("auth: user %s: %w", what, err)
	}
	return u, nil
}

// UserByID returns the user with that id, or db.ErrNotFound.
func (s *Store) UserByID(ctx context.Context, id int64) (User, error) {
	return s.userWhere(ctx, fmt.Sprintf("%d", id), `id = ?`, id)
}

// UserByEmail returns the user with that email, matched case-insensitively,
// or db.ErrNotFound.
func (s *Store) UserByEmail(ctx context.Context, email string) (User, error) {
	email = lookupEmail(email)
	return s.userWhere(ctx, fmt.Sprintf("%q", email), `email = ?`, email)
}

// ListUsers returns every user, disabled ones included, ordered by email.
func (s *Store) ListUsers(ctx context.Context) ([]User, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+userColumns+` FROM users ORDER BY email`)
	if err != nil {
		return nil, fmt.Errorf("auth: list users: %w", err)
	}
	defer rows.Close()
	var users []User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("auth: list users: %w", err)
		}
		users = append(users, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("auth: list users: %w", err)
	}
	for i := range users {
		if users[i].Languages, err = s.Languages(ctx, users[i].ID); err != nil {
			return nil, err
		}
	}
	return users, nil
}

// Languages lists the languages assigned to a user, in code order.
func (s *Store) Languages(ctx context.Context, userID int64) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT lang FROM user_languages WHERE user_id = ? ORDER BY lang`, userID)
	if err != nil {
		return nil, fmt.Errorf("auth: languages: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var l string
		if err := rows.Scan(&l); err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// SetLanguages replaces the languages assigned to a user.
func (s *Store) SetLanguages(ctx context.Context, userID int64, langs []string) error {
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE users SET role = role WHERE id = ?`, userID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return db.ErrNotFound
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM user_languages WHERE user_id = ?`, userID); err != nil {
			return err
		}
		seen := map[string]bool{}
		for _, l := range langs {
			if seen[l] {
				continue
			}
			seen[l] = true
			if _, err := tx.ExecContext(ctx, `INSERT INTO user_languages (user_id, lang) VALUES (?, ?)`, userID, l); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("auth: set languages: %w", err)
	}
	return nil
}

// CountUsers returns how many users exist, disabled ones included; zero
// means the site still needs its first admin.
func (s *Store) CountUsers(ctx context.Context) (int, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM users`).Scan(&n); err != nil {
		return 0, fmt.Errorf("auth: count users: %w", err)
	}
	return n, nil
}

// updateUser runs one UPDATE on a user's row, and then, when endSessions is
// set, deletes the user's sessions in the same transaction. It returns
// db.ErrNotFound when no user has that id.
func (s *Store) updateUser(ctx context.Context, what string, id int64, endSessions bool, query string, args ...any) error {
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		res, err := tx.ExecContext(ctx, query, args...)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		if n == 0 {
			return db.ErrNotFound
		}
		if endSessions {
			_, err = tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ?`, id)
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("auth: %s of user %d: %w", what, id, err)
	}
	return nil
}

// SetPassword replaces a user's password and signs them out everywhere, so
// a changed password also locks out whoever may have known the old one;
// the user's reset links stop working too.
func (s *Store) SetPassword(ctx context.Context, id int64, password string) error {
	if err := checkPasswordStrength(password); err != nil {
		return err
	}
	hash, err := HashPassword(password)
	if err != nil {
		return err
	}
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		u, err := scanUser(tx.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return db.ErrNotFound
		}
		if err != nil {
			return err
		}
		return s.replacePassword(ctx, tx, u, hash)
	})
	if err != nil {
		return fmt.Errorf("auth: set password of user %d: %w", id, err)
	}
	return nil
}

// SetRole changes a user's role. Open sessions keep working and pick the new
// role up on their next request, since sessions load the user afresh.
func (s *Store) SetRole(ctx context.Context, id int64, role Role) error {
	if _, err := ParseRole(string(role)); err != nil {
		return err
	}
	return s.updateUser(ctx, "set role", id, false,
		`UPDATE users SET role = ? WHERE id = ?`, string(role), id)
}

// SetDisabled disables or re-enables a user. Disabling also deletes the
// user's sessions.
func (s *Store) SetDisabled(ctx context.Context, id int64, disabled bool) error {
	return s.updateUser(ctx, "set disabled", id, disabled,
		`UPDATE users SET disabled = ? WHERE id = ?`, disabled, id)
}

// Authenticate returns the user with that email when password is theirs and
// the account is enabled, and ErrBadCredentials otherwise. The password is
// hashed in every case, so the answer takes as long whether or not the email
// exists.
func (s *Store) Authenticate(ctx context.Context, email, password string) (User, error) {
	if len(password) > maxPasswordBytes {
		// No stored password can be this long; refusing early is safe because
		// the decision does not depend on the email.
		return User{}, ErrBadCredentials
	}
	email = lookupEmail(email)
	var hash string
	u, err := scanUser(s.db.QueryRowContext(ctx,
		`SELECT `+userColumns+`, password_hash FROM users WHERE email = ?`, email), &hash)
	if errors.Is(err, sql.ErrNoRows) {
		burnHash(password)
		return User{}, ErrBadCredentials
	}
	if err != nil {
		return User{}, fmt.Errorf("auth: authenticate: %w", err)
	}
	if hash == "" { // added without a password (AddWithoutPassword): not yet invited
		burnHash(password)
		return User{}, ErrBadCredentials
	}
	ok, err := CheckPassword(hash, password)
	if err != nil {
		return User{}, fmt.Errorf("auth: authenticate user %d: %w", u.ID, err)
	}
	if !ok || u.Disabled {
		return User{}, ErrBadCredentials
	}
	return u, nil
}

// HasAdmin reports whether the site has an administrator, enabled or not:
// until it has one, the first-run page may make one.
func (s *Store) HasAdmin(ctx context.Context) (bool, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE role = 'admin'`).Scan(&n); err != nil {
		return false, fmt.Errorf("auth: count admins: %w", err)
	}
	return n > 0, nil
}
