package calls_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"peerpress/internal/app/apptest"
	"peerpress/internal/demo"
	"peerpress/internal/participant"
	"peerpress/internal/web/webtest"
)

// board is the demo call's board page.
func (s *site) board() string { return "/admin/calls/" + strconv.FormatInt(s.entryID, 10) + "/board" }

// submissions lists the demo call's confirmed applications, oldest
// first.
func (s *site) submissions() []int64 {
	s.T.Helper()
	ids, err := s.App.Calls.Submissions(context.Background(), s.entryID)
	if err != nil {
		s.T.Fatal(err)
	}
	return ids
}

// reviewer invites email to the demo call's board as the administrator
// does, accepts the invitation as the person does, and returns their
// signed-in browser with its CSRF token.
func (s *site) reviewer(admin *webtest.Client, csrf, email string) (*webtest.Client, string) {
	s.T.Helper()
	admin.Post(s.board()+"/reviewers", url.Values{"csrf": {csrf}, "email": {email}, "name": {"Reviewer " + email[:3]}}).Must(s.T, http.StatusSeeOther)
	link := s.InviteLink(email)
	c := s.Client()
	r := c.Post(link, url.Values{"password": {"a reviewer's long password"}})
	if r.Status != http.StatusSeeOther || r.Location != "/admin/reviews" {
		s.T.Fatalf("accepting the board's invitation: %d %q", r.Status, r.Location)
	}
	return c, c.CSRF("/admin/reviews")
}

// scored counts the submitted reviews of an application.
func (s *site) scored(app int64) int {
	s.T.Helper()
	var n int
	if err := s.App.DB.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM reviews WHERE application_id = ? AND submitted_at > 0`, app).Scan(&n); err != nil {
		s.T.Fatal(err)
	}
	return n
}

// A board reviews blind: an admin invites three reviewers, one declares
// a conflict, the automatic assignment gives each submission two
// reviewers and never a conflicted one, a reviewer watches the film
// under a neutral name and scores it, sees the others' scores only once
// they have submitted, and is refused what is not theirs; nothing a
// reviewer can reach, mail included, names an applicant. The board page
// shows each reviewer's and each submission's progress, and the ranking.
func TestBlindBoard(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		ctx := context.Background()
		applicant := s.Client()
		emails := []string{"harbour-one@example.org", "harbour-two@example.org", "harbour-three@example.org"}
		for _, e := range emails {
			s.applyAndConfirm(applicant, e)
		}
		subs := s.submissions()
		if len(subs) != 3 {
			t.Fatalf("%d submissions, want 3", len(subs))
		}
		film, err := s.App.Calls.KeepTestFile(ctx, subs[0], "film", "Harbour Film Collective - final cut.mp4", []byte(strings.Repeat("0123456789", 100)))
		if err != nil {
			t.Fatal(err)
		}

		admin, csrf := s.Admin()
		admin.Get(s.board()).Must(t, http.StatusOK, "Review board", `name="blind" value="1" checked`)
		admin.Post(s.board()+"/settings", url.Values{"csrf": {csrf}, "blind": {"1"}, "show_scores": {"1"}, "per_submission": {"2"}, "identity_days": {"30"}}).
			Must(t, http.StatusSeeOther)
		// Settings out of range: said, nothing saved.
		admin.Post(s.board()+"/settings", url.Values{"csrf": {csrf}, "per_submission": {"99"}, "identity_days": {"30"}}).
			Must(t, http.StatusUnprocessableEntity, "from 1 to 20")
		admin.Get(s.board()).Must(t, http.StatusOK, `name="blind" value="1" checked`, `name="show_scores" value="1" checked`)
		admin.Post(s.board()+"/reviewers", url.Values{"csrf": {csrf}, "email": {"not an address"}}).Must(t, http.StatusUnprocessableEntity)

		ana, anaCSRF := s.reviewer(admin, csrf, "ana@example.org")
		ben, benCSRF := s.reviewer(admin, csrf, "ben@example.org")
		cat, catCSRF := s.reviewer(admin, csrf, "cat@example.org")

		// A reviewer sees their boards and their account, nothing else.
		ana.Get("/admin/account").Must(t, http.StatusOK)
		for _, path := range []string{"/admin/entries", "/admin/translations", s.board(), "/admin/people"} {
			if r := ana.Get(path); r.Status != http.StatusForbidden {
				t.Errorf("a reviewer opened %s: %d", path, r.Status)
			}
		}
		// Cat knows the first applicant: a conflict, declared on a
		// submission not even assigned.
		list := cat.Get("/admin/reviews")
		list.Must(t, http.StatusOK, "Submission "+strconv.FormatInt(subs[0], 10))
		list.MustNot(t, "Harbour", "harbour-one@")
		cat.Post("/admin/reviews/"+strconv.FormatInt(subs[0], 10)+"/conflict", url.Values{"csrf": {catCSRF}}).Must(t, http.StatusSeeOther)

		r := admin.Post(s.board()+"/auto", url.Values{"csrf": {csrf}})
		r.Must(t, http.StatusSeeOther)
		admin.Get(r.Location).Must(t, http.StatusOK, "Assignments made: 6.")
		assigned := map[int64][]int64{}
		rows, err := s.App.DB.QueryContext(ctx, `SELECT application_id, user_id FROM reviews ORDER BY application_id, user_id`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var app, user int64
			if err := rows.Scan(&app, &user); err != nil {
				t.Fatal(err)
			}
			assigned[app] = append(assigned[app], user)
		}
		rows.Close()
		catUser, _ := s.App.Users.UserByEmail(ctx, "cat@example.org")
		anaUser, _ := s.App.Users.UserByEmail(ctx, "ana@example.org")
		for _, app := range subs {
			if len(assigned[app]) != 2 {
				t.Errorf("submission %d has reviewers %v, want 2", app, assigned[app])
			}
		}
		for _, u := range assigned[subs[0]] {
			if u == catUser.ID {
				t.Error("the conflicted reviewer was assigned the submission")
			}
		}
		// By hand: the conflicted reviewer is refused.
		admin.Post(s.board()+"/assign", url.Values{"csrf": {csrf}, "app": {strconv.FormatInt(subs[0], 10)}, "user": {strconv.FormatInt(catUser.ID, 10)}}).
			Must(t, http.StatusUnprocessableEntity, "declared a conflict of interest")

		// The first submission went to Ana and Ben (Cat is conflicted).
		first := "/admin/reviews/" + strconv.FormatInt(subs[0], 10)
		page := ana.Get(first)
		page.Must(t, http.StatusOK, "Power of the message", "Does the film move you to act?", `name="score_message" value="5"`,
			"https://video.example.org/care", first+"/files/"+strconv.FormatInt(film, 10))
		page.MustNot(t, "Harbour", "harbour-one@", "Peers filming peers", "Kenya")
		// The film, under a neutral name, seekable, to assigned reviewers only.
		f := ana.Get(first + "/files/" + strconv.FormatInt(film, 10))
		f.Must(t, http.StatusOK)
		if cd := f.Header.Get("Content-Disposition"); strings.Contains(cd, "Harbour") || !strings.Contains(cd, "submission-") {
			t.Errorf("the file is served as %q", cd)
		}
		req, _ := http.NewRequest(http.MethodGet, s.Server.URL+first+"/files/"+strconv.FormatInt(film, 10), nil)
		req.Header.Set("Range", "bytes=10-19")
		if got := ana.Do(req); got.Status != http.StatusPartialContent || got.Body != "0123456789" {
			t.Errorf("a range of the film: %d %q", got.Status, got.Body)
		}
		for _, path := range []string{first, first + "/files/" + strconv.FormatInt(film, 10)} {
			if got := cat.Get(path); got.Status != http.StatusForbidden {
				t.Errorf("the conflicted reviewer opened %s: %d", path, got.Status)
			}
		}
		if got := cat.Post(first, url.Values{"csrf": {catCSRF}, "score_message": {"5"}, "score_quality": {"5"}, "score_creativity": {"5"}}); got.Status != http.StatusForbidden {
			t.Errorf("the conflicted reviewer scored: %d", got.Status)
		}
		// A submission not assigned to Ana: 403.
		for _, app := range subs {
			mine := false
			for _, u := range assigned[app] {
				mine = mine || u == anaUser.ID
			}
			if !mine {
				other := "/admin/reviews/" + strconv.FormatInt(app, 10)
				ana.Get(other).Must(t, http.StatusForbidden)
				ana.Post(other, url.Values{"csrf": {anaCSRF}, "score_message": {"3"}, "score_quality": {"3"}, "score_creativity": {"3"}}).Must(t, http.StatusForbidden)
				if s.scored(app) != 0 {
					t.Error("an unassigned reviewer's scores were saved")
				}
			}
		}
		// Out of range, or missing: said, nothing saved.
		ana.Post(first, url.Values{"csrf": {anaCSRF}, "score_message": {"9"}, "score_quality": {"abc"}, "comments": {"Strong."}}).
			Must(t, http.StatusUnprocessableEntity, "outside the criterion’s scale", "Give a score for this criterion.", "Strong.")
		if s.scored(subs[0]) != 0 {
			t.Fatal("scores out of range were saved")
		}
		// Ben scores first; Ana does not see it before her own.
		ben.Post(first, url.Values{"csrf": {benCSRF}, "score_message": {"3"}, "score_quality": {"4"}, "score_creativity": {"2"}, "comments": {"Ben's note"}}).
			Must(t, http.StatusSeeOther)
		ana.Get(first).MustNot(t, "Ben&#39;s note", "The other reviewers")
		r = ana.Post(first, url.Values{"csrf": {anaCSRF}, "score_message": {"5"}, "score_quality": {"4"}, "score_creativity": {"3"}, "comments": {"Moving."}})
		r.Must(t, http.StatusSeeOther)
		after := ana.Get(r.Location)
		after.Must(t, http.StatusOK, "Your review is submitted.", "The other reviewers", "Ben&#39;s note", "Power of the message: 3 / 5")
		after.MustNot(t, "Harbour", "harbour-one@")

		// The dashboard: progress per reviewer and per submission, and
		// the ranking (Ana (2·5+4+3)/4 = 4.25 → 8.5 points; Ben
		// (2·3+4+2)/4 = 3 → 6: mean 7.25, spread 2.5).
		board := admin.Get(s.board())
		board.Must(t, http.StatusOK, "1 of 2 scored", "2 of 2 scored", "7.25", "2.50")
		board.MustNot(t, "Harbour")

		// Mail to the reviewers names no applicant.
		for _, e := range []string{"ana@example.org", "ben@example.org", "cat@example.org"} {
			for _, m := range s.Mail(e) {
				for _, bad := range []string{"Harbour", "harbour-", "Peers filming"} {
					if strings.Contains(m.Subject+m.Text, bad) {
						t.Errorf("mail to %s names an applicant (%q):\n%s", e, bad, m.Text)
					}
				}
			}
		}
		_ = benCSRF
	})
}

// An editor or an author does not run boards; a stranger to a board
// cannot open its submissions; a call that is not blind shows the
// reviewers the answers, never the email.
func TestBoardAccess(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		applicant := s.Client()
		s.applyAndConfirm(applicant, "open-applicant@example.org")
		subs := s.submissions()
		admin, csrf := s.Admin()
		admin.Post(s.board()+"/settings", url.Values{"csrf": {csrf}, "per_submission": {"1"}, "identity_days": {"30"}}).Must(t, http.StatusSeeOther)
		dee, _ := s.reviewer(admin, csrf, "dee@example.org")
		admin.Post(s.board()+"/auto", url.Values{"csrf": {csrf}}).Must(t, http.StatusSeeOther)
		app := "/admin/reviews/" + strconv.FormatInt(subs[0], 10)
		open := dee.Get(app)
		open.Must(t, http.StatusOK, "Harbour Film Collective", "Peers filming peers")
		open.MustNot(t, "open-applicant@")
		// Taken off the board: nothing of it any more.
		u, _ := s.App.Users.UserByEmail(context.Background(), "dee@example.org")
		admin.Post(s.board()+"/reviewers/"+strconv.FormatInt(u.ID, 10)+"/remove", url.Values{"csrf": {csrf}}).Must(t, http.StatusSeeOther)
		dee.Get(app).Must(t, http.StatusForbidden)
		dee.Get("/admin/reviews").Must(t, http.StatusOK, "You sit on no review board.")
		dee.Get("/admin/reviews/999999").Must(t, http.StatusNotFound)
		dee.Get("/admin/reviews/x").Must(t, http.StatusNotFound)
		// Signed out: the sign-in page, not the submission.
		if r := s.Client().Get(app); r.Status != http.StatusSeeOther {
			t.Errorf("a visitor opened a submission: %d", r.Status)
		}
	})
}

var awardLinkRe = regexp.MustCompile(`https?://[^/\s]+(/[a-z]{2}/application/awards/[A-Za-z0-9_-]{43})`)

// Staff decide (an award needs its category), tell the applicants once
// the call has closed, each in the language they applied in, and the
// awards page names a winner only as they agreed to be named.
func TestDecisionsAndAwards(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		ctx := context.Background()
		applicant := s.Client()
		s.applyAndConfirm(applicant, "winner@example.org")
		s.applyAndConfirm(applicant, "other@example.org")
		subs := s.submissions()
		if _, err := s.App.DB.ExecContext(ctx, `UPDATE applications SET lang = 'fr' WHERE id = ?`, subs[1]); err != nil {
			t.Fatal(err)
		}
		admin, csrf := s.Admin()
		decide := func(app int64, decision, category string) webtest.Response {
			return admin.Post(s.board()+"/decide", url.Values{"csrf": {csrf}, "app": {strconv.FormatInt(app, 10)}, "decision": {decision}, "category": {category}})
		}
		decide(subs[0], "award", " ").Must(t, http.StatusUnprocessableEntity, "An award needs its category.")
		decide(subs[0], "winner", "").Must(t, http.StatusUnprocessableEntity)
		decide(999999, "declined", "").Must(t, http.StatusUnprocessableEntity)
		decide(subs[0], "award", "Best short film").Must(t, http.StatusSeeOther)
		decide(subs[1], "declined", "").Must(t, http.StatusSeeOther)
		// Not before the close.
		admin.Post(s.board()+"/notify", url.Values{"csrf": {csrf}}).Must(t, http.StatusUnprocessableEntity, "still open")
		if len(s.Mail("winner@example.org")) != 2 { // the confirmation and the receipt
			t.Fatal("an applicant was told before the close")
		}
		awards := "/en/calls/awards/" + strings.TrimPrefix(callURL, "/en/calls/")
		s.Client().Get(awards).Must(t, http.StatusNotFound)

		closed := s.call.ClosesAt.Add(time.Hour)
		s.App.Calls.Now = func() time.Time { return closed }
		admin.Post(s.board()+"/notify", url.Values{"csrf": {csrf}}).Must(t, http.StatusSeeOther)
		won := s.Mail("winner@example.org")
		last := won[len(won)-1]
		if !strings.Contains(last.Subject, "You won an award") || !strings.Contains(last.Text, "Best short film") {
			t.Fatalf("the winner's mail: %s\n%s", last.Subject, last.Text)
		}
		other := s.Mail("other@example.org")
		if got := other[len(other)-1]; !strings.Contains(got.Subject, "Votre candidature") || !strings.Contains(got.Text, "n’a pas retenu") {
			t.Fatalf("the declined applicant's mail, in French: %s\n%s", got.Subject, got.Text)
		}
		// Told: the decision stays.
		decide(subs[0], "shortlist", "").Must(t, http.StatusUnprocessableEntity, "told of this decision already")

		// Before the winner agrees, the award is there, unnamed.
		page := s.Client().Get(awards)
		page.Must(t, http.StatusOK, "Best short film", "the winner chose not to be named")
		page.MustNot(t, "Harbour", "winner@")

		m := awardLinkRe.FindStringSubmatch(last.Text)
		if m == nil {
			t.Fatalf("no consent link in:\n%s", last.Text)
		}
		w := s.Client()
		w.Get(m[1]).Must(t, http.StatusOK, "Best short film", `name="public_name"`)
		w.Post(m[1], url.Values{"publish": {"yes"}, "public_name": {" "}}).Must(t, http.StatusUnprocessableEntity)
		s.Client().Get(awards).Must(t, http.StatusOK, "the winner chose not to be named")
		w.Post(m[1], url.Values{"publish": {"yes"}, "public_name": {"Harbour Collective"}, "public_work": {"Care in the open"}}).Must(t, http.StatusSeeOther)
		s.Client().Get(awards).Must(t, http.StatusOK, "Best short film", "Harbour Collective", "Care in the open")
		// Changed their mind: unnamed again.
		w.Post(m[1], url.Values{"publish": {"no"}, "public_name": {"Harbour Collective"}}).Must(t, http.StatusSeeOther)
		s.Client().Get(awards).MustNot(t, "Harbour Collective", "Care in the open")
		// A tampered link: a clear page, nothing changed.
		w.Get(m[1][:len(m[1])-2]+"xx").Must(t, http.StatusNotFound)
		w.Post(m[1], url.Values{"publish": {"yes"}, "public_name": {"Harbour Collective"}, "public_work": {"Care in the open"}}).Must(t, http.StatusSeeOther)
		// The applications' retention ends: what the winner agreed to
		// publish stays, nothing else.
		if n, err := s.App.Calls.PersonalData().Purge(ctx, s.call.ClosesAt.AddDate(0, 0, s.call.RetentionDays+1)); err != nil || n != 2 {
			t.Fatalf("purged %d applications (%v)", n, err)
		}
		s.Client().Get(awards).Must(t, http.StatusOK, "Best short film", "Harbour Collective", "Care in the open")
		var left int
		if err := s.App.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM application_decisions WHERE entry_id = ? AND (public_name <> '' OR consent_hash <> '')`, s.entryID).Scan(&left); err != nil || left != 1 {
			t.Fatalf("%d decisions keep a name or a link (%v)", left, err)
		}
	})
}

// When the call closes the task seals the applicants' answers to the
// organisation's key, keeping for the board only what it sees, and the
// board's days later purges their identity and contact fields; the
// board still scores the work, and the applicant's private link shows a
// page, not an error.
func TestCloseSealsThenPurges(t *testing.T) {
	runWith(t, apptest.Options{OrgKey: true}, func(t *testing.T, s *site) {
		ctx := context.Background()
		manage := s.applyAndConfirm(s.Client(), "sealed@example.org")
		subs := s.submissions()
		if _, err := s.App.Calls.KeepTestFile(ctx, subs[0], "film", "Harbour Film Collective.mp4", []byte("film bytes")); err != nil {
			t.Fatal(err)
		}
		admin, csrf := s.Admin()
		admin.Post(s.board()+"/settings", url.Values{"csrf": {csrf}, "blind": {"1"}, "per_submission": {"1"}, "identity_days": {"10"}}).Must(t, http.StatusSeeOther)
		rev, _ := s.reviewer(admin, csrf, "eve@example.org")
		admin.Post(s.board()+"/auto", url.Values{"csrf": {csrf}}).Must(t, http.StatusSeeOther)
		page := "/admin/reviews/" + strconv.FormatInt(subs[0], 10)

		// Open: nothing to seal yet.
		if n, err := s.App.Calls.SealClosed(ctx); err != nil || n != 0 {
			t.Fatalf("sealed %d while open (%v)", n, err)
		}
		stored := func() (email, answers, work string) {
			t.Helper()
			if err := s.App.DB.QueryRowContext(ctx, `SELECT email, answers, work FROM applications WHERE id = ?`, subs[0]).Scan(&email, &answers, &work); err != nil {
				t.Fatal(err)
			}
			return
		}
		closed := s.call.ClosesAt.Add(time.Duration(s.call.GraceMinutes)*time.Minute + time.Minute)
		s.App.Calls.Now = func() time.Time { return closed }
		if n, err := s.App.Calls.SealClosed(ctx); err != nil || n != 1 {
			t.Fatalf("sealed %d after the close (%v)", n, err)
		}
		if n, _ := s.App.Calls.SealClosed(ctx); n != 0 {
			t.Fatalf("sealed %d again", n)
		}
		_, answers, _ := stored()
		if !participant.IsSealedForStaff(answers) {
			t.Fatal("the answers are not sealed to the organisation's key")
		}
		if _, err := s.App.People.Vault.Open(answers, "applications.answers"); err == nil {
			t.Fatal("the site key still opens the answers")
		}
		rp := rev.Get(page)
		rp.Must(t, http.StatusOK, "https://video.example.org/care", "/files/")
		rp.MustNot(t, "Harbour", "sealed@")
		s.Client().Get(manage).Must(t, http.StatusOK)

		// Not yet the board's days: the identity stays.
		if n, err := s.App.Calls.PurgeIdentities(ctx); err != nil || n != 0 {
			t.Fatalf("purged %d early (%v)", n, err)
		}
		s.App.Calls.Now = func() time.Time { return s.call.ClosesAt.AddDate(0, 0, 11) }
		if n, err := s.App.Calls.PurgeIdentities(ctx); err != nil || n != 1 {
			t.Fatalf("purged %d (%v)", n, err)
		}
		email, answers, work := stored()
		if email != "" {
			t.Error("the email outlived the purge")
		}
		if raw, err := s.App.People.Vault.Open(answers, "applications.answers"); err != nil || raw != "{}" {
			t.Errorf("the answers after the purge: %q %v", raw, err)
		}
		if raw, _ := s.App.People.Vault.Open(work, "applications.work"); strings.Contains(raw, "Harbour") || !strings.Contains(raw, "video.example.org") {
			t.Errorf("the board's copy after the purge: %q", raw)
		}
		var name string
		if err := s.App.DB.QueryRowContext(ctx, `SELECT name FROM application_files WHERE application_id = ?`, subs[0]).Scan(&name); err != nil || name != "" {
			t.Errorf("the file's own name outlived the purge: %q %v", name, err)
		}
		who, err := s.App.People.Vault.Subject("sealed@example.org")
		if err != nil {
			t.Fatal(err)
		}
		if recs, err := s.App.Calls.PersonalData().Find(ctx, who); err != nil || len(recs) != 0 {
			t.Errorf("the applicant is still found: %d records (%v)", len(recs), err)
		}
		rev.Get(page).Must(t, http.StatusOK, "https://video.example.org/care")
	})
}

// The demo's closed call: a board of three, a dozen applications with
// their tiny films, every one scored twice, a ranking, and an awards page
// naming the winners who agreed.
func TestDemoClosedCall(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		ctx := context.Background()
		if err := demo.SeedReviews(ctx, s.App.DB, s.App.Config.Languages); err != nil {
			t.Fatal(err)
		}
		s.RunJobs()
		e, err := s.App.Content.BySlug(ctx, "en", demo.DemoClosedCallSlug)
		if err != nil {
			t.Fatal(err)
		}
		var apps, films, scored, board int
		for q, n := range map[string]*int{
			`SELECT COUNT(*) FROM applications WHERE entry_id = ?`:                                                                      &apps,
			`SELECT COUNT(*) FROM application_files f JOIN applications a ON a.id = f.application_id WHERE a.entry_id = ?`:              &films,
			`SELECT COUNT(*) FROM reviews r JOIN applications a ON a.id = r.application_id WHERE a.entry_id = ? AND r.submitted_at > 0`: &scored,
			`SELECT COUNT(*) FROM call_reviewers WHERE entry_id = ?`:                                                                    &board,
		} {
			if err := s.App.DB.QueryRowContext(ctx, q, e.ID).Scan(n); err != nil {
				t.Fatal(err)
			}
		}
		if apps != 12 || films != 12 || scored != 24 || board != 3 {
			t.Fatalf("the closed call has %d applications, %d films, %d scores, %d reviewers", apps, films, scored, board)
		}
		admin, _ := s.Admin()
		admin.Get("/admin/calls/"+strconv.FormatInt(e.ID, 10)+"/board").Must(t, http.StatusOK, "Amara (board)", "8 of 8 scored", "Jury award")
		awards := s.Client().Get("/en/calls/awards/" + demo.DemoClosedCallSlug)
		awards.Must(t, http.StatusOK, "Jury award", "Mekong Harm Reduction Youth", "Our corner", "Community award", "Outreach award", "the winner chose not to be named")
		awards.MustNot(t, "Riverside", "entrant-")
		s.Client().Get("/en/calls/"+demo.DemoClosedCallSlug).Must(t, http.StatusOK, `href="/en/calls/awards/`+demo.DemoClosedCallSlug+`"`)
		// Search engines and the static mirror find the awards page.
		s.Client().Get("/sitemap-en.xml").Must(t, http.StatusOK, "/en/calls/awards/"+demo.DemoClosedCallSlug+"</loc>")
	})
}
