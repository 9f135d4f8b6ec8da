package letter

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"peerpress/internal/auth"
	"peerpress/internal/content"
	"peerpress/internal/db"
	"peerpress/internal/participant"
	"peerpress/internal/web"
)

// EditorLinks leads from a statement's editor to its signatures page,
// with the number waiting for a moderator.
func (h *Handlers) EditorLinks(r *http.Request, e *content.Entry) []content.EditorLink {
	if e == nil || e.Kind != content.Statement {
		return nil
	}
	u, _ := auth.UserFrom(r.Context())
	if !u.Role.CanModerate() && !content.CanEdit(u, e) {
		return nil
	}
	counts, err := h.store.StatusCounts(r.Context(), e.ID)
	if err != nil {
		return nil // the editor works without the count
	}
	l := h.rd.AdminLocalizer(r)
	return []content.EditorLink{{Label: l.T("letter.signatures"), URL: "/admin/entries/" + strconv.FormatInt(e.ID, 10) + "/signatures", Count: counts[Waiting]}}
}

// settingsForm is the signing settings as typed.
type settingsForm struct {
	Open, Organisations, Individuals, Moderated bool
	Goal, ClosesAt                              string
}

type adminRow struct {
	Signature
	CountryName string
	Duplicates  []int64 // other signatures that look like the same signer
}

// filterLink shows the signatures of one status.
type filterLink struct {
	URL, Key string
	Count    int
	Current  bool
}

type adminPage struct {
	web.Page
	Entry        *content.Entry
	EntryTitle   string
	PublicURL    string
	CanSettings  bool
	CanModerate  bool
	Form         settingsForm
	Errors       map[string]string
	Counts       Counts
	StatusCounts map[string]int
	Filters      []filterLink
	Status       string // the filter; "" for all
	Rows         []adminRow
	Base         string
	// Locked counts the rows whose name and website are sealed to the
	// organisation's key, which this session has not unlocked.
	Locked int
	// OrgLinks are the approved organisation signatures shown, with the
	// directory entry each is linked to; Directory the entries.
	OrgLinks  []orgLink
	Directory []orgChoice
}

// staffEntry loads the statement of an admin URL and checks the user may
// see its signatures: moderators, and whoever may edit the statement.
func (h *Handlers) staffEntry(r *http.Request) (*content.Entry, auth.User, error) {
	u, _ := auth.UserFrom(r.Context())
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return nil, u, web.NotFound()
	}
	e, err := h.entries.Entry(r.Context(), id)
	if errors.Is(err, db.ErrNotFound) {
		return nil, u, web.NotFound()
	}
	if err != nil {
		return nil, u, err
	}
	if e.Kind != content.Statement {
		return nil, u, web.NotFound()
	}
	if !u.Role.CanModerate() && !content.CanEdit(u, e) {
		return nil, u, web.Forbidden()
	}
	return e, u, nil
}

func (h *Handlers) adminData(r *http.Request, e *content.Entry, u auth.User, l Letter) (adminPage, error) {
	p := adminPage{Page: h.rd.AdminPage(r), Entry: e, EntryTitle: e.Source().Title,
		CanSettings: content.CanEdit(u, e), CanModerate: u.Role.CanModerate(), Errors: map[string]string{},
		Base: "/admin/entries/" + strconv.FormatInt(e.ID, 10) + "/signatures"}
	p.Title = p.L.T("letter.admin_title", "Title", p.EntryTitle)
	p.NoIndex = true
	if src := e.Source(); src.Visible(h.now()) {
		p.PublicURL = content.URL(content.Statement, src.Lang, src.Slug)
	}
	p.Form = settingsForm{Open: l.Open, Organisations: l.Organisations, Individuals: l.Individuals, Moderated: l.Moderated}
	if l.Goal > 0 {
		p.Form.Goal = strconv.Itoa(l.Goal)
	}
	if !l.ClosesAt.IsZero() {
		p.Form.ClosesAt = l.ClosesAt.In(h.zone).Format("2006-01-02T15:04")
	}
	ctx := r.Context()
	var err error
	if p.Counts, err = h.store.Count(ctx, e.ID); err != nil {
		return p, err
	}
	if p.StatusCounts, err = h.store.StatusCounts(ctx, e.ID); err != nil {
		return p, err
	}
	if !p.CanModerate {
		return p, nil
	}
	p.Status = r.URL.Query().Get("status")
	total := 0
	for _, s := range Statuses {
		total += p.StatusCounts[s]
		p.Filters = append(p.Filters, filterLink{URL: p.Base + "?status=" + s, Key: StatusKey(s), Count: p.StatusCounts[s], Current: s == p.Status})
	}
	p.Filters = append([]filterLink{{URL: p.Base, Key: "letter.status.all", Count: total, Current: p.Status == ""}}, p.Filters...)
	var statuses []string
	if p.Status != "" {
		valid := false
		for _, s := range Statuses {
			valid = valid || s == p.Status
		}
		if !valid {
			return p, web.BadRequest("form.invalid_choice")
		}
		statuses = []string{p.Status}
	}
	all, err := h.store.List(ctx, e.ID)
	if err != nil {
		return p, err
	}
	if err := h.store.recordAccess(r, "letter/signatures", e.ID, len(all)); err != nil {
		return p, err
	}
	dups := duplicates(all)
	for _, s := range all {
		if len(statuses) > 0 && s.Status != statuses[0] {
			continue
		}
		p.Rows = append(p.Rows, adminRow{Signature: s, CountryName: CountryName(s.Country, p.Lang.Code), Duplicates: dups[s.ID]})
		if s.Locked {
			p.Locked++
		}
	}
	return p, h.fillOrgLinks(r, &p)
}

// duplicates finds signatures that look like one signer twice: the same
// name folded (in any country, since the same country is refused at
// signing), or the same website.
func duplicates(sigs []Signature) map[int64][]int64 {
	byKey := map[string][]int64{}
	for _, s := range sigs {
		if s.Locked {
			continue // nothing to compare until the organisation key is unlocked
		}
		byKey["n:"+s.Kind+":"+normalName(s.Name)] = append(byKey["n:"+s.Kind+":"+normalName(s.Name)], s.ID)
		if h := websiteKey(s.Website); h != "" {
			byKey["w:"+h] = append(byKey["w:"+h], s.ID)
		}
	}
	out := map[int64][]int64{}
	for _, ids := range byKey {
		if len(ids) < 2 {
			continue
		}
		for _, a := range ids {
			for _, b := range ids {
				if a != b && !contains(out[a], b) {
					out[a] = append(out[a], b)
				}
			}
		}
	}
	return out
}

func contains(ids []int64, id int64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// adminPage serves GET /admin/entries/{id}/signatures: settings for those
// who may edit the statement, the list and moderation for moderators.
func (h *Handlers) adminPage(w http.ResponseWriter, r *http.Request) error {
	e, u, err := h.staffEntry(r)
	if err != nil {
		return err
	}
	l, err := h.store.Letter(r.Context(), e.ID)
	if err != nil {
		return err
	}
	p, err := h.adminData(r, e, u, l)
	if err != nil {
		return err
	}
	switch r.URL.Query().Get("done") {
	case "saved":
		p.Flash = p.L.T("admin.saved")
	case "moderated":
		p.Flash = p.L.T("letter.moderated")
	case "merged":
		p.Flash = p.L.T("letter.merged")
	case "linked":
		p.Flash = p.L.T("letter.org_linked")
	case "imported":
		importedFlash(&p, r)
	}
	return h.rd.Render(w, http.StatusOK, h.tmpl["admin_signatures"], p)
}

// saveSettings serves POST /admin/entries/{id}/signatures/settings.
func (h *Handlers) saveSettings(w http.ResponseWriter, r *http.Request) error {
	e, u, err := h.staffEntry(r)
	if err != nil {
		return err
	}
	if !content.CanEdit(u, e) {
		return web.Forbidden()
	}
	if err := r.ParseForm(); err != nil {
		return web.BadRequest("form.unreadable")
	}
	f := settingsForm{Open: r.PostForm.Get("open") != "", Organisations: r.PostForm.Get("organisations") != "",
		Individuals: r.PostForm.Get("individuals") != "", Moderated: r.PostForm.Get("moderated") != "",
		Goal: strings.TrimSpace(r.PostForm.Get("goal")), ClosesAt: strings.TrimSpace(r.PostForm.Get("closes_at"))}
	l := Letter{EntryID: e.ID, Open: f.Open, Organisations: f.Organisations, Individuals: f.Individuals, Moderated: f.Moderated}
	errs := map[string]string{}
	if f.Goal != "" {
		n, err := strconv.Atoi(f.Goal)
		if err != nil || n < 0 || n > 10_000_000 {
			errs["goal"] = "letter.err_goal"
		}
		l.Goal = n
	}
	if f.ClosesAt != "" {
		t, err := time.ParseInLocation("2006-01-02T15:04", f.ClosesAt, h.zone)
		if err != nil {
			errs["closes_at"] = "letter.err_closes_at"
		}
		l.ClosesAt = t
	}
	if !f.Organisations && !f.Individuals {
		errs["who"] = "letter.err_who"
	}
	if len(errs) > 0 {
		old, err := h.store.Letter(r.Context(), e.ID)
		if err != nil {
			return err
		}
		p, err := h.adminData(r, e, u, old)
		if err != nil {
			return err
		}
		p.Form, p.Errors, p.Flash = f, errs, p.L.T("form.has_errors")
		return h.rd.Render(w, http.StatusUnprocessableEntity, h.tmpl["admin_signatures"], p)
	}
	if err := h.store.SaveLetter(r.Context(), l); err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/entries/"+strconv.FormatInt(e.ID, 10)+"/signatures?done=saved", http.StatusSeeOther)
	return nil
}

// moderate serves POST /admin/entries/{id}/signatures/moderate: approve,
// reject or delete the ticked signatures.
func (h *Handlers) moderate(w http.ResponseWriter, r *http.Request) error {
	e, _, err := h.staffEntry(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return web.BadRequest("form.unreadable")
	}
	ids, err := parseIDs(r.PostForm["id"])
	if err != nil {
		return web.BadRequest("form.invalid_choice")
	}
	if len(ids) == 0 {
		return web.BadRequest("letter.none_selected")
	}
	ctx := r.Context()
	switch r.PostForm.Get("action") {
	case "approve":
		_, err = h.store.Decide(ctx, e.ID, ids, Approved)
	case "reject":
		_, err = h.store.Decide(ctx, e.ID, ids, Rejected)
	case "delete":
		_, err = h.store.Delete(ctx, e.ID, ids)
	default:
		return web.BadRequest("form.invalid_choice")
	}
	if errors.Is(err, ErrDuplicateOrg) {
		return &web.Error{Status: http.StatusConflict, Key: "letter.duplicate_org_approved"}
	}
	if errors.Is(err, participant.ErrLocked) {
		return &web.Error{Status: http.StatusConflict, Key: "letter.unlock_to_publish"}
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, h.back(e.ID, r.PostForm.Get("status"), "moderated"), http.StatusSeeOther)
	return nil
}

// merge serves POST /admin/entries/{id}/signatures/merge, merge=KEEP-DROP.
func (h *Handlers) merge(w http.ResponseWriter, r *http.Request) error {
	e, _, err := h.staffEntry(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return web.BadRequest("form.unreadable")
	}
	keepS, dropS, _ := strings.Cut(r.PostForm.Get("merge"), "-")
	ids, err := parseIDs([]string{keepS, dropS})
	if err != nil || len(ids) != 2 {
		return web.BadRequest("form.invalid_choice")
	}
	if err := h.store.Merge(r.Context(), e.ID, ids[0], ids[1]); errors.Is(err, db.ErrNotFound) {
		return web.BadRequest("letter.merge_gone")
	} else if errors.Is(err, participant.ErrLocked) {
		return &web.Error{Status: http.StatusConflict, Key: "letter.unlock_to_publish"}
	} else if err != nil {
		return err
	}
	http.Redirect(w, r, h.back(e.ID, r.PostForm.Get("status"), "merged"), http.StatusSeeOther)
	return nil
}

func (h *Handlers) back(entryID int64, status, done string) string {
	q := url.Values{"done": {done}}
	for _, s := range Statuses {
		if s == status {
			q.Set("status", s)
		}
	}
	return "/admin/entries/" + strconv.FormatInt(entryID, 10) + "/signatures?" + q.Encode()
}

func parseIDs(values []string) ([]int64, error) {
	if len(values) > 1000 {
		return nil, errors.New("letter: too many ids")
	}
	out := make([]int64, 0, len(values))
	for _, v := range values {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return nil, errors.New("letter: bad id")
		}
		out = append(out, id)
	}
	return out, nil
}

// overviewRow is a letter on the staff overview.
type overviewRow struct {
	Title, URL string
	Waiting    int
}

type overviewPage struct {
	web.Page
	Rows []overviewRow
}

// overview serves GET /admin/signatures: the letters with signatures
// waiting for a moderator, where the moderation dashboard leads.
func (h *Handlers) overview(w http.ResponseWriter, r *http.Request) error {
	waiting, err := h.store.WaitingByLetter(r.Context())
	if err != nil {
		return err
	}
	p := overviewPage{Page: h.rd.AdminPage(r)}
	p.Title = p.L.T("letter.queue")
	p.NoIndex = true
	for _, wl := range waiting {
		e, err := h.entries.Entry(r.Context(), wl.EntryID)
		if err != nil {
			return err
		}
		p.Rows = append(p.Rows, overviewRow{Title: e.Source().Title, URL: "/admin/entries/" + strconv.FormatInt(e.ID, 10) + "/signatures?status=" + Waiting, Waiting: wl.Count})
	}
	return h.rd.Render(w, http.StatusOK, h.tmpl["admin_overview"], p)
}
