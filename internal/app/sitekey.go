package app

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"peerpress/internal/db"
	"peerpress/internal/secret"
)

// SiteKeyFile is the name of the site key's file in the data folder, and
// OldSiteKeyFile that of the key being replaced while `peerpress keys
// rotate` moves personal data to the new one.
const (
	SiteKeyFile    = "site.key"
	OldSiteKeyFile = "site.key.old"
)

// ErrNoSiteKey and ErrWrongSiteKey stop the server at start rather than let
// it store personal data in the clear, or with a key nobody will have.
var (
	ErrNoSiteKey    = errors.New("no site key")
	ErrWrongSiteKey = errors.New("wrong site key")
)

// Settings rows that belong to the site key: which key the database is
// sealed with (a check value, not the key), and the hashing key sealed
// with it, which outlives key changes so that keyed hashes stay valid.
const (
	settingKeyCheck = "secret.check"
	settingHashKey  = "secret.hash_key"
)

// readKey is the configured key, or the one in the data folder's file.
func readKey(configured, path string) (string, error) {
	if configured != "" {
		return configured, nil
	}
	b, err := os.ReadFile(path) // #nosec G304 -- the key file the operator configured
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("app: read %s: %w", path, err)
	}
	return string(b), nil
}

// openSiteKey reads the site key (and the old key, during a rotation) from
// the config or the data folder and checks it is the key this database
// was set up with; the first start records which key that is, and the
// hashing key.
func openSiteKey(ctx context.Context, cfg Config, d *db.DB) (*secret.Box, error) {
	path := filepath.Join(cfg.DataDir, SiteKeyFile)
	encoded, err := readKey(cfg.SiteKey, path)
	if err != nil {
		return nil, err
	}
	old, err := readKey(cfg.OldSiteKey, filepath.Join(cfg.DataDir, OldSiteKeyFile))
	if err != nil {
		return nil, err
	}
	if cfg.SiteKey == "" && encoded != "" {
		slog.Warn("the site key is in the data folder (" + path + "): a copy of the folder decrypts every participant's data. " +
			"Keep it apart: give it as PEERPRESS_SITE_KEY from a secret store or a systemd credential, and remove the file")
	}
	box, err := secret.OpenRing(encoded, old)
	switch {
	case errors.Is(err, secret.ErrNoKey):
		return nil, fmt.Errorf("%w: personal data is encrypted with it. Create one with `peerpress keygen > %s` and keep a copy with your backups, or set PEERPRESS_SITE_KEY", ErrNoSiteKey, path)
	case err != nil:
		return nil, fmt.Errorf("app: site key: %w", err)
	}
	var stored, sealedHashKey string
	err = d.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, settingKeyCheck).Scan(&stored)
	if errors.Is(err, sql.ErrNoRows) {
		// A new site: this key is its key, and hashes with its own hashing key.
		err = d.InTx(ctx, func(tx *db.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?), (?, ?)`,
				settingKeyCheck, box.Check(), settingHashKey, box.SealHashKey())
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("app: record site key check: %w", err)
		}
		return box, nil
	}
	if err != nil {
		return nil, fmt.Errorf("app: site key check: %w", err)
	}
	matched := box.CheckedBy(stored)
	if matched == "" {
		return nil, fmt.Errorf("%w: this database was set up with another site key, and personal data in it cannot be read with this one. Start with the key it was set up with (while changing keys, give the one it was set up with as the old key: --old-site-key or %s)", ErrWrongSiteKey, OldSiteKeyFile)
	}
	if matched != box.KeyID() {
		slog.Warn("the database is still sealed with the old site key; run `peerpress keys rotate` to move it to the new one")
	}
	err = d.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, settingHashKey).Scan(&sealedHashKey)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		// A site set up before the hashing key was stored has hashed with
		// the key it was set up with: keep that one, from now on stored.
		if box, err = box.WithHashKeyOf(matched); err != nil {
			return nil, err
		}
		if _, err := d.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?)`, settingHashKey, box.SealHashKey()); err != nil {
			return nil, fmt.Errorf("app: record hashing key: %w", err)
		}
		return box, nil
	case err != nil:
		return nil, fmt.Errorf("app: hashing key: %w", err)
	}
	return box.WithHashKey(sealedHashKey)
}

// adoptSiteKey records, once every sealed value has moved to box's current
// key, that the database is now sealed with it: the check becomes the new
// key's, and the hashing key is sealed with it. From then on the old key
// can be thrown away.
func adoptSiteKey(ctx context.Context, d *db.DB, box *secret.Box) error {
	return d.InTx(ctx, func(tx *db.Tx) error {
		for k, v := range map[string]string{settingKeyCheck: box.Check(), settingHashKey: box.SealHashKey()} {
			if _, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?)
				ON CONFLICT (key) DO UPDATE SET value = excluded.value`, k, v); err != nil {
				return fmt.Errorf("app: adopt site key: %w", err)
			}
		}
		return nil
	})
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
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600) // #nosec G304 -- the key file the operator configured
	if err != nil {
		return false, fmt.Errorf("app: create %s: %w", path, err)
	}
	if _, err := f.WriteString(secret.NewKey() + "\n"); err != nil {
		f.Close()
		return false, err
	}
	return true, f.Close()
}
