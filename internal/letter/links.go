package letter

import (
	"errors"
	"net/http"

	"peerpress/internal/db"
	"peerpress/internal/web"
)

// The pages of a signatory's private links ask before they act (a mail
// scanner following links must not confirm or withdraw anything), are
// never cached, and say plainly when a link is expired or unknown.

// badLink answers an unknown or expired link with a page that says so and
// what to do; nothing changes.
func (h *Handlers) badLink(w http.ResponseWriter, r *http.Request, lang string, err error) error {
	if !errors.Is(err, db.ErrNotFound) && !errors.Is(err, ErrExpired) {
		return err
	}
	status, heading, message := http.StatusNotFound, "letter.link_unknown", "letter.link_unknown_message"
	if errors.Is(err, ErrExpired) {
		status, heading, message = http.StatusGone, "letter.link_expired", "letter.link_expired_message"
	}
	p := h.message(r, lang, heading)
	p.Message = p.L.T(message)
	p.Links = []web.Crumb{{Name: p.L.T("letter.new_link_lost"), URL: "/" + lang + NewLinkPath}}
	return h.rd.Render(w, status, h.tmpl["public_message"], p)
}

// confirmVerify serves GET /{lang}/signatures/verify/{token}.
func (h *Handlers) confirmVerify(w http.ResponseWriter, r *http.Request) error {
	lang := web.Lang(r)
	sig, err := h.store.ByVerifyToken(r.Context(), r.PathValue("token"))
	if err != nil {
		return h.badLink(w, r, lang, err)
	}
	t, err := h.statementOf(r, sig, lang)
	if err != nil {
		return err
	}
	p := h.message(r, lang, "letter.verify_heading")
	p.Message = p.L.T("letter.verify_message", "Name", sig.Name, "Title", t.Title)
	p.Action, p.Button = r.URL.Path, p.L.T("letter.verify_button")
	return h.rd.Render(w, http.StatusOK, h.tmpl["public_message"], p)
}

// verify serves POST /{lang}/signatures/verify/{token}.
func (h *Handlers) verify(w http.ResponseWriter, r *http.Request) error {
	lang := web.Lang(r)
	sig, err := h.store.Verify(r.Context(), r.PathValue("token"))
	if err != nil {
		return h.badLink(w, r, lang, err)
	}
	t, err := h.statementOf(r, sig, lang)
	if err != nil {
		return err
	}
	p := h.message(r, lang, "letter.verified_heading")
	if sig.Status == Approved {
		p.Message = p.L.T("letter.verified_message", "Title", t.Title)
	} else {
		p.Message = p.L.T("letter.verified_waiting", "Title", t.Title)
	}
	p.Note = p.L.T("letter.withdraw_note")
	if t.Lang == lang {
		base := "/" + lang + "/statements/" + t.Slug
		p.Links = []web.Crumb{{Name: t.Title, URL: base}, {Name: p.L.T("letter.see_signatories"), URL: base + "/signatures"}}
	}
	return h.rd.Render(w, http.StatusOK, h.tmpl["public_message"], p)
}

// confirmWithdraw serves GET /{lang}/signatures/withdraw/{token}.
func (h *Handlers) confirmWithdraw(w http.ResponseWriter, r *http.Request) error {
	lang := web.Lang(r)
	sig, err := h.store.ByWithdrawToken(r.Context(), r.PathValue("token"))
	if err != nil {
		return h.badLink(w, r, lang, err)
	}
	t, err := h.statementOf(r, sig, lang)
	if err != nil {
		return err
	}
	p := h.message(r, lang, "letter.withdraw_heading")
	p.Message = p.L.T("letter.withdraw_message", "Name", sig.Name, "Title", t.Title)
	if sig.Locked { // not published yet: the server cannot read the name
		p.Message = p.L.T("letter.withdraw_message_unnamed", "Title", t.Title)
	}
	p.Action, p.Button, p.Danger = r.URL.Path, p.L.T("letter.withdraw_button"), true
	return h.rd.Render(w, http.StatusOK, h.tmpl["public_message"], p)
}

// withdraw serves POST /{lang}/signatures/withdraw/{token}: the signature
// and everything given with it are deleted, and public pages change at
// once.
func (h *Handlers) withdraw(w http.ResponseWriter, r *http.Request) error {
	lang := web.Lang(r)
	if err := h.store.Withdraw(r.Context(), r.PathValue("token")); err != nil {
		return h.badLink(w, r, lang, err)
	}
	p := h.message(r, lang, "letter.withdrawn_heading")
	p.Message = p.L.T("letter.withdrawn_message")
	return h.rd.Render(w, http.StatusOK, h.tmpl["public_message"], p)
}
