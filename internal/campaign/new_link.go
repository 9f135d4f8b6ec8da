package campaign

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"peerpress/internal/db"
	peermail "peerpress/internal/mail"
	"peerpress/internal/participant"
	"peerpress/internal/participant/relink"
	"peerpress/internal/web"
)

// Someone who sent a tribute and lost the mail with its withdrawal link
// gives the address they sent it with and gets a fresh link there; the
// old one stops working. The server keeps no readable address of theirs
// (it is sealed for staff): it finds the tributes by the address's keyed
// hash and mails the address just typed. The page answers the same
// whether or not the address sent anything.

// tributeLinks is where tributes keep their withdrawal links.
var tributeLinks = relink.Table{Name: "tributes", HashColumn: "token_hash", Shown: "remembered"}

// newLinkForm names the form to the guard.
const newLinkForm = "tribute-new-link"

// NewLinkPath is the form's path under a language.
const NewLinkPath = "/tributes/new-link"

// FreshLink is a tribute's new withdrawal link, to mail.
type FreshLink struct {
	Remembered string
	Token      string
}

// FreshWithdrawLinks gives each tribute sent with email a new withdrawal
// link, unless it got one in the last relink.Every, and mails them in the
// message message builds, in the same transaction. It returns how many,
// which the page never tells.
func (s *Store) FreshWithdrawLinks(ctx context.Context, email string, message func([]FreshLink) peermail.Message) (int, error) {
	email, err := participant.Normalize(email)
	if err != nil {
		return 0, err
	}
	now := s.now()
	var links []FreshLink
	err = s.quiet.InTx(ctx, func(tx *db.Tx) error {
		var err error
		links, err = relink.Renew(ctx, tx, tributeLinks, s.vault.Hash(hashEmail, email), now, func(l *FreshLink) ([]any, *string) {
			return []any{&l.Remembered}, &l.Token
		})
		if err != nil {
			return err
		}
		if len(links) == 0 {
			return nil
		}
		m := message(links)
		m.To = email // as normalised: the address the tributes were found by
		return s.mailer.Send(ctx, tx, m)
	})
	if err != nil {
		return 0, fmt.Errorf("campaign: fresh links: %w", err)
	}
	return len(links), nil
}

// newLinkWords are the form's message keys (relink.Form).
var newLinkWords = relink.Words{Title: "campaign.new_link_title", Intro: "campaign.new_link_intro", Email: "campaign.new_link_email",
	Button: "campaign.new_link_button", Sent: "campaign.new_link_sent", EmailError: "campaign.error.email"}

// sendFreshLinks gives every tribute sent with email a fresh withdrawal
// link and mails them, in lang (relink.Form.Send).
func (h *Handlers) sendFreshLinks(r *http.Request, lang, email string) error {
	withdraw := web.Origin(h.rd.BaseURL, r) + "/" + lang + "/tributes/withdraw/"
	loc := h.rd.I18n().Localizer(lang)
	_, err := h.store.FreshWithdrawLinks(r.Context(), email, func(links []FreshLink) peermail.Message {
		var b strings.Builder
		b.WriteString(loc.T("campaign.new_link_mail_intro") + "\n\n")
		for _, l := range links {
			b.WriteString(loc.T("campaign.new_link_mail_for", "Name", l.Remembered) + "\n" + withdraw + l.Token + "\n\n")
		}
		b.WriteString(loc.T("campaign.new_link_mail_not_you") + "\n\n— " + h.rd.SiteName + "\n")
		return peermail.Message{To: email, Subject: loc.T("campaign.new_link_mail_subject"), Text: b.String()}
	})
	return err
}
