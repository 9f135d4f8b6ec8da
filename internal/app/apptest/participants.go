package apptest

import (
	"context"
	"fmt"
	"regexp"
	"time"

	"peerpress/internal/campaign"
	"peerpress/internal/content"
	"peerpress/internal/db"
	"peerpress/internal/events"
	"peerpress/internal/letter"
	"peerpress/internal/mail"
)

// Participation is where a participant gave the site their data: an
// event they registered for (confirmed), an open letter they signed
// (verified), and a tribute wall they wrote on.
type Participation struct {
	EventID, StatementID, CampaignID int64
	Withdraw                         string // the tribute's withdrawal token
}

// The entries every participant of a test site takes part in.
const (
	EventTitle     = "Harm reduction behind bars"
	StatementTitle = "Decriminalise us now"
	CampaignTitle  = "Candles for the lost"
)

var confirmRe = regexp.MustCompile(`/registration/confirm/([A-Za-z0-9_-]{43})`)

// Participate gives the site a participant's data in every feature that
// holds some, as the public forms would: a confirmed registration (with
// org as the answer to its one question), a verified individual
// signature from Kenya, and a tribute remembering remembered. The event,
// letter and wall are made the first time.
func (s *Site) Participate(email, name, org, remembered string) Participation {
	s.T.Helper()
	ctx := context.Background()
	p := s.entries()
	a := s.App
	err := a.Events.Register(ctx, events.RegisterInput{EntryID: p.EventID, Lang: "en", Origin: s.Server.URL, Email: email, Name: name,
		Answers: map[string]string{"0": org}})
	if err != nil {
		s.T.Fatalf("register %s: %v", email, err)
	}
	m := confirmRe.FindStringSubmatch(s.lastText(email))
	if m == nil {
		s.T.Fatalf("no confirmation link to %s", email)
	}
	if _, _, err := a.Events.Confirm(ctx, m[1]); err != nil {
		s.T.Fatalf("confirm %s: %v", email, err)
	}
	var links letter.Links
	err = a.Letters.Sign(ctx, letter.Signature{EntryID: p.StatementID, Kind: letter.Individual, Name: name, Country: "KE", Email: email, Lang: "en"},
		func(_ context.Context, _ *db.Tx, _ letter.Signature, l letter.Links, _ bool) error {
			links = l
			return nil
		})
	if err != nil {
		s.T.Fatalf("sign %s: %v", email, err)
	}
	if _, err := a.Letters.Verify(ctx, links.Verify); err != nil {
		s.T.Fatalf("verify %s: %v", email, err)
	}
	_, err = campaign.NewStore(a.DB, a.People.Vault, a.Mailer).Submit(ctx,
		campaign.Submission{CampaignID: p.CampaignID, Lang: "en", Remembered: remembered, Body: "We remember " + remembered + ".", Email: email},
		func(token string) mail.Message {
			p.Withdraw = token
			return mail.Message{To: email, Subject: "Your tribute", Text: "Withdraw: " + token}
		})
	if err != nil {
		s.T.Fatalf("tribute from %s: %v", email, err)
	}
	return p
}

// entries makes the event, letter and wall participants take part in,
// once per site.
func (s *Site) entries() Participation {
	s.T.Helper()
	if s.participation.EventID != 0 {
		return s.participation
	}
	ctx := context.Background()
	a := s.App
	save := func(kind content.Kind, title, slug string, ext map[string]any) int64 {
		id, err := a.Content.SaveEntry(ctx, 0, content.EntryInput{Kind: kind, Ext: ext},
			content.TranslationInput{Lang: "en", Title: title, Slug: slug, Summary: title, Body: title, Status: content.Published,
				PublishAt: time.Now().Add(-time.Hour)}, 0)
		if err != nil {
			s.T.Fatalf("save %s: %v", title, err)
		}
		return id
	}
	p := Participation{
		EventID: save(content.Event, EventTitle, "apptest-harm-reduction-behind-bars", events.Ext(events.Info{StartsAt: time.Now().Add(7 * 24 * time.Hour).Truncate(time.Minute),
			TimeZone: "UTC", DurationMinutes: 90, Mode: "online"})),
		StatementID: save(content.Statement, StatementTitle, "apptest-decriminalise-us-now", nil),
		CampaignID:  save(content.Campaign, CampaignTitle, "apptest-candles-for-the-lost", nil),
	}
	if err := a.Events.SaveDetails(ctx, events.Details{EntryID: p.EventID, Open: true, JoinURL: "https://meet.example.org/behind-bars",
		Questions: []events.Question{{Type: events.QuestionText, Label: "Organisation"}}, ReminderMinutes: events.DefaultReminders}); err != nil {
		s.T.Fatal(err)
	}
	if err := a.Letters.SaveLetter(ctx, letter.Letter{EntryID: p.StatementID, Open: true, Organisations: true, Individuals: true}); err != nil {
		s.T.Fatal(err)
	}
	s.participation = p
	return p
}

// LastText is the text of the last mail to addr, from the SMTP server or
// the outbox.
func (s *Site) LastText(addr string) string {
	s.T.Helper()
	return s.lastText(addr)
}

// lastText is the text of the last mail to addr, from the SMTP server or
// the outbox.
func (s *Site) lastText(addr string) string {
	s.T.Helper()
	if s.SMTP != nil {
		got := s.Mail(addr)
		if len(got) == 0 {
			s.T.Fatalf("no mail to %s", addr)
		}
		return got[len(got)-1].Text
	}
	s.RunJobs()
	kept, err := s.App.Mailer.Outbox(context.Background(), 500)
	if err != nil {
		s.T.Fatal(err)
	}
	for _, m := range kept { // newest first
		if m.To == addr {
			return m.Text
		}
	}
	s.T.Fatal(fmt.Sprintf("no mail to %s in the outbox", addr))
	return ""
}

var inviteLink = regexp.MustCompile(`https?://[^\s/]+(/admin/invite/[A-Za-z0-9_-]{43})`)

// InviteLink is the path of the invitation's link in the last mail to
// addr.
func (s *Site) InviteLink(addr string) string {
	s.T.Helper()
	m := inviteLink.FindStringSubmatch(s.lastText(addr))
	if m == nil {
		s.T.Fatalf("no invitation link in the last mail to %s", addr)
	}
	return m[1]
}
