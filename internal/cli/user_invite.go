package cli

import (
	"context"
	"errors"
	"fmt"
	"io"

	"peerpress/internal/account"
	"peerpress/internal/auth"
)

// userInvite runs `peerpress user invite`: the same invitation as the
// users page's, mailed through the queue. It prints nothing secret: the
// link is only in the mail.
func userInvite(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("user invite --email E [--role R]", stderr, `Invites someone to the admin: they receive a mail with a link, valid once
for 7 days, with which they choose their own password. A user added without
a password (an imported author) is invited the same way; earlier links of
theirs stop working. The mail is queued and sent by the running site.`)
	email := fs.String("email", "", "the person's `email`")
	role := fs.String("role", "author", "`role`: admin, editor, author, translator or moderator (an existing user takes it)")
	name := fs.String("name", "", "display `name` (an existing user keeps theirs when empty)")
	lang := fs.String("lang", "", "the mail's `language`; default: the site's")
	config := configFlags(fs, false)
	if err := parse(fs, args); err != nil {
		return err
	}
	if *email == "" {
		fmt.Fprintln(stderr, "peerpress: whom? give --email")
		return errUsage
	}
	r, err := auth.ParseRole(*role)
	if err != nil {
		return err
	}
	cfg := config()
	if cfg.BaseURL == "" {
		return errors.New("the invitation's link needs the site's public address: give --base-url or PEERPRESS_BASE_URL")
	}
	a, closeDB, err := openSite(ctx, cfg)
	if err != nil {
		return err
	}
	defer closeDB()
	if _, ok := a.Live.Languages().Get(*lang); *lang != "" && !ok {
		return fmt.Errorf("--lang %s: the site does not offer that language", *lang)
	}
	iv := &account.Inviter{Users: a.Users, Mailer: a.Mailer, Langs: a.Live.Languages, SiteName: a.Config.SiteName}
	u, err := iv.Invite(ctx, account.InviteRequest{Invitation: auth.Invitation{Email: *email, Name: *name, Role: r, Lang: *lang},
		Origin: a.Config.BaseURL})
	switch {
	case errors.Is(err, auth.ErrInvalidEmail):
		return fmt.Errorf("%q is not a valid email address", *email)
	case errors.Is(err, auth.ErrAlreadyActive), errors.Is(err, auth.ErrEmailTaken):
		return fmt.Errorf("%s can already sign in: they have a password", *email)
	case errors.Is(err, auth.ErrUserDisabled):
		return fmt.Errorf("the account of %s is disabled: enable it at /admin/users first", *email)
	case errors.Is(err, auth.ErrNameTooLong):
		return errors.New("the name is longer than 200 characters")
	case err != nil:
		return err
	}
	where := "it is sent by the running site (peerpress serve)"
	if a.Mailer.UsesOutbox() {
		where = "no SMTP server is set, so it waits in the admin's outbox (/admin/outbox)"
	}
	fmt.Fprintf(stdout, "invited %s (%s), id %d: the mail with their link is queued; %s\n", u.Email, u.Role, u.ID, where)
	if u.Role == auth.RoleTranslator {
		fmt.Fprintln(stdout, "a translator needs languages: choose them at /admin/users")
	}
	return nil
}
