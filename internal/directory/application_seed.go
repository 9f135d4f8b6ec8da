package directory

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"peerpress/internal/db"
	"peerpress/internal/jobs"
	"peerpress/internal/participant"
)

// SeedKind is the job that adds applications waiting for staff (the
// demo's): their contacts are sealed by the server, which holds the keys
// the demo's loader does not.
const SeedKind = "organisation_applications.seed"

// SeedApplication is one application of a SeedKind job: verified, it
// waits for staff.
type SeedApplication struct {
	Profile Organisation
	Contact Contact
	Lang    string
	// Age is how long ago it was sent.
	Age time.Duration
}

// EnqueueSeed adds a seed job inside tx.
func EnqueueSeed(ctx context.Context, tx *db.Tx, apps []SeedApplication) error {
	payload, err := json.Marshal(apps)
	if err != nil {
		return fmt.Errorf("directory: seed: %w", err)
	}
	return jobs.Enqueue(ctx, tx, SeedKind, payload, time.Now().Add(3*time.Second))
}

// Register makes q run the seed jobs (jobs.Queue), one at a time.
func (m *Module) Register(q *jobs.Queue) {
	if m.Applications != nil {
		q.HandleWith(SeedKind, m.Applications.runSeed, jobs.Options{MaxAttempts: 3, Concurrency: 1})
	}
}

// runSeed stores a seed's applications as waiting, in one transaction.
func (a *Applications) runSeed(ctx context.Context, payload []byte) error {
	var apps []SeedApplication
	if err := json.Unmarshal(payload, &apps); err != nil {
		return jobs.Permanent(fmt.Errorf("directory: seed payload: %w", err))
	}
	now := a.now()
	return a.db.Quiet().InTx(ctx, func(tx *db.Tx) error {
		for i, app := range apps {
			email, err := participant.Normalize(app.Contact.Email)
			if err != nil || app.Profile.Name == "" {
				return jobs.Permanent(fmt.Errorf("directory: seed application %d is incomplete", i))
			}
			raw, err := json.Marshal(app.Profile)
			if err != nil {
				return jobs.Permanent(err)
			}
			contact, err := json.Marshal(app.Contact)
			if err != nil {
				return jobs.Permanent(err)
			}
			at := now.Add(-app.Age).Unix()
			if _, err := tx.ExecContext(ctx, `INSERT INTO organisation_applications (status, name, country, profile, contact, email, email_hash, lang,
				created_at, verified_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, Waiting, app.Profile.Name, app.Profile.Country, string(raw),
				a.vault.SealForStaff(string(contact), sealContact), a.vault.Seal(email, sealEmail), a.vault.Hash(hashEmail, email), app.Lang,
				at, at); err != nil {
				return err
			}
		}
		return nil
	})
}
