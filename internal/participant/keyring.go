package participant

import (
	"crypto/sha256"
	"errors"
	"sync"
	"time"

	"filippo.io/age"
)

// DefaultIdle is how long an unlocked organisation key stays in memory
// for a staff session that does nothing.
const DefaultIdle = 15 * time.Minute

// Keyring holds the organisation's identity, unlocked by staff, in this
// process's memory only, one copy per staff session: each is forgotten
// when its session signs out (Lock) or after Idle without use. Nothing
// of it is written anywhere; a restart locks every session.
type Keyring struct {
	Idle time.Duration
	now  func() time.Time

	mu   sync.Mutex
	held map[[32]byte]*unlocked
	// opening is held while an identity file is decrypted: scrypt takes
	// about 256 MiB, so two unlocks never run at once.
	opening sync.Mutex
}

type unlocked struct {
	id   *age.X25519Identity
	last time.Time
}

// NewKeyring returns an empty keyring whose identities are forgotten
// after idle without use (DefaultIdle when 0).
func NewKeyring(idle time.Duration) *Keyring {
	if idle <= 0 {
		idle = DefaultIdle
	}
	return &Keyring{Idle: idle, now: time.Now, held: map[[32]byte]*unlocked{}}
}

// SetClock replaces the keyring's clock, for tests of the idle timeout.
func (k *Keyring) SetClock(now func() time.Time) { k.now = now }

// ErrWrongOrgKey is returned when a key file opens but is not the
// organisation key the site seals to.
var ErrWrongOrgKey = errors.New("participant: this key file is not the organisation key this site seals to")

// Unlock opens the identity file with passphrase, checks it is the key
// the site seals to (recipient), and holds it for session (a secret the
// session alone has, such as its CSRF token).
func (k *Keyring) Unlock(session string, file []byte, passphrase, recipient string) error {
	k.opening.Lock()
	id, err := OpenIdentityFile(file, passphrase)
	k.opening.Unlock()
	if err != nil {
		return err
	}
	if id.Recipient().String() != recipient {
		return ErrWrongOrgKey
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	k.held[sessionKey(session)] = &unlocked{id: id, last: k.now()}
	return nil
}

// Identity returns the identity session unlocked, if it is still held,
// and counts this as a use. Identities idle too long are dropped.
func (k *Keyring) Identity(session string) (age.Identity, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	now := k.now()
	for s, u := range k.held {
		if now.Sub(u.last) > k.Idle {
			delete(k.held, s)
		}
	}
	u, ok := k.held[sessionKey(session)]
	if !ok {
		return nil, false
	}
	u.last = now
	return u.id, true
}

// Held reports whether session holds an unlocked identity, without
// counting it as a use.
func (k *Keyring) Held(session string) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	u, ok := k.held[sessionKey(session)]
	return ok && k.now().Sub(u.last) <= k.Idle
}

// Lock forgets the identity session unlocked.
func (k *Keyring) Lock(session string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	delete(k.held, sessionKey(session))
}

// sessionKey keeps no session secret in the map itself.
func sessionKey(session string) [32]byte { return sha256.Sum256([]byte("keyring\x00" + session)) }
