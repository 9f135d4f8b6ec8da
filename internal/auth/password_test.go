package auth_test

import (
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	"golang.org/x/crypto/argon2"

	"peerpress/internal/auth"
)

func TestHashPasswordRoundTrip(t *testing.T) {
	const pw = "correct horse battery staple"
	h, err := auth.HashPassword(pw)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("hash %q: want argon2id PHC string with default parameters", h)
	}
	parts := strings.Split(h, "$")
	if len(parts) != 6 {
		t.Fatalf("hash %q: %d parts, want 6", h, len(parts))
	}
	if salt, err := base64.RawStdEncoding.DecodeString(parts[4]); err != nil || len(salt) != 16 {
		t.Errorf("salt %q: %d bytes, err %v; want 16 bytes", parts[4], len(salt), err)
	}
	if key, err := base64.RawStdEncoding.DecodeString(parts[5]); err != nil || len(key) != 32 {
		t.Errorf("key %q: %d bytes, err %v; want 32 bytes", parts[5], len(key), err)
	}

	ok, err := auth.CheckPassword(h, pw)
	if err != nil || !ok {
		t.Errorf("CheckPassword(right) = %v, %v; want true, nil", ok, err)
	}
	ok, err = auth.CheckPassword(h, pw+"!")
	if err != nil || ok {
		t.Errorf("CheckPassword(wrong) = %v, %v; want false, nil", ok, err)
	}

	// A fresh salt each time: the same password never hashes the same.
	h2, err := auth.HashPassword(pw)
	if err != nil {
		t.Fatal(err)
	}
	if h2 == h {
		t.Error("two hashes of one password are equal: salt is not random")
	}
}

// phc builds a PHC string by hand with the given parameters.
func phc(password string, salt []byte, m, tm uint32, p uint8, keyLen uint32) string {
	key := argon2.IDKey([]byte(password), salt, tm, m, p, keyLen)
	return fmt.Sprintf("$argon2id$v=19$m=%d,t=%d,p=%d$%s$%s", m, tm, p,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
}

func TestCheckPasswordHonoursParams(t *testing.T) {
	const pw = "another long password"
	salt := []byte("0123456789abcdef")
	h := phc(pw, salt, 64, 3, 2, 24)
	ok, err := auth.CheckPassword(h, pw)
	if err != nil || !ok {
		t.Fatalf("CheckPassword(%q) = %v, %v; want true, nil", h, ok, err)
	}
	// Parameters in another order are the same hash.
	reordered := strings.Replace(h, "m=64,t=3,p=2", "p=2,t=3,m=64", 1)
	if ok, err := auth.CheckPassword(reordered, pw); err != nil || !ok {
		t.Errorf("reordered params: %v, %v; want true, nil", ok, err)
	}
	// Each parameter must be used: change one and the key no longer matches.
	for _, swap := range []string{"m=128,t=3,p=2", "m=64,t=2,p=2", "m=64,t=3,p=1"} {
		alt := strings.Replace(h, "m=64,t=3,p=2", swap, 1)
		ok, err := auth.CheckPassword(alt, pw)
		if err != nil || ok {
			t.Errorf("params %s: CheckPassword = %v, %v; want false, nil", swap, ok, err)
		}
	}
	// The salt is taken from the string.
	otherSalt := phc(pw, []byte("fedcba9876543210"), 64, 3, 2, 24)
	parts, otherParts := strings.Split(h, "$"), strings.Split(otherSalt, "$")
	parts[4] = otherParts[4]
	if ok, _ := auth.CheckPassword(strings.Join(parts, "$"), pw); ok {
		t.Error("swapping the salt still matched: salt ignored")
	}
}

func TestCheckPasswordMalformed(t *testing.T) {
	good := phc("some password", []byte("0123456789abcdef"), 64, 1, 1, 32)
	parts := strings.Split(good, "$")
	salt, key := parts[4], parts[5]
	cases := map[string]string{
		"empty":           "",
		"plain text":      "some password",
		"bcrypt":          "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy",
		"argon2i":         "$argon2i$v=19$m=64,t=1,p=1$" + salt + "$" + key,
		"version 16":      "$argon2id$v=16$m=64,t=1,p=1$" + salt + "$" + key,
		"no version":      "$argon2id$m=64,t=1,p=1$" + salt + "$" + key,
		"missing key":     "$argon2id$v=19$m=64,t=1,p=1$" + salt,
		"extra part":      good + "$x",
		"missing param":   "$argon2id$v=19$m=64,t=1$" + salt + "$" + key,
		"duplicate param": "$argon2id$v=19$m=64,t=1,t=1$" + salt + "$" + key,
		"unknown param":   "$argon2id$v=19$m=64,t=1,p=1,x=1$" + salt + "$" + key,
		"zero time":       "$argon2id$v=19$m=64,t=0,p=1$" + salt + "$" + key,
		"zero threads":    "$argon2id$v=19$m=64,t=1,p=0$" + salt + "$" + key,
		"threads > 255":   "$argon2id$v=19$m=64,t=1,p=256$" + salt + "$" + key,
		"huge memory":     "$argon2id$v=19$m=4294967295,t=1,p=1$" + salt + "$" + key,
		"negative memory": "$argon2id$v=19$m=-1,t=1,p=1$" + salt + "$" + key,
		"bad salt b64":    "$argon2id$v=19$m=64,t=1,p=1$!!!!$" + key,
		"padded salt":     "$argon2id$v=19$m=64,t=1,p=1$" + salt + "==$" + key,
		"short salt":      "$argon2id$v=19$m=64,t=1,p=1$YWJj$" + key,
		"bad key b64":     "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$!!!!",
		"empty key":       "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$",
	}
	for name, h := range cases {
		t.Run(name, func(t *testing.T) {
			ok, err := auth.CheckPassword(h, "some password")
			if err == nil || ok {
				t.Errorf("CheckPassword(%q) = %v, %v; want false and an error", h, ok, err)
			}
		})
	}
	// The hand-made string itself is fine, so the failures above are due to
	// what each case changed.
	if ok, err := auth.CheckPassword(good, "some password"); err != nil || !ok {
		t.Fatalf("control: CheckPassword = %v, %v", ok, err)
	}
}

func TestRoles(t *testing.T) {
	for _, tc := range []struct {
		in                   string
		editAll, users, taxo bool
	}{
		{"admin", true, true, true},
		{"editor", true, false, true},
		{"author", false, false, false},
	} {
		r, err := auth.ParseRole(tc.in)
		if err != nil || string(r) != tc.in {
			t.Fatalf("ParseRole(%q) = %q, %v", tc.in, r, err)
		}
		if r.CanEditAll() != tc.editAll || r.CanManageUsers() != tc.users || r.CanManageTaxonomy() != tc.taxo {
			t.Errorf("%s: CanEditAll %v, CanManageUsers %v, CanManageTaxonomy %v; want %v, %v, %v",
				r, r.CanEditAll(), r.CanManageUsers(), r.CanManageTaxonomy(), tc.editAll, tc.users, tc.taxo)
		}
	}
	for _, bad := range []string{"", "Admin", "root", " admin", "author "} {
		if r, err := auth.ParseRole(bad); err == nil {
			t.Errorf("ParseRole(%q) = %q, nil; want an error", bad, r)
		}
	}
	if auth.Role("root").CanEditAll() || auth.Role("").CanManageUsers() || auth.Role("x").CanManageTaxonomy() {
		t.Error("an unknown role was granted a permission")
	}
}
