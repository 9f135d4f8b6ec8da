package letter

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"peerpress/internal/auth"
	"peerpress/internal/content"
	"peerpress/internal/participant"
)

// Entries finds the statements signatures belong to (content.Store).
type Entries interface {
	Entry(ctx context.Context, id int64) (*content.Entry, error)
}

// PersonalData is what signatures hold about people, as the site's
// registry of personal data sees it (participant.Holder): staff find,
// export and erase one signatory's signatures; signatures never
// confirmed go after VerifyWithin; `keys rotate` reseals them. entries
// names the statements in what staff see.
func (s *Store) PersonalData(entries Entries) participant.Holder {
	return &signatures{s: s, entries: entries}
}

type signatures struct {
	s       *Store
	entries Entries
}

func (h *signatures) Name() string { return "letter/signatures" }

// Find opens every signature made with the person's email.
func (h *signatures) Find(ctx context.Context, who participant.Subject) ([]participant.Record, error) {
	rows, err := h.s.db.QueryContext(ctx, `SELECT `+signatureColumns+` FROM signatures s WHERE s.email_hash = ? ORDER BY s.id`, who.Hash(hashEmail))
	if err != nil {
		return nil, fmt.Errorf("letter: find signatures: %w", err)
	}
	var sigs []Signature
	for rows.Next() {
		sig, err := h.s.scan(ctx, rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("letter: find signatures: %w", err)
		}
		sigs = append(sigs, sig)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var out []participant.Record
	for _, sig := range sigs {
		about := "statement " + strconv.FormatInt(sig.EntryID, 10)
		if e, err := h.entries.Entry(ctx, sig.EntryID); err == nil {
			about += ": " + e.Source().Title
		}
		verified := ""
		if !sig.VerifiedAt.IsZero() {
			verified = sig.VerifiedAt.Format(time.RFC3339)
		}
		// Signatures added by staff keep the evidence of consent.
		var sealed string
		if err := h.s.db.QueryRowContext(ctx, `SELECT consent_evidence FROM signatures WHERE id = ?`, sig.ID).Scan(&sealed); err != nil {
			return nil, fmt.Errorf("letter: find signatures: %w", err)
		}
		evidence, err := h.s.vault.Open(sealed, sealEvidence)
		if err != nil {
			return nil, fmt.Errorf("letter: find signatures: %w", err)
		}
		if sig.Locked {
			// Sealed to the organisation's key: `peerpress unseal` opens them.
			sig.Name, sig.Website = sig.sealed.name, sig.sealed.website
		}
		rec := participant.Record{ID: sig.ID, About: about, Created: sig.CreatedAt, Fields: []participant.Field{
			{Name: "email", Value: sig.Email}, {Name: "name", Value: sig.Name}, {Name: "kind", Value: sig.Kind},
			{Name: "organisation_type", Value: sig.OrgType}, {Name: "country", Value: sig.Country}, {Name: "website", Value: sig.Website},
			{Name: "status", Value: sig.Status}, {Name: "language", Value: sig.Lang},
			{Name: "signed_at", Value: sig.CreatedAt.Format(time.RFC3339)}, {Name: "verified_at", Value: verified}}}
		if evidence != "" {
			rec.Fields = append(rec.Fields, participant.Field{Name: "consent_evidence", Value: evidence})
		}
		out = append(out, rec)
	}
	return out, nil
}

// Erase deletes the person's signatures, as their withdrawal links would:
// their names leave the public lists and counts at once.
func (h *signatures) Erase(ctx context.Context, who participant.Subject) (int, error) {
	res, err := h.s.db.ExecContext(ctx, `DELETE FROM signatures WHERE email_hash = ?`, who.Hash(hashEmail))
	if err != nil {
		return 0, fmt.Errorf("letter: erase: %w", err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// Purge deletes the signatures whose confirmation link expired.
func (h *signatures) Purge(ctx context.Context, now time.Time) (int, error) {
	n, err := h.s.PurgeUnverified(ctx, now)
	return int(n), err
}

// Reseal reseals the signatures' sealed columns. The name and website
// of a published signature are the server's to show (the site key); of
// any other (unconfirmed, waiting, rejected) they are staff's alone, so
// those sealed with the site key before the site had an organisation key
// move to it. A signature waiting for its confirmation still publishes
// at the click: its link opens the copy held for publication.
func (h *signatures) Reseal(ctx context.Context, reseal participant.Resealer) (int, error) {
	n, err := participant.ResealTable(ctx, h.s.db, participant.Table{Name: "signatures", Key: "id", Columns: []participant.Column{
		{Name: "email", Context: sealEmail}, {Name: "consent_evidence", Context: sealEvidence}}}, reseal)
	if err != nil {
		return n, err
	}
	// A row that changes status meanwhile has its name and website
	// written again with it, so neither pass overwrites it (ResealTable
	// replaces a value only if it is still the one read).
	for _, t := range []struct {
		where string
		staff bool
	}{{"status = '" + Approved + "'", false}, {"status <> '" + Approved + "'", true}} {
		m, err := participant.ResealTable(ctx, h.s.db, participant.Table{Name: "signatures", Key: "id", Where: t.where, Columns: []participant.Column{
			{Name: "name", Context: sealName, Staff: t.staff}, {Name: "website", Context: sealWebsite, Staff: t.staff}}}, reseal)
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// recordAccess writes in the audit log that the signed-in staff member
// opened n signatures of a statement (action: the page or the CSV),
// before they are shown.
func (s *Store) recordAccess(r *http.Request, action string, entryID int64, n int) error {
	u, _ := auth.UserFrom(r.Context())
	return s.audit.Record(r.Context(), participant.Access{UserID: u.ID, Action: action, Holder: "letter/signatures",
		Target: "entry " + strconv.FormatInt(entryID, 10), Records: n})
}
