package app

import (
	"context"

	"peerpress/internal/db"
	"peerpress/internal/participant"
)

// Rotation is what RotateKeys did.
type Rotation struct {
	KeyID     string   // the key every value is sealed with now
	OldKeyIDs []string // the keys that can be thrown away
	// Moved counts the values resealed, per store.
	Moved []participant.Count
	// Late counts values a second pass found still sealed with an old key
	// after the new one was adopted: a server that still runs with only
	// the old key wrote them. It must be restarted with the new key, and
	// RotateKeys run again, before the old key goes.
	Late int
}

// RotateKeys moves every sealed value of every registered store (the
// features' personal data, the mail queue and the outbox) from the old
// site key (cfg.OldSiteKey or site.key.old) to the site key
// (cfg.SiteKey or site.key), in batches, each in a transaction; then it
// records the new key as the database's key, with the hashing key sealed
// under it, so that keyed hashes stay as they were. It can be run again
// after an interruption: what is already under the new key is left alone.
func RotateKeys(ctx context.Context, cfg Config, d *db.DB) (Rotation, error) {
	a, err := New(ctx, cfg, d)
	if err != nil {
		return Rotation{}, err
	}
	box := a.People.Vault.Box()
	r := Rotation{KeyID: box.KeyID(), OldKeyIDs: box.KeyIDs()[1:]}
	if r.Moved, err = a.People.Reseal(ctx); err != nil {
		return r, err
	}
	if err := adoptSiteKey(ctx, d, box); err != nil {
		return r, err
	}
	again, err := a.People.Reseal(ctx)
	for _, c := range again {
		r.Late += c.N
	}
	return r, err
}
