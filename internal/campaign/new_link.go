package campaign

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"

	"peerpress/internal/db"
	"peerpress/internal/guard"
	peermail "peerpress/internal/mail"
	"peerpress/internal/participant"
	"peerpress/internal/web"
)

// Someone who sent a tribute and lost the mail with its withdrawal link
// gives the address they sent it with and gets a fresh link there; the
// old one stops working. The server keeps no readable address of theirs
// (it is sealed for staff): it finds the tributes by the address's keyed
// hash and mails the address just typed. The page answers the same
// whether or not the address sent anything.

// relinkEvery is how often one tribute may get a fresh link, however
// often it is asked for.
const relinkEvery = 10 * time.Minute

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
// link, unless it got one in the last relinkEvery, and mails them in the
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
		rows, err := tx.QueryContext(ctx, `SELECT id, remembered FROM tributes WHERE email_hash = ? AND relinked_at <= ? ORDER BY id`,
			s.vault.Hash(hashEmail, email), now.Add(-relinkEvery).Unix())
		if err != nil {
			return err
		}
		var ids []int64
		for rows.Next() {
			var id int64
			var l FreshLink
			if err := rows.Scan(&id, &l.Remembered); err != nil {
				rows.Close()
				return err
			}
			ids, links = append(ids, id), append(links, l)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for i, id := range ids {
			var hash string
			links[i].Token, hash = participant.NewLink()
			if _, err := tx.ExecContext(ctx, `UPDATE tributes SET token_hash = ?, relinked_at = ? WHERE id = ?`, hash, now.Unix(), id); err != nil {
				return err
			}
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

// newLinkPage is the form, and what it says once sent.
type newLinkPage struct {
	web.Page
	Action     string
	Guard      template.HTML
	Email      string
	EmailError string // a message key
	Error      string // a message key about the submission
	Sent       bool
}

func (h *Handlers) newLinkPage(r *http.Request, lang string) newLinkPage {
	p := newLinkPage{Page: h.rd.PublicPage(r, lang), Action: "/" + lang + NewLinkPath}
	p.Title = p.L.T("campaign.new_link_title")
	p.NoIndex = true
	p.Guard = h.guard.FieldsLabel(newLinkForm, p.L.T("guard.leave_empty"))
	return p
}

// newLink serves GET /{lang}/tributes/new-link.
func (h *Handlers) newLink(w http.ResponseWriter, r *http.Request) error {
	p := h.newLinkPage(r, web.Lang(r))
	p.Sent = r.URL.Query().Get("sent") != ""
	return h.rd.Render(w, http.StatusOK, h.tmpl["new_link"], p)
}

// sendNewLink serves POST /{lang}/tributes/new-link.
func (h *Handlers) sendNewLink(w http.ResponseWriter, r *http.Request) error {
	lang := web.Lang(r)
	if err := r.ParseForm(); err != nil {
		return web.BadRequest("form.unreadable")
	}
	p := h.newLinkPage(r, lang)
	p.Email = strings.TrimSpace(r.PostForm.Get("email"))
	if _, err := participant.Normalize(p.Email); err != nil {
		p.EmailError, p.Error = "campaign.error.email", "form.has_errors"
		return h.rd.Render(w, http.StatusUnprocessableEntity, h.tmpl["new_link"], p)
	}
	_, err := h.guard.Check(r, newLinkForm)
	var refusal *guard.Refusal
	if errors.As(err, &refusal) {
		p.Error = refusal.Key
		status := http.StatusUnprocessableEntity
		if refusal.Key == guard.KeyRateLimited {
			status = http.StatusTooManyRequests
		}
		return h.rd.Render(w, status, h.tmpl["new_link"], p)
	}
	if err != nil {
		return err
	}
	withdraw := web.Origin(h.rd.BaseURL, r) + "/" + lang + "/tributes/withdraw/"
	loc := h.rd.I18n().Localizer(lang)
	_, err = h.store.FreshWithdrawLinks(r.Context(), p.Email, func(links []FreshLink) peermail.Message {
		var b strings.Builder
		b.WriteString(loc.T("campaign.new_link_mail_intro") + "\n\n")
		for _, l := range links {
			b.WriteString(loc.T("campaign.new_link_mail_for", "Name", l.Remembered) + "\n" + withdraw + l.Token + "\n\n")
		}
		b.WriteString(loc.T("campaign.new_link_mail_not_you") + "\n\n— " + h.rd.SiteName + "\n")
		return peermail.Message{To: p.Email, Subject: loc.T("campaign.new_link_mail_subject"), Text: b.String()}
	})
	if err != nil {
		return err
	}
	http.Redirect(w, r, p.Action+"?sent=1", http.StatusSeeOther)
	return nil
}
