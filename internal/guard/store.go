package guard

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"peerpress/internal/db"
)

// Store remembers the challenges already accepted, so that each is used
// once. Every instance of a site must share it, or a challenge used on
// one could be used again on another.
type Store interface {
	// Use records the challenge whose hash is given as used until
	// expires, and reports whether it was unused until now.
	Use(ctx context.Context, hash string, expires time.Time) (bool, error)
}

// DBStore is the Store in the database, shared by every instance: the
// table guard_used holds the SHA-256 of each accepted challenge (never the
// challenge) until it expires.
type DBStore struct {
	db db.Quiet // used challenges show on no page
}

// NewDBStore returns the Store over d.
func NewDBStore(d *db.DB) *DBStore { return &DBStore{db: d.Quiet()} }

// Use inserts the hash; when another request, on any instance, inserted
// it first, the conflict leaves its row alone and nothing is inserted. The
// primary key decides, so two submissions of one challenge at the same
// moment cannot both pass.
func (s *DBStore) Use(ctx context.Context, hash string, expires time.Time) (bool, error) {
	res, err := s.db.ExecContext(ctx, `INSERT INTO guard_used (challenge_hash, expires_at) VALUES (?, ?)
		ON CONFLICT (challenge_hash) DO NOTHING`, hash, expires.Unix())
	if err != nil {
		return false, fmt.Errorf("guard: record a used challenge: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("guard: record a used challenge: %w", err)
	}
	return n == 1, nil
}

// clockSkew is how long a used challenge is kept past its expiry: another
// instance whose clock is behind may still take it as valid meanwhile.
const clockSkew = 5 * time.Minute

// Purge deletes the challenges that have expired; Check refuses those by
// their age anyway. It reports how many it deleted.
func (s *DBStore) Purge(ctx context.Context, now time.Time) (int64, error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM guard_used WHERE expires_at < ?`, now.Add(-clockSkew).Unix())
	if err != nil {
		return 0, fmt.Errorf("guard: purge used challenges: %w", err)
	}
	return res.RowsAffected()
}

// challengeHash is what a Store keeps of a challenge.
func challengeHash(challenge string) string {
	sum := sha256.Sum256([]byte(challenge))
	return hex.EncodeToString(sum[:])
}
