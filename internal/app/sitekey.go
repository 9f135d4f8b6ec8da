package app

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"peerpress/internal/db"
	"peerpress/internal/secret"
)

// SiteKeyFile is the name of the site key's file in the data folder.
const SiteKeyFile = "site.key"

// ErrNoSiteKey and ErrWrongSiteKey stop the server at start rather than let
// it store personal data in the clear, or with a key nobody will have.
var (
	ErrNoSiteKey    = errors.New("no site key")
	ErrWrongSiteKey = errors.New("wrong site key")
)

// openSiteKey reads the site key from the config or the data folder and
// checks it is the key this database was set up with; the first start
// records which key that is.
func openSiteKey(ctx context.Context, cfg Config, d *db.DB) (*secret.Box, error) {
	encoded := cfg.SiteKey
	path := filepath.Join(cfg.DataDir, SiteKeyFile)
	if encoded == "" {
		b, err := os.ReadFile(path)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("app: read %s: %w", path, err)
		}
		encoded = string(b)
	}
	box, err := secret.Open(encoded)
	switch {
	case errors.Is(err, secret.ErrNoKey):
		return nil, fmt.Errorf("%w: personal data is encrypted with it. Create one with `peerpress keygen > %s` and keep a copy with your backups, or set PEERPRESS_SITE_KEY", ErrNoSiteKey, path)
	case err != nil:
		return nil, fmt.Errorf("app: site key: %w", err)
	}
	var stored string
	err = d.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = 'secret.check'`).Scan(&stored)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		if _, err := d.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES ('secret.check', ?)`, box.Check()); err != nil {
			return nil, fmt.Errorf("app: record site key check: %w", err)
		}
	case err != nil:
		return nil, fmt.Errorf("app: site key check: %w", err)
	case stored != box.Check():
		return nil, fmt.Errorf("%w: this database was set up with another site key, and personal data in it cannot be read with this one. Start with the key it was set up with", ErrWrongSiteKey)
	}
	return box, nil
}

// EnsureSiteKey creates a site key file in the data folder when there is
// no key yet, for the demo; it returns whether it made one.
func EnsureSiteKey(cfg Config) (bool, error) {
	if cfg.SiteKey != "" {
		return false, nil
	}
	path := filepath.Join(cfg.DataDir, SiteKeyFile)
	if _, err := os.Stat(path); err == nil {
		return false, nil
	}
	if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
		return false, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return false, fmt.Errorf("app: create %s: %w", path, err)
	}
	if _, err := f.WriteString(secret.NewKey() + "\n"); err != nil {
		f.Close()
		return false, err
	}
	return true, f.Close()
}
