package updates

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"peerpress/internal/auth"
	"peerpress/internal/content"
	"peerpress/internal/db"
	"peerpress/internal/i18n"
	"peerpress/internal/web"
)

// adminRoutes declares the staff's pages: the list of updates with their
// sending, each update's preview, test and send.
func (h *Handlers) adminRoutes(rs *web.Routes) {
	rs.Admin("GET /admin/updates", h.adminList, web.Need(auth.Write))
	rs.Admin("GET /admin/updates/{id}", h.adminShow, web.Need(auth.Write))
	rs.Admin("POST /admin/updates/{id}/test", h.adminTest, web.Need(auth.Write))
	rs.Admin("POST /admin/updates/{id}/send", h.adminSend, web.Need(auth.ManageSite))
}

// EditorLinks leads from an update's editor to its preview and sending
// (content.EditorLinker).
func (h *Handlers) EditorLinks(r *http.Request, e *content.Entry) []content.EditorLink {
	if e.Kind != Kind {
		return nil
	}
	l := h.rd.AdminLocalizer(r)
	return []content.EditorLink{{Label: l.T("updates.admin.preview_send"), URL: "/admin/updates/" + strconv.FormatInt(e.ID, 10)}}
}

// adminRow is an update in the staff's list.
type adminRow struct {
	ID       int64
	Title    string
	Progress Progress
}

type adminListPage struct {
	web.Page
	Rows        []adminRow
	Subscribers map[string]int // by status
}

// adminList serves GET /admin/updates.
func (h *Handlers) adminList(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := adminListPage{Page: h.rd.AdminPage(r), Subscribers: map[string]int{}}
	p.Title = p.L.T("updates.admin.title")
	rows, err := h.store.db.QueryContext(ctx, `SELECT e.id, t.title FROM entries e JOIN translations t ON t.entry_id = e.id AND t.lang = e.source_lang
		WHERE e.kind = ? ORDER BY e.created_at DESC, e.id DESC LIMIT 200`, string(Kind))
	if err != nil {
		return fmt.Errorf("updates: list: %w", err)
	}
	for rows.Next() {
		var row adminRow
		if err := rows.Scan(&row.ID, &row.Title); err != nil {
			rows.Close()
			return err
		}
		p.Rows = append(p.Rows, row)
	}
	rows.Close()
	for i := range p.Rows {
		if p.Rows[i].Progress, err = h.sender.Progress(ctx, p.Rows[i].ID); err != nil {
			return err
		}
	}
	counts, err := h.store.Counts(ctx)
	if err != nil {
		return err
	}
	p.Subscribers = counts
	return h.rd.Render(w, http.StatusOK, h.tmpl["admin_list"], p)
}

// editionTab is an edition the preview can show.
type editionTab struct {
	Code, Name string
	Current    bool
	Draft      bool
}

type adminShowPage struct {
	web.Page
	ID       int64
	Update   string // its title
	Editions []editionTab
	EdLang   string // the edition shown
	Subject  string
	HTML     string // the HTML part, shown in a sandboxed frame
	Text     string
	HTMLSize int
	HTMLKB   string
	TooBig   bool
	Progress Progress
	Sending  bool // refresh the page while deliveries wait
	Notice   string
	Error    string
	CanSend  bool
	// Now and ScheduledFor are in the site's zone, which Zone names.
	Now, ScheduledFor, Zone string
}

// adminShow serves GET /admin/updates/{id}: each edition as the mail
// (HTML and text), the test and send forms, and the sending's progress.
func (h *Handlers) adminShow(w http.ResponseWriter, r *http.Request) error {
	return h.renderShow(w, r, http.StatusOK, "", "")
}

func (h *Handlers) update(r *http.Request) (*content.Entry, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return nil, web.NotFound()
	}
	e, err := h.content.Entry(r.Context(), id)
	if errors.Is(err, db.ErrNotFound) || err == nil && e.Kind != Kind {
		return nil, web.NotFound()
	}
	return e, err
}

func (h *Handlers) renderShow(w http.ResponseWriter, r *http.Request, status int, notice, problem string) error {
	ctx := r.Context()
	e, err := h.update(r)
	if err != nil {
		return err
	}
	p := adminShowPage{Page: h.rd.AdminPage(r), ID: e.ID, Update: e.Source().Title}
	p.Title = p.L.T("updates.admin.preview_title", "Title", p.Update)
	lang := r.FormValue("lang")
	if _, ok := e.Translation(lang); !ok {
		lang = e.SourceLang
	}
	p.EdLang = lang
	for _, t := range e.Translations {
		name := t.Lang
		if lg, ok := h.rd.I18n().Get(t.Lang); ok {
			name = lg.Name
		}
		p.Editions = append(p.Editions, editionTab{Code: t.Lang, Name: name, Current: t.Lang == lang, Draft: t.Status == content.Draft})
	}
	origin := web.Origin(h.rd.BaseURL, r)
	ed, err := h.sender.editions.build(ctx, e, lang, origin, true)
	if err != nil {
		return err
	}
	msg, err := h.sender.compose(ed, previewSubscriber(lang), origin)
	if err != nil {
		return err
	}
	p.Subject, p.Text, p.HTML, p.HTMLSize = msg.Subject, msg.Text, msg.HTML, len(msg.HTML)
	p.TooBig = p.HTMLSize > MaxHTML
	p.HTMLKB = strconv.FormatFloat(float64(p.HTMLSize)/1024, 'f', 1, 64)
	if p.Progress, err = h.sender.Progress(ctx, e.ID); err != nil {
		return err
	}
	p.Sending = p.Progress.State != "" && !p.Progress.Done()
	if p.Sending {
		w.Header().Set("Refresh", "5") // the progress, live, without a script
	}
	if u, ok := auth.UserFrom(ctx); ok {
		p.CanSend = u.Role.Can(auth.ManageSite)
	}
	p.Now = time.Now().In(h.zone).Format("2006-01-02T15:04")
	p.Zone = i18n.ZoneName(h.zone.String(), p.L.Lang.Code)
	p.ScheduledFor = p.Progress.SendAt.In(h.zone).Format("2006-01-02 15:04") + " (" + p.Zone + ")"
	if notice != "" {
		p.Notice = p.L.T(notice)
	}
	if problem != "" {
		p.Error = p.L.T(problem)
	}
	switch {
	case r.URL.Query().Get("sent") != "":
		p.Notice = p.L.T("updates.admin.scheduled")
	case r.URL.Query().Get("tested") != "":
		p.Notice = p.L.T("updates.admin.tested")
	}
	return h.rd.Render(w, status, h.tmpl["admin_update"], p)
}

// previewSubscriber stands for a reader of lang in a preview or a test:
// every topic, both parts, links that lead nowhere.
func previewSubscriber(lang string) Subscriber {
	return Subscriber{Lang: lang, linkSalt: "preview"}
}

// adminTest serves POST /admin/updates/{id}/test: the edition shown goes
// to the staff member's own address, through the mail queue.
func (h *Handlers) adminTest(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	e, err := h.update(r)
	if err != nil {
		return err
	}
	u, _ := auth.UserFrom(ctx)
	lang := r.PostFormValue("lang")
	if _, ok := e.Translation(lang); !ok {
		lang = e.SourceLang
	}
	origin := web.Origin(h.rd.BaseURL, r)
	ed, err := h.sender.editions.build(ctx, e, lang, origin, true)
	if err != nil {
		return err
	}
	msg, err := h.sender.compose(ed, previewSubscriber(lang), origin)
	if err != nil {
		return err
	}
	msg.To = u.Email
	msg.Subject = "[" + h.rd.AdminLocalizer(r).T("updates.admin.test_tag") + "] " + msg.Subject
	if err := h.store.quiet.InTx(ctx, func(tx *db.Tx) error { return h.store.mailer.Send(ctx, tx, msg) }); err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/updates/"+strconv.FormatInt(e.ID, 10)+"?lang="+url.QueryEscape(lang)+"&tested=1", http.StatusSeeOther) // #nosec G710 -- a path of this site; lang is one of the update's languages
	return nil
}

// adminSend serves POST /admin/updates/{id}/send: now, or at a time
// given in the site's zone.
func (h *Handlers) adminSend(w http.ResponseWriter, r *http.Request) error {
	e, err := h.update(r)
	if err != nil {
		return err
	}
	at := h.sender.Now()
	if s := strings.TrimSpace(r.PostFormValue("at")); s != "" && r.PostFormValue("when") == "later" {
		t, err := time.ParseInLocation("2006-01-02T15:04", s, h.zone)
		if err != nil {
			return h.renderShow(w, r, http.StatusUnprocessableEntity, "", "updates.error.when")
		}
		at = t
	}
	err = h.sender.Schedule(r.Context(), e.ID, at, web.Origin(h.rd.BaseURL, r))
	switch {
	case errors.Is(err, ErrAlreadySent):
		return h.renderShow(w, r, http.StatusConflict, "", "updates.error.already_sent")
	case errors.Is(err, ErrNoEdition):
		return h.renderShow(w, r, http.StatusConflict, "", "updates.error.no_edition")
	case err != nil:
		return err
	}
	http.Redirect(w, r, "/admin/updates/"+strconv.FormatInt(e.ID, 10)+"?sent=1", http.StatusSeeOther)
	return nil
}
