package auth_test

import (
	"context"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"peerpress/internal/auth"
	"peerpress/internal/db"
	"peerpress/internal/db/dbtest"
	"peerpress/internal/secret"
)

// Two-factor keys move to a new site key with the rest of what is
// sealed: after a rotation, with the old key gone, the code still works.
func TestTwoFactorKeysFollowKeyRotation(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		oldKey, newKey := secret.NewKey(), secret.NewKey()
		oldBox, _ := secret.Open(oldKey)
		s := auth.NewStore(d)
		c := &clock{t: time.Now()}
		s.Now = c.Now
		s.Secrets = oldBox
		u := mustCreate(t, s, "two@example.org", auth.RoleAdmin)
		en, err := s.BeginTOTP(ctx, u, "Test site")
		if err != nil {
			t.Fatal(err)
		}
		key, _ := otp.NewKeyFromURL(en.URL)
		code, _ := totp.GenerateCode(key.Secret(), c.Now())
		if _, err := s.ConfirmTOTP(ctx, u.ID, code); err != nil {
			t.Fatal(err)
		}

		ring, err := secret.OpenRing(newKey, oldKey)
		if err != nil {
			t.Fatal(err)
		}
		reseal := func(sealed, context string, _ bool) (string, bool, error) { return ring.Reseal(sealed, context) }
		if n, err := s.Reseal(ctx, reseal); err != nil || n != 1 {
			t.Fatalf("Reseal = %d, %v; want 1 key moved", n, err)
		}
		s.Secrets, _ = secret.Open(newKey)
		token, _, needCode, err := s.SignInSecondFactor(ctx, u, "")
		if err != nil || !needCode {
			t.Fatalf("SignInSecondFactor: %v, need code %v", err, needCode)
		}
		c.Add(30 * time.Second)
		code, _ = totp.GenerateCode(key.Secret(), c.Now())
		if _, _, err := s.CompleteSecondFactor(ctx, token, code, "", nil); err != nil {
			t.Fatalf("the code after the rotation: %v", err)
		}
	})
}
