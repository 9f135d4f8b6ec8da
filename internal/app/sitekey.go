package app

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"peerpress/internal/db"
	"peerpress/internal/secret"
)

// SiteKeyFile is the name the site key's file had inside the data folder,
// and OldSiteKeyFile that of the key being replaced while `peerpress keys
// rotate` moves personal data to the new one. Keys there are still read,
// with a loud warning: a copy of the folder would carry its own key.
const (
	SiteKeyFile    = "site.key"
	OldSiteKeyFile = "site.key.old"
)

// SiteKeyPath is where the site key is kept when it is not given in the
// environment: next to the data folder, never inside it, so that a copy
// of the folder (a backup, a seized disk image of it) does not carry
// the key that opens it: /srv/peerpress/data → /srv/peerpress/data.site.key.
func SiteKeyPath(dataDir string) string { return besideData(dataDir, ".site.key") }

// OldSiteKeyPath is where the key being replaced is kept, beside the data
// folder as well.
func OldSiteKeyPath(dataDir string) string { return besideData(dataDir, ".site.key.old") }

func besideData(dataDir, suffix string) string {
	abs, err := filepath.Abs(dataDir)
	if err != nil {
		abs = filepath.Clean(dataDir)
	}
	return abs + suffix
}

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

// CredentialName is the name of the site key among systemd's credentials
// (LoadCredential=site-key:/etc/peerpress/site.key): peerpress reads it
// from $CREDENTIALS_DIRECTORY, where only the service can.
const CredentialName = "site-key"

// siteKeyPaths are the files the site key is read from when it is not
// configured, in order: the systemd credential, the file beside the data
// folder, the file inside it (with a warning).
func siteKeyPaths(cfg Config) []string {
	var paths []string
	if dir := os.Getenv("CREDENTIALS_DIRECTORY"); dir != "" {
		paths = append(paths, filepath.Join(dir, CredentialName))
	}
	return append(paths, SiteKeyPath(cfg.DataDir), filepath.Join(cfg.DataDir, SiteKeyFile))
}

// readKey is the configured key, or the one in the first of paths that
// exists, and that path.
func readKey(configured string, paths ...string) (key, from string, err error) {
	if configured != "" {
		return configured, "", nil
	}
	for _, path := range paths {
		b, err := os.ReadFile(path) // #nosec G304 -- the key file the operator configured
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return "", "", fmt.Errorf("app: read %s: %w", path, err)
		}
		return string(b), path, nil
	}
	return "", "", nil
}

// openSiteKey reads the site key (and the old key, during a rotation) from
// the config or the data folder and checks it is the key this database
// was set up with; the first start records which key that is, and the
// hashing key.
func openSiteKey(ctx context.Context, cfg Config, d *db.DB) (*secret.Box, error) {
	path := SiteKeyPath(cfg.DataDir)
	inside := filepath.Join(cfg.DataDir, SiteKeyFile)
	encoded, from, err := readKey(cfg.SiteKey, siteKeyPaths(cfg)...)
	if err != nil {
		return nil, err
	}
	old, oldFrom, err := readKey(cfg.OldSiteKey, OldSiteKeyPath(cfg.DataDir), filepath.Join(cfg.DataDir, OldSiteKeyFile))
	if err != nil {
		return nil, err
	}
	for _, f := range []string{from, oldFrom} {
		if f == inside || f == filepath.Join(cfg.DataDir, OldSiteKeyFile) {
			slog.Warn("THE SITE KEY IS IN THE DATA FOLDER (" + f + "): a copy of the folder decrypts every participant's data. " +
				"Move it beside the folder (" + path + "), or give it as PEERPRESS_SITE_KEY from a secret store or a systemd credential")
		}
	}
	box, err := secret.OpenRing(encoded, old)
	switch {
	case errors.Is(err, secret.ErrNoKey):
		return nil, fmt.Errorf("%w: personal data is encrypted with it. Create one with `(umask 077; peerpress keygen > %s)`, outside the data folder, and keep a copy apart from your backups, or set PEERPRESS_SITE_KEY", ErrNoSiteKey, path)
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
		return nil, fmt.Errorf("%w: this database was set up with another site key, and personal data in it cannot be read with this one. Start with the key it was set up with (while changing keys, give the one it was set up with as the old key: --old-site-key or %s)", ErrWrongSiteKey, OldSiteKeyPath(cfg.DataDir))
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

// EnsureSiteKey creates a site key file beside the data folder (never in
// it: SiteKeyPath) when there is no key yet, for the demo; it returns the
// file it made, or "".
func EnsureSiteKey(cfg Config) (string, error) {
	if cfg.SiteKey != "" {
		return "", nil
	}
	path := SiteKeyPath(cfg.DataDir)
	for _, p := range siteKeyPaths(cfg) {
		if _, err := os.Stat(p); err == nil {
			return "", nil
		}
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return "", err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600) // #nosec G304 -- the key file the operator configured
	if err != nil {
		return "", fmt.Errorf("app: create %s: %w", path, err)
	}
	if _, err := f.WriteString(secret.NewKey() + "\n"); err != nil {
		f.Close()
		return "", err
	}
	return path, f.Close()
}

// SiteKeyText is the site key as configured or read from its file
// (base64), for a backup to carry.
func SiteKeyText(cfg Config) (string, error) {
	key, _, err := readKey(cfg.SiteKey, siteKeyPaths(cfg)...)
	if err == nil && strings.TrimSpace(key) == "" {
		err = ErrNoSiteKey
	}
	return strings.TrimSpace(key), err
}
