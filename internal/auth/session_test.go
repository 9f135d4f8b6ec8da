package auth_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"reflect"
	"testing"
	"time"

	"peerpress/internal/auth"
	"peerpress/internal/db"
	"peerpress/internal/db/dbtest"
)

func mustSession(t *testing.T, s *auth.Store, userID int64) (string, auth.Session) {
	t.Helper()
	token, sess, err := s.CreateSession(context.Background(), userID)
	if err != nil {
		t.Fatalf("CreateSession(%d): %v", userID, err)
	}
	return token, sess
}

func wantNoSession(t *testing.T, s *auth.Store, token, why string) {
	t.Helper()
	sess, u, err := s.SessionByToken(context.Background(), token)
	if !errors.Is(err, db.ErrNotFound) {
		t.Errorf("%s: SessionByToken = %+v, %+v, %v; want db.ErrNotFound", why, sess, u, err)
	}
}

func TestSessions(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := auth.NewStore(d)
		u := mustCreate(t, s, "eve@example.org", auth.RoleAuthor)

		start := time.Now()
		token, sess, err := s.CreateSession(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(token) != 43 || len(sess.CSRFToken) != 43 || token == sess.CSRFToken {
			t.Errorf("token %q, csrf %q: want two different 43-character tokens", token, sess.CSRFToken)
		}
		if sess.UserID != u.ID {
			t.Errorf("session user %d, want %d", sess.UserID, u.ID)
		}
		if want := start.Add(auth.SessionLifetime); sess.ExpiresAt.Before(want.Add(-2*time.Second)) || sess.ExpiresAt.After(want.Add(2*time.Second)) {
			t.Errorf("ExpiresAt %v, want about %v", sess.ExpiresAt, want)
		}

		gotSess, gotUser, err := s.SessionByToken(ctx, token)
		if err != nil {
			t.Fatal(err)
		}
		if gotSess != sess || !reflect.DeepEqual(gotUser, u) {
			t.Errorf("SessionByToken = %+v, %+v; want %+v, %+v", gotSess, gotUser, sess, u)
		}

		// Only the token's SHA-256 is in the table.
		var stored string
		if err := d.QueryRowContext(ctx, `SELECT token_hash FROM sessions WHERE user_id = ?`, u.ID).Scan(&stored); err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256([]byte(token))
		if stored == token || stored != hex.EncodeToString(sum[:]) {
			t.Errorf("stored token_hash %q for token %q: want hex sha256 of the token", stored, token)
		}
		var n int
		if err := d.QueryRowContext(ctx, `SELECT COUNT(*) FROM sessions WHERE token_hash = ?`, token).Scan(&n); err != nil || n != 0 {
			t.Errorf("rows holding the raw token: %d, %v", n, err)
		}

		// Neither the stored hash nor a look-alike token opens the session.
		wantNoSession(t, s, stored, "token_hash used as token")
		altered := token[:42] + "A"
		if altered == token { // the last character was already A
			altered = token[:42] + "E"
		}
		wantNoSession(t, s, altered, "altered token")
		wantNoSession(t, s, "", "empty token")

		if _, _, err := s.CreateSession(ctx, 9999); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("CreateSession(unknown user) = %v; want db.ErrNotFound", err)
		}

		if err := s.DeleteSession(ctx, token); err != nil {
			t.Fatal(err)
		}
		wantNoSession(t, s, token, "deleted session")
		if err := s.DeleteSession(ctx, token); err != nil {
			t.Errorf("deleting twice: %v", err)
		}
	})
}

func TestSessionExpiry(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := auth.NewStore(d)
		u := mustCreate(t, s, "finn@example.org", auth.RoleAuthor)

		expired, _ := mustSession(t, s, u.ID)
		justExpired, _ := mustSession(t, s, u.ID)
		live, _ := mustSession(t, s, u.ID)
		now := time.Now()
		setExpiry := func(token string, at time.Time) {
			t.Helper()
			sum := sha256.Sum256([]byte(token))
			res, err := d.ExecContext(ctx, `UPDATE sessions SET expires_at = ? WHERE token_hash = ?`, at.Unix(), hex.EncodeToString(sum[:]))
			if err != nil {
				t.Fatal(err)
			}
			if n, _ := res.RowsAffected(); n != 1 {
				t.Fatalf("setExpiry changed %d rows", n)
			}
		}
		setExpiry(expired, now.Add(-time.Hour))
		setExpiry(justExpired, now.Add(-time.Second))

		wantNoSession(t, s, expired, "session expired an hour ago")
		wantNoSession(t, s, justExpired, "session expired a second ago")
		if _, _, err := s.SessionByToken(ctx, live); err != nil {
			t.Errorf("live session: %v", err)
		}

		// Purging as of an hour and a half ago finds nothing yet.
		if n, err := s.PurgeExpiredSessions(ctx, now.Add(-90*time.Minute)); err != nil || n != 0 {
			t.Errorf("early purge = %d, %v; want 0", n, err)
		}
		if n, err := s.PurgeExpiredSessions(ctx, now); err != nil || n != 2 {
			t.Errorf("purge = %d, %v; want 2", n, err)
		}
		if n, err := s.PurgeExpiredSessions(ctx, now); err != nil || n != 0 {
			t.Errorf("second purge = %d, %v; want 0", n, err)
		}
		var left int
		if err := d.QueryRowContext(ctx, `SELECT COUNT(*) FROM sessions`).Scan(&left); err != nil || left != 1 {
			t.Errorf("sessions left: %d, %v; want 1", left, err)
		}
		if _, _, err := s.SessionByToken(ctx, live); err != nil {
			t.Errorf("live session after purge: %v", err)
		}
	})
}

func TestSessionsEndOnPasswordChangeAndDisable(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := auth.NewStore(d)
		gus := mustCreate(t, s, "gus@example.org", auth.RoleEditor)
		hal := mustCreate(t, s, "hal@example.org", auth.RoleAuthor)

		gus1, _ := mustSession(t, s, gus.ID)
		gus2, _ := mustSession(t, s, gus.ID)
		halTok, _ := mustSession(t, s, hal.ID)

		if err := s.SetPassword(ctx, gus.ID, "a fresh new password"); err != nil {
			t.Fatal(err)
		}
		wantNoSession(t, s, gus1, "first session after SetPassword")
		wantNoSession(t, s, gus2, "second session after SetPassword")
		if _, _, err := s.SessionByToken(ctx, halTok); err != nil {
			t.Errorf("another user's session after SetPassword: %v", err)
		}

		// A role change keeps the session and shows through it at once.
		gus3, _ := mustSession(t, s, gus.ID)
		if err := s.SetRole(ctx, gus.ID, auth.RoleAdmin); err != nil {
			t.Fatal(err)
		}
		if _, u, err := s.SessionByToken(ctx, gus3); err != nil || u.Role != auth.RoleAdmin {
			t.Errorf("after SetRole: user %+v, %v; want role admin", u, err)
		}

		if err := s.SetDisabled(ctx, hal.ID, true); err != nil {
			t.Fatal(err)
		}
		wantNoSession(t, s, halTok, "session after SetDisabled")
		var n int
		if err := d.QueryRowContext(ctx, `SELECT COUNT(*) FROM sessions WHERE user_id = ?`, hal.ID).Scan(&n); err != nil || n != 0 {
			t.Errorf("disabled user's session rows: %d, %v; want 0", n, err)
		}
		if _, _, err := s.CreateSession(ctx, hal.ID); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("CreateSession(disabled user) = %v; want db.ErrNotFound", err)
		}
		// Re-enabling does not bring old sessions back.
		if err := s.SetDisabled(ctx, hal.ID, false); err != nil {
			t.Fatal(err)
		}
		wantNoSession(t, s, halTok, "old session after re-enabling")
		if _, _, err := s.SessionByToken(ctx, gus3); err != nil {
			t.Errorf("other user's session after SetDisabled: %v", err)
		}

		// A session row that outlives its user's disabling (say, made by
		// hand) still must not open.
		tok, _ := mustSession(t, s, hal.ID)
		if _, err := d.ExecContext(ctx, `UPDATE users SET disabled = ? WHERE id = ?`, true, hal.ID); err != nil {
			t.Fatal(err)
		}
		wantNoSession(t, s, tok, "session of a user disabled behind the store's back")
	})
}
