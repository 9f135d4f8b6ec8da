package directory

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"peerpress/internal/db"
	"peerpress/internal/mail"
	"peerpress/internal/participant"
)

// Statuses of an application to join the directory.
const (
	Unverified = "unverified" // its email not yet confirmed
	Waiting    = "waiting"    // for staff
	Accepted   = "accepted"
	Declined   = "declined"
)

// Retention of an application's private contact.
const (
	// VerifyWithin is how long the verification link works; an
	// application never verified is deleted then.
	VerifyWithin = 48 * time.Hour
	// ContactKeep is how long after staff's decision the applicant's
	// contact is kept (for a question about the decision), then emptied.
	ContactKeep = 30 * 24 * time.Hour
)

// Seal contexts and hash purposes of the applications' columns.
const (
	sealContact = "organisation_applications.contact"
	sealEmail   = "organisation_applications.email"
	hashEmail   = "organisation_applications.email_hash"
)

// Mailer queues mail in a transaction (mail.Mailer).
type Mailer interface {
	Send(ctx context.Context, tx *db.Tx, msg mail.Message) error
}

// Contact is the applicant's private contact: who staff write to.
type Contact struct {
	Name  string `json:"name"`
	Email string `json:"email"`
}

// Application is an organisation's application to join the directory.
type Application struct {
	ID      int64
	Status  string
	Profile Organisation // what the directory publishes once accepted
	// Contact is opened for the request's context; Locked when it is
	// sealed to the organisation's key and the session has not unlocked
	// it, Purged when it is gone (a set time after the decision).
	Contact        Contact
	Locked, Purged bool
	Lang           string
	OrganisationID int64 // the profile once accepted
	Created        time.Time
	Verified       time.Time
	Decided        time.Time
	email          string // sealed with the site key, for mail
}

// Applications keeps the applications to join the directory: the
// profile in the clear (the organisation means to publish it), the
// private contact sealed for staff, and the address again sealed with
// the site key, which the server opens to mail the applicant.
type Applications struct {
	db     *db.DB
	vault  *participant.Vault
	mailer Mailer
	store  *Store
	now    func() time.Time
}

// ErrUnknownLink is a verification link that is no application's (a
// forged or mistyped one, or one past VerifyWithin).
var ErrUnknownLink = errors.New("directory: unknown application link")

// Apply stores an unverified application and queues, in the same
// transaction, the mail with its verification link: message makes it
// from the link's token.
func (a *Applications) Apply(ctx context.Context, profile Organisation, c Contact, lang string, message func(token string) mail.Message) (int64, error) {
	email, err := participant.Normalize(c.Email)
	if err != nil {
		return 0, err
	}
	raw, err := json.Marshal(profile)
	if err != nil {
		return 0, fmt.Errorf("directory: apply: %w", err)
	}
	contact, err := json.Marshal(c)
	if err != nil {
		return 0, fmt.Errorf("directory: apply: %w", err)
	}
	token, hash := participant.NewLink()
	now := a.now()
	var id int64
	err = a.db.Quiet().InTx(ctx, func(tx *db.Tx) error {
		if err := tx.QueryRowContext(ctx, `INSERT INTO organisation_applications (status, name, country, profile, contact, email, email_hash, lang,
			verify_hash, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, Unverified, profile.Name, profile.Country, string(raw),
			a.vault.SealForStaff(string(contact), sealContact), a.vault.Seal(email, sealEmail), a.vault.Hash(hashEmail, email), lang,
			hash, now.Unix()).Scan(&id); err != nil {
			return err
		}
		m := message(token)
		m.To, m.Until = email, now.Add(VerifyWithin)
		return a.mailer.Send(ctx, tx, m)
	})
	if err != nil {
		return 0, fmt.Errorf("directory: apply: %w", err)
	}
	return id, nil
}

// ByVerifyToken finds the unverified application of a verification link.
func (a *Applications) ByVerifyToken(ctx context.Context, token string) (Application, error) {
	if !participant.ValidToken(token) {
		return Application{}, ErrUnknownLink
	}
	app, err := a.load(ctx, a.db, `verify_hash = ? AND status = ? AND created_at > ?`, participant.LinkHash(token), Unverified,
		a.now().Add(-VerifyWithin).Unix())
	if errors.Is(err, db.ErrNotFound) {
		return app, ErrUnknownLink
	}
	return app, err
}

// Verify confirms the application's email: it waits for staff now, and
// the link is spent.
func (a *Applications) Verify(ctx context.Context, token string) (Application, error) {
	app, err := a.ByVerifyToken(ctx, token)
	if err != nil {
		return app, err
	}
	res, err := a.db.Quiet().ExecContext(ctx, `UPDATE organisation_applications SET status = ?, verify_hash = '', verified_at = ? WHERE id = ? AND status = ?`,
		Waiting, a.now().Unix(), app.ID, Unverified)
	if err != nil {
		return app, fmt.Errorf("directory: verify: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return app, ErrUnknownLink
	}
	app.Status = Waiting
	return app, nil
}

const applicationColumns = `id, status, profile, contact, email, lang, COALESCE(organisation_id, 0), created_at, verified_at, decided_at, purged_at`

func (a *Applications) load(ctx context.Context, q db.Querier, where string, args ...any) (Application, error) {
	apps, err := a.list(ctx, q, where+` LIMIT 1`, args...)
	if err != nil {
		return Application{}, err
	}
	if len(apps) == 0 {
		return Application{}, db.ErrNotFound
	}
	return apps[0], nil
}

func (a *Applications) list(ctx context.Context, q db.Querier, where string, args ...any) ([]Application, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+applicationColumns+` FROM organisation_applications WHERE `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("directory: applications: %w", err)
	}
	defer rows.Close()
	var out []Application
	for rows.Next() {
		var app Application
		var profile, contact string
		var created, verified, decided, purged int64
		if err := rows.Scan(&app.ID, &app.Status, &profile, &contact, &app.email, &app.Lang, &app.OrganisationID, &created, &verified, &decided, &purged); err != nil {
			return nil, fmt.Errorf("directory: applications: %w", err)
		}
		if err := json.Unmarshal([]byte(profile), &app.Profile); err != nil {
			return nil, fmt.Errorf("directory: application %d: %w", app.ID, err)
		}
		app.Created, app.Verified, app.Decided = unixTime(created), unixTime(verified), unixTime(decided)
		app.Purged = purged != 0
		switch {
		case contact == "":
		case participant.IsSealedForStaff(contact) && !participant.IsUnlocked(ctx):
			app.Locked = true
		default:
			opened, err := a.vault.OpenFor(ctx, contact, sealContact)
			if err != nil {
				return nil, fmt.Errorf("directory: application %d: %w", app.ID, err)
			}
			if err := json.Unmarshal([]byte(opened), &app.Contact); err != nil {
				return nil, fmt.Errorf("directory: application %d: %w", app.ID, err)
			}
		}
		out = append(out, app)
	}
	return out, rows.Err()
}

func unixTime(s int64) time.Time {
	if s == 0 {
		return time.Time{}
	}
	return time.Unix(s, 0).UTC()
}

// ByID loads an application (verified ones only: staff never see one
// whose email nobody confirmed).
func (a *Applications) ByID(ctx context.Context, id int64) (Application, error) {
	return a.load(ctx, a.db, `id = ? AND status <> ?`, id, Unverified)
}

// Listed lists the applications waiting for staff, oldest first, then
// those decided, newest first.
func (a *Applications) Listed(ctx context.Context) ([]Application, error) {
	waiting, err := a.list(ctx, a.db, `status = ? ORDER BY created_at, id`, Waiting)
	if err != nil {
		return nil, err
	}
	decided, err := a.list(ctx, a.db, `status IN (?, ?) ORDER BY decided_at DESC, id DESC LIMIT 50`, Accepted, Declined)
	return append(waiting, decided...), err
}

// CountWaiting counts the applications waiting for staff.
func (a *Applications) CountWaiting(ctx context.Context) (int, error) {
	var n int
	if err := a.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM organisation_applications WHERE status = ?`, Waiting).Scan(&n); err != nil {
		return 0, fmt.Errorf("directory: applications waiting: %w", err)
	}
	return n, nil
}

// ErrDecided is an action on an application that is no longer waiting.
var ErrDecided = errors.New("directory: application decided already")

// Mail sends the applicant of a waiting or decided application a
// message (staff's question, the decision), opening the address with
// the site key; an application whose contact is purged has none.
func (a *Applications) Mail(ctx context.Context, tx *db.Tx, app Application, m mail.Message) error {
	if app.email == "" {
		return ErrDecided
	}
	email, err := a.vault.Open(app.email, sealEmail)
	if err != nil {
		return fmt.Errorf("directory: application %d: %w", app.ID, err)
	}
	m.To = email
	if m.Until.IsZero() {
		m.Until = a.now().Add(ContactKeep)
	}
	return a.mailer.Send(ctx, tx, m)
}

// Ask mails staff's question to the applicant of a waiting application.
func (a *Applications) Ask(ctx context.Context, id int64, m mail.Message) error {
	app, err := a.ByID(ctx, id)
	if err != nil {
		return err
	}
	if app.Status != Waiting {
		return ErrDecided
	}
	return a.db.Quiet().InTx(ctx, func(tx *db.Tx) error { return a.Mail(ctx, tx, app, m) })
}

// Accept puts the application's profile, as staff completed it, in the
// directory, and mails the applicant message (made from the new
// organisation's slug), in one transaction.
func (a *Applications) Accept(ctx context.Context, id int64, o Organisation, message func(o Organisation) mail.Message) (int64, error) {
	app, err := a.ByID(ctx, id)
	if err != nil {
		return 0, err
	}
	if app.Status != Waiting {
		return 0, ErrDecided
	}
	var orgID int64
	err = a.db.InTx(ctx, func(tx *db.Tx) error {
		if orgID, err = a.store.save(ctx, tx, o); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE organisation_applications SET status = ?, organisation_id = ?, decided_at = ? WHERE id = ? AND status = ?`,
			Accepted, orgID, a.now().Unix(), id, Waiting)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrDecided
		}
		o.ID = orgID
		return a.Mail(ctx, tx, app, message(o))
	})
	if db.IsUniqueViolation(err) {
		return 0, ErrSlugTaken
	}
	if errors.Is(err, ErrDecided) {
		return 0, err
	}
	if err != nil {
		return 0, fmt.Errorf("directory: accept: %w", err)
	}
	return orgID, nil
}

// Decline declines a waiting application and mails the applicant.
func (a *Applications) Decline(ctx context.Context, id int64, m mail.Message) error {
	app, err := a.ByID(ctx, id)
	if err != nil {
		return err
	}
	if app.Status != Waiting {
		return ErrDecided
	}
	err = a.db.Quiet().InTx(ctx, func(tx *db.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE organisation_applications SET status = ?, decided_at = ? WHERE id = ? AND status = ?`,
			Declined, a.now().Unix(), id, Waiting)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrDecided
		}
		return a.Mail(ctx, tx, app, m)
	})
	if errors.Is(err, ErrDecided) {
		return err
	}
	if err != nil {
		return fmt.Errorf("directory: decline: %w", err)
	}
	return nil
}

// Purge applies the retention: applications never verified go after
// VerifyWithin; the contact of a decided one is emptied ContactKeep after
// the decision (the profile stays: it is the organisation's, public once
// accepted). It returns how many applications it changed.
func (a *Applications) Purge(ctx context.Context, now time.Time) (int, error) {
	var n int64
	err := a.db.Quiet().InTx(ctx, func(tx *db.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM organisation_applications WHERE status = ? AND created_at <= ?`, Unverified, now.Add(-VerifyWithin).Unix())
		if err != nil {
			return err
		}
		gone, _ := res.RowsAffected()
		res, err = tx.ExecContext(ctx, `UPDATE organisation_applications SET contact = '', email = '', email_hash = '', purged_at = ?
			WHERE status IN (?, ?) AND decided_at <= ? AND purged_at = 0`, now.Unix(), Accepted, Declined, now.Add(-ContactKeep).Unix())
		if err != nil {
			return err
		}
		emptied, _ := res.RowsAffected()
		n = gone + emptied
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("directory: purge applications: %w", err)
	}
	return int(n), nil
}
