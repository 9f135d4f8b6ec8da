package app_test

import (
	"context"
	"testing"

	"peerpress/internal/app"
	"peerpress/internal/app/apptest"
	"peerpress/internal/db"
	"peerpress/internal/letter"
	"peerpress/internal/participant"
)

// A site that takes signatures before it has an organisation key seals
// their names with the site key. Once the key is set, the signatures not
// published (waiting for a moderator, or for their confirmation) move to
// it, so a copy of the server with its site key no longer names them;
// published ones stay readable, since the site shows them; and the
// signatory's confirmation link still works.
func TestOrgKeySetLaterSealsUnpublishedSignatures(t *testing.T) {
	apptest.Run(t, apptest.Options{Languages: []string{"en"}, Outbox: true}, func(t *testing.T, s *apptest.Site) {
		ctx := context.Background()
		a := s.App
		p := s.Participate("zq7.published@example.org", "Published Zq7", "Zq7 Org", "Zq7 Friend")
		if err := a.Letters.SaveLetter(ctx, letter.Letter{EntryID: p.StatementID, Open: true, Organisations: true, Individuals: true, Moderated: true}); err != nil {
			t.Fatal(err)
		}
		sign := func(email, name, website string) letter.Links {
			var links letter.Links
			err := a.Letters.Sign(ctx, letter.Signature{EntryID: p.StatementID, Kind: letter.Organisation, OrgType: "community", Name: name,
				Website: website, Country: "UA", Email: email, Lang: "en"},
				func(_ context.Context, _ *db.Tx, _ letter.Signature, l letter.Links, _ bool) error {
					links = l
					return nil
				})
			if err != nil {
				t.Fatalf("sign %s: %v", email, err)
			}
			return links
		}
		waiting := sign("zq7.waiting@example.org", "Waiting Zq7 Collective", "https://waiting-zq7.example")
		if sig, err := a.Letters.Verify(ctx, waiting.Verify); err != nil || sig.Status != letter.Waiting {
			t.Fatalf("verify on a moderated letter: %v %v", sig.Status, err)
		}
		unconfirmed := sign("zq7.unconfirmed@example.org", "Unconfirmed Zq7 Network", "")

		stored := func(email string) (name, website string) {
			t.Helper()
			who, err := a.People.Vault.Subject(email)
			if err != nil {
				t.Fatal(err)
			}
			if err := a.DB.QueryRowContext(ctx, `SELECT name, website FROM signatures WHERE email_hash = ?`, who.Hash("signature.email")).Scan(&name, &website); err != nil {
				t.Fatal(err)
			}
			return name, website
		}
		for _, email := range []string{"zq7.waiting@example.org", "zq7.unconfirmed@example.org"} {
			if name, _ := stored(email); participant.IsSealedForStaff(name) {
				t.Fatal("sealed to an organisation key the site does not have yet")
			}
		}

		recipient, file, err := participant.NewOrgKey("a later passphrase", 10)
		if err != nil {
			t.Fatal(err)
		}
		if err := app.SetOrgRecipient(ctx, a.DB, recipient, false); err != nil {
			t.Fatal(err)
		}
		moved, err := app.SealForStaff(ctx, a.Config, a.DB)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]int{}
		for _, c := range moved {
			got[c.Holder] = c.N
		}
		// The waiting name and website, the unconfirmed name; and the
		// registrant's name and answers and the tribute submitter's
		// address, as keys rotate moved them before.
		if got["letter/signatures"] != 3 || got["events/registrations"] != 2 || got["campaign/tributes"] != 1 {
			t.Errorf("moved %v; want 3 signature values, 2 registration values, 1 submitter address", moved)
		}
		id, err := participant.OpenIdentityFile(file, "a later passphrase")
		if err != nil {
			t.Fatal(err)
		}
		for email, want := range map[string]string{"zq7.waiting@example.org": "Waiting Zq7 Collective", "zq7.unconfirmed@example.org": "Unconfirmed Zq7 Network"} {
			name, _ := stored(email)
			if _, err := a.People.Vault.Open(name, "signature.name"); err == nil {
				t.Errorf("%s: the site key still opens the name", email)
			}
			if opened, err := participant.OpenWithIdentity(id, name, "signature.name"); err != nil || opened != want {
				t.Errorf("%s: the organisation key opens %q, %v", email, opened, err)
			}
		}
		if _, website := stored("zq7.waiting@example.org"); !participant.IsSealedForStaff(website) {
			t.Error("the waiting signatory's website stayed with the site key")
		}
		name, _ := stored("zq7.published@example.org")
		if participant.IsSealedForStaff(name) {
			t.Error("a published name moved to the organisation key: the site could no longer show it")
		} else if opened, err := a.People.Vault.Open(name, "signature.name"); err != nil || opened != "Published Zq7" {
			t.Errorf("the published name opens as %q, %v", opened, err)
		}

		// The unconfirmed signatory's link still confirms (to a moderator,
		// on this letter), without the server reading the name.
		sig, err := a.Letters.Verify(ctx, unconfirmed.Verify)
		if err != nil || sig.Status != letter.Waiting {
			t.Fatalf("the confirmation link after the move: %v %v", sig.Status, err)
		}
		if name, _ := stored("zq7.unconfirmed@example.org"); !participant.IsSealedForStaff(name) {
			t.Error("confirming put the name back under the site key")
		}
		// Nothing left to move.
		again, err := app.SealForStaff(ctx, a.Config, a.DB)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range again {
			if c.N != 0 {
				t.Errorf("a second pass moved %d values of %s", c.N, c.Holder)
			}
		}
	})
}
