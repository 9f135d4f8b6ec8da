package cli

import (
	"context"
	"strings"
	"testing"

	"peerpress/internal/app"
	"peerpress/internal/db"
	"peerpress/internal/db/dbtest"
	"peerpress/internal/secret"
)

// `user invite` queues the invitation's mail, with a link to the site's
// public address in the site's language, and prints nothing secret; bad
// input is refused, changing nothing.
func TestUserInvite(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		dir, key := t.TempDir(), secret.NewKey()
		flags := []string{"--data", dir, "--database", dbtest.URL(t, d), "--site-key", key, "--languages", "es,en"}
		invite := func(args ...string) (int, string, string) {
			return run(t, "", append(append([]string{"user", "invite"}, args...), flags...)...)
		}
		if code, _, errOut := invite("--email", "ana@example.org"); code != 1 || !strings.Contains(errOut, "--base-url") {
			t.Fatalf("without a base URL: %d %q", code, errOut)
		}
		flags = append(flags, "--base-url", "https://net.example.org/")
		for _, c := range []struct {
			args []string
			code int
			want string
		}{
			{[]string{"--email", "not an address"}, 1, "not a valid email"},
			{[]string{"--email", "ana@example.org", "--role", "king"}, 1, "role"},
			{[]string{"--email", "ana@example.org", "--lang", "xx"}, 1, "does not offer"},
			{nil, 2, "--email"},
		} {
			if code, _, errOut := invite(c.args...); code != c.code || !strings.Contains(errOut, c.want) {
				t.Errorf("%v: %d %q", c.args, code, errOut)
			}
		}
		var n int
		if err := d.QueryRowContext(ctx, `SELECT COUNT(*) FROM users`).Scan(&n); err != nil || n != 0 {
			t.Fatalf("refused invitations made %d users (%v)", n, err)
		}

		code, out, errOut := invite("--email", "Ana@Example.org", "--role", "editor", "--name", "Ana")
		if code != 0 || !strings.Contains(out, "invited ana@example.org (editor)") || !strings.Contains(out, "outbox") {
			t.Fatalf("invite: %d %q %q", code, out, errOut)
		}
		a, err := app.New(ctx, app.Config{DataDir: dir, SiteName: "Net", Languages: []string{"es", "en"}, TimeZone: "UTC", SiteKey: key}, d)
		if err != nil {
			t.Fatal(err)
		}
		for {
			ran, err := a.Jobs.RunOnce(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if !ran {
				break
			}
		}
		kept, err := a.Mailer.Outbox(ctx, 10)
		if err != nil || len(kept) != 1 {
			t.Fatalf("outbox: %v %v", kept, err)
		}
		token, ok := strings.CutPrefix(strings.Fields(kept[0].Text[strings.Index(kept[0].Text, "https://net.example.org/admin/invite/"):])[0], "https://net.example.org/admin/invite/")
		if kept[0].To != "ana@example.org" || !strings.Contains(kept[0].Text, "Hola, Ana") || !ok || len(token) != 43 {
			t.Fatalf("the mail: %+v", kept[0])
		}
		if strings.Contains(out+errOut, token) {
			t.Error("the command printed the link's token")
		}
		if _, err := a.Users.AcceptInvitation(ctx, token, "ana's own password"); err != nil {
			t.Fatal(err)
		}
		if code, _, errOut := invite("--email", "ana@example.org"); code != 1 || !strings.Contains(errOut, "can already sign in") {
			t.Errorf("an active user: %d %q", code, errOut)
		}
	})
}
