package letter

import (
	"context"
	"net/http"
	"strings"
	"time"

	"peerpress/internal/content"
	"peerpress/internal/db"
	"peerpress/internal/mail"
	"peerpress/internal/web"
)

// signatureMail returns the Mailer that writes a signatory's mail in the
// language they signed in: the link to confirm (when still needed) and
// the private link to withdraw, both absolute.
func (h *Handlers) signatureMail(r *http.Request, t content.Translation) Mailer {
	origin := web.Origin(h.rd.BaseURL, r)
	return func(ctx context.Context, tx *db.Tx, sig Signature, links Links, again bool) error {
		l := h.rd.I18n().Localizer(sig.Lang)
		var b strings.Builder
		b.WriteString(l.T("letter.mail_greeting") + "\n\n")
		if again {
			b.WriteString(l.T("letter.mail_again", "Title", t.Title) + "\n\n")
		} else {
			b.WriteString(l.T("letter.mail_intro", "Name", sig.Name, "Title", t.Title) + "\n\n")
		}
		if links.Verify != "" {
			b.WriteString(l.N("letter.mail_verify", int(VerifyWithin/time.Hour)) + "\n")
			b.WriteString(origin + "/" + sig.Lang + "/signatures/verify/" + links.Verify + "\n\n")
		}
		b.WriteString(l.T("letter.mail_withdraw") + "\n")
		b.WriteString(origin + "/" + sig.Lang + "/signatures/withdraw/" + links.Withdraw + "\n\n")
		b.WriteString(l.T("letter.mail_privacy") + "\n\n" + l.T("letter.mail_not_you") + "\n\n— " + h.rd.SiteName + "\n")
		msg := mail.Message{To: sig.Email, Subject: l.T("letter.mail_subject", "Title", t.Title), Text: b.String()}
		if links.Verify != "" {
			// Unconfirmed, the signature is purged after VerifyWithin: a
			// mail about it that failed for good goes with it.
			msg.Until = time.Now().Add(VerifyWithin)
		}
		return h.mailer.Send(ctx, tx, msg)
	}
}
