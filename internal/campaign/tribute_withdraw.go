package campaign

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"peerpress/internal/db"
	"peerpress/internal/web"
)

// withdrawPage asks to confirm a withdrawal, or says it is done.
type withdrawPage struct {
	web.Page
	Remembered string
	Status     Status
	Done       bool
}

// linkGone answers a withdrawal link that leads nowhere: withdrawn
// already, or never valid. The same answer for both tells a guesser
// nothing.
func linkGone() error {
	return &web.Error{Status: http.StatusNotFound, Key: "campaign.withdraw_gone"}
}

// withdrawForm serves GET /{lang}/tributes/withdraw/{token}: a page with a
// button, so that a mail scanner following the link withdraws nothing.
func (h *Handlers) withdrawForm(w http.ResponseWriter, r *http.Request) error {
	lang := web.Lang(r)
	t, err := h.store.ByToken(r.Context(), r.PathValue("token"))
	if errors.Is(err, db.ErrNotFound) {
		return linkGone()
	}
	if err != nil {
		return err
	}
	p := withdrawPage{Page: h.rd.PublicPage(r, lang), Remembered: t.Remembered, Status: t.Status}
	p.Title, p.NoIndex = p.L.T("campaign.withdraw_title"), true
	return h.rd.Render(w, http.StatusOK, h.tmpl["withdraw"], p)
}

// withdraw serves POST /{lang}/tributes/withdraw/{token}: the tribute and
// its photo are deleted, and leave the public pages at once.
func (h *Handlers) withdraw(w http.ResponseWriter, r *http.Request) error {
	lang := web.Lang(r)
	ctx := r.Context()
	t, err := h.store.Withdraw(ctx, r.PathValue("token"))
	if errors.Is(err, db.ErrNotFound) {
		return linkGone()
	}
	if err != nil {
		return err
	}
	if t.MediaID != 0 {
		// The tribute is gone already, so its photo goes even if the
		// visitor leaves now; a photo left behind by an error is
		// logged, and is unreachable from any page.
		if err := h.media.Delete(context.WithoutCancel(ctx), t.MediaID); err != nil && !errors.Is(err, db.ErrNotFound) {
			slog.Error("delete withdrawn tribute's photo", "tribute_id", t.ID, "media_id", t.MediaID, "err", err)
		}
	}
	p := withdrawPage{Page: h.rd.PublicPage(r, lang), Remembered: t.Remembered, Done: true}
	p.Title, p.NoIndex = p.L.T("campaign.withdrawn_title"), true
	return h.rd.Render(w, http.StatusOK, h.tmpl["withdraw"], p)
}
