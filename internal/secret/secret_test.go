package secret

import (
	"bytes"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
)

func TestSealOpen(t *testing.T) {
	b, err := Open(NewKey())
	if err != nil {
		t.Fatal(err)
	}
	sealed := b.SealString("someone@example.org", "registration.email")
	if strings.Contains(sealed, "someone") {
		t.Fatal("sealed text holds the plaintext")
	}
	if !strings.HasPrefix(sealed, "$"+b.KeyID()+"$") || SealedWith(sealed) != b.KeyID() || len(b.KeyID()) != 8 {
		t.Fatalf("sealed text %q does not name its key %q", sealed, b.KeyID())
	}
	if sealed == b.SealString("someone@example.org", "registration.email") {
		t.Fatal("sealing twice gave the same text: the nonce is not random")
	}
	got, err := b.OpenString(sealed, "registration.email")
	if err != nil || got != "someone@example.org" {
		t.Fatalf("open: %q %v", got, err)
	}
	// Another column, another key, a changed byte: refused.
	if _, err := b.OpenString(sealed, "registration.name"); !errors.Is(err, ErrOpen) {
		t.Fatalf("opened under another context: %v", err)
	}
	other, _ := Open(NewKey())
	if _, err := other.OpenString(sealed, "registration.email"); !errors.Is(err, ErrOpen) {
		t.Fatalf("opened with another key: %v", err)
	}
	changed := []byte(sealed)
	changed[len(changed)-2] ^= 1
	if _, err := b.OpenString(string(changed), "registration.email"); !errors.Is(err, ErrOpen) {
		t.Fatal("a changed ciphertext opened")
	}
	for _, junk := range []string{"!!!", "$", "$$abc", "$" + b.KeyID() + "$", "AQI", "$" + b.KeyID()} {
		if _, err := b.OpenString(junk, "c"); !errors.Is(err, ErrOpen) {
			t.Errorf("garbage %q opened", junk)
		}
	}
}

// legacySeal seals as peerpress did before key ids: plain base64.
func legacySeal(b *Box, plain, context string) string {
	return base64.RawStdEncoding.EncodeToString(b.seal([]byte(plain), context))
}

// A value sealed before key ids still opens, with the key that sealed it
// whether it is the sealing key or an older one.
func TestLegacyValuesOpen(t *testing.T) {
	oldKey, newKey := NewKey(), NewKey()
	old, _ := Open(oldKey)
	legacy := legacySeal(old, "kin@example.org", "tributes.email")
	if got, err := old.OpenString(legacy, "tributes.email"); err != nil || got != "kin@example.org" {
		t.Fatalf("legacy value with its own key: %q %v", got, err)
	}
	ring, err := OpenRing(newKey, oldKey)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := ring.OpenString(legacy, "tributes.email"); err != nil || got != "kin@example.org" {
		t.Fatalf("legacy value with the old key in a ring: %q %v", got, err)
	}
	fresh, _ := Open(newKey)
	if _, err := fresh.OpenString(legacy, "tributes.email"); !errors.Is(err, ErrOpen) {
		t.Fatal("a legacy value opened without its key")
	}
}

// Rotation: a ring seals with the new key and opens both; Reseal moves a
// value to the new key once; afterwards the new key alone opens it and
// the old key alone does not.
func TestRotation(t *testing.T) {
	oldKey, newKey := NewKey(), NewKey()
	old, _ := Open(oldKey)
	ring, err := OpenRing(newKey, oldKey)
	if err != nil {
		t.Fatal(err)
	}
	if ids := ring.KeyIDs(); len(ids) != 2 || ids[0] != ring.KeyID() || ids[1] != old.KeyID() {
		t.Fatalf("key ids %v", ids)
	}
	values := []string{old.SealString("name one", "c"), legacySeal(old, "name two", "c"), ring.SealString("name three", "c")}
	var moved []string
	for i, v := range values {
		out, changed, err := ring.Reseal(v, "c")
		if err != nil {
			t.Fatal(err)
		}
		if changed != (i < 2) {
			t.Errorf("value %d: changed %v", i, changed)
		}
		again, changedAgain, err := ring.Reseal(out, "c")
		if err != nil || changedAgain || again != out {
			t.Errorf("value %d resealed twice: %v %v", i, changedAgain, err)
		}
		moved = append(moved, out)
	}
	fresh, _ := Open(newKey)
	for i, v := range moved {
		if got, err := fresh.OpenString(v, "c"); err != nil || !strings.HasPrefix(got, "name ") {
			t.Errorf("value %d does not open with the new key alone: %q %v", i, got, err)
		}
		if _, err := old.OpenString(v, "c"); !errors.Is(err, ErrOpen) {
			t.Errorf("value %d still opens with the old key", i)
		}
	}
	if _, err := ring.Only().OpenString(values[0], "c"); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("Only() still opens the old key's values: %v", err)
	}
	if _, _, err := ring.Reseal("$zzzzzzzz$AAAA", "c"); !errors.Is(err, ErrOpen) {
		t.Errorf("a value of an unknown key resealed: %v", err)
	}
}

// Keyed hashes survive a key change: the hashing key is kept sealed and
// given back to the box of the new key.
func TestHashKeyOutlivesTheKey(t *testing.T) {
	oldKey, newKey := NewKey(), NewKey()
	old, _ := Open(oldKey)
	want := old.Hash("x@example.org", "email")
	ring, _ := OpenRing(newKey, oldKey)
	if ring.Hash("x@example.org", "email") == want {
		t.Fatal("a new key hashes as the old one without being told")
	}
	viaID, err := ring.WithHashKeyOf(old.KeyID())
	if err != nil || viaID.Hash("x@example.org", "email") != want {
		t.Fatalf("WithHashKeyOf: %v", err)
	}
	stored := viaID.SealHashKey()
	if SealedWith(stored) != ring.KeyID() {
		t.Fatal("the hashing key is not sealed with the sealing key")
	}
	fresh, _ := Open(newKey)
	later, err := fresh.WithHashKey(stored)
	if err != nil || later.Hash("x@example.org", "email") != want {
		t.Fatalf("WithHashKey with the new key alone: %v", err)
	}
	if later.Check() != fresh.Check() || later.Check() == old.Check() {
		t.Fatal("the check follows the hashing key instead of the sealing key")
	}
	if ring.CheckedBy(old.Check()) != old.KeyID() || ring.CheckedBy(fresh.Check()) != fresh.KeyID() || ring.CheckedBy("nope") != "" {
		t.Fatal("CheckedBy does not name the key of a check")
	}
	if _, err := old.WithHashKey(stored); !errors.Is(err, ErrOpen) {
		t.Fatal("the old key alone opened the new sealed hashing key")
	}
}

func TestHash(t *testing.T) {
	k := NewKey()
	a, _ := Open(k)
	b, _ := Open(k)
	if a.Hash("x@example.org", "email") != b.Hash("x@example.org", "email") {
		t.Fatal("the same key hashes differently")
	}
	if a.Hash("x@example.org", "email") == a.Hash("y@example.org", "email") || a.Hash("x", "email") == a.Hash("x", "name") {
		t.Fatal("different values or contexts hash the same")
	}
	other, _ := Open(NewKey())
	if other.Hash("x@example.org", "email") == a.Hash("x@example.org", "email") || other.Check() == a.Check() {
		t.Fatal("another key hashes the same")
	}
	if bytes.Contains([]byte(a.Hash("x@example.org", "email")), []byte("example")) {
		t.Fatal("hash leaks the value")
	}
	// The check is what peerpress stored before key ids, so existing
	// databases still recognise their key.
	if a.Check() != a.Hash("peerpress site key check", "check") {
		t.Fatal("the check changed its definition")
	}
}

func TestBadKeys(t *testing.T) {
	for key, want := range map[string]error{"": ErrNoKey, "  ": ErrNoKey, "not base64!": ErrBadKey, "c2hvcnQ=": ErrBadKey} {
		if _, err := Open(key); !errors.Is(err, want) {
			t.Errorf("Open(%q) = %v, want %v", key, err, want)
		}
	}
	if _, err := OpenRing(NewKey(), "c2hvcnQ="); !errors.Is(err, ErrBadKey) {
		t.Errorf("a bad old key: %v", err)
	}
	if b, err := OpenRing(NewKey(), ""); err != nil || len(b.KeyIDs()) != 1 {
		t.Errorf("an empty old key: %v", err)
	}
}
