package campaign_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"peerpress/internal/campaign"
	"peerpress/internal/content"
	"peerpress/internal/db"
	"peerpress/internal/db/dbtest"
	"peerpress/internal/mail"
	"peerpress/internal/participant"
	"peerpress/internal/search"
	"peerpress/internal/secret"
)

// fakeMailer keeps what would be sent, or fails when told to.
type fakeMailer struct {
	sent []mail.Message
	fail error
}

func (m *fakeMailer) Send(ctx context.Context, tx *db.Tx, msg mail.Message) error {
	if m.fail != nil {
		return m.fail
	}
	m.sent = append(m.sent, msg)
	return nil
}

// photos records which photos were deleted.
type photos []int64

func (p *photos) Delete(ctx context.Context, id int64) error { *p = append(*p, id); return nil }

func newCampaign(t *testing.T, d *db.DB) int64 {
	t.Helper()
	id, err := content.NewStore(d, search.Index{}).SaveEntry(context.Background(), 0, content.EntryInput{Kind: content.Campaign},
		content.TranslationInput{Lang: "en", Title: "Lights for the lost", Slug: "lights", Body: "x", Status: content.Published, PublishAt: time.Now().Add(-time.Hour)}, 0)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// The submitter's email is sealed, a second submission of the same name
// by the same email is refused, a mail that cannot be queued stores
// nothing, and a rejected tribute is purged with its photo.
func TestTributeStore(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		box, err := secret.Open(secret.NewKey())
		if err != nil {
			t.Fatal(err)
		}
		m := &fakeMailer{}
		s := campaign.NewStore(d, participant.NewVault(box), m)
		cid := newCampaign(t, d)
		msg := func(token string) mail.Message {
			return mail.Message{To: "kin@example.org", Text: "/withdraw/" + token}
		}

		id, err := s.Submit(ctx, campaign.Submission{CampaignID: cid, Lang: "en", Remembered: "Ola N.", Body: "Remembered.", Email: "kin@example.org", Flagged: true}, msg)
		if err != nil {
			t.Fatal(err)
		}
		if len(m.sent) != 1 {
			t.Fatalf("sent %d mails", len(m.sent))
		}
		token := strings.TrimPrefix(m.sent[0].Text, "/withdraw/")
		got, err := s.ByToken(ctx, token)
		if err != nil || got.ID != id || got.Status != campaign.Waiting || !got.Flagged {
			t.Fatalf("by token: %+v, %v", got, err)
		}
		var sealed, tokenHash string
		d.QueryRowContext(ctx, `SELECT email_sealed, token_hash FROM tributes WHERE id = ?`, id).Scan(&sealed, &tokenHash)
		if open, err := box.OpenString(sealed, "tributes.email_sealed"); err != nil || open != "kin@example.org" || strings.Contains(sealed, "kin@") {
			t.Fatalf("sealed email %q opens to %q, %v", sealed, open, err)
		}
		if tokenHash == token || strings.Contains(tokenHash, token) {
			t.Fatal("the withdrawal token is stored as is")
		}

		// Duplicates: the same person, spelt with other spaces and case.
		if dup, _ := s.IsDuplicate(ctx, cid, " KIN@example.org", "ola  n."); !dup {
			t.Error("IsDuplicate missed the same email and name")
		}
		if _, err := s.Submit(ctx, campaign.Submission{CampaignID: cid, Lang: "en", Remembered: "Ola N.", Body: "Again.", Email: "kin@example.org"}, msg); !errors.Is(err, campaign.ErrDuplicate) {
			t.Fatalf("second submission: %v", err)
		}

		// A mail that cannot be queued takes the tribute with it.
		m.fail = errors.New("queue down")
		if _, err := s.Submit(ctx, campaign.Submission{CampaignID: cid, Lang: "en", Remembered: "Lost", Body: "x", Email: "a@example.org"}, msg); err == nil {
			t.Fatal("submit succeeded without its mail")
		}
		if n, _ := s.CountWaiting(ctx, cid); n != 1 {
			t.Fatalf("waiting %d, want 1", n)
		}
		m.fail = nil

		// Rejected, then purged after the keeping time with its photo.
		if n, err := s.Decide(ctx, []int64{id, id + 999}, campaign.Rejected, ""); err != nil || n != 1 {
			t.Fatalf("decide: %d, %v", n, err)
		}
		var ph photos
		if n, err := s.PurgeRejected(ctx, time.Now().Add(-time.Hour), &ph); err != nil || n != 0 {
			t.Fatalf("purged %d too early (%v)", n, err)
		}
		var mediaID int64
		if err := d.InTx(ctx, func(tx *db.Tx) error {
			return tx.QueryRowContext(ctx, `INSERT INTO media (path, mime, bytes, created_at) VALUES ('2026/11/x.jpg', 'image/jpeg', 1, 0) RETURNING id`).Scan(&mediaID)
		}); err != nil {
			t.Fatal(err)
		}
		if _, err := d.ExecContext(ctx, `UPDATE tributes SET media_id = ? WHERE id = ?`, mediaID, id); err != nil {
			t.Fatal(err)
		}
		if n, err := s.PurgeRejected(ctx, time.Now().Add(time.Hour), &ph); err != nil || n != 1 {
			t.Fatalf("purge: %d, %v", n, err)
		}
		if len(ph) != 1 || ph[0] != mediaID {
			t.Fatalf("photos deleted: %v, want [%d]", ph, mediaID)
		}
		if _, err := s.ByToken(ctx, token); !errors.Is(err, db.ErrNotFound) {
			t.Fatalf("purged tribute still found: %v", err)
		}
	})
}

// Tributes sent before this version (no email hash, a withdrawal token
// stored as a keyed hash) are found by their submitter's email, their
// mailed withdrawal link still works, and erasure takes them with their
// photo while other people's stay.
func TestTributesBeforeParticipantLinks(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		box, _ := secret.Open(secret.NewKey())
		vault := participant.NewVault(box)
		s := campaign.NewStore(d, vault, &fakeMailer{})
		cid := newCampaign(t, d)
		token, _ := participant.NewLink()
		// As the store wrote it before: keyed token hash, no email hash.
		var old int64
		if err := d.QueryRowContext(ctx, `INSERT INTO tributes (campaign_id, status, lang, remembered, body, email_sealed, dup_hash, token_hash, created_at)
			VALUES (?, 'approved', 'en', 'Old friend', 'Words', ?, 'dup-old', ?, 1) RETURNING id`,
			cid, box.SealString(" Kin@Example.org", "tributes.email_sealed"), box.Hash(token, "tributes.token_hash")).Scan(&old); err != nil {
			t.Fatal(err)
		}
		var mediaID int64
		if err := d.QueryRowContext(ctx, `INSERT INTO media (path, mime, bytes, created_at) VALUES ('2026/11/old.jpg', 'image/jpeg', 1, 0) RETURNING id`).Scan(&mediaID); err != nil {
			t.Fatal(err)
		}
		d.ExecContext(ctx, `UPDATE tributes SET media_id = ? WHERE id = ?`, mediaID, old)
		if got, err := s.ByToken(ctx, token); err != nil || got.ID != old {
			t.Fatalf("the withdrawal link mailed before: %v %+v", err, got)
		}
		if _, err := s.Submit(ctx, campaign.Submission{CampaignID: cid, Lang: "en", Remembered: "New friend", Body: "More", Email: "kin@example.org"},
			func(string) mail.Message { return mail.Message{To: "kin@example.org"} }); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Submit(ctx, campaign.Submission{CampaignID: cid, Lang: "en", Remembered: "Someone", Body: "Else", Email: "other@example.org"},
			func(string) mail.Message { return mail.Message{To: "other@example.org"} }); err != nil {
			t.Fatal(err)
		}
		var ph photos
		h := s.PersonalData(&ph, content.NewStore(d, search.Index{}))
		who, _ := vault.Subject("KIN@example.org")
		recs, err := h.Find(ctx, who)
		if err != nil || len(recs) != 2 {
			t.Fatalf("find: %v %+v", err, recs)
		}
		if recs[0].ID != old || recs[0].Fields[0].Value != " Kin@Example.org" || recs[0].Fields[1].Value != "Old friend" ||
			!strings.Contains(recs[0].About, "Lights for the lost") || recs[1].Fields[1].Value != "New friend" {
			t.Fatalf("records: %+v", recs)
		}
		if n, err := h.Erase(ctx, who); err != nil || n != 2 {
			t.Fatalf("erase: %d %v", n, err)
		}
		if len(ph) != 1 || ph[0] != mediaID {
			t.Fatalf("photos deleted: %v", ph)
		}
		if recs, _ := h.Find(ctx, who); len(recs) != 0 {
			t.Fatalf("found after erasure: %+v", recs)
		}
		other, _ := vault.Subject("other@example.org")
		if recs, _ := h.Find(ctx, other); len(recs) != 1 {
			t.Fatalf("someone else's tribute went too: %+v", recs)
		}
	})
}
