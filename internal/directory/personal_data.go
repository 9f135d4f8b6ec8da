package directory

import (
	"context"
	"fmt"
	"time"

	"peerpress/internal/participant"
)

// PersonalData is what the applications to join hold about people, as
// the site's registry of personal data sees it (participant.Holder): the
// applicant's contact. Staff find, export and erase one applicant's
// applications; Purge applies the retention (unverified after
// VerifyWithin, the contact ContactKeep after the decision), and `keys
// rotate` reseals them.
func (a *Applications) PersonalData() participant.Holder { return applicants{a} }

type applicants struct{ a *Applications }

func (applicants) Name() string { return "directory/applications" }

// Find opens the applications the person sent.
func (h applicants) Find(ctx context.Context, who participant.Subject) ([]participant.Record, error) {
	apps, err := h.a.list(ctx, h.a.db, `email_hash = ? ORDER BY id`, who.Hash(hashEmail))
	if err != nil {
		return nil, err
	}
	var out []participant.Record
	for _, app := range apps {
		name, email := app.Contact.Name, app.Contact.Email
		if app.Locked {
			name, email = "(sealed to the organisation's key)", "(sealed to the organisation's key)"
		}
		out = append(out, participant.Record{ID: app.ID, About: "application to join: " + app.Profile.Name, Created: app.Created,
			Fields: []participant.Field{{Name: "contact_name", Value: name}, {Name: "email", Value: email}, {Name: "status", Value: app.Status},
				{Name: "language", Value: app.Lang}, {Name: "applied_at", Value: app.Created.Format(time.RFC3339)}}})
	}
	return out, nil
}

// Erase deletes the person's applications not accepted, and empties the
// contact of those accepted (the organisation's profile is its own).
func (h applicants) Erase(ctx context.Context, who participant.Subject) (int, error) {
	hash := who.Hash(hashEmail)
	res, err := h.a.db.Quiet().ExecContext(ctx, `DELETE FROM organisation_applications WHERE email_hash = ? AND status <> ?`, hash, Accepted)
	if err != nil {
		return 0, fmt.Errorf("directory: erase applications: %w", err)
	}
	gone, _ := res.RowsAffected()
	res, err = h.a.db.Quiet().ExecContext(ctx, `UPDATE organisation_applications SET contact = '', email = '', email_hash = '', purged_at = ?
		WHERE email_hash = ?`, h.a.now().Unix(), hash)
	if err != nil {
		return 0, fmt.Errorf("directory: erase applications: %w", err)
	}
	emptied, _ := res.RowsAffected()
	return int(gone + emptied), nil
}

func (h applicants) Purge(ctx context.Context, now time.Time) (int, error) {
	return h.a.Purge(ctx, now)
}

// Reseal seals the contacts again: for staff (the organisation's key when
// the site has one), and the address the server mails with the site key.
func (h applicants) Reseal(ctx context.Context, reseal participant.Resealer) (int, error) {
	return participant.ResealTable(ctx, h.a.db, participant.Table{Name: "organisation_applications", Key: "id", Columns: []participant.Column{
		{Name: "contact", Context: sealContact, Staff: true}, {Name: "email", Context: sealEmail}}}, reseal)
}
