// Package secret encrypts personal data at rest with the site key, and
// makes keyed hashes for finding duplicates (the same email registering
// twice) without storing the email in the clear.
//
// The site key is 32 random bytes, given to peerpress as base64. From it
// two subkeys are derived, one to encrypt (XChaCha20-Poly1305) and one to
// hash (HMAC-SHA-256), so neither use weakens the other.
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
)

// Box seals and opens personal data with the site key.
type Box struct {
	sealer  cipherAEAD
	hashKey []byte
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
	encoded = strings.TrimSpace(encoded)
	if encoded == "" {
		return nil, ErrNoKey
	}
	key, err := base64.StdEncoding.DecodeString(encoded)
	if err != nil || len(key) != KeySize {
		return nil, ErrBadKey
	}
	derive := func(label string) []byte {
		out := make([]byte, 32)
		if _, err := io.ReadFull(hkdf.New(sha256.New, key, nil, []byte("peerpress "+label)), out); err != nil {
			panic(err) // HKDF can always produce 32 bytes
		}
		return out
	}
	aead, err := chacha20poly1305.NewX(derive("encryption"))
	if err != nil {
		return nil, fmt.Errorf("secret: %w", err)
	}
	return &Box{sealer: aead, hashKey: derive("hashing")}, nil
}

// Seal encrypts plaintext. context binds the ciphertext to where it is
// stored (say "registration.email"), so it cannot be moved to another
// column and opened there.
func (b *Box) Seal(plaintext []byte, context string) []byte {
	nonce := make([]byte, b.sealer.NonceSize(), b.sealer.NonceSize()+len(plaintext)+16)
	if _, err := rand.Read(nonce); err != nil {
		panic(err)
	}
	return b.sealer.Seal(nonce, nonce, plaintext, []byte(context))
}

// OpenBytes decrypts what Seal made with the same context.
func (b *Box) OpenBytes(sealed []byte, context string) ([]byte, error) {
	n := b.sealer.NonceSize()
	if len(sealed) < n {
		return nil, ErrOpen
	}
	out, err := b.sealer.Open(nil, sealed[:n], sealed[n:], []byte(context))
	if err != nil {
		return nil, ErrOpen
	}
	return out, nil
}

// SealString encrypts a string into base64 text, for text columns.
func (b *Box) SealString(plaintext, context string) string {
	return base64.RawStdEncoding.EncodeToString(b.Seal([]byte(plaintext), context))
}

// OpenString decrypts what SealString made.
func (b *Box) OpenString(sealed, context string) (string, error) {
	raw, err := base64.RawStdEncoding.DecodeString(sealed)
	if err != nil {
		return "", ErrOpen
	}
	out, err := b.OpenBytes(raw, context)
	return string(out), err
}

// Hash is a keyed hash of value for finding equal values without storing
// them: the same email always hashes the same under one site key, and
// nobody without the key can test guesses against it.
func (b *Box) Hash(value, context string) string {
	m := hmac.New(sha256.New, b.hashKey)
	m.Write([]byte(context))
	m.Write([]byte{0})
	m.Write([]byte(value))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// Check is a value stored once per site, so that starting with a different
// key is noticed before anything is sealed with it.
func (b *Box) Check() string { return b.Hash("peerpress site key check", "check") }
