package letter

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
	"peerpress/internal/mail"
	"peerpress/internal/participant"
	"peerpress/internal/web"
)

// A signatory who lost the mail with their withdrawal link gives the
// address they signed with and gets a fresh link there; the old one
// stops working. The page answers the same whether or not the address
// signed anything, so it tells nobody who signed.

// relinkEvery is how often one signature may get a fresh link, however
// often it is asked for: a form that mails cannot be a mail cannon.
const relinkEvery = 10 * time.Minute

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
// withdrawal link, unless it got one in the last relinkEvery, and mails
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
		rows, err := tx.QueryContext(ctx, `SELECT id, entry_id, lang FROM signatures WHERE email_hash = ? AND relinked_at <= ? ORDER BY id`,
			s.vault.Hash(hashEmail, email), now.Add(-relinkEvery).Unix())
		if err != nil {
			return err
		}
		var ids []int64
		for rows.Next() {
			var id int64
			var l FreshLink
			if err := rows.Scan(&id, &l.EntryID, &l.Lang); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, id)
			links = append(links, l)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for i, id := range ids {
			var hash string
			links[i].Withdraw, hash = participant.NewLink()
			if _, err := tx.ExecContext(ctx, `UPDATE signatures SET withdraw_hash = ?, relinked_at = ? WHERE id = ?`, hash, now.Unix(), id); err != nil {
				return err
			}
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
	p.Title = p.L.T("letter.new_link_title")
	p.NoIndex = true
	p.Guard = h.guard.FieldsLabel(newLinkForm, p.L.T("guard.leave_empty"))
	return p
}

// newLink serves GET /{lang}/signatures/new-link.
func (h *Handlers) newLink(w http.ResponseWriter, r *http.Request) error {
	p := h.newLinkPage(r, web.Lang(r))
	p.Sent = r.URL.Query().Get("sent") != ""
	return h.rd.Render(w, http.StatusOK, h.tmpl["new_link"], p)
}

// sendNewLink serves POST /{lang}/signatures/new-link.
func (h *Handlers) sendNewLink(w http.ResponseWriter, r *http.Request) error {
	lang := web.Lang(r)
	if err := r.ParseForm(); err != nil {
		return web.BadRequest("form.unreadable")
	}
	p := h.newLinkPage(r, lang)
	p.Email = strings.TrimSpace(r.PostForm.Get("email"))
	addr, err := participant.Normalize(p.Email)
	if err != nil {
		p.EmailError, p.Error = "letter.err_email", "form.has_errors"
		return h.rd.Render(w, http.StatusUnprocessableEntity, h.tmpl["new_link"], p)
	}
	_, err = h.guard.Check(r, newLinkForm)
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
	if _, err := h.store.FreshWithdrawLinks(r.Context(), p.Email, h.freshLinksMail(r, lang, addr)); err != nil {
		return err
	}
	http.Redirect(w, r, p.Action+"?sent=1", http.StatusSeeOther)
	return nil
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
