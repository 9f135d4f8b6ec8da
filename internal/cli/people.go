package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"peerpress/internal/app"
	"peerpress/internal/participant"
)

const peopleUsage = `Usage:
  peerpress people export --email E [flags]        what the site holds about E, as JSON on standard output
  peerpress people erase --email E [--yes] [flags]  erase it, after asking (unless --yes)

Every export and erasure is written to the audit log (/admin/audit) as
done by the command line, without the address.`

// people runs `peerpress people export|erase`.
func people(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "export" && args[0] != "erase") {
		fmt.Fprintln(stderr, peopleUsage)
		return errUsage
	}
	what := args[0]
	help := "Writes what every feature holds about the person with this email (registrations, signatures, tributes) to standard output as JSON, and records the export in the audit log."
	if what == "erase" {
		help = "Erases what every feature holds about the person with this email, after showing how much and asking; registrations leave their events' counts behind. Records the erasure in the audit log."
	}
	fs := newFlagSet("people "+what, stderr, help)
	email := fs.String("email", "", "the person's `email`")
	var yes *bool
	if what == "erase" {
		yes = fs.Bool("yes", false, "erase without asking")
	}
	config := configFlags(fs, false)
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if *email == "" {
		fmt.Fprintln(stderr, "peerpress: --email is required")
		return errUsage
	}
	a, closeDB, err := openSite(ctx, config())
	if err != nil {
		return err
	}
	defer closeDB()
	reg := a.People
	who, err := reg.Subject(*email)
	if errors.Is(err, participant.ErrInvalidEmail) {
		return fmt.Errorf("%q is not an email address", *email)
	}
	if err != nil {
		return err
	}
	if what == "export" {
		found, err := reg.Disclose(ctx, 0, participant.ActionExport, who)
		if err != nil {
			return err
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(found)
	}
	if !*yes {
		found, err := reg.Disclose(ctx, 0, participant.ActionView, who)
		if err != nil {
			return err
		}
		if len(found.Records) == 0 {
			fmt.Fprintf(stdout, "nothing is held about %s\n", who.Email())
			return nil
		}
		fmt.Fprintf(stderr, "Held about %s: %s.\nErase it all for good? Type yes: ", who.Email(), describe(participant.CountRecords(found.Records)))
		line, _ := bufio.NewReader(stdin).ReadString('\n')
		if strings.TrimSpace(line) != "yes" {
			return errors.New("nothing erased")
		}
	}
	counts, err := reg.EraseRecorded(ctx, 0, who)
	fmt.Fprintf(stdout, "erased %s\n", describe(counts))
	return err
}

// describe says how many records each holder had: "2 in events/registrations, 1 in letter/signatures".
func describe(counts []participant.Count) string {
	var parts []string
	total := 0
	for _, c := range counts {
		if c.N > 0 {
			parts = append(parts, fmt.Sprintf("%d in %s", c.N, c.Holder))
			total += c.N
		}
	}
	if total == 0 {
		return "0 records"
	}
	return fmt.Sprintf("%d records (%s)", total, strings.Join(parts, ", "))
}

// openSite opens the database and builds the site as serve does (every
// area's kinds, personal data and settings known), for the commands that
// act on it; app.New refuses a database whose schema does not match.
// closeDB closes the database.
func openSite(ctx context.Context, cfg app.Config) (a *app.App, closeDB func(), err error) {
	d, err := app.Open(ctx, cfg)
	if err != nil {
		return nil, nil, err
	}
	if a, err = app.New(ctx, cfg, d); err != nil {
		d.Close()
		return nil, nil, err
	}
	return a, func() { d.Close() }, nil
}
