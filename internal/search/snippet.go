package search

import (
	"html/template"
	"slices"
	"strings"
)

// snippetWords is how many words a snippet shows.
const snippetWords = 28

// snippetSource is how many characters of a body snippets are looked for
// in: a match further into a long body gets the summary's passage, or the
// body's start, instead. It bounds what a result costs to show (a body's
// words are tokenized and matched to find the passage) whatever the
// length of the body.
const snippetSource = 16_000

// matches gives, for each token of text, the query term it matches in
// lang, or "".
func matches(lang string, toks []token, want []string) []string {
	prefix := termPrefix(lang)
	out := make([]string, len(toks))
	for i, t := range toks {
		if term := prefix + normalise(lang, t.word); slices.Contains(want, term) {
			out[i] = term
		}
	}
	return out
}

// highlight escapes text and wraps the words that match in <mark>.
func highlight(lang, text string, want []string) template.HTML {
	toks := tokenize(text)
	return mark(text, toks, matches(lang, toks, want), 0, len(toks))
}

// mark writes text from token from to token to (exclusive), escaped, with
// the matching tokens in <mark>. Before the first token and after the last
// it writes only when the window reaches the text's ends.
func mark(text string, toks []token, hit []string, from, to int) template.HTML {
	var b strings.Builder
	if len(toks) == 0 {
		return template.HTML(template.HTMLEscapeString(text)) // #nosec G203 -- escaped on this line
	}
	pos := toks[from].start
	if from == 0 {
		pos = 0
	}
	for i := from; i < to; i++ {
		b.WriteString(template.HTMLEscapeString(text[pos:toks[i].start]))
		if hit[i] != "" {
			b.WriteString("<mark>" + template.HTMLEscapeString(toks[i].word) + "</mark>")
		} else {
			b.WriteString(template.HTMLEscapeString(toks[i].word))
		}
		pos = toks[i].end
	}
	if to == len(toks) {
		b.WriteString(template.HTMLEscapeString(text[pos:]))
	}
	return template.HTML(b.String()) // #nosec G203 -- every piece was escaped as it was written; only our <mark> tags are not
}

// snippet picks the passage of the summary or the body with the most of
// the query's terms, and marks them; with no term in either, the start of
// the summary (or of the body).
func snippet(lang string, want []string, texts ...string) template.HTML {
	bestText, bestFrom, bestScore := -1, 0, 0
	type analysed struct {
		toks []token
		hit  []string
	}
	all := make([]analysed, len(texts))
	var distinct []string // the terms in a window, one each
	for n, text := range texts {
		toks := tokenize(text)
		hit := matches(lang, toks, want)
		all[n] = analysed{toks, hit}
		// Slide a window of snippetWords tokens; score it by how many
		// different terms it holds, then by how many matches.
		for from := 0; from < len(toks); from++ {
			if hit[from] == "" {
				continue // the best window may as well start on a match
			}
			distinct = distinct[:0]
			count := 0
			for i := from; i < min(from+snippetWords, len(toks)); i++ {
				if hit[i] != "" {
					if !slices.Contains(distinct, hit[i]) {
						distinct = append(distinct, hit[i])
					}
					count++
				}
			}
			if score := len(distinct)*100 + count; score > bestScore {
				bestText, bestFrom, bestScore = n, from, score
			}
		}
	}
	if bestText < 0 {
		for n, a := range all {
			if len(a.toks) > 0 {
				bestText = n
				break
			}
		}
		if bestText < 0 {
			return ""
		}
	}
	a, text := all[bestText], texts[bestText]
	// Start a few words before the first match, for context.
	from := max(0, bestFrom-4)
	to := min(len(a.toks), from+snippetWords)
	out := mark(text, a.toks, a.hit, from, to)
	if from > 0 {
		out = "…" + out
	}
	if to < len(a.toks) {
		out += "…"
	}
	return out
}
