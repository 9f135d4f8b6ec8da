package letter

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"peerpress/internal/db"
	"peerpress/internal/jobs"
	"peerpress/internal/participant"
)

// SeedKind is the job that adds signatures gathered elsewhere (the demo's
// invented signatories, a paper list) as approved. It is a job because
// whoever has the list may not have the site key that seals them; the
// server that runs the job does.
const SeedKind = "signatures.seed"

// Seed is the payload of a SeedKind job.
type Seed struct {
	EntryID    int64
	Signatures []Signature // Kind, Name, OrgType, Country, Website, Email, Lang
}

// EnqueueSeed adds a seed job inside tx, due a few seconds later: a bulk
// load waits behind the mail of a server's (or a test's) first moments.
func EnqueueSeed(ctx context.Context, tx *db.Tx, seed Seed) error {
	payload, err := json.Marshal(seed)
	if err != nil {
		return fmt.Errorf("letter: seed: %w", err)
	}
	return jobs.Enqueue(ctx, tx, SeedKind, payload, time.Now().Add(3*time.Second))
}

// Register makes q run seed jobs with this store's key, one at a time:
// each is a bulk load in one transaction.
func (s *Store) Register(q *jobs.Queue) {
	q.HandleWith(SeedKind, s.runSeed, jobs.Options{MaxAttempts: 3, Concurrency: 1})
}

// runSeed stores a seed's signatures as approved, in one transaction;
// those already there (same email or organisation) are skipped.
func (s *Store) runSeed(ctx context.Context, payload []byte) error {
	var seed Seed
	if err := json.Unmarshal(payload, &seed); err != nil {
		return jobs.Permanent(fmt.Errorf("letter: seed payload: %w", err))
	}
	now := s.now()
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		for i, sig := range seed.Signatures {
			if sig.Kind != Organisation && sig.Kind != Individual || !ValidCountry(sig.Country) || sig.Name == "" || sig.Email == "" {
				return jobs.Permanent(fmt.Errorf("letter: seed signature %d is incomplete", i))
			}
			orgHash := ""
			if sig.Kind == Organisation {
				orgHash = s.orgHash(sig.Name, sig.Country)
			}
			email, err := participant.Normalize(sig.Email)
			if err != nil {
				return jobs.Permanent(fmt.Errorf("letter: seed signature %d: %w", i, err))
			}
			emailHash := s.vault.Hash(hashEmail, email)
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM signatures WHERE entry_id = ? AND (email_hash = ? OR (org_hash <> '' AND org_hash = ?))`,
				seed.EntryID, emailHash, orgHash).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				continue
			}
			_, withdrawHash := participant.NewLink()
			created := now.Add(-time.Duration(len(seed.Signatures)-i) * 37 * time.Minute)
			if _, err := tx.ExecContext(ctx, `INSERT INTO signatures (entry_id, kind, name, org_type, country, website, email, email_hash, org_hash,
					lang, status, flagged, verify_hash, withdraw_hash, created_at, verified_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', ?, ?, ?)`,
				seed.EntryID, sig.Kind, s.vault.Seal(sig.Name, sealName), sig.OrgType, sig.Country,
				s.vault.SealOptional(sig.Website, sealWebsite), s.vault.Seal(sig.Email, sealEmail), emailHash, orgHash,
				sig.Lang, Approved, false, withdrawHash, created.Unix(), created.Unix()); err != nil {
				return fmt.Errorf("letter: seed: %w", err)
			}
		}
		return nil
	})
}
