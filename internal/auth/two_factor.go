package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"peerpress/internal/db"
	"peerpress/internal/participant"
)

// SecondFactorWindow is how long, after the password, the second factor
// may be given.
const SecondFactorWindow = 10 * time.Minute

// EnrolPath is the page where a user sets up their second factor: the
// only one an admin who must have one and has not can open.
const EnrolPath = "/admin/account/two-factor"

// IsEnrolment tells whether path is the enrolment page or one of its
// own (adding a passkey).
func IsEnrolment(path string) bool {
	return path == EnrolPath || strings.HasPrefix(path, EnrolPath+"/")
}

// recoveryCodes is how many recovery codes an enrolment gives.
const recoveryCodes = 10

// totpSealContext binds sealed TOTP keys to their use.
const totpSealContext = "auth/totp"

// Errors of two-factor sign-in.
var (
	// ErrBadCode means the code is not the current one, was used
	// already, or is not a recovery code of the user.
	ErrBadCode = errors.New("auth: wrong or used code")
	// ErrNoSecrets means the store has no site key to seal keys with.
	ErrNoSecrets = errors.New("auth: no site key for two-factor keys")
	// ErrNoSecondFactor means the user has no second factor for
	// recovery codes to stand in for.
	ErrNoSecondFactor = errors.New("auth: no second factor")
)

// Two-factor actions in the audit log.
const (
	ActionTwoFactorEnrol = "auth/two_factor_enrol"
	ActionRecoveryCode   = "auth/recovery_code_used"
	// ActionRecoveryCodesNew is a new set of recovery codes, which ends
	// the old one.
	ActionRecoveryCodesNew = "auth/recovery_codes_new"
)

// RecoveryNotice tells the account's owner that one of their recovery
// codes was just used (left: how many remain): called in the
// transaction that spends the code, so the mail it enqueues exists if
// and only if the code was spent.
type RecoveryNotice func(ctx context.Context, tx *db.Tx, u User, left int) error

// TOTPEnrolment is a key being enrolled: what the QR code and the
// authenticator app need.
type TOTPEnrolment struct {
	URL    string // otpauth:// URL, drawn as a QR code
	Secret string // base32, for typing in by hand
}

// BeginTOTP gives the user a new key to enrol, kept sealed until a first
// code confirms it (ConfirmTOTP); a user already enrolled keeps theirs
// until then. issuer names the site in the authenticator app.
func (s *Store) BeginTOTP(ctx context.Context, u User, issuer string) (TOTPEnrolment, error) {
	if s.Secrets == nil {
		return TOTPEnrolment{}, ErrNoSecrets
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: issuer, AccountName: u.Email})
	if err != nil {
		return TOTPEnrolment{}, fmt.Errorf("auth: totp key: %w", err)
	}
	sealed := s.Secrets.SealString(key.URL(), totpSealContext)
	if _, err := s.quiet.ExecContext(ctx, `UPDATE users SET totp_pending = ? WHERE id = ?`, sealed, u.ID); err != nil {
		return TOTPEnrolment{}, fmt.Errorf("auth: begin totp: %w", err)
	}
	return TOTPEnrolment{URL: key.URL(), Secret: key.Secret()}, nil
}

// PendingTOTP is the key being enrolled, if any.
func (s *Store) PendingTOTP(ctx context.Context, userID int64) (TOTPEnrolment, bool, error) {
	var sealed string
	if err := s.db.QueryRowContext(ctx, `SELECT totp_pending FROM users WHERE id = ?`, userID).Scan(&sealed); err != nil {
		return TOTPEnrolment{}, false, fmt.Errorf("auth: pending totp: %w", err)
	}
	if sealed == "" || s.Secrets == nil {
		return TOTPEnrolment{}, false, nil
	}
	key, err := s.openKey(sealed)
	if err != nil {
		return TOTPEnrolment{}, false, err
	}
	return TOTPEnrolment{URL: key.URL(), Secret: key.Secret()}, true, nil
}

func (s *Store) openKey(sealed string) (*otp.Key, error) {
	if s.Secrets == nil {
		return nil, ErrNoSecrets
	}
	u, err := s.Secrets.OpenString(sealed, totpSealContext)
	if err != nil {
		return nil, fmt.Errorf("auth: open totp key: %w", err)
	}
	key, err := otp.NewKeyFromURL(u)
	if err != nil {
		return nil, fmt.Errorf("auth: totp key: %w", err)
	}
	return key, nil
}

// matchStep finds the time step (30 s) whose code is code, allowing one
// step of clock drift either way, after last (a code works once).
func matchStep(key *otp.Key, code string, now time.Time, last int64) (int64, bool) {
	code = strings.TrimSpace(code)
	if len(code) != 6 {
		return 0, false
	}
	period := int64(key.Period()) // #nosec G115 -- a TOTP period in seconds, 30 by our own enrolment
	step := now.Unix() / period
	for _, st := range []int64{step - 1, step, step + 1} {
		if st <= last {
			continue
		}
		want, err := totp.GenerateCodeCustom(key.Secret(), time.Unix(st*period, 0), totp.ValidateOpts{
			Period: uint(period), Digits: key.Digits(), Algorithm: key.Algorithm()}) // #nosec G115 -- a TOTP period in seconds, 30 by our own enrolment
		if err == nil && want == code {
			return st, true
		}
	}
	return 0, false
}

// ConfirmTOTP turns the key being enrolled on when code is its current
// one, and returns new recovery codes (shown once; only their hashes are
// kept). Sessions waiting for the enrolment are let through.
func (s *Store) ConfirmTOTP(ctx context.Context, userID int64, code string) ([]string, error) {
	var pending string
	if err := s.db.QueryRowContext(ctx, `SELECT totp_pending FROM users WHERE id = ?`, userID).Scan(&pending); err != nil {
		return nil, fmt.Errorf("auth: confirm totp: %w", err)
	}
	if pending == "" {
		return nil, ErrBadCode
	}
	key, err := s.openKey(pending)
	if err != nil {
		return nil, err
	}
	step, ok := matchStep(key, code, s.now(), 0)
	if !ok {
		return nil, ErrBadCode
	}
	var codes []string
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE users SET totp_sealed = totp_pending, totp_pending = '', totp_step = ? WHERE id = ?`, step, userID); err != nil {
			return err
		}
		var err error
		if codes, err = replaceRecoveryCodes(ctx, tx, userID); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE sessions SET stage = ? WHERE user_id = ? AND stage = ?`, stageSignedIn, userID, stageMustEnrol)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("auth: confirm totp: %w", err)
	}
	s.Record(ctx, participant.Access{UserID: userID, Action: ActionTwoFactorEnrol})
	return codes, nil
}

// replaceRecoveryCodes gives the user a new set of recovery codes in tx,
// which ends every code they had, used or not, and returns them: the
// only time they exist in the clear.
func replaceRecoveryCodes(ctx context.Context, tx *db.Tx, userID int64) ([]string, error) {
	if _, err := tx.ExecContext(ctx, `DELETE FROM recovery_codes WHERE user_id = ?`, userID); err != nil {
		return nil, err
	}
	codes := make([]string, recoveryCodes)
	for i := range codes {
		codes[i] = newRecoveryCode()
		if _, err := tx.ExecContext(ctx, `INSERT INTO recovery_codes (user_id, code_hash) VALUES (?, ?)`, userID, recoveryHash(codes[i])); err != nil {
			return nil, err
		}
	}
	return codes, nil
}

// RegenerateRecoveryCodes gives a user who has a second factor (an
// authenticator app, passkeys) a new set of recovery codes, shown once;
// the old ones stop working. It fails with ErrNoSecondFactor for a user
// whose password alone signs them in.
func (s *Store) RegenerateRecoveryCodes(ctx context.Context, userID int64) ([]string, error) {
	totp, passkeys, err := s.SecondFactors(ctx, userID)
	if err != nil {
		return nil, err
	}
	if !totp && !passkeys {
		return nil, ErrNoSecondFactor
	}
	var codes []string
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		var err error
		codes, err = replaceRecoveryCodes(ctx, tx, userID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("auth: recovery codes: %w", err)
	}
	s.Record(ctx, participant.Access{UserID: userID, Action: ActionRecoveryCodesNew})
	return codes, nil
}

// newRecoveryCode is 10 random base32 letters and digits, as xxxxx-xxxxx.
func newRecoveryCode() string {
	b := make([]byte, 7)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	c := strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))[:10]
	return c[:5] + "-" + c[5:]
}

// recoveryHash is what is kept of a recovery code: typed with or
// without its dash, in either case, it matches.
func recoveryHash(code string) string {
	c := strings.ToLower(strings.NewReplacer("-", "", " ", "").Replace(strings.TrimSpace(code)))
	sum := sha256.Sum256([]byte("peerpress recovery code\x00" + c))
	return hex.EncodeToString(sum[:])
}

// SignInSecondFactor starts the session that follows a correct password:
// waiting for the second factor when the user has one, opening only the
// enrolment when the site requires one they lack, or signed in. It
// reports which.
func (s *Store) SignInSecondFactor(ctx context.Context, u User, userAgent string) (token string, sess Session, needCode bool, err error) {
	totp, passkeys, err := s.SecondFactors(ctx, u.ID)
	if err != nil {
		return "", Session{}, false, fmt.Errorf("auth: sign in: %w", err)
	}
	switch {
	case totp || passkeys:
		token, sess, err = s.startSession(ctx, u.ID, userAgent, stageSecondFactor)
		return token, sess, true, err
	case s.RequireTwoFactor != nil && s.RequireTwoFactor(u):
		token, sess, err = s.startSession(ctx, u.ID, userAgent, stageMustEnrol)
		return token, sess, false, err
	}
	token, sess, err = s.startSession(ctx, u.ID, userAgent, stageSignedIn)
	return token, sess, false, err
}

// SecondFactors tells which second factors the user has: a TOTP key,
// passkeys.
func (s *Store) SecondFactors(ctx context.Context, userID int64) (totp, passkeys bool, err error) {
	var t, p int
	err = s.db.QueryRowContext(ctx, `SELECT CASE WHEN totp_sealed = '' THEN 0 ELSE 1 END, (SELECT COUNT(*) FROM passkeys WHERE user_id = users.id)
		FROM users WHERE id = ?`, userID).Scan(&t, &p)
	if err != nil {
		return false, false, fmt.Errorf("auth: second factors: %w", err)
	}
	return t == 1, p > 0, nil
}

// WaitingForCode returns the user whose session token is waiting for the
// second factor, or db.ErrNotFound.
func (s *Store) WaitingForCode(ctx context.Context, token string) (User, error) {
	if len(token) != tokenLen {
		return User{}, fmt.Errorf("auth: second factor: %w", db.ErrNotFound)
	}
	u, err := scanUser(s.db.QueryRowContext(ctx, `SELECT u.id, u.email, u.name, u.role, u.disabled, u.created_at
		FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.token_hash = ? AND s.stage = ? AND s.expires_at > ? AND u.disabled = ?`,
		hashToken(token), stageSecondFactor, s.now().Unix(), false))
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, fmt.Errorf("auth: second factor: %w", db.ErrNotFound)
	}
	if err != nil {
		return User{}, fmt.Errorf("auth: second factor: %w", err)
	}
	return u, nil
}

// CompleteSecondFactor checks code, a TOTP code or an unused recovery
// code, for the session waiting with token; on success that session
// ends and a signed-in one starts (a new token, so whoever saw the first
// cannot ride the second). A user who signs in with passkeys only may
// give a recovery code here too, when their passkey is lost. A recovery
// code spent is written to the audit log and, through notice (if not
// nil), told to the account's owner in the same transaction. Wrong codes
// count on the account's sign-in limiter. It fails with ErrBadCode,
// *ThrottledError or db.ErrNotFound.
func (s *Store) CompleteSecondFactor(ctx context.Context, token, code, userAgent string, notice RecoveryNotice) (string, Session, error) {
	u, err := s.WaitingForCode(ctx, token)
	if err != nil {
		return "", Session{}, err
	}
	keys := []string{"user:" + strconv.FormatInt(u.ID, 10)}
	if _, err := s.reserve(ctx, keys); err != nil {
		return "", Session{}, err
	}
	var sealed string
	var last int64
	if err := s.db.QueryRowContext(ctx, `SELECT totp_sealed, totp_step FROM users WHERE id = ?`, u.ID).Scan(&sealed, &last); err != nil {
		return "", Session{}, fmt.Errorf("auth: second factor: %w", err)
	}
	ok := false
	step, match := int64(0), false
	if sealed != "" { // passkeys only: no authenticator app to match
		key, err := s.openKey(sealed)
		if err != nil {
			return "", Session{}, err
		}
		step, match = matchStep(key, code, s.now(), last)
	}
	if match {
		// The step is taken only if no one took it meanwhile.
		res, err := s.quiet.ExecContext(ctx, `UPDATE users SET totp_step = ? WHERE id = ? AND totp_step < ?`, step, u.ID, step)
		if err != nil {
			return "", Session{}, fmt.Errorf("auth: second factor: %w", err)
		}
		n, _ := res.RowsAffected()
		ok = n == 1
	} else if len(strings.TrimSpace(code)) >= 10 {
		if ok, err = s.spendRecoveryCode(ctx, u, code, notice); err != nil {
			return "", Session{}, err
		}
	}
	if !ok {
		return "", Session{}, ErrBadCode
	}
	if err := s.clearLimits(ctx, s.quiet, keys...); err != nil {
		return "", Session{}, err
	}
	if err := s.DeleteSession(ctx, token); err != nil {
		return "", Session{}, err
	}
	return s.startSession(ctx, u.ID, userAgent, stageSignedIn)
}

// spendRecoveryCode marks code used if it is one of u's unused recovery
// codes, and tells so (notice) in the same transaction; then the audit
// log.
func (s *Store) spendRecoveryCode(ctx context.Context, u User, code string, notice RecoveryNotice) (bool, error) {
	spent := false
	err := s.quiet.InTx(ctx, func(tx *db.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE recovery_codes SET used_at = ? WHERE user_id = ? AND code_hash = ? AND used_at = 0`,
			s.now().Unix(), u.ID, recoveryHash(code))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return nil
		}
		spent = true
		if notice == nil {
			return nil
		}
		var left int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM recovery_codes WHERE user_id = ? AND used_at = 0`, u.ID).Scan(&left); err != nil {
			return err
		}
		return notice(ctx, tx, u, left)
	})
	if err != nil {
		return false, fmt.Errorf("auth: recovery code: %w", err)
	}
	if spent {
		s.Record(ctx, participant.Access{UserID: u.ID, Action: ActionRecoveryCode})
	}
	return spent, nil
}

// RecoveryCodesLeft counts the user's unused recovery codes.
func (s *Store) RecoveryCodesLeft(ctx context.Context, userID int64) (int, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM recovery_codes WHERE user_id = ? AND used_at = 0`, userID).Scan(&n); err != nil {
		return 0, fmt.Errorf("auth: recovery codes: %w", err)
	}
	return n, nil
}

// Name names the two-factor keys among what is sealed with the site key
// (participant.Sealed).
func (s *Store) Name() string { return "auth/two_factor" }

// Reseal seals the two-factor keys again with the current site key, so
// that a key rotation does not lock out those who use them.
func (s *Store) Reseal(ctx context.Context, reseal participant.Resealer) (int, error) {
	return participant.ResealTable(ctx, s.db, participant.Table{Name: "users", Key: "id",
		Columns: []participant.Column{{Name: "totp_sealed", Context: totpSealContext}, {Name: "totp_pending", Context: totpSealContext}}}, reseal)
}
