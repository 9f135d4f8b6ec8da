package account_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"peerpress/internal/auth"
	"peerpress/internal/db"
	"peerpress/internal/db/dbtest"
	"peerpress/internal/web/webtest"
)

// A staff member who signs in with passkeys only gets recovery codes
// with their first passkey, shown once and kept as hashes. When the
// passkey is lost, a code stands in for it after the password, once;
// its use is audited and mailed to the account. New codes end the old
// ones; a second passkey does not replace codes still unused.
func TestRecoveryCodesForPasskeyUsers(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := passkeySite(t, d)
		admin, csrf := s.Admin()
		before := admin.Get(auth.EnrolPath)
		before.Must(t, http.StatusOK)
		before.MustNot(t, "Make new recovery codes")

		k := newSoftKey(t)
		cer := k.options(admin.Post(auth.EnrolPath+"/passkeys/options", url.Values{"csrf": {csrf}}))
		first := admin.Post(auth.EnrolPath+"/passkeys", url.Values{"csrf": {csrf}, "name": {"Key"}, "state": {cer.State}, "credential": {k.create(cer)}})
		first.Must(t, http.StatusOK, "Passkey added.", "they are not shown again")
		if cc := first.Header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
			t.Errorf("the codes' page: Cache-Control %q", cc)
		}
		codes := recoveryRe.FindAllStringSubmatch(first.Body, -1)
		if len(codes) != 10 {
			t.Fatalf("%d recovery codes shown with the first passkey; want 10", len(codes))
		}
		var stored int
		if err := d.QueryRowContext(ctx, `SELECT COUNT(*) FROM recovery_codes WHERE code_hash = ? OR code_hash = ?`,
			codes[0][1], strings.ReplaceAll(codes[0][1], "-", "")).Scan(&stored); err != nil || stored != 0 {
			t.Fatalf("a recovery code stored as typed: %d, %v", stored, err)
		}
		page := admin.Get(auth.EnrolPath)
		page.Must(t, http.StatusOK, "Unused recovery codes: 10", "Make new recovery codes")
		page.MustNot(t, codes[0][1])
		// A second passkey keeps the codes the user has.
		addPasskey(t, admin, csrf, newSoftKey(t), "Spare")
		admin.Get(auth.EnrolPath).Must(t, http.StatusOK, "Unused recovery codes: 10")

		// The passkeys are lost: password, then a recovery code.
		signIn := func() *webtest.Client {
			c := s.Client()
			r := c.Post("/admin/login", url.Values{"email": {s.Login.Email}, "password": {s.Login.Password}, "next": {"/admin/users"}})
			if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location, "/admin/login/code") {
				t.Fatalf("the password of a passkey user: %d %q", r.Status, r.Location)
			}
			c.Get(r.Location).Must(t, http.StatusOK, "Lost your passkey? Use a recovery code", `name="code"`)
			return c
		}
		c := signIn()
		c.Post("/admin/login/code", url.Values{"code": {"aaaaa-aaaaa"}, "next": {"/admin/users"}}).Must(t, http.StatusUnauthorized)
		c.Post("/admin/login/code", url.Values{"code": {"123456"}, "next": {"/admin/users"}}).Must(t, http.StatusUnauthorized)
		r := c.Post("/admin/login/code", url.Values{"code": {" " + strings.ToUpper(codes[3][1]) + " "}, "next": {"/admin/users"}})
		r.Must(t, http.StatusSeeOther)
		if r.Location != "/admin/users" {
			t.Errorf("after the recovery code: %q", r.Location)
		}
		c.Get("/admin/users").Must(t, http.StatusOK)
		signIn().Post("/admin/login/code", url.Values{"code": {codes[3][1]}}).Must(t, http.StatusUnauthorized)

		mails := s.Mail(s.Login.Email)
		if len(mails) != 1 || !strings.Contains(mails[0].Subject, "recovery code") || !strings.Contains(mails[0].Text, "Unused codes left: 9") {
			t.Fatalf("mail to the account after a recovery code: %+v", mails)
		}
		if strings.Contains(mails[0].Text, codes[3][1]) {
			t.Error("the mail carries the code")
		}
		audited := func(action string) int {
			var n int
			if err := d.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE action = ?`, action).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		if n := audited(auth.ActionRecoveryCode); n != 1 {
			t.Errorf("%d recovery codes used in the audit log; want 1", n)
		}

		// New codes: the old ones stop working, the new ones work.
		again := admin.Post(auth.EnrolPath+"/recovery-codes", url.Values{"csrf": {csrf}})
		again.Must(t, http.StatusOK, "New recovery codes made")
		if cc := again.Header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
			t.Errorf("the new codes' page: Cache-Control %q", cc)
		}
		fresh := recoveryRe.FindAllStringSubmatch(again.Body, -1)
		if len(fresh) != 10 {
			t.Fatalf("%d new codes", len(fresh))
		}
		admin.Post(auth.EnrolPath+"/recovery-codes", url.Values{}).Must(t, http.StatusForbidden) // no CSRF token
		signIn().Post("/admin/login/code", url.Values{"code": {codes[4][1]}}).Must(t, http.StatusUnauthorized)
		signIn().Post("/admin/login/code", url.Values{"code": {fresh[0][1]}}).Must(t, http.StatusSeeOther)
		if n := audited(auth.ActionRecoveryCodesNew); n != 2 {
			t.Errorf("%d new sets of codes in the audit log; want 2 (the first passkey's, the one asked for)", n)
		}
	})
}

// A user whose password alone signs them in has no recovery codes to
// make: they are sent to set up a second factor.
func TestRecoveryCodesNeedASecondFactor(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		s := passkeySite(t, d)
		admin, csrf := s.Admin()
		r := admin.Post(auth.EnrolPath+"/recovery-codes", url.Values{"csrf": {csrf}})
		r.Must(t, http.StatusSeeOther)
		if r.Location != auth.EnrolPath {
			t.Errorf("went to %q", r.Location)
		}
		var n int
		if err := d.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM recovery_codes`).Scan(&n); err != nil || n != 0 {
			t.Errorf("%d recovery codes stored (%v); want none", n, err)
		}
	})
}
