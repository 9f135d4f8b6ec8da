package events

import (
	"encoding/csv"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/language"

	"peerpress/internal/auth"
	"peerpress/internal/participant"
	"peerpress/internal/web"
)

// detailsForm is the event details form as text, one list item a line.
type detailsForm struct {
	JoinURL, RecordingURL                  string
	Languages, Speakers, Agenda, Questions string
	Open                                   bool
	ClosesAt                               string // datetime-local in the event's zone
	Capacity, Reminders, Consent           string
}

type detailsPage struct {
	web.Page
	EntryID    int64
	EventTitle string
	Zone       string
	Form       detailsForm
	Errors     map[string]string
	Types      []string
}

func (h *Handlers) adminPage(r *http.Request, title string, args ...any) web.Page {
	p := h.rd.Page(r, h.rd.I18n().Default().Code)
	p.Title = p.L.T(title, args...)
	p.NoIndex = true
	return p
}

func formOf(ev *event) detailsForm {
	d := ev.Details
	f := detailsForm{JoinURL: d.JoinURL, RecordingURL: d.RecordingURL, Open: d.Open, Consent: d.Consent,
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
	for _, q := range d.Questions {
		line := q.Type + " | " + q.Label
		if len(q.Options) > 0 {
			line += " | " + strings.Join(q.Options, "; ")
		}
		b.WriteString(line + "\n")
		for _, lang := range slices.Sorted(maps.Keys(q.Wordings)) {
			w := q.Wordings[lang]
			line := lang + ": " + w.Label
			if len(w.Options) > 0 {
				line += " | " + strings.Join(w.Options, "; ")
			}
			b.WriteString(line + "\n")
		}
	}
	f.Questions = b.String()
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
		Zone: ev.Info.TimeZone, Form: formOf(ev), Errors: map[string]string{}, Types: questionTypes})
}

// lines splits a textarea into its non-empty lines, each split at "|".
func lines(s string) [][]string {
	var out [][]string
	for _, line := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		parts := strings.Split(line, "|")
		for i := range parts {
			parts[i] = strings.TrimSpace(parts[i])
		}
		out = append(out, parts)
	}
	return out
}

// wordingLine reads the start of a line "ru: label | options": the
// language code and the label.
func wordingLine(first string) (lang, label string, ok bool) {
	code, rest, found := strings.Cut(first, ":")
	if !found || len(code) < 2 || len(code) > 8 || strings.Trim(code, "abcdefghijklmnopqrstuvwxyz-") != "" {
		return "", "", false
	}
	return code, strings.TrimSpace(rest), true
}

// options splits "a; b; c", leaving out empty options.
func options(s string) []string {
	var out []string
	for _, o := range strings.Split(s, ";") {
		if o = strings.TrimSpace(o); o != "" {
			out = append(out, o)
		}
	}
	return out
}

func validURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" && len(s) <= 2000
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
	f := detailsForm{JoinURL: strings.TrimSpace(pf.Get("join_url")), RecordingURL: strings.TrimSpace(pf.Get("recording_url")),
		Languages: pf.Get("languages"), Speakers: pf.Get("speakers"), Agenda: pf.Get("agenda"), Questions: pf.Get("questions"),
		Open: pf.Get("open") != "", ClosesAt: strings.TrimSpace(pf.Get("closes_at")), Capacity: strings.TrimSpace(pf.Get("capacity")),
		Reminders: strings.TrimSpace(pf.Get("reminders")), Consent: strings.TrimSpace(pf.Get("consent"))}
	errs := map[string]string{}
	d := Details{EntryID: ev.Entry.ID, JoinURL: f.JoinURL, RecordingURL: f.RecordingURL, Open: f.Open, Consent: f.Consent,
		KeptConfirmed: ev.Details.KeptConfirmed}
	if f.JoinURL != "" && !validURL(f.JoinURL) {
		errs["join_url"] = "events.error.url"
	}
	if f.RecordingURL != "" && !validURL(f.RecordingURL) {
		errs["recording_url"] = "events.error.url"
	}
	for _, p := range lines(f.Languages) {
		status := Confirmed
		if len(p) > 1 && p[1] != "" {
			status = p[1]
		}
		if _, err := language.Parse(p[0]); err != nil || len(p) > 2 || (status != Confirmed && status != ToConfirm) {
			errs["languages"] = "events.error.languages"
			break
		}
		d.Languages = append(d.Languages, Interpretation{Lang: p[0], Status: status})
	}
	for _, p := range lines(f.Speakers) {
		if len(p) > 3 || p[0] == "" {
			errs["speakers"] = "events.error.speakers"
			break
		}
		p = append(p, "", "")
		d.Speakers = append(d.Speakers, Speaker{Name: p[0], Role: p[1], Organisation: p[2]})
	}
	for _, p := range lines(f.Agenda) {
		if len(p) != 2 || p[1] == "" {
			errs["agenda"] = "events.error.agenda"
			break
		}
		item := AgendaItem{Title: p[1]}
		if off, ok := strings.CutPrefix(p[0], "+"); ok {
			n, err := strconv.Atoi(off)
			if err != nil || n < 0 || n > 20160 {
				errs["agenda"] = "events.error.agenda"
				break
			}
			item.Offset = n
		} else if _, err := time.Parse("15:04", p[0]); err == nil {
			item.Clock = p[0]
		} else {
			errs["agenda"] = "events.error.agenda"
			break
		}
		d.Agenda = append(d.Agenda, item)
	}
	for _, p := range lines(f.Questions) {
		// "ru: Вопрос | вариант; вариант" words the question above in
		// another language.
		if lang, label, ok := wordingLine(p[0]); ok {
			w := Wording{Label: label}
			if len(p) == 2 {
				w.Options = options(p[1])
			}
			n := len(d.Questions)
			_, enabled := h.rd.I18n().Get(lang)
			if n == 0 || len(p) > 2 || !enabled || label == "" || utf8.RuneCountInString(label) > 300 ||
				len(w.Options) != len(d.Questions[n-1].Options) || d.Questions[n-1].Wordings[lang].Label != "" {
				errs["questions"] = "events.error.questions"
				break
			}
			if d.Questions[n-1].Wordings == nil {
				d.Questions[n-1].Wordings = map[string]Wording{}
			}
			d.Questions[n-1].Wordings[lang] = w
			continue
		}
		if len(p) < 2 || len(p) > 3 || !slices.Contains(questionTypes, p[0]) || p[1] == "" || utf8.RuneCountInString(p[1]) > 300 {
			errs["questions"] = "events.error.questions"
			break
		}
		q := Question{Type: p[0], Label: p[1]}
		if len(p) == 3 {
			q.Options = options(p[2])
		}
		if (q.Type == QuestionChoice) != (len(q.Options) > 0) {
			errs["questions"] = "events.error.questions"
			break
		}
		d.Questions = append(d.Questions, q)
	}
	if f.Capacity != "" {
		n, err := strconv.Atoi(f.Capacity)
		if err != nil || n < 0 || n > 1000000 {
			errs["capacity"] = "events.error.capacity"
		}
		d.Capacity = n
	}
	if f.ClosesAt != "" {
		t, err := time.ParseInLocation("2006-01-02T15:04", f.ClosesAt, ev.zone())
		if err != nil {
			errs["closes_at"] = "events.error.closes_at"
		}
		d.ClosesAt = t
	}
	for _, part := range strings.Split(f.Reminders, ",") {
		if part = strings.TrimSpace(part); part == "" {
			continue
		}
		n, err := strconv.Atoi(part)
		if err != nil || n <= 0 || n > maxReminder {
			errs["reminders"] = "events.error.reminders"
			break
		}
		d.ReminderMinutes = append(d.ReminderMinutes, n)
	}
	d.ReminderMinutes = parseMinutes(formatMinutes(d.ReminderMinutes))
	if utf8.RuneCountInString(f.Consent) > 2000 {
		errs["consent"] = "events.error.consent_long"
	}
	if len(errs) > 0 {
		p := h.adminPage(r, "events.admin.details_title", "Title", ev.Entry.Source().Title)
		p.Flash = p.L.T("form.has_errors")
		for k, v := range errs {
			errs[k] = p.L.T(v)
		}
		return h.rd.Render(w, http.StatusUnprocessableEntity, h.tmpl["admin_details"], detailsPage{Page: p, EntryID: ev.Entry.ID,
			EventTitle: ev.Entry.Source().Title, Zone: ev.Info.TimeZone, Form: f, Errors: errs, Types: questionTypes})
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
}

type registrantRow struct {
	Registration
	Answers []string // in question order
	When    string
}

func (h *Handlers) registrantsData(r *http.Request, ev *event) (registrantsPage, error) {
	p := h.adminPage(r, "events.admin.registrants_title", "Title", ev.Entry.Source().Title)
	data := registrantsPage{Page: p, EntryID: ev.Entry.ID, EventTitle: ev.Entry.Source().Title, Questions: ev.Details.Questions, Errors: map[string]string{}}
	regs, err := h.store.Registrants(r.Context(), ev.Entry.ID)
	if err != nil {
		return data, err
	}
	if err := h.recordAccess(r, "events/registrants", ev, len(regs)); err != nil {
		return data, err
	}
	for _, reg := range regs {
		row := registrantRow{Registration: reg, When: p.L.DateTime(reg.CreatedAt.In(h.site))}
		for i := range ev.Details.Questions {
			row.Answers = append(row.Answers, reg.Answers[itoa(i)])
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
	private(w)
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
	private(w)
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="registrants-`+strconv.FormatInt(ev.Entry.ID, 10)+`.csv"`)
	cw := csv.NewWriter(w)
	head := []string{"name", "email", "status", "attended", "language", "registered_at", "flagged"}
	for _, q := range ev.Details.Questions {
		head = append(head, csvSafe(q.Label))
	}
	cw.Write(head)
	for _, reg := range regs {
		row := []string{csvSafe(reg.Name), csvSafe(reg.Email), reg.Status, strconv.FormatBool(reg.Attended), reg.Lang, reg.CreatedAt.UTC().Format(time.RFC3339),
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
		private(w)
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
		if err == ErrNotFound {
			return web.NotFound()
		}
		return err
	}
	http.Redirect(w, r, "/admin/entries/"+strconv.FormatInt(ev.Entry.ID, 10)+"/registrants#r"+strconv.FormatInt(rid, 10), http.StatusSeeOther)
	return nil
}
