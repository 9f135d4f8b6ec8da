package campaign

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"peerpress/internal/db"
	"peerpress/internal/web"
)

// moderationPage is the tributes' panel on the moderation dashboard.
type moderationPage struct {
	web.Page
	Status     Status
	CampaignID int64
	Campaigns  map[int64]string // campaign id → title, for the list
	Tributes   []tributeView
	Done       int
	Decided    string // "approved" or "rejected" after a bulk action
}

// maxRejectReason is the longest note on a rejection, in characters.
const maxRejectReason = 500

// moderationLimit is how many tributes the dashboard lists at once.
const moderationLimit = 200

// Waiting counts the tributes waiting for a moderator (moderation.Queue).
func (h *Handlers) Waiting(ctx context.Context) (label, url string, n int, err error) {
	n, err = h.store.CountWaiting(ctx, 0)
	return "campaign.moderation.tributes_waiting", "/admin/moderation", n, err
}

// ModerationPanel draws, on the moderation dashboard at
// /admin/moderation?status=…&campaign=…, the tributes in a status to
// approve or reject in bulk (moderation.Panel).
func (h *Handlers) ModerationPanel(r *http.Request) (template.HTML, error) {
	ctx := r.Context()
	q := r.URL.Query()
	p := moderationPage{Page: h.adminPage(r, "moderation.title"), Status: Waiting, Campaigns: map[int64]string{}}
	switch s := Status(q.Get("status")); s {
	case Approved, Rejected:
		p.Status = s
	}
	if id, err := strconv.ParseInt(q.Get("campaign"), 10, 64); err == nil && id > 0 {
		p.CampaignID = id
	}
	ts, err := h.store.ByStatus(ctx, p.Status, p.CampaignID, moderationLimit)
	if err != nil {
		return "", err
	}
	if p.Tributes, err = h.withPhotos(ctx, ts, 1); err != nil {
		return "", err
	}
	for _, t := range ts {
		if _, ok := p.Campaigns[t.CampaignID]; ok {
			continue
		}
		if e, err := h.entries.Entry(ctx, t.CampaignID); err == nil {
			p.Campaigns[t.CampaignID] = e.Source().Title
		}
	}
	if d, err := strconv.Atoi(q.Get("done")); err == nil && d >= 0 {
		p.Done = d
		switch Status(q.Get("decided")) {
		case Approved:
			p.Flash = p.L.N("campaign.moderation.approved_n", d)
		case Rejected:
			p.Flash = p.L.N("campaign.moderation.rejected_n", d)
		}
	}
	var buf bytes.Buffer
	if err := h.tmpl["admin_moderation"].Execute(&buf, p); err != nil {
		return "", fmt.Errorf("campaign: moderation panel: %w", err)
	}
	return template.HTML(buf.String()), nil // #nosec G203 -- output of html/template, escaped by it
}

// decideTributes serves POST /admin/moderation/tributes: approve or reject
// the ticked tributes.
func (h *Handlers) decideTributes(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return web.BadRequest("form.unreadable")
	}
	var status Status
	switch r.PostFormValue("do") {
	case "approve":
		status = Approved
	case "reject":
		status = Rejected
	default:
		return web.BadRequest("form.invalid_choice")
	}
	var ids []int64
	for _, v := range r.PostForm["id"] {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return web.BadRequest("form.invalid_choice")
		}
		ids = append(ids, id)
	}
	if len(ids) > moderationLimit {
		return web.BadRequest("form.invalid_choice")
	}
	// An optional note on a rejection, for staff: nothing is mailed.
	reason := strings.TrimSpace(r.PostFormValue("reason"))
	if !utf8.ValidString(reason) || strings.ContainsRune(reason, 0) {
		return web.BadRequest("form.invalid_text")
	}
	if utf8.RuneCountInString(reason) > maxRejectReason {
		return web.BadRequest("campaign.moderation.reason_too_long")
	}
	if status == Rejected {
		// A photo that was on a wall was published at its address: it
		// moves to a new one before the tribute leaves the wall, so the
		// old address is dead the moment the rejection is saved. (The
		// photo itself is kept until the rejected tribute is purged.)
		photos, err := h.store.ShownPhotos(r.Context(), ids)
		if err != nil {
			return err
		}
		for _, id := range photos {
			if err := h.media.Rekey(r.Context(), id); err != nil && !errors.Is(err, db.ErrNotFound) {
				return err
			}
		}
	}
	n, err := h.store.Decide(r.Context(), ids, status, reason)
	if err != nil {
		return err
	}
	back := "/admin/moderation?done=" + strconv.Itoa(n) + "&decided=" + string(status)
	if s := Status(r.PostFormValue("status")); s == Approved || s == Rejected {
		back += "&status=" + string(s)
	}
	if id, err := strconv.ParseInt(r.PostFormValue("campaign"), 10, 64); err == nil && id > 0 {
		back += "&campaign=" + strconv.FormatInt(id, 10)
	}
	http.Redirect(w, r, back, http.StatusSeeOther) // #nosec G710 -- a path of this site with a parsed number
	return nil
}
