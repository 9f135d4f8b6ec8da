package calls

import (
	"cmp"
	"math"
	"slices"
)

// Ranked is one submission's place in a call's ranking.
type Ranked struct {
	App int64
	// Score is the mean of its submitted reviews' points (each review's
	// weighted mean of its criteria, out of 10), or of their z-scores
	// when the ranking is normalised.
	Score float64
	// Spread is the highest review's value less the lowest's: how far
	// the reviewers disagree.
	Spread  float64
	Reviews int
	// Rank is its place, from 1; tied submissions share it.
	Rank int
	Tied bool
}

// Points is a review's weighted mean of its criteria's scores, each put
// on a scale of 10 first (a 4 of 5 is 8), so that criteria of different
// scales weigh only by their weight: Σ weight × score × 10 / scale over
// Σ weight.
func Points(criteria []Criterion, scores map[string]int) float64 {
	var sum, weights float64
	for _, c := range criteria {
		if c.Scale <= 0 || c.Weight <= 0 {
			continue
		}
		sum += float64(c.Weight) * float64(scores[c.Key]) * 10 / float64(c.Scale)
		weights += float64(c.Weight)
	}
	if weights == 0 {
		return 0
	}
	return sum / weights
}

// Rank ranks submissions on their submitted reviews (the others are
// ignored; a submission with none comes last, unscored). With normalise,
// each review's points become the reviewer's z-score (points less the
// mean of that reviewer's reviews in the call, over their standard
// deviation; 0 when the reviewer gave everything the same), so a harsh
// and a lenient reviewer weigh the same. Scores equal to two decimals
// share a rank and are marked tied; ties keep the submissions' order.
func Rank(criteria []Criterion, subs []int64, reviews []Review, normalise bool) []Ranked {
	points := map[Pair]float64{}
	byUser := map[int64][]float64{}
	for _, r := range reviews {
		if !r.Done() {
			continue
		}
		p := Points(criteria, r.Scores)
		points[Pair{r.App, r.User}] = p
		byUser[r.User] = append(byUser[r.User], p)
	}
	if normalise {
		mean, sd := map[int64]float64{}, map[int64]float64{}
		for u, ps := range byUser {
			mean[u], sd[u] = meanSD(ps)
		}
		for k, p := range points {
			if sd[k.User] == 0 {
				points[k] = 0
			} else {
				points[k] = (p - mean[k.User]) / sd[k.User]
			}
		}
	}
	values := map[int64][]float64{}
	for k, p := range points {
		values[k.App] = append(values[k.App], p)
	}
	out := make([]Ranked, 0, len(subs))
	for _, app := range subs {
		vs := values[app]
		r := Ranked{App: app, Reviews: len(vs)}
		if len(vs) > 0 {
			r.Score, _ = meanSD(vs)
			r.Spread = slices.Max(vs) - slices.Min(vs)
		}
		out = append(out, r)
	}
	slices.SortStableFunc(out, func(a, b Ranked) int {
		if (a.Reviews == 0) != (b.Reviews == 0) {
			return cmp.Compare(b.Reviews, a.Reviews) // unscored last
		}
		return cmp.Compare(round2(b.Score), round2(a.Score))
	})
	for i := range out {
		out[i].Rank = i + 1
		if i > 0 && out[i].Reviews > 0 && out[i-1].Reviews > 0 && round2(out[i].Score) == round2(out[i-1].Score) {
			out[i].Rank = out[i-1].Rank
			out[i].Tied, out[i-1].Tied = true, true
		}
	}
	return out
}

// meanSD is the mean and the population standard deviation of vs.
func meanSD(vs []float64) (float64, float64) {
	var sum float64
	for _, v := range vs {
		sum += v
	}
	mean := sum / float64(len(vs))
	var sq float64
	for _, v := range vs {
		sq += (v - mean) * (v - mean)
	}
	return mean, math.Sqrt(sq / float64(len(vs)))
}

func round2(v float64) float64 { return math.Round(v*100) / 100 }
