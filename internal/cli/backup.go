package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"peerpress/internal/app"
	"peerpress/internal/backup"
	"peerpress/internal/db"
)

const backupHelp = `Writes a backup of the whole site — the database, the media files and
the site key — encrypted to the organisation's public key (keys
org-init), while the site serves: SQLite is copied in one consistent
snapshot (VACUUM INTO), PostgreSQL read in one REPEATABLE READ
transaction, no pg_dump needed. Only the organisation's private key,
kept off the server, opens it (peerpress restore).`

// backupCmd runs `peerpress backup --out FILE`.
func backupCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("backup --out FILE", stderr, backupHelp)
	out := fs.String("out", "", "`file` to write the backup to (must not exist)")
	config := configFlags(fs, false)
	if err := parse(fs, args); err != nil {
		return err
	}
	if *out == "" {
		fmt.Fprintln(stderr, "peerpress: backup needs --out FILE")
		return errUsage
	}
	cfg := config()
	key, err := app.SiteKeyText(cfg)
	if err != nil {
		return fmt.Errorf("the site key: %w", err)
	}
	d, err := app.Open(ctx, cfg)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.CheckSchema(ctx); err != nil {
		return err
	}
	recipient, err := app.OrgRecipient(ctx, d)
	if err != nil {
		return err
	}
	if recipient == "" {
		return errors.New("this site has no organisation key to encrypt the backup to: make one with `peerpress keys org-init --out FILE` (and keep that file off the server)")
	}
	f, err := os.OpenFile(*out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	blobs, err := app.Blobs(ctx, cfg)
	if err != nil {
		return err
	}
	m, err := backup.Write(ctx, backup.Site{DB: d, Blobs: blobs, SiteKey: key}, recipient, w)
	if err == nil {
		err = w.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(*out)
		return err
	}
	fmt.Fprintf(stdout, "backed up the %s database (schema %d) and %d media files to %s, encrypted to %s\n", m.Engine, m.Schema, m.Media, *out, recipient)
	return nil
}

const restoreHelp = `Restores a backup (peerpress backup) into an empty data folder and an
empty database, with the organisation's key file; its passphrase is read
from the first line of standard input. The site key the backup carries
is written beside the data folder (unless --site-key or
PEERPRESS_SITE_KEY gives one, which must be the same). A data folder or
database that holds anything is refused. On PostgreSQL the restore turns
off foreign keys and triggers while it loads, which takes a superuser.`

// restoreCmd runs `peerpress restore FILE --identity F`.
func restoreCmd(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlagSet("restore FILE --identity F", stderr, restoreHelp)
	identity := fs.String("identity", "", "the organisation's key `file` (from keys org-init)")
	config := configFlags(fs, false)
	var file string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		file, args = args[0], args[1:]
	}
	if err := parse(fs, args); err != nil {
		return err
	}
	if file == "" || *identity == "" {
		fmt.Fprintln(stderr, "Usage: peerpress restore FILE --identity KEYFILE [--data DIR] [--database URL]")
		return errUsage
	}
	cfg := config()
	if entries, err := os.ReadDir(cfg.DataDir); err == nil && len(entries) > 0 {
		return fmt.Errorf("%w (%s holds files)", backup.ErrNotEmpty, cfg.DataDir)
	}
	keyPath := app.SiteKeyPath(cfg.DataDir)
	if cfg.SiteKey == "" {
		if _, err := os.Stat(keyPath); err == nil {
			return fmt.Errorf("%w (a site key is already at %s)", backup.ErrNotEmpty, keyPath)
		}
	}
	id, err := readIdentity(*identity, stdin)
	if err != nil {
		return err
	}
	in, err := os.Open(file) // #nosec G304 -- the backup file the operator named
	if err != nil {
		return err
	}
	defer in.Close()
	blobs, err := app.Blobs(ctx, cfg)
	if err != nil {
		return err
	}
	t := backup.Target{Blobs: blobs, Open: func(ctx context.Context) (*db.DB, error) { return app.Open(ctx, cfg) }}
	if u := cfg.DatabaseURLOrDefault(); strings.HasPrefix(u, "sqlite:") {
		t.SQLitePath = strings.TrimPrefix(u, "sqlite:")
	}
	m, key, d, err := backup.Restore(ctx, bufio.NewReader(in), id, t)
	if err != nil {
		return err
	}
	defer d.Close()
	switch {
	case cfg.SiteKey != "" && cfg.SiteKey != key:
		return errors.New("restored, but the site key given is not the backup's: start with the backup's key (restore again without --site-key to have it written beside the data folder)")
	case cfg.SiteKey == "":
		if err := os.WriteFile(keyPath, []byte(key+"\n"), 0o600); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "the site key is in %s (beside the data folder): keep a copy apart\n", keyPath)
	}
	fmt.Fprintf(stdout, "restored the %s backup of %s (schema %d, %d media files)\n", m.Engine, m.CreatedAt.Format("2006-01-02 15:04 MST"), m.Schema, m.Media)
	return nil
}
