package app

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"peerpress/internal/db"
	"peerpress/internal/participant"
)

// settingOrgRecipient is the settings row that holds the organisation's
// public key (age1…): the server seals staff data to it and can never
// open what it sealed. The private key is not on the server.
const settingOrgRecipient = "participant.org_recipient"

// orgRecipient reads the organisation's public key; "" when the site has
// none.
func orgRecipient(ctx context.Context, d *db.DB) (string, error) {
	var r string
	err := d.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, settingOrgRecipient).Scan(&r)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("app: organisation key: %w", err)
	}
	return r, nil
}

// SetOrgRecipient records the organisation's public key, from which on
// every server started seals staff data to it. It refuses to replace a
// different key: what was sealed to the old one would be unreadable to
// whoever holds only the new.
func SetOrgRecipient(ctx context.Context, d *db.DB, recipient string, replace bool) error {
	if _, err := participant.ParseRecipient(recipient); err != nil {
		return err
	}
	have, err := orgRecipient(ctx, d)
	if err != nil {
		return err
	}
	if have != "" && have != recipient && !replace {
		return fmt.Errorf("app: this site already seals to the organisation key %s; keep its key file, or pass --replace knowing that only the old key file opens what was sealed before", have)
	}
	_, err = d.Quiet().ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, settingOrgRecipient, recipient)
	if err != nil {
		return fmt.Errorf("app: record organisation key: %w", err)
	}
	return nil
}

// OrgRecipient is the organisation's public key the site seals to, ""
// when it has none.
func OrgRecipient(ctx context.Context, d *db.DB) (string, error) { return orgRecipient(ctx, d) }

// SealForStaff moves to the organisation key what was sealed for staff
// with the site key before the site had one (peerpress keys org-init
// runs it as soon as the key is recorded; serve at each start and every
// hour). It counts the values moved per holder.
func SealForStaff(ctx context.Context, cfg Config, d *db.DB) ([]participant.Count, error) {
	a, err := New(ctx, cfg, d)
	if err != nil {
		return nil, err
	}
	return a.People.SealForStaff(ctx)
}
