package calls

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"peerpress/internal/auth"
	"peerpress/internal/content"
	"peerpress/internal/db"
	"peerpress/internal/mail"
	"peerpress/internal/participant"
	"peerpress/internal/web"
)

// boardRoutes declares the board's pages: its admin (settings, members,
// assignments, progress, ranking, decisions) for the site's admins, and
// the reviewers' own pages, which the calls area checks a seat for.
func (h *Handlers) boardRoutes(rs *web.Routes) {
	admin := web.Need(auth.ManageSite)
	rs.Admin("GET /admin/calls/{id}/board", h.BoardPage, admin)
	rs.Admin("POST /admin/calls/{id}/board/settings", h.SaveBoard, admin)
	rs.Admin("POST /admin/calls/{id}/board/reviewers", h.InviteReviewer, admin)
	rs.Admin("POST /admin/calls/{id}/board/reviewers/{user}/remove", h.RemoveReviewer, admin)
	rs.Admin("POST /admin/calls/{id}/board/assign", h.AssignByHand, admin)
	rs.Admin("POST /admin/calls/{id}/board/auto", h.AutoAssign, admin)
	rs.Admin("POST /admin/calls/{id}/board/decide", h.Decide, admin)
	rs.Admin("POST /admin/calls/{id}/board/notify", h.NotifyDecisions, admin)
	rs.Page("GET /calls/awards/{slug}", h.AwardsPage, web.Cache)
	rs.Page("GET /application/awards/{token}", h.ConsentPage, web.Private)
	rs.Page("POST /application/awards/{token}", h.Consent, web.Private)
	review := web.Need(auth.Review)
	rs.Admin("GET /admin/reviews", h.ReviewsPage, review)
	rs.Admin("GET /admin/reviews/{app}", h.ReviewPage, review)
	rs.Admin("POST /admin/reviews/{app}", h.SubmitReview, review)
	rs.Admin("POST /admin/reviews/{app}/conflict", h.DeclareConflict, review)
	rs.Admin("GET /admin/reviews/{app}/files/{file}", h.ReviewFile, review)
}

// EditorLinks leads from a call's editor to its review board, for the
// admins who run it (content.EditorLinker).
func (h *Handlers) EditorLinks(r *http.Request, e *content.Entry) []content.EditorLink {
	u, _ := auth.UserFrom(r.Context())
	if e == nil || e.Kind != Kind || !u.Role.Can(auth.ManageSite) {
		return nil
	}
	l := h.rd.AdminLocalizer(r)
	return []content.EditorLink{{Label: l.T("calls.board.title_short"), URL: boardBase(e.ID)}}
}

func boardBase(id int64) string { return "/admin/calls/" + strconv.FormatInt(id, 10) + "/board" }

type boardPage struct {
	web.Page
	CallTitle string
	Base      string
	Closed    bool
	Board     Board
	Criteria  int
	Reviewers []reviewerRow
	Subs      []subRow
	Ranking   []rankRow
	Errors    map[string]string
	Invite    struct{ Email, Name string }
	// Untold counts decisions the applicants have not been told of.
	Untold    int
	AwardsURL string
}

type reviewerRow struct {
	Reviewer
	Assigned, Done, Conflicts int
}

type subRow struct {
	ID        int64
	Reviews   []subReview
	Conflicts []string
	Done      int
	Free      []Reviewer // board members who may still be assigned
}

type subReview struct {
	User  int64
	Label string
	Done  bool
}

type rankRow struct {
	Ranked
	ScoreText, SpreadText string
	Decision              Decision
}

// boardCall loads the call of an admin URL.
func (h *Handlers) boardCall(r *http.Request) (*content.Entry, Call, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return nil, Call{}, web.NotFound()
	}
	e, c, err := h.entryByID(r.Context(), id)
	if errors.Is(err, db.ErrNotFound) || errors.Is(err, ErrNoCall) || (err == nil && e.Kind != Kind) {
		return nil, Call{}, web.NotFound()
	}
	return e, c, err
}

// BoardPage serves GET /admin/calls/{id}/board.
func (h *Handlers) BoardPage(w http.ResponseWriter, r *http.Request) error {
	e, c, err := h.boardCall(r)
	if err != nil {
		return err
	}
	p, err := h.boardData(r, e, c)
	if err != nil {
		return err
	}
	switch {
	case r.URL.Query().Get("saved") != "":
		p.Flash = p.L.T("calls.board.saved")
	case r.URL.Query().Get("invited") != "":
		p.Flash = p.L.T("calls.board.invited")
	case r.URL.Query().Get("assigned") != "":
		p.Flash = p.L.T("calls.board.assigned", "Count", atoi(r.URL.Query().Get("assigned")))
	}
	return h.rd.Render(w, http.StatusOK, h.tmpl["board"], p)
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

func (h *Handlers) boardData(r *http.Request, e *content.Entry, c Call) (boardPage, error) {
	ctx := r.Context()
	p := boardPage{Page: h.rd.AdminPage(r), CallTitle: e.Source().Title, Base: boardBase(e.ID), Closed: c.State(h.store.Now()) == StateClosed,
		Criteria: len(c.Criteria), Errors: map[string]string{}}
	p.Title = p.L.T("calls.board.title", "Title", p.CallTitle)
	p.NoIndex = true
	var err error
	if p.Board, err = h.store.Board(ctx, e.ID); err != nil {
		return p, err
	}
	reviewers, err := h.store.Reviewers(ctx, e.ID)
	if err != nil {
		return p, err
	}
	subs, err := h.store.Submissions(ctx, e.ID)
	if err != nil {
		return p, err
	}
	reviews, err := h.store.Reviews(ctx, e.ID)
	if err != nil {
		return p, err
	}
	conflicts, err := h.store.Conflicts(ctx, e.ID)
	if err != nil {
		return p, err
	}
	label := map[int64]string{}
	rows := map[int64]*reviewerRow{}
	for _, rv := range reviewers {
		label[rv.UserID] = rv.Label()
		p.Reviewers = append(p.Reviewers, reviewerRow{Reviewer: rv})
	}
	for i := range p.Reviewers {
		rows[p.Reviewers[i].UserID] = &p.Reviewers[i]
	}
	byApp := map[int64][]Review{}
	for _, rv := range reviews {
		byApp[rv.App] = append(byApp[rv.App], rv)
		if row := rows[rv.User]; row != nil {
			row.Assigned++
			if rv.Done() {
				row.Done++
			}
		}
	}
	for k := range conflicts {
		if row := rows[k.User]; row != nil {
			row.Conflicts++
		}
	}
	for _, id := range subs {
		sr := subRow{ID: id}
		taken := map[int64]bool{}
		for _, rv := range byApp[id] {
			taken[rv.User] = true
			l := label[rv.User]
			if l == "" {
				l = p.L.T("calls.board.former_reviewer")
			}
			sr.Reviews = append(sr.Reviews, subReview{User: rv.User, Label: l, Done: rv.Done()})
			if rv.Done() {
				sr.Done++
			}
		}
		for _, rv := range reviewers {
			if conflicts[Pair{id, rv.UserID}] {
				sr.Conflicts = append(sr.Conflicts, rv.Label())
			} else if !taken[rv.UserID] {
				sr.Free = append(sr.Free, rv)
			}
		}
		p.Subs = append(p.Subs, sr)
	}
	decisions, err := h.store.Decisions(ctx, e.ID)
	if err != nil {
		return p, err
	}
	for _, d := range decisions {
		if d.Decision == Award && d.Notified {
			p.AwardsURL = "/" + e.Source().Lang + "/calls/awards/" + e.Source().Slug
		}
		if !d.Notified {
			p.Untold++
		}
	}
	for _, rk := range Rank(c.Criteria, subs, reviews, p.Board.Normalise) {
		row := rankRow{Ranked: rk, Decision: decisions[rk.App]}
		if rk.Reviews > 0 {
			row.ScoreText, row.SpreadText = strconv.FormatFloat(rk.Score, 'f', 2, 64), strconv.FormatFloat(rk.Spread, 'f', 2, 64)
		}
		p.Ranking = append(p.Ranking, row)
	}
	return p, nil
}

func (h *Handlers) boardError(w http.ResponseWriter, r *http.Request, e *content.Entry, c Call, field, key string, fill func(*boardPage)) error {
	p, err := h.boardData(r, e, c)
	if err != nil {
		return err
	}
	p.Errors[field] = key
	if fill != nil {
		fill(&p)
	}
	return h.rd.Render(w, http.StatusUnprocessableEntity, h.tmpl["board"], p)
}

// SaveBoard serves POST /admin/calls/{id}/board/settings.
func (h *Handlers) SaveBoard(w http.ResponseWriter, r *http.Request) error {
	e, c, err := h.boardCall(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return web.BadRequest("form.unreadable")
	}
	b := Board{EntryID: e.ID, Blind: r.PostForm.Get("blind") != "", ShowScores: r.PostForm.Get("show_scores") != "",
		Normalise: r.PostForm.Get("normalise") != ""}
	var ok bool
	if b.PerSubmission, ok = boundedInt(r.PostForm.Get("per_submission"), 1, MaxPerSubmission); !ok {
		return h.boardError(w, r, e, c, "per_submission", "calls.board.per_submission_range", nil)
	}
	if b.IdentityDays, ok = boundedInt(r.PostForm.Get("identity_days"), 0, MaxIdentityDays); !ok {
		return h.boardError(w, r, e, c, "identity_days", "calls.board.identity_days_range", nil)
	}
	if err := h.store.SaveBoard(r.Context(), b); err != nil {
		return err
	}
	http.Redirect(w, r, boardBase(e.ID)+"?saved=1", http.StatusSeeOther)
	return nil
}

func boundedInt(s string, lo, hi int) (int, bool) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	return n, err == nil && n >= lo && n <= hi
}

// InviteReviewer serves POST /admin/calls/{id}/board/reviewers: the
// person is seated on the board and told by mail; someone with no
// account is invited to make one, as a reviewer (auth.RoleReviewer),
// who sees nothing of the admin but their boards.
func (h *Handlers) InviteReviewer(w http.ResponseWriter, r *http.Request) error {
	e, c, err := h.boardCall(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return web.BadRequest("form.unreadable")
	}
	name := strings.TrimSpace(r.PostForm.Get("name"))
	fill := func(p *boardPage) { p.Invite.Email, p.Invite.Name = r.PostForm.Get("email"), name }
	email, err := participant.Normalize(r.PostForm.Get("email"))
	if err != nil {
		return h.boardError(w, r, e, c, "email", "form.invalid_email", fill)
	}
	if utf8.RuneCountInString(name) > 200 {
		return h.boardError(w, r, e, c, "name", "form.too_long", fill)
	}
	me, _ := auth.UserFrom(r.Context())
	l := h.rd.AdminLocalizer(r)
	err = h.seat(r.Context(), seatRequest{entryID: e.ID, email: email, name: name, lang: l.Lang.Code, by: me.ID,
		origin: web.Origin(h.rd.BaseURL, r), title: e.Source().Title, site: h.rd.SiteName})
	if errors.Is(err, auth.ErrUserDisabled) {
		return h.boardError(w, r, e, c, "email", "account.invite_disabled", fill)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, boardBase(e.ID)+"?invited=1", http.StatusSeeOther)
	return nil
}

type seatRequest struct {
	entryID                                int64
	email, name, lang, origin, title, site string
	by                                     int64
}

// seat seats a person on a board and mails them, in one transaction: a
// new person (or a reviewer who never signed in) gets an invitation's
// link, anyone with an account a note that leads to their reviews. The
// mail names the call and the site, nothing of any applicant.
func (h *Handlers) seat(ctx context.Context, in seatRequest) error {
	if h.users == nil {
		return errors.New("calls: no user store for the board")
	}
	l := h.store.langs.Localizer(in.lang)
	now := h.store.Now()
	u, err := h.users.UserByEmail(ctx, in.email)
	if err == nil && u.Disabled {
		return auth.ErrUserDisabled
	}
	if errors.Is(err, db.ErrNotFound) || (err == nil && u.Role == auth.RoleReviewer) {
		_, err := h.users.Invite(ctx, auth.Invitation{Email: in.email, Name: in.name, Role: auth.RoleReviewer, Lang: in.lang, By: in.by},
			func(ctx context.Context, tx *db.Tx, u auth.User, token string) error {
				if err := AddReviewer(ctx, tx, in.entryID, u.ID, now); err != nil {
					return err
				}
				// The link's path is account.InvitePath's.
				return h.store.mailer.Send(ctx, tx, mail.Message{To: u.Email, Subject: l.T("calls.board.invite_subject", "Title", in.title),
					Text: l.T("calls.board.invite_body", "Title", in.title, "Site", in.site, "Link", in.origin+"/admin/invite/"+token)})
			})
		if !errors.Is(err, auth.ErrAlreadyActive) {
			return err
		}
		if u, err = h.users.UserByEmail(ctx, in.email); err != nil {
			return err
		}
	} else if err != nil {
		return err
	}
	return h.store.quiet.InTx(ctx, func(tx *db.Tx) error {
		if err := AddReviewer(ctx, tx, in.entryID, u.ID, now); err != nil {
			return err
		}
		return h.store.mailer.Send(ctx, tx, mail.Message{To: u.Email, Subject: l.T("calls.board.invite_subject", "Title", in.title),
			Text: l.T("calls.board.seated_body", "Title", in.title, "Site", in.site, "Link", in.origin+"/admin/reviews")})
	})
}

// RemoveReviewer serves POST /admin/calls/{id}/board/reviewers/{user}/remove.
func (h *Handlers) RemoveReviewer(w http.ResponseWriter, r *http.Request) error {
	e, _, err := h.boardCall(r)
	if err != nil {
		return err
	}
	user, err := strconv.ParseInt(r.PathValue("user"), 10, 64)
	if err != nil {
		return web.NotFound()
	}
	if err := h.store.RemoveReviewer(r.Context(), e.ID, user); err != nil {
		return err
	}
	http.Redirect(w, r, boardBase(e.ID)+"?saved=1", http.StatusSeeOther)
	return nil
}

// AssignByHand serves POST /admin/calls/{id}/board/assign: give a
// submission to a reviewer (user), or take it back (unassign).
func (h *Handlers) AssignByHand(w http.ResponseWriter, r *http.Request) error {
	e, c, err := h.boardCall(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return web.BadRequest("form.unreadable")
	}
	app, err1 := strconv.ParseInt(r.PostForm.Get("app"), 10, 64)
	user, err2 := strconv.ParseInt(r.PostForm.Get("user"), 10, 64)
	if err1 != nil || err2 != nil {
		return h.boardError(w, r, e, c, "assign", "form.invalid_choice", nil)
	}
	if owner, err := h.store.SubmissionCall(r.Context(), app); err != nil || owner != e.ID {
		return h.boardError(w, r, e, c, "assign", "form.invalid_choice", nil)
	}
	if r.PostForm.Get("unassign") != "" {
		err = h.store.Unassign(r.Context(), app, user)
	} else {
		err = h.store.Assign(r.Context(), app, user)
	}
	switch {
	case errors.Is(err, ErrConflicted):
		return h.boardError(w, r, e, c, "assign", "calls.board.conflicted", nil)
	case errors.Is(err, ErrNotOnBoard):
		return h.boardError(w, r, e, c, "assign", "form.invalid_choice", nil)
	case err != nil:
		return err
	}
	http.Redirect(w, r, boardBase(e.ID)+"?saved=1", http.StatusSeeOther)
	return nil
}

// AutoAssign serves POST /admin/calls/{id}/board/auto.
func (h *Handlers) AutoAssign(w http.ResponseWriter, r *http.Request) error {
	e, _, err := h.boardCall(r)
	if err != nil {
		return err
	}
	n, err := h.store.AutoAssign(r.Context(), e.ID)
	if err != nil {
		return err
	}
	http.Redirect(w, r, boardBase(e.ID)+"?assigned="+strconv.Itoa(n), http.StatusSeeOther)
	return nil
}
