// Package secret encrypts personal data at rest with the site key, and
// makes keyed hashes for finding duplicates (the same email registering
// twice) without storing the email in the clear.
//
// The site key is 32 random bytes, given to peerpress as base64. From it
// subkeys are derived, one to encrypt (XChaCha20-Poly1305), one to hash
// (HMAC-SHA-256) and one to name the key, so no use weakens another.
//
// A Box holds one key that seals and any number of older keys that only
// open, so that the site key can be changed: every sealed value names the
// key that sealed it ("$" + key id + "$" + base64), and values sealed
// before key ids existed (plain base64) are tried with every key.
//
// Keyed hashes must not change when the key does, or duplicates would no
// longer be found. The hashing key is therefore the one derived from the
// site's first key, kept sealed in the database once a site has changed
// its key (SealHashKey, WithHashKey).
package secret

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strings"

	"golang.org/x/crypto/chacha20poly1305"
	"golang.org/x/crypto/hkdf"
)

// KeySize is the size of a site key in bytes.
const KeySize = 32

// ErrNoKey and ErrBadKey are returned when the site key is missing or is
// not a key.
var (
	ErrNoKey  = errors.New("secret: no site key")
	ErrBadKey = errors.New("secret: the site key is not 32 bytes of base64")
	// ErrOpen is returned for data that was not sealed with this key, or
	// was changed since.
	ErrOpen = errors.New("secret: cannot open: wrong key or damaged data")
	// ErrUnknownKey is returned for data sealed with a key the box does
	// not hold (it also matches ErrOpen).
	ErrUnknownKey = fmt.Errorf("%w: sealed with a key this site was not given", ErrOpen)
)

// Box seals and opens personal data with the site key.
type Box struct {
	keys    []*key // keys[0] seals; all open
	hashKey []byte
}

// key is one site key's derived subkeys.
type key struct {
	id      string // names the key in sealed values
	aead    cipherAEAD
	hashing []byte // the hashing key derived from this key
}

type cipherAEAD interface {
	NonceSize() int
	Seal(dst, nonce, plaintext, additionalData []byte) []byte
	Open(dst, nonce, ciphertext, additionalData []byte) ([]byte, error)
}

// NewKey makes a new random site key, base64-encoded.
func NewKey() string {
	var k [KeySize]byte
	if _, err := rand.Read(k[:]); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return base64.StdEncoding.EncodeToString(k[:])
}

// Open parses a base64 site key.
func Open(encoded string) (*Box, error) {
	return OpenRing(encoded)
}

// OpenRing parses the current site key, which seals, and older keys,
// which only open what they sealed. It hashes with the current key's
// hashing key until told otherwise (WithHashKey, WithHashKeyOf).
func OpenRing(current string, old ...string) (*Box, error) {
	b := &Box{}
	for i, encoded := range append([]string{current}, old...) {
		k, err := parseKey(encoded)
		if err != nil {
			if i > 0 && errors.Is(err, ErrNoKey) {
				continue // an old key not given
			}
			if i > 0 {
				return nil, fmt.Errorf("old key: %w", err)
			}
			return nil, err
		}
		if b.key(k.id) == nil {
			b.keys = append(b.keys, k)
		}
	}
	b.hashKey = b.keys[0].hashing
	return b, nil
}

func parseKey(encoded string) (*key, error) {
	encoded = strings.TrimSpace(encoded)
	if encoded == "" {
		return nil, ErrNoKey
	}
	raw, err := base64.StdEncoding.DecodeString(encoded)
	if err != nil || len(raw) != KeySize {
		return nil, ErrBadKey
	}
	derive := func(label string, n int) []byte {
		out := make([]byte, n)
		if _, err := io.ReadFull(hkdf.New(sha256.New, raw, nil, []byte("peerpress "+label)), out); err != nil {
			panic(err) // HKDF can always produce 32 bytes
		}
		return out
	}
	aead, err := chacha20poly1305.NewX(derive("encryption", 32))
	if err != nil {
		return nil, fmt.Errorf("secret: %w", err)
	}
	return &key{id: base64.RawURLEncoding.EncodeToString(derive("key id", 6)), aead: aead, hashing: derive("hashing", 32)}, nil
}

func (b *Box) key(id string) *key {
	for _, k := range b.keys {
		if k.id == id {
			return k
		}
	}
	return nil
}

// KeyID names the key that seals: eight characters that say which key
// sealed a value without saying anything about the key.
func (b *Box) KeyID() string { return b.keys[0].id }

// KeyIDs names every key the box holds, the sealing one first.
func (b *Box) KeyIDs() []string {
	out := make([]string, len(b.keys))
	for i, k := range b.keys {
		out[i] = k.id
	}
	return out
}

// Only returns a box that holds the sealing key alone, with the same
// hashing key: what the site has once the older keys are thrown away.
func (b *Box) Only() *Box {
	return &Box{keys: b.keys[:1], hashKey: b.hashKey}
}

// seal encrypts plaintext with the sealing key. context binds the
// ciphertext to where it is stored (say "registration.email"), so it
// cannot be moved to another column and opened there.
func (b *Box) seal(plaintext []byte, context string) []byte {
	s := b.keys[0].aead
	nonce := make([]byte, s.NonceSize(), s.NonceSize()+len(plaintext)+16)
	if _, err := rand.Read(nonce); err != nil {
		panic(err)
	}
	return s.Seal(nonce, nonce, plaintext, []byte(context))
}

func openWith(k *key, sealed []byte, context string) ([]byte, error) {
	n := k.aead.NonceSize()
	if len(sealed) < n {
		return nil, ErrOpen
	}
	out, err := k.aead.Open(nil, sealed[:n], sealed[n:], []byte(context))
	if err != nil {
		return nil, ErrOpen
	}
	return out, nil
}

// SealString encrypts a string into text for text columns: "$", the
// sealing key's id, "$", and the nonce and ciphertext in base64.
func (b *Box) SealString(plaintext, context string) string {
	return "$" + b.keys[0].id + "$" + base64.RawStdEncoding.EncodeToString(b.seal([]byte(plaintext), context))
}

// split parses a sealed string into its key id ("" for a value sealed
// before key ids) and its bytes.
func split(sealed string) (id string, raw []byte, err error) {
	if rest, ok := strings.CutPrefix(sealed, "$"); ok {
		var found bool
		if id, rest, found = strings.Cut(rest, "$"); !found || id == "" {
			return "", nil, ErrOpen
		}
		sealed = rest
	}
	raw, err = base64.RawStdEncoding.DecodeString(sealed)
	if err != nil {
		return "", nil, ErrOpen
	}
	return id, raw, nil
}

// OpenString decrypts what SealString made with any key the box holds,
// and values sealed before key ids with whichever key opens them.
func (b *Box) OpenString(sealed, context string) (string, error) {
	id, raw, err := split(sealed)
	if err != nil {
		return "", err
	}
	if id != "" {
		k := b.key(id)
		if k == nil {
			return "", ErrUnknownKey
		}
		out, err := openWith(k, raw, context)
		return string(out), err
	}
	for _, k := range b.keys {
		if out, err := openWith(k, raw, context); err == nil {
			return string(out), nil
		}
	}
	return "", ErrOpen
}

// SealedWith names the key a sealed value says it was sealed with; ""
// for a value sealed before key ids, or not sealed at all.
func SealedWith(sealed string) string {
	id, _, err := split(sealed)
	if err != nil {
		return ""
	}
	return id
}

// Reseal opens a value with any key the box holds and seals it again
// with the sealing key. A value the sealing key already sealed is
// returned as it is, with changed false: a rotation that stopped half-way
// starts again where it was.
func (b *Box) Reseal(sealed, context string) (out string, changed bool, err error) {
	if SealedWith(sealed) == b.keys[0].id {
		if _, err := b.OpenString(sealed, context); err != nil {
			return "", false, err
		}
		return sealed, false, nil
	}
	plain, err := b.OpenString(sealed, context)
	if err != nil {
		return "", false, err
	}
	return b.SealString(plain, context), true, nil
}

// Hash is a keyed hash of value for finding equal values without storing
// them: the same email always hashes the same under one site, and nobody
// without the key can test guesses against it.
func (b *Box) Hash(value, context string) string {
	m := hmac.New(sha256.New, b.hashKey)
	m.Write([]byte(context))
	m.Write([]byte{0})
	m.Write([]byte(value))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// hashKeyContext binds the sealed hashing key to its use.
const hashKeyContext = "secret.hashing-key"

// SealHashKey is the box's hashing key sealed with the sealing key, for
// the database: a site that changes its key keeps hashing as before.
func (b *Box) SealHashKey() string {
	return b.SealString(base64.RawStdEncoding.EncodeToString(b.hashKey), hashKeyContext)
}

// WithHashKey returns a box that hashes with the hashing key SealHashKey
// sealed (with any key the box holds).
func (b *Box) WithHashKey(sealed string) (*Box, error) {
	plain, err := b.OpenString(sealed, hashKeyContext)
	if err != nil {
		return nil, fmt.Errorf("secret: hashing key: %w", err)
	}
	raw, err := base64.RawStdEncoding.DecodeString(plain)
	if err != nil || len(raw) != 32 {
		return nil, fmt.Errorf("secret: hashing key: %w", ErrOpen)
	}
	return &Box{keys: b.keys, hashKey: raw}, nil
}

// WithHashKeyOf returns a box that hashes with the hashing key derived
// from the key with this id (one it holds): what a site that never
// changed its key has hashed with.
func (b *Box) WithHashKeyOf(id string) (*Box, error) {
	k := b.key(id)
	if k == nil {
		return nil, ErrUnknownKey
	}
	return &Box{keys: b.keys, hashKey: k.hashing}, nil
}

// Check is a value stored once per site, so that starting with a different
// key is noticed before anything is sealed with it. It depends on the
// sealing key only (not the hashing key, which outlives it).
func (b *Box) Check() string { return check(b.keys[0]) }

// CheckedBy names the key among the box's whose Check is stored; "" when
// none is.
func (b *Box) CheckedBy(stored string) string {
	for _, k := range b.keys {
		if hmac.Equal([]byte(check(k)), []byte(stored)) {
			return k.id
		}
	}
	return ""
}

func check(k *key) string {
	m := hmac.New(sha256.New, k.hashing)
	m.Write([]byte("check"))
	m.Write([]byte{0})
	m.Write([]byte("peerpress site key check"))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}
