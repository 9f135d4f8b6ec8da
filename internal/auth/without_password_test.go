package auth_test

import (
	"context"
	"errors"
	"testing"

	"peerpress/internal/auth"
	"peerpress/internal/db"
	"peerpress/internal/db/dbtest"
)

// A user added without a password (an imported author) cannot sign in
// with any password, the empty one included, until an admin sets one; an
// email already taken finds its user.
func TestAddWithoutPassword(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := auth.NewStore(d)
		existing := mustCreate(t, s, "editor@example.org", auth.RoleEditor)
		var id, again int64
		var existed bool
		err := d.InTx(ctx, func(tx *db.Tx) (err error) {
			if id, existed, err = auth.AddWithoutPassword(ctx, tx, " Author@Example.org ", "An Author", auth.RoleAuthor); err != nil || existed {
				t.Fatalf("add: %v %v", err, existed)
			}
			if again, existed, err = auth.AddWithoutPassword(ctx, tx, "editor@example.org", "Other", auth.RoleAuthor); err != nil || !existed || again != existing.ID {
				t.Fatalf("taken email: %d %v %v", again, existed, err)
			}
			if _, _, err := auth.AddWithoutPassword(ctx, tx, "not an address", "", auth.RoleAuthor); !errors.Is(err, auth.ErrInvalidEmail) {
				t.Fatalf("bad address: %v", err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, pw := range []string{"", "anything at all here"} {
			if _, err := s.Authenticate(ctx, "author@example.org", pw); !errors.Is(err, auth.ErrBadCredentials) {
				t.Errorf("password %q: %v", pw, err)
			}
		}
		if err := s.SetPassword(ctx, id, testPassword); err != nil {
			t.Fatal(err)
		}
		if u, err := s.Authenticate(ctx, "author@example.org", testPassword); err != nil || u.ID != id || u.Name != "An Author" || u.Role != auth.RoleAuthor {
			t.Fatalf("after a password was set: %+v %v", u, err)
		}
	})
}
