package jobs

import "regexp"

var (
	// emailLike is anything shaped like an address, quoted or not.
	emailLike = regexp.MustCompile(`[^\s<>"'(),;:@\[\]]+@[^\s<>"'(),;:@\[\]]+\.[A-Za-z]{2,}`)
	// tokenLike is a private link's token: 20 or more URL-safe base64
	// characters in a row (peerpress's are 43).
	tokenLike = regexp.MustCompile(`[A-Za-z0-9_-]{20,}`)
)

// Scrub removes from an error's text the email addresses and private
// link tokens it may quote, so that it can be logged and kept.
func Scrub(s string) string {
	s = emailLike.ReplaceAllString(s, "[address]")
	return tokenLike.ReplaceAllString(s, "[token]")
}
