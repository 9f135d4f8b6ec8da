package campaign_test

import (
	"bytes"
	"context"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"peerpress/internal/campaign"
	"peerpress/internal/db"
	"peerpress/internal/media"
)

// photo is a stored tribute photo: its media id, its address and the
// files of the original and of each smaller size.
type photo struct {
	id    int64
	url   string
	urls  []string // of the original and its sizes
	files []string
}

// photoOf finds the photo of the tribute remembering name, with the
// files its rows point to; every one must be on disk.
func photoOf(t *testing.T, s *site, d *db.DB, name string) photo {
	t.Helper()
	ctx := context.Background()
	var p photo
	if err := d.QueryRowContext(ctx, `SELECT media_id FROM tributes WHERE remembered = ? AND media_id IS NOT NULL`, name).Scan(&p.id); err != nil {
		t.Fatalf("photo of %s: %v", name, err)
	}
	var rel string
	if err := d.QueryRowContext(ctx, `SELECT path FROM media WHERE id = ?`, p.id).Scan(&rel); err != nil {
		t.Fatal(err)
	}
	p.url = "/media/" + rel
	rows, err := d.QueryContext(ctx, `SELECT path FROM media WHERE id = ? UNION ALL SELECT path FROM media_variants WHERE media_id = ?`, p.id, p.id)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var rel string
		if err := rows.Scan(&rel); err != nil {
			t.Fatal(err)
		}
		p.urls = append(p.urls, "/media/"+rel)
		p.files = append(p.files, filepath.Join(s.App.Config.DataDir, "media", filepath.FromSlash(rel)))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	// The original and the 480, 960 and 1600 wide copies.
	if len(p.files) != 1+len(media.VariantWidths) {
		t.Fatalf("photo of %s has %d files, want the original and %d sizes", name, len(p.files), len(media.VariantWidths))
	}
	for _, f := range p.files {
		if _, err := os.Stat(f); err != nil {
			t.Fatalf("photo of %s: %v", name, err)
		}
	}
	return p
}

// mediaRows counts the rows of a photo: its media row and its sizes'.
func mediaRows(t *testing.T, d *db.DB, id int64) int {
	t.Helper()
	var n int
	if err := d.QueryRowContext(context.Background(), `SELECT (SELECT COUNT(*) FROM media WHERE id = ?) + (SELECT COUNT(*) FROM media_variants WHERE media_id = ?)`, id, id).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// gone fails unless every file and row of the photo is deleted.
func (p photo) gone(t *testing.T, d *db.DB, after string) {
	t.Helper()
	for _, f := range p.files {
		if _, err := os.Stat(f); !os.IsNotExist(err) {
			t.Errorf("after %s: %s is still on disk (%v)", after, f, err)
		}
	}
	if n := mediaRows(t, d, p.id); n != 0 {
		t.Errorf("after %s: %d media rows of photo %d left", after, n, p.id)
	}
}

// kept fails unless every file and row of the photo is still there.
func (p photo) kept(t *testing.T, d *db.DB, after string) {
	t.Helper()
	for _, f := range p.files {
		if _, err := os.Stat(f); err != nil {
			t.Errorf("after %s: another tribute's photo file: %v", after, err)
		}
	}
	if n := mediaRows(t, d, p.id); n != len(p.files) {
		t.Errorf("after %s: %d media rows of photo %d, want %d", after, n, p.id, len(p.files))
	}
}

// widePhoto is wide enough to get every smaller size.
func widePhoto(t *testing.T) []byte {
	t.Helper()
	return secretJPEG(t, media.VariantWidths[len(media.VariantWidths)-1]+100, 200)
}

// submit sends a tribute with a photo through the public form.
func (c *client) submit(name, email string, jpeg []byte) {
	c.T.Helper()
	f := c.tributeForm(wall, name, "Words for "+name+".", email)
	c.multipart(action, f, "photo.jpg", jpeg).Must(c.T, 303)
}

// Deleting a campaign deletes its tributes' photos, original and every
// size, files and rows, whatever the tributes' status; another
// campaign's tribute photo stays.
func TestDeletedCampaignTakesTributePhotos(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		ctx := context.Background()
		d := s.App.DB
		campaignID := openWall(t, s)
		jpeg := widePhoto(t)
		visitor := s.client()
		visitor.submit("Waiting Tribute", "waiting@example.org", jpeg)
		visitor.submit("Approved Tribute", "approved@example.org", jpeg)
		store := campaign.NewStore(d, nil, nil)
		var approvedID int64
		if err := d.QueryRowContext(ctx, `SELECT id FROM tributes WHERE remembered = 'Approved Tribute'`).Scan(&approvedID); err != nil {
			t.Fatal(err)
		}
		if _, err := store.Decide(ctx, []int64{approvedID}, campaign.Approved, ""); err != nil {
			t.Fatal(err)
		}

		// Another campaign's wall, with a photo of its own.
		var otherID int64
		if err := d.QueryRowContext(ctx, `SELECT id FROM entries WHERE kind = 'campaign' AND id <> ? ORDER BY id LIMIT 1`, campaignID).Scan(&otherID); err != nil {
			t.Fatalf("a second campaign in the demo content: %v", err)
		}
		m, err := s.App.Media.SaveImage(ctx, bytes.NewReader(jpeg), "Elsewhere", "en", media.Limits{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := store.AddTribute(ctx, otherID, "en", "Elsewhere Tribute", "Words.", campaign.Approved, m.ID); err != nil {
			t.Fatal(err)
		}
		s.RunJobs()
		waiting, approved, other := photoOf(t, s, d, "Waiting Tribute"), photoOf(t, s, d, "Approved Tribute"), photoOf(t, s, d, "Elsewhere Tribute")
		visitor.Get(wall).Must(t, 200, "Approved Tribute")
		if r := visitor.Get(approved.url); r.Status != 200 {
			t.Fatalf("GET %s: %d", approved.url, r.Status)
		}

		admin := s.client()
		csrf := admin.SignIn(s.Login.Email, s.Login.Password)
		id := strconv.FormatInt(campaignID, 10)
		admin.Get("/admin/entries/"+id+"/delete").Must(t, 200)
		admin.Post("/admin/entries/"+id+"/delete", url.Values{"csrf": {csrf}}).Must(t, 303)

		var left int
		if err := d.QueryRowContext(ctx, `SELECT COUNT(*) FROM tributes WHERE campaign_id = ?`, campaignID).Scan(&left); err != nil {
			t.Fatal(err)
		}
		if left != 0 {
			t.Fatalf("%d tributes of the deleted campaign left", left)
		}
		waiting.gone(t, d, "deleting the campaign")
		approved.gone(t, d, "deleting the campaign")
		other.kept(t, d, "deleting another campaign")
		visitor.Get(wall).MustNot(t, "Approved Tribute")
		for addr, want := range map[string]int{approved.url: 404, other.url: 200} {
			if r := visitor.Get(addr); r.Status != want {
				t.Errorf("GET %s after deleting the campaign: %d, want %d", addr, r.Status, want)
			}
		}
	})
}

// A tribute's photo goes with the tribute: at once when its author
// withdraws it, and with a rejected tribute when the housekeeping purges
// it after RejectedKeep. Until then a rejected tribute keeps its photo,
// so that a moderator can change their mind. Other tributes' photos stay
// throughout.
func TestTributePhotoGoesWithItsTribute(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		ctx := context.Background()
		d := s.App.DB
		openWall(t, s)
		jpeg := widePhoto(t)
		visitor := s.client()
		visitor.submit("Withdrawn Tribute", "withdraws@example.org", jpeg)
		visitor.submit("Rejected Tribute", "rejected@example.org", jpeg)
		visitor.submit("Kept Tribute", "kept@example.org", jpeg)
		s.RunJobs()
		withdrawn, rejected, kept := photoOf(t, s, d, "Withdrawn Tribute"), photoOf(t, s, d, "Rejected Tribute"), photoOf(t, s, d, "Kept Tribute")

		// Withdrawn by the private link.
		out, err := s.App.Mailer.Outbox(ctx, 20)
		if err != nil {
			t.Fatal(err)
		}
		var link string
		for _, m := range out {
			if m.To == "withdraws@example.org" {
				link = withdrawRe.FindString(m.Text)
			}
		}
		if link == "" {
			t.Fatal("no withdrawal link mailed")
		}
		visitor.Post(link, nil).Must(t, 200, "deleted")
		withdrawn.gone(t, d, "withdrawal")
		rejected.kept(t, d, "another tribute's withdrawal")
		kept.kept(t, d, "another tribute's withdrawal")

		// Rejected by a moderator: off every page, photo kept for now.
		mod, csrf := s.moderator()
		rejectedID := tributeID(t, d, "Rejected Tribute")
		mod.decide(csrf, "approve", tributeID(t, d, "Kept Tribute"))
		mod.decide(csrf, "reject", rejectedID)
		visitor.Get(wall).Must(t, 200, "Kept Tribute")
		visitor.Get(wall).MustNot(t, "Rejected Tribute")
		mod.Get("/admin/moderation?status=rejected").Must(t, 200, "Rejected Tribute")
		rejected.kept(t, d, "rejection, within the keeping time")

		// The housekeeping's purge, as the server runs it: nothing yet,
		// then, once the keeping time has passed, the tribute and its
		// photo.
		store := campaign.NewStore(d, nil, nil)
		if n, err := store.PurgeRejected(ctx, time.Now().Add(-campaign.RejectedKeep), s.App.Media); err != nil || n != 0 {
			t.Fatalf("purged %d within the keeping time (%v)", n, err)
		}
		rejected.kept(t, d, "a purge within the keeping time")
		if _, err := d.ExecContext(ctx, `UPDATE tributes SET decided_at = ? WHERE id = ?`, time.Now().Add(-campaign.RejectedKeep-time.Hour).Unix(), rejectedID); err != nil {
			t.Fatal(err)
		}
		if n, err := store.PurgeRejected(ctx, time.Now().Add(-campaign.RejectedKeep), s.App.Media); err != nil || n != 1 {
			t.Fatalf("purged %d, want 1 (%v)", n, err)
		}
		rejected.gone(t, d, "the purge of a rejected tribute")
		kept.kept(t, d, "the purge of another tribute")
		visitor.Get(wall).Must(t, 200, "Kept Tribute")
	})
}

// A photo that was on the wall was published at its addresses (and in the
// cached wall pages of every visitor since). Rejecting its tribute takes it
// off them at once: the old addresses answer 404 from the moment the
// rejection is saved, though the photo is kept, at new addresses no page
// shows, until the purge; approved again, it shows at those.
func TestRejectedPhotoLeavesItsPublishedAddress(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		d := s.App.DB
		openWall(t, s)
		visitor := s.client()
		visitor.submit("Second Thoughts", "second@example.org", widePhoto(t))
		visitor.submit("Neighbour", "neighbour@example.org", widePhoto(t))
		s.RunJobs()
		mod, csrf := s.moderator()
		id := tributeID(t, d, "Second Thoughts")
		mod.decide(csrf, "approve", id, tributeID(t, d, "Neighbour"))
		shown, neighbour := photoOf(t, s, d, "Second Thoughts"), photoOf(t, s, d, "Neighbour")
		visitor.Get(wall).Must(t, 200, "Second Thoughts", shown.url)
		for _, u := range shown.urls {
			visitor.Get(u).Must(t, 200)
		}

		mod.decide(csrf, "reject", id)
		visitor.Get(wall).MustNot(t, "Second Thoughts", shown.url)
		for _, u := range shown.urls {
			visitor.Get(u).Must(t, 404)
		}
		hidden := photoOf(t, s, d, "Second Thoughts") // kept, every size on disk
		if hidden.id != shown.id {
			t.Fatalf("the photo became media %d, was %d", hidden.id, shown.id)
		}
		for _, u := range hidden.urls {
			if slices.Contains(shown.urls, u) {
				t.Errorf("%s is still the photo's address", u)
			}
		}
		neighbour.kept(t, d, "another tribute's rejection")
		visitor.Get(wall).Must(t, 200, neighbour.url)

		// Rejecting it again changes nothing; approving it shows it at its
		// new address.
		mod.decide(csrf, "reject", id)
		if again := photoOf(t, s, d, "Second Thoughts"); again.url != hidden.url {
			t.Errorf("a second rejection moved the photo again: %s → %s", hidden.url, again.url)
		}
		mod.decide(csrf, "approve", id)
		visitor.Get(wall).Must(t, 200, "Second Thoughts", hidden.url)
		visitor.Get(hidden.url).Must(t, 200)
	})
}
