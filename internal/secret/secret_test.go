package secret

import (
	"bytes"
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
	raw := b.Seal([]byte("x"), "c")
	raw[len(raw)-1] ^= 1
	if _, err := b.OpenBytes(raw, "c"); !errors.Is(err, ErrOpen) {
		t.Fatal("a changed ciphertext opened")
	}
	if _, err := b.OpenString("!!!", "c"); !errors.Is(err, ErrOpen) {
		t.Fatal("garbage opened")
	}
	if _, err := b.OpenBytes([]byte{1, 2}, "c"); !errors.Is(err, ErrOpen) {
		t.Fatal("short input opened")
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
}

func TestBadKeys(t *testing.T) {
	for key, want := range map[string]error{"": ErrNoKey, "  ": ErrNoKey, "not base64!": ErrBadKey, "c2hvcnQ=": ErrBadKey} {
		if _, err := Open(key); !errors.Is(err, want) {
			t.Errorf("Open(%q) = %v, want %v", key, err, want)
		}
	}
}
