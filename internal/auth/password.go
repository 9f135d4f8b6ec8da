package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Argon2id parameters for new hashes: OWASP's recommended minimum
// (19 MiB, two passes, one lane). Stored hashes carry their own
// parameters, so these can be raised later without breaking old ones.
const (
	argonMemory  = 19456 // KiB
	argonTime    = 2
	argonThreads = 1
	argonSaltLen = 16
	argonKeyLen  = 32
)

// Limits on parameters read back from a stored hash, so that a corrupt or
// hostile hash cannot make a check allocate gigabytes or loop for minutes.
const (
	maxArgonMemory = 1 << 21 // KiB: 2 GiB
	maxArgonTime   = 64
	minArgonSalt   = 8  // the Argon2 specification's minimum
	minArgonKey    = 16 // shorter keys would make guessing a stored hash easy
	maxArgonKey    = 1024
)

var errMalformedHash = errors.New("auth: malformed password hash")

// hashSlots bounds how many Argon2 hashes run at once: each takes 19 MiB
// and a core for tens of milliseconds, so 200 sign-in attempts at once
// would otherwise take 4 GB. The rest wait their turn, which also slows
// a guesser down. Stored hashes with more memory count the same: a
// slot each.
var hashSlots = make(chan struct{}, max(1, runtime.NumCPU()))

// argonKey is argon2.IDKey within a slot.
func argonKey(password, salt []byte, time, memory uint32, threads uint8, keyLen uint32) []byte {
	hashSlots <- struct{}{}
	defer func() { <-hashSlots }()
	return argon2.IDKey(password, salt, time, memory, threads, keyLen)
}

// HashPassword hashes password with argon2id and a fresh random salt and
// returns it in PHC string form:
// $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash> (unpadded standard base64).
func HashPassword(password string) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("auth: salt: %w", err)
	}
	key := argonKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return encodeHash(argonMemory, argonTime, argonThreads, salt, key), nil
}

func encodeHash(memory, time uint32, threads uint8, salt, key []byte) string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, memory, time, threads,
		base64.RawStdEncoding.EncodeToString(salt),
		base64.RawStdEncoding.EncodeToString(key))
}

// CheckPassword reports whether password matches encoded, a PHC argon2id
// string as made by [HashPassword]. The parameters, salt and key length are
// taken from encoded. It returns an error, and false, when encoded is not a
// well-formed argon2id hash.
func CheckPassword(encoded, password string) (bool, error) {
	h, err := parseHash(encoded)
	if err != nil {
		return false, err
	}
	key := argonKey([]byte(password), h.salt, h.time, h.memory, h.threads, uint32(len(h.key))) // #nosec G115 -- a key length read from our own hash, at most a few dozen bytes
	return subtle.ConstantTimeCompare(key, h.key) == 1, nil
}

type argonHash struct {
	memory, time uint32
	threads      uint8
	salt, key    []byte
}

// parseHash reads "$argon2id$v=19$m=M,t=T,p=P$SALT$KEY". The m, t and p
// parameters may come in any order but must each appear exactly once.
func parseHash(encoded string) (argonHash, error) {
	var h argonHash
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return h, errMalformedHash
	}
	if parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return h, fmt.Errorf("%w: unsupported version %q", errMalformedHash, parts[2])
	}
	seen := map[string]bool{}
	for _, kv := range strings.Split(parts[3], ",") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || seen[k] {
			return h, fmt.Errorf("%w: parameters %q", errMalformedHash, parts[3])
		}
		seen[k] = true
		var bits int
		switch k {
		case "m", "t":
			bits = 32
		case "p":
			bits = 8
		default:
			return h, fmt.Errorf("%w: unknown parameter %q", errMalformedHash, k)
		}
		n, err := strconv.ParseUint(v, 10, bits)
		if err != nil {
			return h, fmt.Errorf("%w: parameter %s: %v", errMalformedHash, k, err)
		}
		switch k {
		case "m":
			h.memory = uint32(n) // #nosec G115 -- ParseUint above bounded it to 32 bits
		case "t":
			h.time = uint32(n) // #nosec G115 -- ParseUint above bounded it to 32 bits
		case "p":
			h.threads = uint8(n) // #nosec G115 -- ParseUint above bounded it to 8 bits
		}
	}
	if len(seen) != 3 {
		return h, fmt.Errorf("%w: parameters %q", errMalformedHash, parts[3])
	}
	if h.time < 1 || h.time > maxArgonTime || h.threads < 1 ||
		h.memory < 8*uint32(h.threads) || h.memory > maxArgonMemory {
		return h, fmt.Errorf("%w: parameters out of range %q", errMalformedHash, parts[3])
	}
	var err error
	if h.salt, err = base64.RawStdEncoding.Strict().DecodeString(parts[4]); err != nil || len(h.salt) < minArgonSalt {
		return h, fmt.Errorf("%w: salt", errMalformedHash)
	}
	if h.key, err = base64.RawStdEncoding.Strict().DecodeString(parts[5]); err != nil || len(h.key) < minArgonKey || len(h.key) > maxArgonKey {
		return h, fmt.Errorf("%w: key", errMalformedHash)
	}
	return h, nil
}

// dummySalt stands in for a salt when there is no user to check against.
var dummySalt = make([]byte, argonSaltLen)

// burnHash does the work of one password check against nothing, so that
// signing in with an unknown email takes as long as with a known one.
func burnHash(password string) {
	_ = argonKey([]byte(password), dummySalt, argonTime, argonMemory, argonThreads, argonKeyLen)
}
