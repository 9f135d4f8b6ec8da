package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"filippo.io/age"

	"peerpress/internal/app"
	"peerpress/internal/participant"
)

const orgInitHelp = `Makes the organisation's key. What staff need and the server does not
(registrants' names and answers) is then sealed to its public half, which
is stored in the site's settings; the server can seal but never open it.

The private half is written to --out, encrypted with a passphrase read
from the first line of standard input. Move that file OFF the server
(a password manager, an encrypted drive) and keep a copy: without it
and its passphrase, nobody can read what was sealed to it.

Staff unlock it for their session at /admin/people/unlock (pasting the
file and typing the passphrase), or open an export on their own machine
with peerpress unseal --identity FILE.

What the site sealed for staff before with the site key moves to the
new key at once. Restart serve for it to seal to the key (it moves what
it sealed meanwhile at its restart).`

// orgInit runs `peerpress keys org-init`.
func orgInit(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlagSet("keys org-init", stderr, orgInitHelp)
	out := fs.String("out", "", "`file` to write the passphrase-protected private key to (must not exist; move it off the server)")
	replace := fs.Bool("replace", false, "replace an organisation key the site already has (what was sealed to it stays readable only with its own file)")
	work := fs.Int("work-factor", participant.DefaultWorkFactor, "scrypt `log2 cost` of the passphrase (18: about a second and 256 MiB to unlock)")
	config := configFlags(fs, false)
	if err := parse(fs, args); err != nil {
		return err
	}
	if *out == "" || *work < 10 || *work > 22 {
		fmt.Fprintln(stderr, "peerpress: keys org-init needs --out FILE (and --work-factor between 10 and 22)")
		return errUsage
	}
	pass, err := readPassphrase(stdin)
	if err != nil {
		return err
	}
	if len(pass) < 12 {
		return errors.New("the passphrase (first line of standard input) must be at least 12 characters")
	}
	cfg := config()
	d, err := app.Open(ctx, cfg)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.CheckSchema(ctx); err != nil {
		return err
	}
	recipient, file, err := participant.NewOrgKey(pass, *work)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(*out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("write the key file: %w", err)
	}
	if _, err := f.Write(file); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := app.SetOrgRecipient(ctx, d, recipient, *replace); err != nil {
		os.Remove(*out) // nothing was sealed to it
		return err
	}
	fmt.Fprintf(stdout, "the organisation's public key is %s\n", recipient)
	fmt.Fprintf(stdout, "its private key, protected by your passphrase, is in %s: move it off this server now and keep a copy\n", *out)
	// What was sealed for staff with the site key until now moves to
	// the new key at once, not at the next keys rotate.
	moved, err := app.SealForStaff(ctx, cfg, d)
	total := 0
	for _, c := range moved {
		total += c.N
	}
	if err != nil {
		return fmt.Errorf("the key is recorded, but moving what was sealed before to it failed: %w (serve retries at each start and every hour)", err)
	}
	fmt.Fprintf(stdout, "%d values sealed before (registrants' names and answers, unpublished signatories, tribute submitters' addresses) now open only with it\n", total)
	fmt.Fprintln(stdout, "then restart serve: until then it still seals new values with the site key (it moves them within the hour after its restart)")
	return nil
}

// readPassphrase reads a passphrase from the first line of stdin.
func readPassphrase(stdin io.Reader) (string, error) {
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read passphrase: %w", err)
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// readIdentity opens an identity file with the passphrase on stdin.
func readIdentity(path string, stdin io.Reader) (*age.X25519Identity, error) {
	file, err := os.ReadFile(path) // #nosec G304 -- the identity file the operator named
	if err != nil {
		return nil, fmt.Errorf("read the key file: %w", err)
	}
	pass := ""
	if !strings.HasPrefix(strings.TrimSpace(string(file)), "AGE-SECRET-KEY-1") {
		if pass, err = readPassphrase(stdin); err != nil {
			return nil, err
		}
	}
	id, err := participant.OpenIdentityFile(file, pass)
	if err != nil {
		return nil, errors.New("the key file and the passphrase (first line of standard input) do not open the organisation key")
	}
	return id, nil
}

const unsealHelp = `Opens, on your own machine, what an export of a person's data
(peerpress people export, or the JSON from /admin/people) carries sealed
to the organisation's key, and prints the export with those values
opened. The key file's passphrase is read from the first line of
standard input; the export from the file given, or from standard input
after the passphrase.`

// unseal runs `peerpress unseal --identity FILE [EXPORT.json]`.
func unseal(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlagSet("unseal --identity FILE [EXPORT.json]", stderr, unsealHelp)
	identity := fs.String("identity", "", "the organisation's key `file` (from keys org-init)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	if *identity == "" || fs.NArg() > 1 {
		fmt.Fprintln(stderr, "Usage: peerpress unseal --identity FILE [EXPORT.json]")
		return errUsage
	}
	in := bufio.NewReader(stdin)
	id, err := readIdentity(*identity, in)
	if err != nil {
		return err
	}
	var src io.Reader = in
	if fs.NArg() == 1 {
		f, err := os.Open(fs.Arg(0))
		if err != nil {
			return err
		}
		defer f.Close()
		src = f
	}
	var exp participant.Export
	if err := json.NewDecoder(src).Decode(&exp); err != nil {
		return fmt.Errorf("read the export: %w", err)
	}
	opened := 0
	for i := range exp.Records {
		for j, f := range exp.Records[i].Fields {
			if !f.Locked() {
				continue
			}
			v, err := participant.OpenWithIdentity(id, f.Value, "")
			if err != nil {
				return fmt.Errorf("record %d %s: %w", exp.Records[i].ID, f.Name, err)
			}
			exp.Records[i].Fields[j].Value = v
			opened++
		}
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(exp); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "opened %d sealed values\n", opened)
	return nil
}
