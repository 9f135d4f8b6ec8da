package letter

import (
	"context"
	"fmt"

	"peerpress/internal/db"
	"peerpress/internal/participant"
)

// hashImportedName finds again an individual imported without an email,
// by their name and country, so that importing the same list twice adds
// no one twice.
const hashImportedName = "signature.imported_name"

// sealEvidence is the context the evidence of consent is sealed in.
const sealEvidence = "signature.consent_evidence"

// importKeys are the keyed hashes a row is known by: the email's (or,
// without one, the name's), and an organisation's.
func (s *Store) importKeys(sig Signature) (emailHash, orgHash string) {
	if email, err := participant.Normalize(sig.Email); err == nil && sig.Email != "" {
		emailHash = s.vault.Hash(hashEmail, email)
	} else {
		emailHash = s.vault.Hash(hashImportedName, normalName(sig.Name)+"\x00"+sig.Country)
	}
	if sig.Kind == Organisation {
		orgHash = s.orgHash(sig.Name, sig.Country)
	}
	return emailHash, orgHash
}

// MarkDuplicates marks the rows whose signer has signed the letter
// already, by the same keyed hashes signing uses (the email, an
// organisation's name and country), or appears earlier in the file.
func (s *Store) MarkDuplicates(ctx context.Context, entryID int64, rows []ImportRow) error {
	seen := map[string]bool{}
	q, err := s.db.QueryContext(ctx, `SELECT email_hash, org_hash FROM signatures WHERE entry_id = ?`, entryID)
	if err != nil {
		return fmt.Errorf("letter: import: duplicates: %w", err)
	}
	for q.Next() {
		var e, o string
		if err := q.Scan(&e, &o); err != nil {
			q.Close()
			return fmt.Errorf("letter: import: duplicates: %w", err)
		}
		seen[e] = true
		if o != "" {
			seen[o] = true
		}
	}
	q.Close()
	if err := q.Err(); err != nil {
		return fmt.Errorf("letter: import: duplicates: %w", err)
	}
	for i := range rows {
		if len(rows[i].Errors) > 0 {
			continue
		}
		e, o := s.importKeys(rows[i].Signature)
		rows[i].Duplicate = seen[e] || (o != "" && seen[o])
		seen[e] = true
		if o != "" {
			seen[o] = true
		}
	}
	return nil
}

// ImportResult counts what an import did.
type ImportResult struct {
	Imported, Duplicates, Mailed int
}

// Import stores the rows that are OK as approved signatures of the
// letter, in one transaction: all or none. Each keeps its evidence of
// consent (sealed) and who added it; lang is the language their mail
// would be in. send, when not nil, mails each signatory with an email
// the link to withdraw, in the same transaction; nil mails no one.
// Rows signed meanwhile are skipped and counted as duplicates.
func (s *Store) Import(ctx context.Context, entryID int64, rows []ImportRow, lang string, addedBy int64, send Mailer) (ImportResult, error) {
	var res ImportResult
	now := s.now()
	// Approved signatures show on the letter's pages: a loud write.
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		res = ImportResult{}
		for _, row := range rows {
			if row.Duplicate {
				res.Duplicates++
			}
			if !row.OK() {
				continue
			}
			sig := row.Signature
			sig.EntryID, sig.Lang, sig.Status = entryID, lang, Approved
			sig.CreatedAt = row.SignedAt
			if sig.CreatedAt.IsZero() {
				sig.CreatedAt = now
			}
			sig.VerifiedAt = sig.CreatedAt
			emailHash, orgHash := s.importKeys(sig)
			withdraw, withdrawHash := participant.NewLink()
			var by any
			if addedBy > 0 {
				by = addedBy
			}
			r, err := tx.ExecContext(ctx, `INSERT INTO signatures (entry_id, kind, name, org_type, country, website, email, email_hash, org_hash,
					lang, status, flagged, verify_hash, withdraw_hash, created_at, verified_at, consent_evidence, added_by)
				VALUES (?, ?, ?, ?, ?, '', ?, ?, ?, ?, ?, ?, '', ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
				entryID, sig.Kind, s.vault.Seal(sig.Name, sealName), sig.OrgType, sig.Country,
				s.vault.SealOptional(sig.Email, sealEmail), emailHash, orgHash, lang, Approved, false, withdrawHash,
				sig.CreatedAt.Unix(), sig.VerifiedAt.Unix(), s.vault.Seal(row.Evidence, sealEvidence), by)
			if err != nil {
				return err
			}
			if n, err := r.RowsAffected(); err != nil {
				return err
			} else if n == 0 {
				res.Duplicates++ // signed meanwhile
				continue
			}
			res.Imported++
			if send != nil && sig.Email != "" {
				if err := send(ctx, tx, sig, Links{Withdraw: withdraw}, false); err != nil {
					return err
				}
				res.Mailed++
			}
		}
		return nil
	})
	if err != nil {
		return ImportResult{}, fmt.Errorf("letter: import: %w", err)
	}
	return res, nil
}
