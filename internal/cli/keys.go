package cli

import (
	"context"
	"fmt"
	"io"
	"strings"

	"peerpress/internal/app"
)

const keysHelp = `Moves every sealed value (registrants', signatories' and tribute
submitters' details, queued and kept mail) from the old site key to a new
one, so that the old key can be thrown away; and, once the site has an
organisation key (keys org-init), registrants' names and answers from the
site key to the organisation key. The keyed hashes that find
duplicates do not change.

The site key is read as serve reads it (--site-key, PEERPRESS_SITE_KEY, or
DATA.site.key beside the data folder); the key being replaced from
--old-site-key, PEERPRESS_OLD_SITE_KEY, or DATA.site.key.old. With the
keys in files beside the data folder:

  1. mv DATA.site.key DATA.site.key.old
  2. (umask 077; peerpress keygen > DATA.site.key)
  3. restart serve: it seals with the new key and still opens the old
     (with keys in the environment, set both PEERPRESS_SITE_KEY and
     PEERPRESS_OLD_SITE_KEY)
  4. peerpress keys rotate --data DATA
  5. restart serve, then delete DATA.site.key.old (keep it with the backups
     made before the rotation: they need it).

It works in batches, each in a transaction; run it again after an
interruption and it goes on where it stopped.`

// keys runs `peerpress keys rotate` and `peerpress keys org-init`.
func keys(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "org-init" {
		return orgInit(ctx, args[1:], stdin, stdout, stderr)
	}
	if len(args) == 0 || args[0] != "rotate" {
		fmt.Fprintln(stderr, "Usage: peerpress keys rotate [flags]   (peerpress keys rotate --help says how)")
		fmt.Fprintln(stderr, "       peerpress keys org-init --out FILE [flags]   (the organisation's key; see its --help)")
		return errUsage
	}
	fs := newFlagSet("keys rotate", stderr, keysHelp)
	config := configFlags(fs, false)
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	cfg := config()
	d, err := app.Open(ctx, cfg)
	if err != nil {
		return err
	}
	defer d.Close()
	r, err := app.RotateKeys(ctx, cfg, d)
	for _, c := range r.Moved {
		fmt.Fprintf(stdout, "%s: %d values resealed\n", c.Holder, c.N)
	}
	if err != nil {
		return fmt.Errorf("%w (nothing is lost: every value opens with one of the keys; fix this and run keys rotate again)", err)
	}
	fmt.Fprintf(stdout, "every sealed value is now sealed with key %s\n", r.KeyID)
	if r.Late > 0 {
		fmt.Fprintf(stdout, "%d values were written with the old key while this ran: a server still runs with only the old key. Restart it with the new key, then run keys rotate again before you delete the old key.\n", r.Late)
		return nil
	}
	if len(r.OldKeyIDs) > 0 {
		fmt.Fprintf(stdout, "the old key (%s) is no longer needed by this database; keep it only with backups made before now\n", strings.Join(r.OldKeyIDs, ", "))
	}
	return nil
}
