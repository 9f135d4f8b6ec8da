package auth

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"peerpress/internal/db"
	"peerpress/internal/participant"
)

// Errors of passkey ceremonies.
var (
	// ErrPasskeyRefused means the browser's answer does not prove a
	// passkey of this site: a forged, expired or replayed challenge, an
	// unknown credential, a bad signature. Which one is not told.
	ErrPasskeyRefused = errors.New("auth: passkey refused")
	// ErrPasskeyName means a passkey's name is empty or over 100
	// characters.
	ErrPasskeyName = errors.New("auth: a passkey needs a name of at most 100 characters")
)

// Passkey actions in the audit log.
const (
	ActionPasskeyAdd    = "auth/passkey_add"    // #nosec G101 -- the name of an audit action, no credential
	ActionPasskeyRemove = "auth/passkey_remove" // #nosec G101 -- the name of an audit action, no credential
)

// passkeyTimeout is how long a browser has to answer a ceremony.
const passkeyTimeout = 5 * time.Minute

const maxPasskeyName = 100

// Purposes of a ceremony, sealed into its state, so that the state of
// one kind cannot be played as another.
const (
	ceremonyRegister     = "auth/passkey-register"
	ceremonySignIn       = "auth/passkey-sign-in"
	ceremonySecondFactor = "auth/passkey-second-factor"
)

// RelyingParty is the site as passkeys know it: its domain (the RP ID,
// to which a passkey is bound) and the origin its pages come from.
type RelyingParty struct {
	ID     string // example.org
	Origin string // https://example.org
	Name   string // the site's name, shown by some authenticators
}

func (rp RelyingParty) webauthn() (*webauthn.WebAuthn, error) {
	w, err := webauthn.New(&webauthn.Config{
		RPID:          rp.ID,
		RPDisplayName: rp.Name,
		RPOrigins:     []string{rp.Origin},
		Timeouts: webauthn.TimeoutsConfig{
			Login:        webauthn.TimeoutConfig{Enforce: true, Timeout: passkeyTimeout, TimeoutUVD: passkeyTimeout},
			Registration: webauthn.TimeoutConfig{Enforce: true, Timeout: passkeyTimeout, TimeoutUVD: passkeyTimeout},
		},
	})
	if err != nil {
		return nil, fmt.Errorf("auth: passkeys: %w", err)
	}
	return w, nil
}

// Passkey is one of a user's passkeys, as their list shows it.
type Passkey struct {
	ID        int64
	Name      string
	CreatedAt time.Time // UTC
	LastUsed  time.Time // UTC; zero: never used to sign in
}

// PasskeyCeremony is what a browser needs to make or use a passkey: the
// options for navigator.credentials (JSON), and the ceremony's state,
// sealed with the site key, which it sends back with its answer.
type PasskeyCeremony struct {
	Options json.RawMessage `json:"options"`
	State   string          `json:"state"`
}

// ceremonyState is what the server must remember of a ceremony; it
// travels sealed, so asking for a ceremony writes nothing.
type ceremonyState struct {
	UserID  int64                `json:"u,omitempty"`
	Session webauthn.SessionData `json:"s"`
}

// passkeyUser is a user as the WebAuthn library sees them.
type passkeyUser struct {
	u      User
	handle []byte
	creds  []webauthn.Credential
}

func (p *passkeyUser) WebAuthnID() []byte                         { return p.handle }
func (p *passkeyUser) WebAuthnName() string                       { return p.u.Email }
func (p *passkeyUser) WebAuthnDisplayName() string                { return cmp.Or(p.u.Name, p.u.Email) }
func (p *passkeyUser) WebAuthnCredentials() []webauthn.Credential { return p.creds }

var b64 = base64.RawURLEncoding

// loadPasskeyUser reads a user's handle and passkeys; with create, a
// user without a handle gets one.
func (s *Store) loadPasskeyUser(ctx context.Context, u User, create bool) (*passkeyUser, error) {
	var handle string
	if err := s.db.QueryRowContext(ctx, `SELECT passkey_handle FROM users WHERE id = ?`, u.ID).Scan(&handle); err != nil {
		return nil, fmt.Errorf("auth: passkeys: %w", err)
	}
	if handle == "" && create {
		b := make([]byte, 32)
		if _, err := rand.Read(b); err != nil {
			return nil, fmt.Errorf("auth: passkeys: %w", err)
		}
		// Only if no one gave it one meanwhile; then read what won.
		if _, err := s.quiet.ExecContext(ctx, `UPDATE users SET passkey_handle = ? WHERE id = ? AND passkey_handle = ''`, b64.EncodeToString(b), u.ID); err != nil {
			return nil, fmt.Errorf("auth: passkeys: %w", err)
		}
		return s.loadPasskeyUser(ctx, u, false)
	}
	pu := &passkeyUser{u: u}
	var err error
	if pu.handle, err = b64.DecodeString(handle); err != nil {
		return nil, fmt.Errorf("auth: passkey handle of user %d: %w", u.ID, err)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, credential FROM passkeys WHERE user_id = ? ORDER BY id`, u.ID)
	if err != nil {
		return nil, fmt.Errorf("auth: passkeys: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var raw string
		if err := rows.Scan(&id, &raw); err != nil {
			return nil, fmt.Errorf("auth: passkeys: %w", err)
		}
		var c webauthn.Credential
		if err := json.Unmarshal([]byte(raw), &c); err != nil {
			return nil, fmt.Errorf("auth: passkey %d: %w", id, err)
		}
		pu.creds = append(pu.creds, c)
	}
	return pu, rows.Err()
}

// seal puts a ceremony's state into what the browser carries.
func (s *Store) sealCeremony(purpose string, userID int64, sd *webauthn.SessionData, options any) (PasskeyCeremony, error) {
	state, err := json.Marshal(ceremonyState{UserID: userID, Session: *sd})
	if err != nil {
		return PasskeyCeremony{}, fmt.Errorf("auth: passkeys: %w", err)
	}
	opts, err := json.Marshal(options)
	if err != nil {
		return PasskeyCeremony{}, fmt.Errorf("auth: passkeys: %w", err)
	}
	return PasskeyCeremony{Options: opts, State: s.Secrets.SealString(string(state), purpose)}, nil
}

// openCeremony opens a state the browser sent back, of that purpose,
// while it is fresh. Nothing is written: a forged or garbage answer costs
// the server no storage.
func (s *Store) openCeremony(purpose, sealed string) (ceremonyState, error) {
	var st ceremonyState
	if s.Secrets == nil {
		return st, ErrNoSecrets
	}
	plain, err := s.Secrets.OpenString(sealed, purpose)
	if err != nil {
		return st, ErrPasskeyRefused
	}
	if err := json.Unmarshal([]byte(plain), &st); err != nil || st.Session.Challenge == "" {
		return st, ErrPasskeyRefused
	}
	if !st.Session.Expires.After(s.now()) {
		return st, ErrPasskeyRefused
	}
	return st, nil
}

// spend marks a ceremony's challenge answered, once its answer proved a
// passkey and before anything is granted: the same answer played again,
// even at the same moment, is refused.
func (s *Store) spend(ctx context.Context, purpose string, st ceremonyState) error {
	sum := sha256.Sum256([]byte(purpose + "\x00" + st.Session.Challenge))
	_, err := s.quiet.ExecContext(ctx, `INSERT INTO passkey_challenges_used (challenge_hash, expires_at) VALUES (?, ?)`,
		hex.EncodeToString(sum[:]), st.Session.Expires.Unix())
	if db.IsUniqueViolation(err) {
		return ErrPasskeyRefused
	}
	if err != nil {
		return fmt.Errorf("auth: passkeys: %w", err)
	}
	return nil
}

// BeginPasskeyRegistration starts adding a passkey to u's account. The
// passkey is discoverable, so that it can sign in without the email.
func (s *Store) BeginPasskeyRegistration(ctx context.Context, rp RelyingParty, u User) (PasskeyCeremony, error) {
	if s.Secrets == nil {
		return PasskeyCeremony{}, ErrNoSecrets
	}
	w, err := rp.webauthn()
	if err != nil {
		return PasskeyCeremony{}, err
	}
	pu, err := s.loadPasskeyUser(ctx, u, true)
	if err != nil {
		return PasskeyCeremony{}, err
	}
	exclude := make([]protocol.CredentialDescriptor, len(pu.creds))
	for i := range pu.creds {
		exclude[i] = pu.creds[i].Descriptor()
	}
	creation, sd, err := w.BeginRegistration(pu,
		webauthn.WithResidentKeyRequirement(protocol.ResidentKeyRequirementRequired),
		webauthn.WithExclusions(exclude))
	if err != nil {
		return PasskeyCeremony{}, fmt.Errorf("auth: passkeys: %w", err)
	}
	return s.sealCeremony(ceremonyRegister, u.ID, sd, creation)
}

// FinishPasskeyRegistration checks the browser's answer to the
// ceremony state opened and keeps the new passkey under name. A user
// who had to enrol a second factor is let through, as after TOTP. A
// user without unused recovery codes (this is their first second
// factor, or they spent them all) gets a new set, returned to be shown
// once, as after TOTP: a lost passkey must not lock them out.
func (s *Store) FinishPasskeyRegistration(ctx context.Context, rp RelyingParty, u User, state, name, answer string) (Passkey, []string, error) {
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > maxPasskeyName || !utf8.ValidString(name) || strings.ContainsRune(name, 0) {
		return Passkey{}, nil, ErrPasskeyName
	}
	if s.Secrets == nil {
		return Passkey{}, nil, ErrNoSecrets
	}
	st, err := s.openCeremony(ceremonyRegister, state)
	if err != nil {
		return Passkey{}, nil, err
	}
	if st.UserID != u.ID {
		return Passkey{}, nil, ErrPasskeyRefused
	}
	parsed, err := protocol.ParseCredentialCreationResponseBytes([]byte(answer))
	if err != nil {
		return Passkey{}, nil, ErrPasskeyRefused
	}
	w, err := rp.webauthn()
	if err != nil {
		return Passkey{}, nil, err
	}
	pu, err := s.loadPasskeyUser(ctx, u, false)
	if err != nil {
		return Passkey{}, nil, err
	}
	cred, err := w.CreateCredential(pu, st.Session, parsed)
	if err != nil {
		slog.InfoContext(ctx, "auth: passkey registration refused", "user_id", u.ID, "err", err)
		return Passkey{}, nil, ErrPasskeyRefused
	}
	if err := s.spend(ctx, ceremonyRegister, st); err != nil {
		return Passkey{}, nil, err
	}
	raw, err := json.Marshal(cred)
	if err != nil {
		return Passkey{}, nil, fmt.Errorf("auth: passkeys: %w", err)
	}
	p := Passkey{Name: name, CreatedAt: time.Unix(s.now().Unix(), 0).UTC()}
	var codes []string
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		if err := tx.QueryRowContext(ctx, `INSERT INTO passkeys (user_id, credential_id, name, credential, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id`,
			u.ID, b64.EncodeToString(cred.ID), name, string(raw), p.CreatedAt.Unix()).Scan(&p.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE sessions SET stage = ? WHERE user_id = ? AND stage = ?`, stageSignedIn, u.ID, stageMustEnrol); err != nil {
			return err
		}
		var left int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM recovery_codes WHERE user_id = ? AND used_at = 0`, u.ID).Scan(&left); err != nil || left > 0 {
			return err
		}
		var err error
		codes, err = replaceRecoveryCodes(ctx, tx, u.ID)
		return err
	})
	if db.IsUniqueViolation(err) {
		// The same authenticator's credential, offered twice.
		return Passkey{}, nil, ErrPasskeyRefused
	}
	if err != nil {
		return Passkey{}, nil, fmt.Errorf("auth: add passkey: %w", err)
	}
	s.Record(ctx, participant.Access{UserID: u.ID, Action: ActionPasskeyAdd, Target: "passkey " + strconv.FormatInt(p.ID, 10)})
	if codes != nil {
		s.Record(ctx, participant.Access{UserID: u.ID, Action: ActionRecoveryCodesNew})
	}
	return p, codes, nil
}

// Passkeys lists a user's passkeys, oldest first.
func (s *Store) Passkeys(ctx context.Context, userID int64) ([]Passkey, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, name, created_at, last_used_at FROM passkeys WHERE user_id = ? ORDER BY id`, userID)
	if err != nil {
		return nil, fmt.Errorf("auth: passkeys: %w", err)
	}
	defer rows.Close()
	var out []Passkey
	for rows.Next() {
		var p Passkey
		var created, used int64
		if err := rows.Scan(&p.ID, &p.Name, &created, &used); err != nil {
			return nil, fmt.Errorf("auth: passkeys: %w", err)
		}
		p.CreatedAt = time.Unix(created, 0).UTC()
		if used > 0 {
			p.LastUsed = time.Unix(used, 0).UTC()
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// RemovePasskey deletes one of the user's passkeys; db.ErrNotFound when
// the user has none with that id.
func (s *Store) RemovePasskey(ctx context.Context, userID, id int64) error {
	res, err := s.db.ExecContext(ctx, `DELETE FROM passkeys WHERE id = ? AND user_id = ?`, id, userID)
	if err != nil {
		return fmt.Errorf("auth: remove passkey: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("auth: remove passkey %d: %w", id, db.ErrNotFound)
	}
	// Without any second factor left, recovery codes stand in for
	// nothing: they go, so that old printed ones do not come back to
	// life with the next passkey.
	if _, err := s.db.ExecContext(ctx, `DELETE FROM recovery_codes WHERE user_id = ?
		AND NOT EXISTS (SELECT 1 FROM passkeys WHERE user_id = ?)
		AND EXISTS (SELECT 1 FROM users WHERE id = ? AND totp_sealed = '')`, userID, userID, userID); err != nil {
		return fmt.Errorf("auth: remove passkey: %w", err)
	}
	s.Record(ctx, participant.Access{UserID: userID, Action: ActionPasskeyRemove, Target: "passkey " + strconv.FormatInt(id, 10)})
	return nil
}

// BeginPasskeySignIn starts a sign-in with a passkey instead of the
// email and password: the browser offers the user's passkeys of this
// site, and the one chosen must verify its user (PIN, fingerprint),
// which makes it two factors by itself.
func (s *Store) BeginPasskeySignIn(ctx context.Context, rp RelyingParty) (PasskeyCeremony, error) {
	if s.Secrets == nil {
		return PasskeyCeremony{}, ErrNoSecrets
	}
	w, err := rp.webauthn()
	if err != nil {
		return PasskeyCeremony{}, err
	}
	assertion, sd, err := w.BeginDiscoverableLogin(webauthn.WithUserVerification(protocol.VerificationRequired))
	if err != nil {
		return PasskeyCeremony{}, fmt.Errorf("auth: passkeys: %w", err)
	}
	return s.sealCeremony(ceremonySignIn, 0, sd, assertion)
}

// FinishPasskeySignIn checks the browser's answer and, when it proves a
// passkey of an enabled user, starts a signed-in session.
func (s *Store) FinishPasskeySignIn(ctx context.Context, rp RelyingParty, state, answer, userAgent string) (string, Session, User, error) {
	if s.Secrets == nil {
		return "", Session{}, User{}, ErrNoSecrets
	}
	st, err := s.openCeremony(ceremonySignIn, state)
	if err != nil {
		return "", Session{}, User{}, err
	}
	parsed, err := protocol.ParseCredentialRequestResponseBytes([]byte(answer))
	if err != nil {
		return "", Session{}, User{}, ErrPasskeyRefused
	}
	w, err := rp.webauthn()
	if err != nil {
		return "", Session{}, User{}, err
	}
	var owner *passkeyUser
	found := func(rawID, handle []byte) (webauthn.User, error) {
		u, err := scanUser(s.db.QueryRowContext(ctx, `SELECT u.id, u.email, u.name, u.role, u.disabled, u.created_at
			FROM passkeys p JOIN users u ON u.id = p.user_id
			WHERE p.credential_id = ? AND u.passkey_handle = ? AND u.disabled = ?`,
			b64.EncodeToString(rawID), b64.EncodeToString(handle), false))
		if err != nil {
			return nil, err
		}
		owner, err = s.loadPasskeyUser(ctx, u, false)
		return owner, err
	}
	cred, err := w.ValidateDiscoverableLogin(found, st.Session, parsed)
	if err != nil {
		slog.InfoContext(ctx, "auth: passkey sign-in refused", "err", err)
		return "", Session{}, User{}, ErrPasskeyRefused
	}
	if err := s.spend(ctx, ceremonySignIn, st); err != nil {
		return "", Session{}, User{}, err
	}
	if err := s.usedPasskey(ctx, owner, cred); err != nil {
		return "", Session{}, User{}, err
	}
	token, sess, err := s.startSession(ctx, owner.u.ID, userAgent, stageSignedIn)
	if err != nil {
		return "", Session{}, User{}, err
	}
	s.Record(ctx, participant.Access{UserID: owner.u.ID, Action: ActionSignIn, Target: "passkey"})
	return token, sess, owner.u, nil
}

// usedPasskey keeps the passkey's new sign counter and when it was used.
// A counter that went backwards means the passkey was copied: refused.
func (s *Store) usedPasskey(ctx context.Context, pu *passkeyUser, cred *webauthn.Credential) error {
	if cred.Authenticator.CloneWarning {
		slog.WarnContext(ctx, "auth: passkey sign counter went backwards: refused, it may have been copied", "user_id", pu.u.ID)
		return ErrPasskeyRefused
	}
	raw, err := json.Marshal(cred)
	if err != nil {
		return fmt.Errorf("auth: passkeys: %w", err)
	}
	if _, err := s.quiet.ExecContext(ctx, `UPDATE passkeys SET credential = ?, last_used_at = ? WHERE user_id = ? AND credential_id = ?`,
		string(raw), s.now().Unix(), pu.u.ID, b64.EncodeToString(cred.ID)); err != nil {
		return fmt.Errorf("auth: passkeys: %w", err)
	}
	return nil
}

// HasPasskeys reports whether the user has a passkey.
func (s *Store) HasPasskeys(ctx context.Context, userID int64) (bool, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM passkeys WHERE user_id = ?`, userID).Scan(&n); err != nil {
		return false, fmt.Errorf("auth: passkeys: %w", err)
	}
	return n > 0, nil
}

// BeginPasskeySecondFactor starts the second step of a sign-in with one
// of the user's passkeys, for the session waiting with token.
func (s *Store) BeginPasskeySecondFactor(ctx context.Context, rp RelyingParty, token string) (PasskeyCeremony, error) {
	if s.Secrets == nil {
		return PasskeyCeremony{}, ErrNoSecrets
	}
	u, err := s.WaitingForCode(ctx, token)
	if err != nil {
		return PasskeyCeremony{}, err
	}
	pu, err := s.loadPasskeyUser(ctx, u, false)
	if err != nil {
		return PasskeyCeremony{}, err
	}
	if len(pu.creds) == 0 {
		return PasskeyCeremony{}, fmt.Errorf("auth: user %d has no passkey: %w", u.ID, db.ErrNotFound)
	}
	w, err := rp.webauthn()
	if err != nil {
		return PasskeyCeremony{}, err
	}
	assertion, sd, err := w.BeginLogin(pu)
	if err != nil {
		return PasskeyCeremony{}, fmt.Errorf("auth: passkeys: %w", err)
	}
	return s.sealCeremony(ceremonySecondFactor, u.ID, sd, assertion)
}

// CompletePasskeySecondFactor checks the passkey answer for the session
// waiting with token; on success that session ends and a signed-in one
// starts, as CompleteSecondFactor does with a code. Refusals count on
// the account's sign-in limiter.
func (s *Store) CompletePasskeySecondFactor(ctx context.Context, rp RelyingParty, token, state, answer, userAgent string) (string, Session, error) {
	u, err := s.WaitingForCode(ctx, token)
	if err != nil {
		return "", Session{}, err
	}
	keys := []string{"user:" + strconv.FormatInt(u.ID, 10)}
	if _, err := s.reserve(ctx, keys); err != nil {
		return "", Session{}, err
	}
	if s.Secrets == nil {
		return "", Session{}, ErrNoSecrets
	}
	st, err := s.openCeremony(ceremonySecondFactor, state)
	if err != nil {
		return "", Session{}, err
	}
	if st.UserID != u.ID {
		return "", Session{}, ErrPasskeyRefused
	}
	parsed, err := protocol.ParseCredentialRequestResponseBytes([]byte(answer))
	if err != nil {
		return "", Session{}, ErrPasskeyRefused
	}
	w, err := rp.webauthn()
	if err != nil {
		return "", Session{}, err
	}
	pu, err := s.loadPasskeyUser(ctx, u, false)
	if err != nil {
		return "", Session{}, err
	}
	cred, err := w.ValidateLogin(pu, st.Session, parsed)
	if err != nil {
		slog.InfoContext(ctx, "auth: passkey second factor refused", "user_id", u.ID, "err", err)
		return "", Session{}, ErrPasskeyRefused
	}
	if err := s.spend(ctx, ceremonySecondFactor, st); err != nil {
		return "", Session{}, err
	}
	if err := s.usedPasskey(ctx, pu, cred); err != nil {
		return "", Session{}, err
	}
	if err := s.clearLimits(ctx, s.quiet, keys...); err != nil {
		return "", Session{}, err
	}
	if err := s.DeleteSession(ctx, token); err != nil {
		return "", Session{}, err
	}
	return s.startSession(ctx, u.ID, userAgent, stageSignedIn)
}

// purgeSpentChallenges forgets answered challenges that have expired:
// they could not be played again anyway.
func (s *Store) purgeSpentChallenges(ctx context.Context, now time.Time) error {
	if _, err := s.quiet.ExecContext(ctx, `DELETE FROM passkey_challenges_used WHERE expires_at <= ?`, now.Unix()); err != nil {
		return fmt.Errorf("auth: purge passkey challenges: %w", err)
	}
	return nil
}
