// Package auth holds peerpress's people and their sign-in: users with a role,
// argon2id password hashes, server-side sessions addressed by a random
// token (only its SHA-256 is stored), the session cookie, the middleware
// that puts the signed-in user in the request context, and CSRF checks.
package auth
