package directory_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"peerpress/internal/app/apptest"
	"peerpress/internal/letter"
)

// An organisation's page lists what it did with the network: the open
// letters it signed (under its own name and country, or linked by
// staff), and the campaigns that link to what it took part in.
func TestOrganisationPageListsSignedLettersAndCampaigns(t *testing.T) {
	apptest.Run(t, apptest.Options{}, func(t *testing.T, s *apptest.Site) {
		ctx := context.Background()
		// The demo's signatories are added by a job, due a few seconds
		// after the start: run it now.
		if _, err := s.App.DB.ExecContext(ctx, `UPDATE jobs SET run_at = 0 WHERE kind = ?`, letter.SeedKind); err != nil {
			t.Fatal(err)
		}
		s.RunJobs()
		c := s.Client()
		// Signed under the directory's name, from its country.
		c.Get("/en/directory/harbour-alliance").Must(t, http.StatusOK, "Open letters it signed",
			`href="/en/statements/joint-statement-hepatitis-c-cure-not-a-luxury"`)
		// Its people spoke at an event a campaign links to.
		c.Get("/en/directory/steppe-peer-network").Must(t, http.StatusOK, "Campaigns it joined", `href="/en/campaigns/remember-every-name"`)
		c.Get("/fr/directory/steppe-peer-network").Must(t, http.StatusOK, "Campagnes rejointes")
		c.Get("/en/directory/great-lakes-users").MustNot(t, "Open letters it signed", "Campaigns it joined")

		// A signatory under another name is linked by staff: the letter
		// is then on that organisation's page, and the campaign too if
		// one links to it.
		e, err := s.App.Content.BySlug(ctx, "en", "joint-statement-hepatitis-c-cure-not-a-luxury")
		if err != nil {
			t.Fatal(err)
		}
		sigs, err := s.App.Letters.List(ctx, e.ID, letter.Approved)
		if err != nil {
			t.Fatal(err)
		}
		var lakeside int64
		for _, sig := range sigs {
			if sig.Name == "Lakeside Peer Support Collective" {
				lakeside = sig.ID
			}
		}
		if lakeside == 0 {
			t.Fatal("the demo letter has no signature of the Lakeside collective")
		}
		org, err := s.App.Directory.BySlug(ctx, "great-lakes-users")
		if err != nil {
			t.Fatal(err)
		}
		admin, csrf := s.Admin()
		base := "/admin/entries/" + strconv.FormatInt(e.ID, 10) + "/signatures"
		admin.Get(base).Must(t, http.StatusOK, "Signatory organisations in the directory", `name="signature" value="`+strconv.FormatInt(lakeside, 10)+`"`)
		link := func(sig, org string) url.Values {
			return url.Values{"csrf": {csrf}, "signature": {sig}, "organisation": {org}}
		}
		// Bad input is refused and links nothing.
		admin.Post(base+"/organisation", link(strconv.FormatInt(lakeside, 10), "999999")).Must(t, http.StatusBadRequest)
		admin.Post(base+"/organisation", link("999999", strconv.FormatInt(org.ID, 10))).Must(t, http.StatusBadRequest)
		admin.Post(base+"/organisation", link("x", "y")).Must(t, http.StatusBadRequest)
		s.Client().Post(base+"/organisation", link(strconv.FormatInt(lakeside, 10), strconv.FormatInt(org.ID, 10))).MustNot(t, "saved")
		c.Get("/en/directory/great-lakes-users").MustNot(t, "Open letters it signed")
		admin.Post(base+"/organisation", link(strconv.FormatInt(lakeside, 10), strconv.FormatInt(org.ID, 10))).Must(t, http.StatusSeeOther)
		admin.Get(base+"?done=linked").Must(t, http.StatusOK, "The signature&#39;s directory entry is saved.")
		c.Get("/en/directory/great-lakes-users").Must(t, http.StatusOK, "Open letters it signed",
			`href="/en/statements/joint-statement-hepatitis-c-cure-not-a-luxury"`)
		// Linking a signature of another letter, or no signature, changes nothing.
		if err := s.App.Letters.LinkOrganisation(ctx, e.ID+1000, lakeside, org.ID); err == nil {
			t.Error("a signature was linked under a letter that is not its own")
		}
		// A rejected signature is no letter signed.
		if _, err := s.App.Letters.Decide(ctx, e.ID, []int64{lakeside}, letter.Rejected); err != nil {
			t.Fatal(err)
		}
		c.Get("/en/directory/great-lakes-users").MustNot(t, "Open letters it signed")
	})
}
