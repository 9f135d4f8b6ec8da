package auth_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"peerpress/internal/auth"
	"peerpress/internal/db"
	"peerpress/internal/db/dbtest"
)

// A clock tests move by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// 200 wrong passwords at once against one account: every attempt is
// counted, only the few the limiter lets through reach the password
// check (the rest are refused before hashing), and the real person's
// right password works once the backoff is over.
func TestLimiterHoldsUnderParallelAttempts(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := auth.NewStore(d)
		c := &clock{t: time.Now()}
		s.Now = c.Now
		u := mustCreate(t, s, "target@example.org", auth.RoleAdmin)

		var checked, throttled atomic.Int32
		var wg sync.WaitGroup
		for range 200 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := s.SignIn(ctx, "Target@Example.org", "wrong password guess")
				switch {
				case errors.Is(err, auth.ErrBadCredentials):
					checked.Add(1)
				case errors.Is(err, auth.ErrThrottled):
					throttled.Add(1)
				default:
					t.Errorf("SignIn: %v", err)
				}
			}()
		}
		wg.Wait()
		if n := checked.Load(); n != 4 {
			t.Errorf("%d wrong passwords checked of 200 at once, want 4 (3 free, the 4th starts the backoff)", n)
		}
		if n := throttled.Load(); n != 196 {
			t.Errorf("%d refused before hashing, want 196", n)
		}
		attempts, failures, err := s.LoginAttempts(ctx, "target@example.org")
		if err != nil || attempts != 200 || failures != 4 {
			t.Errorf("recorded attempts %d, failures %d (%v); want 200 and 4", attempts, failures, err)
		}

		// During the backoff even the right password waits, and says so.
		_, err = s.SignIn(ctx, "target@example.org", testPassword)
		var te *auth.ThrottledError
		if !errors.As(err, &te) || te.Wait <= 0 || te.Wait > time.Second {
			t.Fatalf("right password during the backoff: %v; want a wait of a second at most", err)
		}
		// Then it works, and clears the count.
		c.Add(2 * time.Second)
		got, err := s.SignIn(ctx, "target@example.org", testPassword)
		if err != nil || got.ID != u.ID {
			t.Fatalf("right password after the backoff: %+v, %v", got, err)
		}
		if attempts, failures, _ := s.LoginAttempts(ctx, "target@example.org"); attempts != 0 || failures != 0 {
			t.Errorf("after a success: attempts %d, failures %d; want 0", attempts, failures)
		}
		var bursts int
		if err := d.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE action = ?`, auth.ActionSignInFailures).Scan(&bursts); err != nil || bursts != 1 {
			t.Errorf("burst audit rows: %d (%v), want 1", bursts, err)
		}
	})
}

// The wait doubles with each failure, up to a cap, and never becomes a
// lock: whoever waits it out gets another try.
func TestLimiterBacksOffWithCap(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := auth.NewStore(d)
		c := &clock{t: time.Now()}
		s.Now = c.Now
		// An unknown address is limited the same way, without an account.
		var waits []time.Duration
		for i := range 20 {
			_, err := s.SignIn(ctx, "nobody@example.org", "wrong password guess")
			var te *auth.ThrottledError
			for errors.As(err, &te) {
				waits = append(waits, te.Wait)
				c.Add(te.Wait)
				_, err = s.SignIn(ctx, "nobody@example.org", "wrong password guess")
			}
			if !errors.Is(err, auth.ErrBadCredentials) {
				t.Fatalf("attempt %d: %v", i, err)
			}
		}
		want := []time.Duration{1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900, 900, 900, 900, 900}
		if len(waits) != len(want) {
			t.Fatalf("waits %v, want %v seconds", waits, want)
		}
		for i := range want {
			if waits[i] != want[i]*time.Second {
				t.Fatalf("waits %v, want %v seconds", waits, want)
			}
		}
	})
}

// A reset link works once, within its hour, and no longer after a
// password change; it signs the user out everywhere.
func TestPasswordReset(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := auth.NewStore(d)
		c := &clock{t: time.Now()}
		s.Now = c.Now
		u := mustCreate(t, s, "forgetful@example.org", auth.RoleEditor)
		session, _ := mustSession(t, s, u.ID)

		request := func(email string) string {
			t.Helper()
			var got string
			err := s.RequestPasswordReset(ctx, email, func(_ context.Context, _ *db.Tx, to auth.User, token string) error {
				if to.ID != u.ID {
					t.Errorf("link for user %d, want %d", to.ID, u.ID)
				}
				got = token
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			return got
		}
		if tok := request("stranger@example.org"); tok != "" {
			t.Fatalf("a link was made for an unknown address")
		}
		tok := request("Forgetful@example.org")
		if got, err := s.PasswordResetUser(ctx, tok); err != nil || got.ID != u.ID {
			t.Fatalf("PasswordResetUser = %+v, %v", got, err)
		}
		if _, err := s.ResetPassword(ctx, tok, "short"); !errors.Is(err, auth.ErrWeakPassword) {
			t.Fatalf("weak password: %v", err)
		}
		if _, err := s.ResetPassword(ctx, tok, "a brand new passphrase"); err != nil {
			t.Fatal(err)
		}
		wantNoSession(t, s, session, "session after a reset")
		if _, err := s.ResetPassword(ctx, tok, "another new passphrase"); !errors.Is(err, auth.ErrResetInvalid) {
			t.Fatalf("second use of the link: %v; want ErrResetInvalid", err)
		}
		if _, err := s.SignIn(ctx, u.Email, "a brand new passphrase"); err != nil {
			t.Fatalf("sign in with the new password: %v", err)
		}

		// Expired (and a request within minutes of the last sends nothing).
		c.Add(6 * time.Minute)
		tok = request(u.Email)
		if again := request(u.Email); again != "" {
			t.Errorf("a second link minutes after the first")
		}
		c.Add(auth.ResetLifetime + time.Second)
		if _, err := s.ResetPassword(ctx, tok, "yet another passphrase"); !errors.Is(err, auth.ErrResetInvalid) {
			t.Fatalf("expired link: %v; want ErrResetInvalid", err)
		}
		// Invalidated by a password change.
		c.Add(6 * time.Minute)
		tok = request(u.Email)
		if err := s.ChangePassword(ctx, u.ID, "a brand new passphrase", "changed passphrase here"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.PasswordResetUser(ctx, tok); !errors.Is(err, auth.ErrResetInvalid) {
			t.Fatalf("link after a password change: %v; want ErrResetInvalid", err)
		}
		// A change needs the current password.
		if err := s.ChangePassword(ctx, u.ID, "not the password", "changed again passphrase"); !errors.Is(err, auth.ErrBadCredentials) {
			t.Fatalf("change with a wrong current password: %v", err)
		}
	})
}

// A user sees their sessions by browser, revokes one, and a session
// left idle past the timeout ends.
func TestSessionListRevokeAndIdle(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := auth.NewStore(d)
		c := &clock{t: time.Now()}
		s.Now = c.Now
		u := mustCreate(t, s, "busy@example.org", auth.RoleAdmin)
		other := mustCreate(t, s, "other@example.org", auth.RoleAdmin)
		laptop, _, err := s.StartSession(ctx, u.ID, "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0")
		if err != nil {
			t.Fatal(err)
		}
		c.Add(time.Minute)
		phone, phoneSess, err := s.StartSession(ctx, u.ID, "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36")
		if err != nil {
			t.Fatal(err)
		}
		list, err := s.Sessions(ctx, u.ID)
		if err != nil || len(list) != 2 || list[0].Device != "Chrome · Android" || list[1].Device != "Firefox · Linux" {
			t.Fatalf("Sessions = %+v, %v", list, err)
		}
		if err := s.RevokeSession(ctx, other.ID, phoneSess.ID); !errors.Is(err, db.ErrNotFound) {
			t.Fatalf("another user revoking: %v; want ErrNotFound", err)
		}
		if err := s.RevokeSession(ctx, u.ID, phoneSess.ID); err != nil {
			t.Fatal(err)
		}
		wantNoSession(t, s, phone, "revoked session")
		if _, _, err := s.SessionByToken(ctx, laptop); err != nil {
			t.Fatalf("the other session: %v", err)
		}
		// Used now and then, it lives; idle past the timeout, it ends.
		c.Add(s.IdleTimeout - time.Minute)
		if _, _, err := s.SessionByToken(ctx, laptop); err != nil {
			t.Fatalf("session used within the timeout: %v", err)
		}
		c.Add(s.IdleTimeout - time.Minute)
		if _, _, err := s.SessionByToken(ctx, laptop); err != nil {
			t.Fatalf("session used within the timeout again: %v", err)
		}
		c.Add(s.IdleTimeout + time.Second)
		wantNoSession(t, s, laptop, "idle session")
	})
}

// Nobody edits the audit log: the database refuses UPDATE and DELETE of
// any row younger than the retention, whoever sends them.
func TestAuditLogAppendOnly(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := auth.NewStore(d)
		u := mustCreate(t, s, "who@example.org", auth.RoleAdmin)
		if _, err := s.SignIn(ctx, u.Email, testPassword); err != nil {
			t.Fatal(err)
		}
		if _, err := d.ExecContext(ctx, `UPDATE audit_log SET action = 'nothing'`); err == nil {
			t.Error("UPDATE of the audit log succeeded")
		}
		if _, err := d.ExecContext(ctx, `DELETE FROM audit_log`); err == nil {
			t.Error("DELETE of the audit log succeeded")
		}
		var n int
		if err := d.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE action = ? AND user_id = ?`, auth.ActionSignIn, u.ID).Scan(&n); err != nil || n != 1 {
			t.Errorf("sign-in rows: %d, %v; want 1", n, err)
		}
		// The retention purge may delete what is past two years.
		if _, err := d.Quiet().ExecContext(ctx, `INSERT INTO audit_log (at, action) VALUES (?, 'old/thing')`, time.Now().AddDate(-3, 0, 0).Unix()); err != nil {
			t.Fatal(err)
		}
		if _, err := d.ExecContext(ctx, `DELETE FROM audit_log WHERE action = 'old/thing'`); err != nil {
			t.Errorf("purge of a row past the retention: %v", err)
		}
	})
}
