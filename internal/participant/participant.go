// Package participant is the one place for the personal data of people
// who give the site their email: registrants, signatories, tribute
// submitters, and whoever comes next. It owns how an address is
// normalised and hashed, how personal fields are sealed (through the
// site key's Box), the private links mailed to them, and the registry of
// features that hold such data, each with its own retention rule, so that
// staff can export or erase what the site holds about one person, purges
// run from one list, and `peerpress keys rotate` finds every sealed value.
//
// It knows nothing of events, letters or campaigns: they implement Holder
// and are added to a Registry by the composition root.
package participant

import (
	"filippo.io/age"

	"peerpress/internal/secret"
)

// Vault seals, opens and hashes personal data with the site's keys. It
// wraps the site key's secret.Box so that features call one small API.
type Vault struct {
	box *secret.Box
	org *age.X25519Recipient // the organisation's public key; nil: staff data is sealed with the site key
}

// NewVault returns a vault over the site key's box.
func NewVault(box *secret.Box) *Vault { return &Vault{box: box} }

// Box is the vault's secret.Box, for the platform parts that seal with it
// directly (the mail queue).
func (v *Vault) Box() *secret.Box { return v.box }

// Hash is the keyed hash of value for purpose (say
// "events:registration-email"): the same value hashes the same for one
// purpose, differently for another, and the hash does not change when
// the site key does.
func (v *Vault) Hash(purpose, value string) string { return v.box.Hash(value, purpose) }

// Seal seals value for the column context names, with the current key.
func (v *Vault) Seal(value, context string) string { return v.box.SealString(value, context) }

// SealOptional is Seal, except that nothing stays nothing: an empty value
// is stored as "".
func (v *Vault) SealOptional(value, context string) string {
	if value == "" {
		return ""
	}
	return v.Seal(value, context)
}

// Open opens what Seal or SealOptional stored ("" opens to "").
func (v *Vault) Open(sealed, context string) (string, error) {
	if sealed == "" {
		return "", nil
	}
	if IsSealedForStaff(sealed) {
		return "", ErrLocked // OpenFor, with an unlocked identity
	}
	return v.box.OpenString(sealed, context)
}

// ErrUnknownKey is returned by Open for a value sealed with a key the
// site was not given (secret.ErrUnknownKey).
var ErrUnknownKey = secret.ErrUnknownKey

// Subject is one person staff look up: their normalised email and the
// vault to hash it. Holders find what they hold about the person with
// Hash, in the purpose their own hashes were made for.
type Subject struct {
	email string
	vault *Vault
}

// Subject normalises email into the person it names.
func (v *Vault) Subject(email string) (Subject, error) {
	n, err := Normalize(email)
	if err != nil {
		return Subject{}, err
	}
	return Subject{email: n, vault: v}, nil
}

// Email is the person's normalised address, for the staff member who
// typed it and the person's own export.
func (s Subject) Email() string { return s.email }

// Hash is the keyed hash of the person's normalised email for purpose.
func (s Subject) Hash(purpose string) string {
	if s.vault == nil {
		panic("participant: zero Subject")
	}
	return s.vault.Hash(purpose, s.email)
}

// Is reports whether email, once normalised, is this person's: for
// holders that must open rows to compare (rows kept from before they
// stored a hash).
func (s Subject) Is(email string) bool {
	n, err := Normalize(email)
	return err == nil && s.email != "" && n == s.email
}

// auditPurpose is the purpose of the subject's hash in the audit log: a
// staff member with the site can tell whether a person was looked up,
// nobody else can read who.
const auditPurpose = "participant:audit-subject"
