package participant

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
)

// Private links (confirm, manage, withdraw) carry a token of 32 random
// bytes, shown once, in the mail; the database keeps only its SHA-256,
// so a copy of it holds no working link. A plain hash is enough: the
// token has 256 bits of its own, and the hash stays the same when the
// site key changes. Tokens are base64url without padding (43 characters).

// NewLink makes a private link's token and the hash to store.
func NewLink() (token, hash string) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	token = base64.RawURLEncoding.EncodeToString(b[:])
	return token, LinkHash(token)
}

// LinkHash is the hash stored for a token.
func LinkHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// ValidToken reports whether token has the shape of a link's token, so
// that junk in a URL never reaches the database.
func ValidToken(token string) bool {
	if len(token) != 43 {
		return false
	}
	b, err := base64.RawURLEncoding.DecodeString(token)
	return err == nil && len(b) == 32
}

// LookupHashes are the stored hashes a token's row may have: LinkHash,
// and the same SHA-256 in hex, as events stored it before this package.
// nil when the token is not a token. Query with "hash IN (?, ?)".
func LookupHashes(token string) []string {
	if !ValidToken(token) {
		return nil
	}
	sum := sha256.Sum256([]byte(token))
	return []string{base64.RawURLEncoding.EncodeToString(sum[:]), hex.EncodeToString(sum[:])}
}
