package letter

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"peerpress/internal/db"
	"peerpress/internal/mail"
	"peerpress/internal/participant"
	"peerpress/internal/participant/relink"
	"peerpress/internal/web"
)

// A signatory who lost the mail with their withdrawal link gives the
// address they signed with and gets a fresh link there; the old one
// stops working. The page answers the same whether or not the address
// signed anything, so it tells nobody who signed.

// signatureLinks is where signatures keep their withdrawal links.
var signatureLinks = relink.Table{Name: "signatures", HashColumn: "withdraw_hash", Shown: "entry_id, lang"}

// newLinkForm names the form to the guard.
const newLinkForm = "letter-new-link"

// NewLinkPath is the form's path under a language.
const NewLinkPath = "/signatures/new-link"

// FreshLink is a signature's new withdrawal link, to mail.
type FreshLink struct {
	EntryID  int64
	Lang     string
	Withdraw string
}

// FreshWithdrawLinks gives each signature made with email a new
// withdrawal link, unless it got one in the last relink.Every, and mails
// them with send in the same transaction. It returns how many, which
// the page never tells.
func (s *Store) FreshWithdrawLinks(ctx context.Context, email string, send func(ctx context.Context, tx *db.Tx, links []FreshLink) error) (int, error) {
	email, err := participant.Normalize(email)
	if err != nil {
		return 0, err
	}
	now := s.now()
	var links []FreshLink
	// No page shows a withdrawal link: a quiet write.
	err = s.quiet.InTx(ctx, func(tx *db.Tx) error {
		var err error
		links, err = relink.Renew(ctx, tx, signatureLinks, s.vault.Hash(hashEmail, email), now, func(l *FreshLink) ([]any, *string) {
			return []any{&l.EntryID, &l.Lang}, &l.Withdraw
		})
		if err != nil {
			return err
		}
		if len(links) == 0 {
			return nil
		}
		return send(ctx, tx, links)
	})
	if err != nil {
		return 0, fmt.Errorf("letter: fresh links: %w", err)
	}
	return len(links), nil
}

// newLinkWords are the form's message keys (relink.Form).
var newLinkWords = relink.Words{Title: "letter.new_link_title", Intro: "letter.new_link_intro", Email: "letter.new_link_email",
	Button: "letter.new_link_button", Sent: "letter.new_link_sent", EmailError: "letter.err_email"}

// sendFreshLinks gives every signature made with email a fresh
// withdrawal link and mails them (relink.Form.Send).
func (h *Handlers) sendFreshLinks(r *http.Request, lang, email string) error {
	addr, err := participant.Normalize(email)
	if err != nil {
		return err
	}
	_, err = h.store.FreshWithdrawLinks(r.Context(), addr, h.freshLinksMail(r, lang, addr))
	return err
}

// freshLinksMail writes the mail of fresh withdrawal links, in the
// language the form was used in, one link per statement.
func (h *Handlers) freshLinksMail(r *http.Request, lang, email string) func(context.Context, *db.Tx, []FreshLink) error {
	origin := web.Origin(h.rd.BaseURL, r)
	return func(ctx context.Context, tx *db.Tx, links []FreshLink) error {
		l := h.rd.I18n().Localizer(lang)
		var b strings.Builder
		b.WriteString(l.T("letter.mail_greeting") + "\n\n" + l.T("letter.new_link_mail_intro") + "\n\n")
		for _, fl := range links {
			title := ""
			if e, err := h.entries.Entry(ctx, fl.EntryID); err == nil {
				t, ok := e.Translation(fl.Lang)
				if !ok {
					t = e.Source()
				}
				title = t.Title
			}
			b.WriteString("“" + title + "”\n" + origin + "/" + fl.Lang + "/signatures/withdraw/" + fl.Withdraw + "\n\n")
		}
		b.WriteString(l.T("letter.new_link_mail_not_you") + "\n\n— " + h.rd.SiteName + "\n")
		return h.mailer.Send(ctx, tx, mail.Message{To: email, Subject: l.T("letter.new_link_mail_subject"), Text: b.String()})
	}
}
