package participant

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strings"

	"filippo.io/age"
	"filippo.io/age/armor"
)

// Sealing for staff. What staff need and the server does not (a
// registrant's name and answers) is sealed to the organisation's public
// key with age (X25519): the server can seal but never open it. The
// private half, the organisation's identity, lives in a file kept off the
// server, itself encrypted with a passphrase (age's scrypt recipient).
// Staff unlock it for their session (Keyring) or open an export on their
// own machine (`peerpress unseal`).
//
// Without an organisation key the same calls seal with the site key, as
// before: a site can turn the key on later and `peerpress keys rotate`
// moves those values to it.

// staffPrefix marks a value sealed to the organisation's key: "age$" and
// the age ciphertext in base64. Site-key values start with "$" or are
// plain base64, which has no "$".
const staffPrefix = "age$"

// DefaultWorkFactor is the scrypt work factor of a new identity file:
// age's own default (2^18, 256 MiB and about a second to open), so that a
// stolen file resists guessing.
const DefaultWorkFactor = 18

// ErrLocked is returned when a value is sealed to the organisation's key
// and the request holds no unlocked identity.
var ErrLocked = errors.New("participant: sealed to the organisation's key; unlock it to read")

// ErrBadIdentity is returned for an identity file or passphrase that does
// not give the organisation's key.
var ErrBadIdentity = errors.New("participant: the key file and passphrase do not open the organisation's key")

// IsSealedForStaff reports whether a stored value is sealed to the
// organisation's key, so that only an unlocked identity opens it.
func IsSealedForStaff(sealed string) bool { return strings.HasPrefix(sealed, staffPrefix) }

// NewOrgKey makes the organisation's key: its public recipient, for the
// server, and its identity encrypted with passphrase (ASCII armour), for
// the file staff keep off the server. workFactor is scrypt's log2 cost;
// 0 means DefaultWorkFactor.
func NewOrgKey(passphrase string, workFactor int) (recipient string, identityFile []byte, err error) {
	if strings.TrimSpace(passphrase) == "" {
		return "", nil, errors.New("participant: an empty passphrase")
	}
	id, err := age.GenerateX25519Identity()
	if err != nil {
		return "", nil, fmt.Errorf("participant: org key: %w", err)
	}
	pr, err := age.NewScryptRecipient(passphrase)
	if err != nil {
		return "", nil, fmt.Errorf("participant: org key: %w", err)
	}
	if workFactor == 0 {
		workFactor = DefaultWorkFactor
	}
	pr.SetWorkFactor(workFactor)
	var buf bytes.Buffer
	aw := armor.NewWriter(&buf)
	w, err := age.Encrypt(aw, pr)
	if err != nil {
		return "", nil, fmt.Errorf("participant: org key: %w", err)
	}
	if _, err := io.WriteString(w, id.String()+"\n"); err != nil {
		return "", nil, err
	}
	if err := w.Close(); err != nil {
		return "", nil, err
	}
	if err := aw.Close(); err != nil {
		return "", nil, err
	}
	return id.Recipient().String(), buf.Bytes(), nil
}

// OpenIdentityFile decrypts an identity file NewOrgKey wrote with its
// passphrase. It accepts the armoured file or a bare identity
// (AGE-SECRET-KEY-1…), which needs no passphrase.
func OpenIdentityFile(file []byte, passphrase string) (*age.X25519Identity, error) {
	text := strings.TrimSpace(string(file))
	if strings.HasPrefix(text, "AGE-SECRET-KEY-1") {
		id, err := age.ParseX25519Identity(text)
		if err != nil {
			return nil, ErrBadIdentity
		}
		return id, nil
	}
	si, err := age.NewScryptIdentity(passphrase)
	if err != nil {
		return nil, ErrBadIdentity
	}
	r, err := age.Decrypt(armor.NewReader(strings.NewReader(text+"\n")), si)
	if err != nil {
		return nil, ErrBadIdentity
	}
	raw, err := io.ReadAll(io.LimitReader(r, 1024))
	if err != nil {
		return nil, ErrBadIdentity
	}
	id, err := age.ParseX25519Identity(strings.TrimSpace(string(raw)))
	if err != nil {
		return nil, ErrBadIdentity
	}
	return id, nil
}

// ParseRecipient checks an organisation's public key (age1…).
func ParseRecipient(s string) (*age.X25519Recipient, error) {
	r, err := age.ParseX25519Recipient(strings.TrimSpace(s))
	if err != nil {
		return nil, fmt.Errorf("participant: organisation key %q: %w", s, err)
	}
	return r, nil
}

// SetOrgRecipient makes the vault seal for staff to the organisation's
// public key (age1…); "" turns it off. Call it before the vault is used.
func (v *Vault) SetOrgRecipient(recipient string) error {
	if recipient == "" {
		v.org = nil
		return nil
	}
	r, err := ParseRecipient(recipient)
	if err != nil {
		return err
	}
	v.org = r
	return nil
}

// OrgRecipient is the organisation's public key, or "" when the site has
// none and seals staff data with the site key.
func (v *Vault) OrgRecipient() string {
	if v.org == nil {
		return ""
	}
	return v.org.String()
}

// SealForStaff seals what staff need and the server does not: to the
// organisation's public key when the site has one, else with the site
// key. context binds the value to its column, as for Seal.
func (v *Vault) SealForStaff(value, context string) string {
	if v.org == nil {
		return v.Seal(value, context)
	}
	return sealTo(v.org, value, context)
}

func sealTo(r age.Recipient, value, context string) string {
	var buf bytes.Buffer
	w, err := age.Encrypt(&buf, r)
	if err != nil {
		panic(err) // X25519 wrapping fails only without randomness
	}
	io.WriteString(w, context+"\x00"+value)
	if err := w.Close(); err != nil {
		panic(err)
	}
	return staffPrefix + base64.RawStdEncoding.EncodeToString(buf.Bytes())
}

// OpenWithIdentity opens a value SealForStaff sealed to the organisation's
// key with its identity, for `peerpress unseal` and unlocked sessions.
func OpenWithIdentity(id age.Identity, sealed, context string) (string, error) {
	raw, err := base64.RawStdEncoding.DecodeString(strings.TrimPrefix(sealed, staffPrefix))
	if err != nil || !IsSealedForStaff(sealed) {
		return "", fmt.Errorf("participant: not sealed for staff: %w", ErrBadIdentity)
	}
	r, err := age.Decrypt(bytes.NewReader(raw), id)
	if err != nil {
		return "", fmt.Errorf("participant: open for staff: %w", ErrBadIdentity)
	}
	plain, err := io.ReadAll(r)
	if err != nil {
		return "", fmt.Errorf("participant: open for staff: %w", err)
	}
	got, value, ok := strings.Cut(string(plain), "\x00")
	if !ok || (context != "" && got != context) {
		return "", fmt.Errorf("participant: open for staff: sealed for another column")
	}
	return value, nil
}

// OpenFor opens a value sealed with Seal or SealForStaff for the request
// in ctx: site-key values always, organisation-key values only when ctx
// holds an unlocked identity (Unlocked); otherwise ErrLocked.
func (v *Vault) OpenFor(ctx context.Context, sealed, context string) (string, error) {
	if !IsSealedForStaff(sealed) {
		return v.Open(sealed, context)
	}
	id, ok := ctx.Value(identityKey{}).(age.Identity)
	if !ok {
		return "", ErrLocked
	}
	return OpenWithIdentity(id, sealed, context)
}

type identityKey struct{}

// Unlocked returns a context in which OpenFor opens what is sealed to the
// organisation's key with id.
func Unlocked(ctx context.Context, id age.Identity) context.Context {
	return context.WithValue(ctx, identityKey{}, id)
}

// IsUnlocked reports whether ctx holds an unlocked identity.
func IsUnlocked(ctx context.Context) bool {
	_, ok := ctx.Value(identityKey{}).(age.Identity)
	return ok
}

// resealFor moves a value to where it belongs now: a staff column to the
// organisation's key when the site has one (a site-key value is opened
// and sealed again; one already there is left alone), anything else to
// the current site key.
func (v *Vault) resealFor(sealed, context string, staff bool) (string, bool, error) {
	if IsSealedForStaff(sealed) {
		return sealed, false, nil // only the organisation's identity opens it; nothing to move
	}
	if staff && v.org != nil {
		plain, err := v.box.OpenString(sealed, context)
		if err != nil {
			return "", false, err
		}
		return v.SealForStaff(plain, context), true, nil
	}
	return v.box.Reseal(sealed, context)
}

// toOrgKey is resealFor for staff columns alone: a site-key value of a
// staff column goes to the organisation's key; anything else stays as it
// is.
func (v *Vault) toOrgKey(sealed, context string, staff bool) (string, bool, error) {
	if !staff || v.org == nil || IsSealedForStaff(sealed) {
		return sealed, false, nil
	}
	plain, err := v.box.OpenString(sealed, context)
	if err != nil {
		return "", false, err
	}
	return v.SealForStaff(plain, context), true, nil
}

// Reveal opens sealed for the request in ctx like OpenFor; a value sealed
// to the organisation's key that ctx has not unlocked comes back as it
// is, so that an export carries it for `peerpress unseal` and a page
// shows it as locked (IsSealedForStaff).
func (v *Vault) Reveal(ctx context.Context, sealed, context string) (string, error) {
	out, err := v.OpenFor(ctx, sealed, context)
	if errors.Is(err, ErrLocked) {
		return sealed, nil
	}
	return out, err
}
