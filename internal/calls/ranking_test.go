package calls_test

import (
	"math"
	"testing"
	"time"

	"peerpress/internal/calls"
)

// A worked example, computed by hand.
//
// Criteria: message, weight 2, scale 5; quality, weight 1, scale 10. A
// review's points put each score on 10 (a message of 5 is 10) and weigh
// them: (2 × message × 2 + 1 × quality) / 3.
//
//	reviewer 1: #10 message 5, quality 6 → (20 + 6) / 3 = 8.667
//	            #11 message 3, quality 8 → (12 + 8) / 3 = 6.667
//	            #12 message 1, quality 2 → ( 4 + 2) / 3 = 2
//	reviewer 2: #10 message 4, quality 4 → (16 + 4) / 3 = 6.667
//	            #11 message 4, quality 10 → (16 + 10) / 3 = 8.667
//	            #12 message 2, quality 4 → ( 8 + 4) / 3 = 4
//	reviewer 3: #13 assigned, never submitted: not counted.
//
// Raw means: #10 (8.667 + 6.667) / 2 = 7.667, spread 2; #11 the same,
// 7.667, spread 2: tied, both rank 1; #12 (2 + 4) / 2 = 3, spread 2,
// rank 3; #13 no review, last.
//
// Normalised: reviewer 1's points have mean 52/9 = 5.778 and standard
// deviation √((2.889² + 0.889² + 3.778²) / 3) = √7.802 = 2.793, so z =
// 1.034, 0.318, −1.352; reviewer 2's mean 58/9 = 6.444, deviation
// √((0.222² + 2.222² + 2.444²) / 3) = √3.654 = 1.912, z = 0.116, 1.162,
// −1.279. Means: #11 (0.318 + 1.162) / 2 = 0.740 first, #10 (1.034 +
// 0.116) / 2 = 0.575 second (the lenient reviewer 1's 8.667 weighs no
// more than the harsher reviewer 2's), #12 −1.316, spread 0.074.
func TestRankWorkedExample(t *testing.T) {
	criteria := []calls.Criterion{{Key: "message", Weight: 2, Scale: 5}, {Key: "quality", Weight: 1, Scale: 10}}
	done := func(app, user int64, message, quality int) calls.Review {
		return calls.Review{App: app, User: user, Scores: map[string]int{"message": message, "quality": quality},
			Submitted: time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)}
	}
	reviews := []calls.Review{done(10, 1, 5, 6), done(11, 1, 3, 8), done(12, 1, 1, 2),
		done(10, 2, 4, 4), done(11, 2, 4, 10), done(12, 2, 2, 4),
		{App: 13, User: 3, Scores: map[string]int{"message": 5, "quality": 10}}}
	subs := []int64{10, 11, 12, 13}
	near := func(a, b float64) bool { return math.Abs(a-b) < 0.001 }

	raw := calls.Rank(criteria, subs, reviews, false)
	want := []calls.Ranked{{App: 10, Score: 7.667, Spread: 2, Reviews: 2, Rank: 1, Tied: true},
		{App: 11, Score: 7.667, Spread: 2, Reviews: 2, Rank: 1, Tied: true},
		{App: 12, Score: 3, Spread: 2, Reviews: 2, Rank: 3},
		{App: 13, Reviews: 0, Rank: 4}}
	check := func(name string, got, want []calls.Ranked) {
		t.Helper()
		if len(got) != len(want) {
			t.Fatalf("%s: %d ranked, want %d", name, len(got), len(want))
		}
		for i := range want {
			g, w := got[i], want[i]
			if g.App != w.App || !near(g.Score, w.Score) || !near(g.Spread, w.Spread) || g.Reviews != w.Reviews || g.Rank != w.Rank || g.Tied != w.Tied {
				t.Errorf("%s: place %d: got %+v, want %+v", name, i+1, g, w)
			}
		}
	}
	check("raw", raw, want)

	z := calls.Rank(criteria, subs, reviews, true)
	check("normalised", z, []calls.Ranked{{App: 11, Score: 0.740, Spread: 0.844, Reviews: 2, Rank: 1},
		{App: 10, Score: 0.575, Spread: 0.918, Reviews: 2, Rank: 2},
		{App: 12, Score: -1.316, Spread: 0.074, Reviews: 2, Rank: 3},
		{App: 13, Reviews: 0, Rank: 4}})

	if p := calls.Points(criteria, map[string]int{"message": 5, "quality": 10}); p != 10 {
		t.Errorf("full marks are %v points, want 10", p)
	}
}

// The automatic assignment gives each submission n reviewers, never one
// who declared a conflict, balances the loads, keeps what was assigned
// by hand, and decides the same way every time.
func TestPlanAssignments(t *testing.T) {
	subs := []int64{5, 1, 2, 3, 4} // order does not matter
	board := []int64{30, 10, 20}
	conflicts := map[calls.Pair]bool{{App: 2, User: 10}: true, {App: 3, User: 10}: true}
	have := map[calls.Pair]bool{{App: 1, User: 30}: true}
	plan := calls.PlanAssignments(subs, board, have, conflicts, 2)
	again := calls.PlanAssignments(subs, board, have, conflicts, 2)
	if len(have) != 1 {
		t.Fatal("the plan changed the existing assignments it was given")
	}
	per, load := map[int64]int{1: 1}, map[int64]int{30: 1}
	for i, p := range plan {
		if conflicts[p] {
			t.Errorf("assigned %v, a declared conflict", p)
		}
		if have[p] {
			t.Errorf("assigned %v twice", p)
		}
		if again[i] != p {
			t.Errorf("two plans differ at %d: %v, %v", i, p, again[i])
		}
		per[p.App]++
		load[p.User]++
	}
	for _, s := range subs {
		if per[s] != 2 {
			t.Errorf("submission %d has %d reviewers, want 2", s, per[s])
		}
	}
	// 10 assignments over 3 reviewers: 4, 3, 3 at most one apart.
	if load[10]+load[20]+load[30] != 10 || max(load[10], load[20], load[30])-min(load[10], load[20], load[30]) > 1 {
		t.Errorf("loads %v are not balanced", load)
	}
	// Submission 1 had reviewer 30 by hand and gets the least loaded
	// other, reviewer 10 (lowest id on a tie).
	if plan[0] != (calls.Pair{App: 1, User: 10}) {
		t.Errorf("first assignment %v, want submission 1 to reviewer 10", plan[0])
	}
	// Too few reviewers without a conflict: all of them, no more.
	short := calls.PlanAssignments([]int64{2}, board, nil, conflicts, 3)
	if len(short) != 2 {
		t.Errorf("submission 2 with one conflicted of 3 got %v", short)
	}
}
