package calls

import (
	"errors"
	"net/http"
	"path"
	"strconv"
	"strings"

	"peerpress/internal/auth"
	"peerpress/internal/content"
	"peerpress/internal/i18n"
	"peerpress/internal/web"
)

// reviewsPage lists, for one reviewer, the calls whose board they sit on
// and each call's submissions: those assigned to them to score, the
// others to declare a conflict on.
type reviewsPage struct {
	web.Page
	Calls []reviewerCall
}

type reviewerCall struct {
	Title string
	Blind bool
	Subs  []reviewerSub
}

type reviewerSub struct {
	ID         int64
	Label      string // "Submission 12", or an applicant's name on a call that is not blind
	Assigned   bool
	Done       bool
	Conflicted bool
}

// ReviewsPage serves GET /admin/reviews.
func (h *Handlers) ReviewsPage(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	u, _ := auth.UserFrom(ctx)
	p := reviewsPage{Page: h.rd.AdminPage(r)}
	p.Title = p.L.T("calls.review.my_title")
	p.NoIndex = true
	if r.URL.Query().Get("conflict") != "" {
		p.Flash = p.L.T("calls.review.conflict_saved")
	} else if r.URL.Query().Get("submitted") != "" {
		p.Flash = p.L.T("calls.review.submitted")
	}
	ids, err := h.store.BoardsOf(ctx, u.ID)
	if err != nil {
		return err
	}
	for _, id := range ids {
		e, c, err := h.entryByID(ctx, id)
		if err != nil {
			return err
		}
		b, err := h.store.Board(ctx, id)
		if err != nil {
			return err
		}
		rc := reviewerCall{Title: e.Source().Title, Blind: b.Blind}
		subs, err := h.store.Submissions(ctx, id)
		if err != nil {
			return err
		}
		reviews, err := h.store.Reviews(ctx, id)
		if err != nil {
			return err
		}
		conflicts, err := h.store.Conflicts(ctx, id)
		if err != nil {
			return err
		}
		mine := map[int64]Review{}
		for _, rv := range reviews {
			if rv.User == u.ID {
				mine[rv.App] = rv
			}
		}
		for _, app := range subs {
			rv, assigned := mine[app]
			s := reviewerSub{ID: app, Label: p.L.T("calls.review.submission", "ID", app), Assigned: assigned, Done: rv.Done(),
				Conflicted: conflicts[Pair{app, u.ID}]}
			if !b.Blind {
				if a, err := h.store.Submission(ctx, app); err == nil {
					if name := firstShortAnswer(c, a); name != "" {
						s.Label += " · " + name
					}
				}
			}
			rc.Subs = append(rc.Subs, s)
		}
		p.Calls = append(p.Calls, rc)
	}
	return h.rd.Render(w, http.StatusOK, h.tmpl["reviews"], p)
}

// firstShortAnswer is the answer to the form's first short text field:
// on most forms the applicant's name, for a call that is not blind.
func firstShortAnswer(c Call, a Application) string {
	for _, f := range c.Form {
		if f.Type == ShortText {
			return strings.Join(a.Answers[f.Key], " ")
		}
	}
	return ""
}

// reviewPage is a reviewer's page of one submission: the work, the
// answers a call that is not blind shows, the criteria to score, and
// after submitting the others' scores if the call shows them.
type reviewPage struct {
	web.Page
	CallTitle string
	App       int64
	Base      string
	Blind     bool
	Answers   []answerView
	Files     []fileView
	WorkLang  string
	Criteria  []criterionView
	Comments  string
	Done      bool
	Errors    map[string]string
	Others    []otherReview
	ShowOther bool
}

type answerView struct {
	Label  string
	Values []string
	Link   bool
}

type fileView struct {
	Label, URL, Type string
	Video            bool
}

type criterionView struct {
	Key, Name, Guidance string
	Weight              int
	Options             []int
	Value               int
}

type otherReview struct {
	Scores   []string // "Power of the message: 4 / 5"
	Comments string
}

// reviewable loads the submission of a reviewer's URL with its call and
// board, and checks the user sits on that board: 404 for no such
// submission, 403 for someone else's board.
func (h *Handlers) reviewable(r *http.Request) (Application, *content.Entry, Call, Board, auth.User, error) {
	ctx := r.Context()
	u, _ := auth.UserFrom(ctx)
	app, err := strconv.ParseInt(r.PathValue("app"), 10, 64)
	if err != nil || app <= 0 {
		return Application{}, nil, Call{}, Board{}, u, web.NotFound()
	}
	entryID, err := h.store.SubmissionCall(ctx, app)
	if errors.Is(err, ErrBadToken) {
		return Application{}, nil, Call{}, Board{}, u, web.NotFound()
	}
	if err != nil {
		return Application{}, nil, Call{}, Board{}, u, err
	}
	if ok, err := h.store.Sits(ctx, entryID, u.ID); err != nil || !ok {
		return Application{}, nil, Call{}, Board{}, u, cmpErr(err, web.Forbidden())
	}
	e, c, err := h.entryByID(ctx, entryID)
	if err != nil {
		return Application{}, nil, Call{}, Board{}, u, err
	}
	b, err := h.store.Board(ctx, entryID)
	if err != nil {
		return Application{}, nil, Call{}, Board{}, u, err
	}
	a, err := h.store.Submission(ctx, app)
	return a, e, c, b, u, err
}

// reviewData fills a reviewer's page; rv is their review.
func (h *Handlers) reviewData(r *http.Request, a Application, e *content.Entry, c Call, b Board, rv Review) (reviewPage, error) {
	p := reviewPage{Page: h.rd.AdminPage(r), CallTitle: e.Source().Title, App: a.ID, Base: "/admin/reviews/" + strconv.FormatInt(a.ID, 10),
		Blind: b.Blind, Comments: rv.Comments, Done: rv.Done(), Errors: map[string]string{}}
	lang := p.L.Lang.Code
	p.Title = p.L.T("calls.review.title", "ID", a.ID)
	p.NoIndex = true
	for _, f := range c.Form {
		w := f.Wording(lang)
		if f.Type == File {
			for _, sf := range a.Files {
				if sf.Field == f.Key {
					p.Files = append(p.Files, fileView{Label: w.Label, URL: p.Base + "/files/" + strconv.FormatInt(sf.ID, 10),
						Type: sf.Type, Video: strings.HasPrefix(sf.Type, "video/")})
				}
			}
			if v := a.Answers[f.Key]; len(v) > 0 {
				p.Answers = append(p.Answers, answerView{Label: w.Label, Values: v, Link: true})
			}
			continue
		}
		if b.Blind {
			continue // only the work: a file, or the link given instead
		}
		vals := answerTexts(f, a.Answers[f.Key], lang)
		if len(vals) > 0 {
			p.Answers = append(p.Answers, answerView{Label: w.Label, Values: vals, Link: f.Type == Link})
		}
	}
	if v := a.Answers[workLanguageKey]; len(v) > 0 {
		p.WorkLang = languageLabel(v[0], lang)
	}
	for _, cr := range c.Criteria {
		w := cr.Wording(lang)
		cv := criterionView{Key: cr.Key, Name: w.Name, Guidance: w.Guidance, Weight: cr.Weight, Value: rv.Scores[cr.Key]}
		for i := 1; i <= cr.Scale; i++ {
			cv.Options = append(cv.Options, i)
		}
		p.Criteria = append(p.Criteria, cv)
	}
	if rv.Done() && b.ShowScores {
		p.ShowOther = true
		reviews, err := h.store.Reviews(r.Context(), a.EntryID)
		if err != nil {
			return p, err
		}
		for _, o := range reviews {
			if o.App != a.ID || o.User == rv.User || !o.Done() {
				continue
			}
			or := otherReview{Comments: o.Comments}
			for _, cr := range c.Criteria {
				or.Scores = append(or.Scores, p.L.T("calls.review.other_score", "Name", cr.Wording(lang).Name, "Score", o.Scores[cr.Key], "Scale", cr.Scale))
			}
			p.Others = append(p.Others, or)
		}
	}
	return p, nil
}

// answerTexts are a field's answers as read: countries and options by
// name in lang.
func answerTexts(f FormField, vals []string, lang string) []string {
	out := make([]string, 0, len(vals))
	options := f.Wording(lang).Options
	for _, v := range vals {
		switch f.Type {
		case Country:
			v = i18n.CountryName(v, lang)
		case Choice, Checkboxes:
			if n, err := strconv.Atoi(v); err == nil && n >= 0 && n < len(options) {
				v = options[n]
			}
		}
		out = append(out, v)
	}
	return out
}

// reviewErr turns a refusal of the store into the reviewer's answer: a
// submission not assigned to them, or one they declared a conflict on,
// is forbidden.
func reviewErr(err error) error {
	if errors.Is(err, ErrNotAssigned) || errors.Is(err, ErrConflicted) {
		return web.Forbidden()
	}
	return err
}

// ReviewPage serves GET /admin/reviews/{app}.
func (h *Handlers) ReviewPage(w http.ResponseWriter, r *http.Request) error {
	a, e, c, b, u, err := h.reviewable(r)
	if err != nil {
		return err
	}
	rv, err := h.store.ReviewOf(r.Context(), a.ID, u.ID)
	if err != nil {
		return reviewErr(err)
	}
	p, err := h.reviewData(r, a, e, c, b, rv)
	if err != nil {
		return err
	}
	if r.URL.Query().Get("submitted") != "" {
		p.Flash = p.L.T("calls.review.submitted")
	}
	return h.rd.Render(w, http.StatusOK, h.tmpl["review"], p)
}

// SubmitReview serves POST /admin/reviews/{app}: the scores, one per
// criterion within its scale, and comments. Out of range: the page again
// with what is wrong, nothing saved.
func (h *Handlers) SubmitReview(w http.ResponseWriter, r *http.Request) error {
	a, e, c, b, u, err := h.reviewable(r)
	if err != nil {
		return err
	}
	rv, err := h.store.ReviewOf(r.Context(), a.ID, u.ID)
	if err != nil {
		return reviewErr(err)
	}
	if err := r.ParseForm(); err != nil {
		return web.BadRequest("form.unreadable")
	}
	scores := map[string]int{}
	for _, cr := range c.Criteria {
		v := strings.TrimSpace(r.PostForm.Get("score_" + cr.Key))
		if v == "" {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			n = -1 // out of range, said so
		}
		scores[cr.Key] = n
	}
	comments := r.PostForm.Get("comments")
	err = h.store.SubmitReview(r.Context(), c, a.ID, u.ID, scores, comments)
	var se *ScoreError
	if errors.As(err, &se) {
		rv.Scores, rv.Comments = scores, comments
		p, err := h.reviewData(r, a, e, c, b, rv)
		if err != nil {
			return err
		}
		p.Errors = se.Fields
		return h.rd.Render(w, http.StatusUnprocessableEntity, h.tmpl["review"], p)
	}
	if err != nil {
		return reviewErr(err)
	}
	http.Redirect(w, r, "/admin/reviews/"+strconv.FormatInt(a.ID, 10)+"?submitted=1", http.StatusSeeOther)
	return nil
}

// DeclareConflict serves POST /admin/reviews/{app}/conflict: any
// submission of the reviewer's boards, assigned to them or not.
func (h *Handlers) DeclareConflict(w http.ResponseWriter, r *http.Request) error {
	a, _, _, _, u, err := h.reviewable(r)
	if err != nil {
		return err
	}
	if err := h.store.DeclareConflict(r.Context(), a.ID, u.ID); err != nil {
		if errors.Is(err, ErrNotOnBoard) {
			return web.Forbidden()
		}
		return err
	}
	http.Redirect(w, r, "/admin/reviews?conflict=1", http.StatusSeeOther)
	return nil
}

// ReviewFile serves GET /admin/reviews/{app}/files/{file}: a file of a
// submission, to the reviewers it is assigned to and no one else, under
// a neutral name (the applicant's device named it, perhaps after them),
// with range requests so the browser's player can seek.
func (h *Handlers) ReviewFile(w http.ResponseWriter, r *http.Request) error {
	a, _, _, _, u, err := h.reviewable(r)
	if err != nil {
		return err
	}
	if _, err := h.store.ReviewOf(r.Context(), a.ID, u.ID); err != nil {
		return reviewErr(err)
	}
	id, err := strconv.ParseInt(r.PathValue("file"), 10, 64)
	if err != nil {
		return web.NotFound()
	}
	for _, f := range a.Files {
		if f.ID != id {
			continue
		}
		b, err := h.store.blobs.Open(r.Context(), f.Key)
		if err != nil {
			return err
		}
		defer b.Close()
		name := "submission-" + strconv.FormatInt(a.ID, 10) + "-" + strconv.FormatInt(f.ID, 10) + path.Ext(f.Key)
		w.Header().Set("Content-Type", f.Type)
		w.Header().Set("Content-Disposition", `inline; filename="`+name+`"`)
		w.Header().Set("X-Content-Type-Options", "nosniff")
		http.ServeContent(w, r, name, b.ModTime(), b)
		return nil
	}
	return web.NotFound()
}
