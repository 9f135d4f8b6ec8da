package auth_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"peerpress/internal/auth"
	"peerpress/internal/db"
	"peerpress/internal/db/dbtest"
)

// invite invites and returns the token the mail would carry.
func invite(t *testing.T, s *auth.Store, in auth.Invitation) (auth.User, string) {
	t.Helper()
	var token string
	u, err := s.Invite(context.Background(), in, func(_ context.Context, _ *db.Tx, _ auth.User, tok string) error {
		token = tok
		return nil
	})
	if err != nil {
		t.Fatalf("invite %s: %v", in.Email, err)
	}
	return u, token
}

func status(t *testing.T, s *auth.Store, id int64) auth.UserStatus {
	t.Helper()
	st, err := s.UserStatuses(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return st[id]
}

// An invitation makes a user who cannot sign in, whose link sets their
// password once; a weak password, a used link, an expired or replaced
// one change nothing.
func TestInvitation(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := auth.NewStore(d)
		admin := mustCreate(t, s, "admin@example.org", auth.RoleAdmin)
		u, token := invite(t, s, auth.Invitation{Email: " New@Example.org ", Name: "New Person", Role: auth.RoleTranslator,
			Languages: []string{"fr", "es", "fr"}, Lang: "fr", By: admin.ID})
		if u.Email != "new@example.org" || u.Name != "New Person" || u.Role != auth.RoleTranslator || token == "" {
			t.Fatalf("invited %+v %q", u, token)
		}
		if langs, _ := s.Languages(ctx, u.ID); len(langs) != 2 || langs[0] != "es" || langs[1] != "fr" {
			t.Errorf("languages %v", langs)
		}
		if st := status(t, s, u.ID); st != auth.StatusInvited {
			t.Errorf("status %s", st)
		}
		if st := status(t, s, admin.ID); st != auth.StatusActive {
			t.Errorf("the admin's status %s", st)
		}
		if _, err := s.Authenticate(ctx, "new@example.org", ""); !errors.Is(err, auth.ErrBadCredentials) {
			t.Fatalf("an invited user signs in without a password: %v", err)
		}
		if got, lang, err := s.PendingInvitation(ctx, token); err != nil || got.ID != u.ID || lang != "fr" {
			t.Fatalf("pending: %+v %q %v", got, lang, err)
		}

		// A weak password: refused, the link still works.
		if _, err := s.AcceptInvitation(ctx, token, "short"); !errors.Is(err, auth.ErrWeakPassword) {
			t.Fatalf("weak password: %v", err)
		}
		if _, _, err := s.PendingInvitation(ctx, token); err != nil {
			t.Fatalf("after a weak password: %v", err)
		}
		if got, err := s.AcceptInvitation(ctx, token, testPassword); err != nil || got.ID != u.ID {
			t.Fatalf("accept: %+v %v", got, err)
		}
		if _, err := s.Authenticate(ctx, "new@example.org", testPassword); err != nil {
			t.Fatalf("sign in after accepting: %v", err)
		}
		if st := status(t, s, u.ID); st != auth.StatusActive {
			t.Errorf("status after accepting: %s", st)
		}
		// Used: says so, and changes nothing.
		if _, _, err := s.PendingInvitation(ctx, token); !errors.Is(err, auth.ErrInviteUsed) {
			t.Errorf("used link: %v", err)
		}
		if _, err := s.AcceptInvitation(ctx, token, "another long password"); !errors.Is(err, auth.ErrInviteUsed) {
			t.Errorf("used link again: %v", err)
		}
		if _, err := s.Authenticate(ctx, "new@example.org", testPassword); err != nil {
			t.Fatalf("the password changed through a used link: %v", err)
		}
		// Someone who can sign in is not invited.
		if _, err := s.Invite(ctx, auth.Invitation{Email: "new@example.org", Role: auth.RoleEditor}, nil); !errors.Is(err, auth.ErrAlreadyActive) {
			t.Errorf("invite an active user: %v", err)
		}
		for _, bad := range []auth.Invitation{{Email: "not an address", Role: auth.RoleAuthor}, {Email: "x@example.org", Role: "king"},
			{Email: "x@example.org", Role: auth.RoleAuthor, Name: string(make([]rune, 201))}} {
			if _, err := s.Invite(ctx, bad, nil); err == nil {
				t.Errorf("invited %+v", bad)
			}
		}
		for _, junk := range []string{"", "abc", token + "x", "../../etc/passwd"} {
			if _, _, err := s.PendingInvitation(ctx, junk); !errors.Is(err, auth.ErrInviteInvalid) {
				t.Errorf("junk token %q: %v", junk, err)
			}
		}
	})
}

// An imported author (no password) is invited as anyone is, keeps their
// name, takes the role given; a second invitation replaces the first,
// whose link stops working; an expired link changes nothing; a mail that
// cannot be queued leaves no invitation and no user.
func TestInvitationOfImportedAuthor(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := auth.NewStore(d)
		var id int64
		if err := d.InTx(ctx, func(tx *db.Tx) (err error) {
			id, _, err = auth.AddWithoutPassword(ctx, tx, "author@example.org", "Imported Author", auth.RoleAuthor)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if st := status(t, s, id); st != auth.StatusNotInvited {
			t.Errorf("imported: %s", st)
		}
		u, first := invite(t, s, auth.Invitation{Email: "author@example.org", Role: auth.RoleEditor, Lang: "en"})
		if u.ID != id || u.Name != "Imported Author" || u.Role != auth.RoleEditor {
			t.Fatalf("invited %+v", u)
		}
		_, second := invite(t, s, auth.Invitation{Email: "author@example.org", Role: auth.RoleEditor, Lang: "en"})
		if _, err := s.AcceptInvitation(ctx, first, testPassword); !errors.Is(err, auth.ErrInviteInvalid) {
			t.Errorf("the replaced link: %v", err)
		}
		if _, err := d.ExecContext(ctx, `UPDATE invitations SET expires_at = ?`, time.Now().Add(-time.Minute).Unix()); err != nil {
			t.Fatal(err)
		}
		if st := status(t, s, id); st != auth.StatusInviteExpired {
			t.Errorf("expired: %s", st)
		}
		if _, err := s.AcceptInvitation(ctx, second, testPassword); !errors.Is(err, auth.ErrInviteInvalid) {
			t.Errorf("the expired link: %v", err)
		}
		if _, err := s.Authenticate(ctx, "author@example.org", testPassword); !errors.Is(err, auth.ErrBadCredentials) {
			t.Errorf("an expired link set the password: %v", err)
		}
		// Old invitations go a week after they ended.
		if n, err := s.PurgeInvitations(ctx, time.Now().Add(auth.InviteLifetime+time.Hour)); err != nil || n != 1 {
			t.Errorf("purge: %d %v", n, err)
		}

		failed := errors.New("no queue")
		_, err := s.Invite(ctx, auth.Invitation{Email: "nobody@example.org", Role: auth.RoleAuthor},
			func(context.Context, *db.Tx, auth.User, string) error { return failed })
		if !errors.Is(err, failed) {
			t.Fatalf("a failed mail: %v", err)
		}
		if _, err := s.UserByEmail(ctx, "nobody@example.org"); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("a failed mail left its user: %v", err)
		}
	})
}
