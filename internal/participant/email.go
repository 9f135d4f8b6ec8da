package participant

import (
	"errors"
	"net/mail"
	"strings"
)

// MaxEmail is the longest address accepted, in bytes (RFC 5321's path
// limit, less the angle brackets).
const MaxEmail = 254

// ErrInvalidEmail is returned for what is not one bare email address.
var ErrInvalidEmail = errors.New("participant: not an email address")

// Normalize is the one form of an email address the site stores, hashes
// and compares: surrounding space trimmed and the whole address lower-
// cased. It refuses anything but one bare address (no display name, no
// angle brackets, no list), and addresses over MaxEmail bytes.
//
// The local part is lower-cased too, though RFC 5321 lets a server tell
// "Ana@" from "ana@": no mail provider peerpress's users meet does, and a
// person who types their address in another case must still be found as
// one person. This is exactly what events, letters, campaigns and staff
// accounts did before this package (strings.ToLower(strings.TrimSpace)),
// so every keyed hash stored before still matches. Nothing else is folded
// (no Unicode normalisation, no dots or "+tags" removed): that would
// change existing hashes and merge people who are not the same.
func Normalize(email string) (string, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	if email == "" || len(email) > MaxEmail {
		return "", ErrInvalidEmail
	}
	addr, err := mail.ParseAddress(email)
	if err != nil || addr.Name != "" || addr.Address != email {
		return "", ErrInvalidEmail
	}
	return email, nil
}
