package app_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"peerpress/internal/app"
	"peerpress/internal/db"
	"peerpress/internal/db/dbtest"
	"peerpress/internal/secret"
)

// Keyed hashes never change with the key: a site set up before the
// hashing key was stored keeps hashing with the key it was set up with,
// even when it starts for the first time in the middle of a rotation,
// with the old key read from site.key.old.
func TestHashingKeyOutlivesSiteKey(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		keyA, keyB := secret.NewKey(), secret.NewKey()
		boxA, _ := secret.Open(keyA)
		want := boxA.Hash("x@example.org", "events:registration-email")
		cfg := app.Config{DataDir: t.TempDir(), Languages: []string{"en"}, TimeZone: "UTC", SiteKey: keyA}
		a, err := app.New(ctx, cfg, d)
		if err != nil {
			t.Fatal(err)
		}
		var stored string
		if err := d.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = 'secret.hash_key'`).Scan(&stored); err != nil || secret.SealedWith(stored) != boxA.KeyID() {
			t.Fatalf("the hashing key is not stored sealed: %q %v", stored, err)
		}
		if got := a.People.Vault.Hash("events:registration-email", "x@example.org"); got != want {
			t.Fatal("a new site hashes with another key than its own")
		}
		// As a site from before this version: no stored hashing key.
		forget := func() {
			if _, err := d.ExecContext(ctx, `DELETE FROM settings WHERE key = 'secret.hash_key'`); err != nil {
				t.Fatal(err)
			}
		}
		forget()
		if a, err = app.New(ctx, cfg, d); err != nil || a.People.Vault.Hash("events:registration-email", "x@example.org") != want {
			t.Fatalf("an upgraded site: %v", err)
		}
		forget()
		cfg.SiteKey = keyB
		if err := os.WriteFile(filepath.Join(cfg.DataDir, app.OldSiteKeyFile), []byte(keyA+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		a, err = app.New(ctx, cfg, d)
		if err != nil {
			t.Fatalf("new key with site.key.old: %v", err)
		}
		if a.People.Vault.Hash("events:registration-email", "x@example.org") != want {
			t.Fatal("an upgraded site starting mid-rotation hashes with the new key")
		}
		if sealed := a.People.Vault.Seal("v", "c"); secret.SealedWith(sealed) == boxA.KeyID() {
			t.Fatal("mid-rotation, new values are sealed with the old key")
		}
	})
}
