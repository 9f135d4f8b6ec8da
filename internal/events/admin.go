package events

import (
	"encoding/csv"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"peerpress/internal/auth"
	"peerpress/internal/i18n"
	"peerpress/internal/participant"
	"peerpress/internal/web"
)

type detailsPage struct {
	web.Page
	EntryID    int64
	EventTitle string
	Zone       string
	Form       DetailsForm
	Errors     map[string]string
	// RegistrationPast warns that registration is open for an event that
	// has begun.
	RegistrationPast bool
}

func (h *Handlers) adminPage(r *http.Request, title string, args ...any) web.Page {
	p := h.rd.AdminPage(r)
	p.Title = p.L.T(title, args...)
	p.NoIndex = true
	return p
}

func formOf(ev *event) DetailsForm {
	d := ev.Details
	f := DetailsForm{JoinURL: d.JoinURL, RecordingURL: d.RecordingURL, Open: d.Open, Consent: d.Consent,
		Capacity: strconv.Itoa(d.Capacity), Reminders: formatMinutesSpaced(d.ReminderMinutes)}
	var b strings.Builder
	for _, l := range d.Languages {
		b.WriteString(l.Lang + " | " + l.Status + "\n")
	}
	f.Languages, b = b.String(), strings.Builder{}
	for _, s := range d.Speakers {
		b.WriteString(strings.TrimRight(s.Name+" | "+s.Role+" | "+s.Organisation, " |") + "\n")
	}
	f.Speakers, b = b.String(), strings.Builder{}
	for _, a := range d.Agenda {
		at := a.Clock
		if at == "" {
			at = "+" + strconv.Itoa(a.Offset)
		}
		b.WriteString(at + " | " + a.Title + "\n")
	}
	f.Agenda, b = b.String(), strings.Builder{}
	if !d.ClosesAt.IsZero() {
		f.ClosesAt = d.ClosesAt.In(ev.zone()).Format("2006-01-02T15:04")
	}
	return f
}

func formatMinutesSpaced(ms []int) string { return strings.ReplaceAll(formatMinutes(ms), ",", ", ") }

// EditDetails serves GET /admin/entries/{id}/event.
func (h *Handlers) EditDetails(w http.ResponseWriter, r *http.Request) error {
	ev, err := h.adminEvent(r)
	if err != nil {
		return err
	}
	p := h.adminPage(r, "events.admin.details_title", "Title", ev.Entry.Source().Title)
	if r.URL.Query().Has("saved") {
		p.Flash = p.L.T("admin.saved")
	}
	return h.rd.Render(w, http.StatusOK, h.tmpl["admin_details"], detailsPage{Page: p, EntryID: ev.Entry.ID, EventTitle: ev.Entry.Source().Title,
		Zone: i18n.ZoneName(ev.Info.TimeZone, p.L.Lang.Code), Form: formOf(ev), Errors: map[string]string{},
		RegistrationPast: ev.Details.Open && !ev.Info.StartsAt.IsZero() && ev.Info.StartsAt.Before(h.store.Now())})
}

// SaveDetails serves POST /admin/entries/{id}/event.
func (h *Handlers) SaveDetails(w http.ResponseWriter, r *http.Request) error {
	ev, err := h.adminEvent(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return web.BadRequest("form.unreadable")
	}
	pf := r.PostForm
	f := DetailsForm{JoinURL: strings.TrimSpace(pf.Get("join_url")), RecordingURL: strings.TrimSpace(pf.Get("recording_url")),
		Languages: pf.Get("languages"), Speakers: pf.Get("speakers"), Agenda: pf.Get("agenda"),
		Open: pf.Get("open") != "", ClosesAt: strings.TrimSpace(pf.Get("closes_at")), Capacity: strings.TrimSpace(pf.Get("capacity")),
		Reminders: strings.TrimSpace(pf.Get("reminders")), Consent: strings.TrimSpace(pf.Get("consent"))}
	d, errs := ParseDetails(f, ev.zone())
	// The questions are written with the entry (QuestionFields).
	d.EntryID, d.KeptConfirmed, d.Questions = ev.Entry.ID, ev.Details.KeptConfirmed, ev.Details.Questions
	// The programme is written with the event in the entry editor
	// (ProgrammeFields); this form keeps it unless an old client posts it.
	if f.Languages == "" && f.Speakers == "" && f.Agenda == "" {
		d.Languages, d.Speakers, d.Agenda = ev.Details.Languages, ev.Details.Speakers, ev.Details.Agenda
	}
	if len(errs) > 0 {
		p := h.adminPage(r, "events.admin.details_title", "Title", ev.Entry.Source().Title)
		return h.rd.Render(w, http.StatusUnprocessableEntity, h.tmpl["admin_details"], detailsPage{Page: p, EntryID: ev.Entry.ID,
			EventTitle: ev.Entry.Source().Title, Zone: i18n.ZoneName(ev.Info.TimeZone, p.L.Lang.Code), Form: f, Errors: p.L.Errors(errs)})
	}
	if err := h.store.SaveDetails(r.Context(), d); err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/entries/"+strconv.FormatInt(ev.Entry.ID, 10)+"/event?saved=1", http.StatusSeeOther)
	return nil
}

// registrantsPage lists an event's registrants.
type registrantsPage struct {
	web.Page
	EntryID    int64
	EventTitle string
	Questions  []Question
	Rows       []registrantRow
	Counts     Counts
	Flagged    int // registrations whose form came without the proof of work
	Purged     string
	Errors     map[string]string
	Subject    string
	Text       string
	// Locked counts the registrations whose name and answers are sealed
	// to the organisation key this session has not unlocked.
	Locked int
}

type registrantRow struct {
	Registration
	Answers []string // in question order
	When    string
}

func (h *Handlers) registrantsData(r *http.Request, ev *event) (registrantsPage, error) {
	p := h.adminPage(r, "events.admin.registrants_title", "Title", ev.Entry.Source().Title)
	data := registrantsPage{Page: p, EntryID: ev.Entry.ID, EventTitle: ev.Entry.Source().Title, Errors: map[string]string{}}
	for _, q := range ev.Details.Questions {
		q.Label = q.In(p.L.Lang.Code).Label // the columns in the staff's language
		data.Questions = append(data.Questions, q)
	}
	regs, err := h.store.Registrants(r.Context(), ev.Entry.ID)
	if err != nil {
		return data, err
	}
	if err := h.recordAccess(r, "events/registrants", ev, len(regs)); err != nil {
		return data, err
	}
	for _, reg := range regs {
		row := registrantRow{Registration: reg, When: p.L.DateTime(reg.CreatedAt.In(h.site))}
		for i, q := range ev.Details.Questions {
			if reg.Locked {
				row.Answers = append(row.Answers, "–")
				continue
			}
			row.Answers = append(row.Answers, answerWords(q, reg.Answers[itoa(i)], p.L))
		}
		if reg.Locked {
			data.Locked++
		}
		if reg.Flagged {
			data.Flagged++
		}
		data.Rows = append(data.Rows, row)
	}
	if data.Counts, err = h.store.Counts(r.Context(), ev.Entry.ID); err != nil {
		return data, err
	}
	if !ev.Details.PurgedAt.IsZero() {
		data.Purged = p.L.Date(ev.Details.PurgedAt.In(h.site))
	}
	return data, nil
}

// Registrants serves GET /admin/entries/{id}/registrants.
func (h *Handlers) Registrants(w http.ResponseWriter, r *http.Request) error {
	ev, err := h.adminEvent(r)
	if err != nil {
		return err
	}
	data, err := h.registrantsData(r, ev)
	if err != nil {
		return err
	}
	if n := r.URL.Query().Get("sent"); n != "" {
		if c, err := strconv.Atoi(n); err == nil {
			data.Flash = data.L.N("events.admin.message_sent", c)
		}
	}
	return h.rd.Render(w, http.StatusOK, h.tmpl["admin_registrants"], data)
}

// recordAccess writes in the audit log that the signed-in staff member
// opened n registrations of ev (action: the page or the CSV), before
// they are shown.
func (h *Handlers) recordAccess(r *http.Request, action string, ev *event, n int) error {
	u, _ := auth.UserFrom(r.Context())
	return h.store.audit.Record(r.Context(), participant.Access{UserID: u.ID, Action: action, Holder: "events/registrations",
		Target: "entry " + strconv.FormatInt(ev.Entry.ID, 10), Records: n})
}

// csvSafe keeps a spreadsheet from reading a cell as a formula.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// RegistrantsCSV serves GET /admin/entries/{id}/registrants.csv.
func (h *Handlers) RegistrantsCSV(w http.ResponseWriter, r *http.Request) error {
	ev, err := h.adminEvent(r)
	if err != nil {
		return err
	}
	regs, err := h.store.Registrants(r.Context(), ev.Entry.ID)
	if err != nil {
		return err
	}
	if err := h.recordAccess(r, "events/registrants_csv", ev, len(regs)); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="registrants-`+strconv.FormatInt(ev.Entry.ID, 10)+`.csv"`)
	cw := csv.NewWriter(w)
	head := []string{"name", "email", "status", "attended", "language", "registered_at", "flagged"}
	for _, q := range ev.Details.Questions {
		head = append(head, csvSafe(q.Label))
	}
	cw.Write(head)
	for _, reg := range regs {
		name := reg.Name
		if reg.Locked {
			name = "(locked)" // sealed to the organisation key: unlock it before exporting
		}
		row := []string{csvSafe(name), csvSafe(reg.Email), reg.Status, strconv.FormatBool(reg.Attended), reg.Lang, reg.CreatedAt.UTC().Format(time.RFC3339),
			strconv.FormatBool(reg.Flagged)}
		for i := range ev.Details.Questions {
			row = append(row, csvSafe(reg.Answers[itoa(i)]))
		}
		cw.Write(row)
	}
	cw.Flush()
	return cw.Error()
}

// Message serves POST /admin/entries/{id}/registrants/message: a message
// to every confirmed registrant, through the mail queue.
func (h *Handlers) Message(w http.ResponseWriter, r *http.Request) error {
	ev, err := h.adminEvent(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return web.BadRequest("form.unreadable")
	}
	subject := strings.TrimSpace(r.PostForm.Get("subject"))
	text := strings.TrimSpace(r.PostForm.Get("text"))
	errs := map[string]string{}
	if subject == "" || utf8.RuneCountInString(subject) > 200 || strings.ContainsAny(subject, "\r\n") {
		errs["subject"] = "events.error.subject"
	}
	if text == "" || utf8.RuneCountInString(text) > 20000 {
		errs["text"] = "events.error.text"
	}
	if len(errs) > 0 {
		data, err := h.registrantsData(r, ev)
		if err != nil {
			return err
		}
		for k, v := range errs {
			data.Errors[k] = data.L.T(v)
		}
		data.Subject, data.Text = subject, text
		data.Flash = data.L.T("form.has_errors")
		return h.rd.Render(w, http.StatusUnprocessableEntity, h.tmpl["admin_registrants"], data)
	}
	n, err := h.store.MessageConfirmed(r.Context(), ev.Entry.ID, subject, text)
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/entries/"+strconv.FormatInt(ev.Entry.ID, 10)+"/registrants?sent="+strconv.Itoa(n), http.StatusSeeOther)
	return nil
}

// Attendance serves POST /admin/entries/{id}/registrants/{rid}/attendance.
func (h *Handlers) Attendance(w http.ResponseWriter, r *http.Request) error {
	ev, err := h.adminEvent(r)
	if err != nil {
		return err
	}
	rid, err := strconv.ParseInt(r.PathValue("rid"), 10, 64)
	if err != nil {
		return web.NotFound()
	}
	if err := r.ParseForm(); err != nil {
		return web.BadRequest("form.unreadable")
	}
	if err := h.store.SetAttended(r.Context(), ev.Entry.ID, rid, r.PostForm.Get("attended") == "1"); err != nil {
		switch {
		case errors.Is(err, ErrNotFound):
			return web.NotFound()
		case errors.Is(err, ErrCancelledRegistration):
			return web.BadRequest("form.invalid_choice")
		}
		return err
	}
	http.Redirect(w, r, "/admin/entries/"+strconv.FormatInt(ev.Entry.ID, 10)+"/registrants#r"+strconv.FormatInt(rid, 10), http.StatusSeeOther)
	return nil
}

// answerWords is an answer as staff read it, in their language: a ticked
// box as "Yes", an interpretation language by its name, a choice in the
// words the editor gave it in the staff's language, not the codes or
// the registrant's language stored.
func answerWords(q Question, a string, l *i18n.Localizer) string {
	option := func(a string) string {
		if i := q.optionIndex(a); i >= 0 {
			return q.In(l.Lang.Code).Options[i]
		}
		return a
	}
	switch {
	case a == "":
		return ""
	case q.Type == QuestionCheckbox:
		return l.T("events.admin.answer_yes")
	case q.Type == QuestionInterpretation:
		return languageName(a, l.Lang.Code)
	case q.Type == QuestionChoice:
		return option(a)
	case q.Type == QuestionCheckboxes:
		var out []string
		for _, line := range strings.Split(a, "\n") {
			out = append(out, option(line))
		}
		return strings.Join(out, ", ")
	}
	return a
}
