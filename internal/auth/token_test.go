package auth_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"peerpress/internal/auth"
	"peerpress/internal/db"
	"peerpress/internal/db/dbtest"
)

// A personal API token opens its user, is kept only as a hash, belongs to
// one user, and stops working when revoked or when its user is disabled.
func TestAPITokens(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := auth.NewStore(d)
		tr := mustCreate(t, s, "tr@example.org", auth.RoleTranslator)
		if err := s.SetLanguages(ctx, tr.ID, []string{"fr", "ar"}); err != nil {
			t.Fatal(err)
		}
		other := mustCreate(t, s, "other@example.org", auth.RoleEditor)
		for _, name := range []string{"", "   ", strings.Repeat("x", 101)} {
			if _, _, err := s.CreateAPIToken(ctx, tr.ID, name); !errors.Is(err, auth.ErrTokenName) {
				t.Errorf("name %q: %v", name, err)
			}
		}
		tok, secret, err := s.CreateAPIToken(ctx, tr.ID, " script ")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(secret, auth.APITokenPrefix) || tok.Name != "script" || tok.ID == 0 {
			t.Fatalf("token %+v %q", tok, secret)
		}
		var stored string
		d.QueryRowContext(ctx, `SELECT token_hash FROM api_tokens WHERE id = ?`, tok.ID).Scan(&stored)
		if stored == "" || strings.Contains(stored, strings.TrimPrefix(secret, auth.APITokenPrefix)) {
			t.Fatalf("stored %q", stored)
		}
		u, err := s.UserByAPIToken(ctx, secret)
		if err != nil || u.ID != tr.ID || u.Role != auth.RoleTranslator || strings.Join(u.Languages, ",") != "ar,fr" {
			t.Fatalf("user by token: %+v %v", u, err)
		}
		list, err := s.APITokens(ctx, tr.ID)
		if err != nil || len(list) != 1 || list[0].LastUsedAt.IsZero() {
			t.Fatalf("tokens: %+v %v", list, err)
		}
		for _, bad := range []string{"", secret[:len(secret)-1], strings.TrimPrefix(secret, auth.APITokenPrefix), secret + "x"} {
			if _, err := s.UserByAPIToken(ctx, bad); !errors.Is(err, db.ErrNotFound) {
				t.Errorf("token %q: %v", bad, err)
			}
		}
		if err := s.RevokeAPIToken(ctx, other.ID, tok.ID); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("revoked by another user: %v", err)
		}
		if err := s.SetDisabled(ctx, tr.ID, true); err != nil {
			t.Fatal(err)
		}
		if _, err := s.UserByAPIToken(ctx, secret); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("disabled user's token: %v", err)
		}
		s.SetDisabled(ctx, tr.ID, false)
		if err := s.RevokeAPIToken(ctx, tr.ID, tok.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.UserByAPIToken(ctx, secret); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("revoked token: %v", err)
		}
	})
}
