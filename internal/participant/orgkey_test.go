package participant

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// testWorkFactor keeps scrypt cheap in tests; the file format is the same.
const testWorkFactor = 10

// With an organisation key, what is sealed for staff opens with the
// unlocked identity only: not with the site key, not in a request that
// has not unlocked, not in another column. Without one, it is sealed with
// the site key as before.
func TestSealForStaff(t *testing.T) {
	ctx := context.Background()
	v := newVault(t)
	plain := v.SealForStaff("Amina Zq7", "events.name")
	if IsSealedForStaff(plain) {
		t.Fatal("sealed to an organisation key the site does not have")
	}
	if got, err := v.OpenFor(ctx, plain, "events.name"); err != nil || got != "Amina Zq7" {
		t.Fatalf("site-key value: %q %v", got, err)
	}

	recipient, file, err := NewOrgKey("correct horse battery", testWorkFactor)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(file), "AGE-SECRET-KEY") || !strings.HasPrefix(string(file), "-----BEGIN AGE ENCRYPTED FILE-----") {
		t.Fatalf("the identity file is not encrypted:\n%s", file)
	}
	if err := v.SetOrgRecipient(recipient); err != nil || v.OrgRecipient() != recipient {
		t.Fatalf("recipient: %v", err)
	}
	sealed := v.SealForStaff("Amina Zq7", "events.name")
	if !IsSealedForStaff(sealed) || strings.Contains(sealed, "Amina") {
		t.Fatalf("not sealed to the organisation: %q", sealed)
	}
	if _, err := v.Open(sealed, "events.name"); !errors.Is(err, ErrLocked) {
		t.Fatalf("the site key opened it: %v", err)
	}
	if _, err := v.OpenFor(ctx, sealed, "events.name"); !errors.Is(err, ErrLocked) {
		t.Fatalf("opened without unlocking: %v", err)
	}
	if _, err := OpenIdentityFile(file, "wrong passphrase"); !errors.Is(err, ErrBadIdentity) {
		t.Fatalf("a wrong passphrase: %v", err)
	}
	id, err := OpenIdentityFile(file, "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	unlocked := Unlocked(ctx, id)
	if got, err := v.OpenFor(unlocked, sealed, "events.name"); err != nil || got != "Amina Zq7" {
		t.Fatalf("unlocked: %q %v", got, err)
	}
	if _, err := v.OpenFor(unlocked, sealed, "events.answers"); err == nil {
		t.Fatal("a value opened in another column")
	}
	_, otherFile, _ := NewOrgKey("another", testWorkFactor)
	other, _ := OpenIdentityFile(otherFile, "another")
	if _, err := v.OpenFor(Unlocked(ctx, other), sealed, "events.name"); err == nil {
		t.Fatal("another organisation's key opened it")
	}
}

// A reseal moves staff columns to the organisation's key and leaves the
// others with the site key; a second pass changes nothing.
func TestResealForStaff(t *testing.T) {
	v := newVault(t)
	name, email := v.SealForStaff("Amina", "n"), v.Seal("a@example.org", "e")
	recipient, file, _ := NewOrgKey("pass phrase", testWorkFactor)
	v.SetOrgRecipient(recipient)
	moved, changed, err := v.resealFor(name, "n", true)
	if err != nil || !changed || !IsSealedForStaff(moved) {
		t.Fatalf("staff column: %v %v", changed, err)
	}
	if again, changed, _ := v.resealFor(moved, "n", true); changed || again != moved {
		t.Fatal("a value already with the organisation was sealed again")
	}
	if kept, changed, err := v.resealFor(email, "e", false); err != nil || changed || kept != email {
		t.Fatalf("a site-key column moved: %v %v", changed, err)
	}
	id, _ := OpenIdentityFile(file, "pass phrase")
	if got, err := OpenWithIdentity(id, moved, "n"); err != nil || got != "Amina" {
		t.Fatalf("moved value: %q %v", got, err)
	}
}

// The keyring holds a session's identity until the session locks it or
// leaves it idle too long, and holds nothing for other sessions or for a
// key file that is not the site's organisation key.
func TestKeyring(t *testing.T) {
	recipient, file, _ := NewOrgKey("pass phrase", testWorkFactor)
	_, otherFile, _ := NewOrgKey("pass phrase", testWorkFactor)
	now := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	k := NewKeyring(15 * time.Minute)
	k.SetClock(func() time.Time { return now })
	if err := k.Unlock("s1", file, "not it", recipient); !errors.Is(err, ErrBadIdentity) {
		t.Fatalf("wrong passphrase: %v", err)
	}
	if err := k.Unlock("s1", otherFile, "pass phrase", recipient); !errors.Is(err, ErrWrongOrgKey) {
		t.Fatalf("another organisation's key: %v", err)
	}
	if _, ok := k.Identity("s1"); ok {
		t.Fatal("held after failed unlocks")
	}
	if err := k.Unlock("s1", file, "pass phrase", recipient); err != nil {
		t.Fatal(err)
	}
	if _, ok := k.Identity("s2"); ok {
		t.Fatal("another session holds the key")
	}
	now = now.Add(14 * time.Minute)
	if _, ok := k.Identity("s1"); !ok {
		t.Fatal("dropped before the idle time")
	}
	now = now.Add(14 * time.Minute) // 14 minutes since the last use
	if !k.Held("s1") {
		t.Fatal("a use did not count")
	}
	now = now.Add(2 * time.Minute)
	if k.Held("s1") {
		t.Fatal("held after 16 idle minutes")
	}
	if _, ok := k.Identity("s1"); ok {
		t.Fatal("used after 16 idle minutes")
	}
	k.Unlock("s1", file, "pass phrase", recipient)
	k.Lock("s1")
	if _, ok := k.Identity("s1"); ok {
		t.Fatal("held after locking")
	}
}
