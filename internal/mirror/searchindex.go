package mirror

import (
	"cmp"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"peerpress/internal/content"
	"peerpress/internal/search"
)

// The mirror's search works without a server: each language has, under
// {lang}/search-index/, an inverted index of the folded words (search.
// FoldedWords) of its entries' titles and summaries, cut into shards by
// the first letters of the words, and the entries themselves in small
// shards by id. The page's script (static/mirrorsearch.js) loads the
// manifest, the shards of the words typed and the entries it lists, so a
// reader on a metered connection downloads a few of them, not the index.
//
// Every file is a script calling ppSearch(…), loaded by a <script> tag:
// browsers refuse fetch() of files to a page opened from file://, and a
// script tag works there as on any host.

const (
	// searchDir is each language's index folder, beside its pages.
	searchDir = "search-index"
	// keyRunes is how many first letters of a word name its shard; a
	// shard over maxShardBytes is cut again by one letter more, up to
	// maxKeyRunes.
	keyRunes      = 2
	maxKeyRunes   = 8
	maxShardBytes = 48 << 10
	// docsPerShard entries share a file: a page of ten results loads at
	// most ten such files.
	docsPerShard = 8
	// maxPostings bounds the entries kept for one word: a word in most
	// entries (a network's own name, "harm" on a harm reduction site)
	// keeps those with it in their title, then the newest, which are
	// the results a reader looks at, and its shard stays small.
	maxPostings = 4000
	// summaryRunes bounds the summary shown with a result.
	summaryRunes = 200
	textBatch    = 5000
	indexFormat  = 1
)

// posting is an entry a word is in, and whether it is in its title.
type posting struct {
	id    int64
	title bool
}

// searchIndex is one language's index being built.
type searchIndex struct {
	words map[string][]posting
	docs  map[int64][]any // id → [title, url, kind, date, summary]
	kinds []string
}

// writeSearchIndexes writes every enabled language's index. A shard is
// written only when its bytes changed (crawler.write), and the files of a
// previous index no longer written are removed.
func (c *crawler) writeSearchIndexes(ctx context.Context) error {
	for _, l := range c.site.I18n().Enabled() {
		if err := c.writeSearchIndex(ctx, l.Code); err != nil {
			return err
		}
	}
	return nil
}

func (c *crawler) writeSearchIndex(ctx context.Context, lang string) error {
	ix, err := c.buildSearchIndex(ctx, lang)
	if err != nil {
		return err
	}
	files := ix.files(lang)
	names := slices.Sorted(func(yield func(string) bool) {
		for n := range files {
			if !yield(n) {
				return
			}
		}
	})
	for _, n := range names {
		if err := c.write(n, files[n]); err != nil {
			return err
		}
	}
	// An incremental export does not sweep the folder: this index's own
	// files that no longer exist go here.
	dir := outPath(c.out, lang+"/"+searchDir)
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(c.out, p)
		if err != nil {
			return err
		}
		if _, ok := files[filepath.ToSlash(rel)]; !ok && !strings.HasPrefix(d.Name(), ".") {
			return os.Remove(p) // #nosec G122 -- a file of the mirror's own index folder, written by an export
		}
		return nil
	})
}

func (c *crawler) buildSearchIndex(ctx context.Context, lang string) (*searchIndex, error) {
	l := c.site.I18n().Localizer(lang)
	ix := &searchIndex{words: map[string][]posting{}, docs: map[int64][]any{}}
	kindNo := map[content.Kind]int{}
	for _, k := range content.Kinds() {
		kindNo[k] = len(ix.kinds)
		ix.kinds = append(ix.kinds, l.T("kind."+string(k)))
	}
	var after int64
	for {
		texts, err := c.site.Entries.SearchTexts(ctx, lang, after, textBatch)
		if err != nil {
			return nil, err
		}
		terms, err := c.entryTerms(ctx, lang, texts)
		if err != nil {
			return nil, err
		}
		for _, t := range texts {
			ix.add(t, lang, kindNo[t.Kind], terms[t.EntryID])
			after = t.EntryID
		}
		if len(texts) < textBatch {
			return ix, nil
		}
	}
}

// add indexes one translation. Entries come by id, so every word's
// postings stay sorted.
func (ix *searchIndex) add(t content.SearchText, lang string, kind int, terms string) {
	doc := newDoc(t, lang, kind, terms)
	for w, title := range docWords(lang, doc) {
		ix.words[w] = append(ix.words[w], posting{t.EntryID, title})
	}
	ix.docs[t.EntryID] = doc
}

// entryTerms reads the words modules added to the entries of texts.
func (c *crawler) entryTerms(ctx context.Context, lang string, texts []content.SearchText) (map[int64]string, error) {
	if c.site.EntryTerms == nil || len(texts) == 0 {
		return nil, nil
	}
	ids := make([]int64, len(texts))
	for i, t := range texts {
		ids[i] = t.EntryID
	}
	return c.site.EntryTerms(ctx, lang, ids)
}

// newDoc is an entry's record in the index: what a result shows of t
// (title, file, kind, date, summary), then the words modules added to
// it (terms), which the page does not show.
func newDoc(t content.SearchText, lang string, kind int, terms string) []any {
	summary := t.Summary
	if utf8.RuneCountInString(summary) > summaryRunes {
		summary = string([]rune(summary)[:summaryRunes-1]) + "…"
	}
	return []any{t.Title, fileFor(t.URL(lang)), kind, t.PublishAt.UTC().Format("2006-01-02"), summary, terms}
}

// docWords are the words indexed for an entry's record, true for those
// of its title: all read from the record, so that an incremental export
// can read, from an entry's file, the words it was indexed by.
func docWords(lang string, doc []any) map[string]bool {
	out := map[string]bool{}
	for i, field := range doc {
		text, ok := field.(string)
		if !ok || i == 1 || i == 3 { // its file and its date
			continue
		}
		for _, w := range search.FoldedWords(lang, text) {
			if _, seen := out[w]; !seen || i == 0 {
				out[w] = i == 0
			}
		}
	}
	return out
}

// shardKey is the first n letters of word (all of it when shorter).
func shardKey(word string, n int) string {
	i := 0
	for pos := range word {
		if i == n {
			return word[:pos]
		}
		i++
	}
	return word
}

// files lays the index out as the mirror's files, by path.
func (ix *searchIndex) files(lang string) map[string][]byte {
	base := lang + "/" + searchDir + "/"
	out := map[string][]byte{}
	words := slices.Sorted(func(yield func(string) bool) {
		for w := range ix.words {
			if !yield(w) {
				return
			}
		}
	})
	for _, w := range words {
		ix.words[w] = bestPostings(ix.words[w])
	}
	shards := map[string]int{}
	var cut func(words []string, n int)
	cut = func(words []string, n int) {
		// Words are sorted, so those of one key are next to each other.
		for len(words) > 0 {
			key := shardKey(words[0], n)
			end := 1
			for end < len(words) && shardKey(words[end], n) == key {
				end++
			}
			group := words[:end]
			words = words[end:]
			body := ix.termShard(key, group)
			if len(body) > maxShardBytes && n < maxKeyRunes && len(group) > 1 {
				cut(group, n+1)
				continue
			}
			out[base+"t/"+hex.EncodeToString([]byte(key))+".js"] = body
			shards[key] = len(body)
		}
	}
	cut(words, keyRunes)

	byShard := map[int64][]int64{}
	for id := range ix.docs {
		byShard[id/docsPerShard] = append(byShard[id/docsPerShard], id)
	}
	for n, ids := range byShard {
		docs := map[string][]any{}
		for _, id := range ids {
			docs[strconv.FormatInt(id, 10)] = ix.docs[id]
		}
		out[base+"d/"+strconv.FormatInt(n, 10)+".js"] = script("d", n, docs)
	}
	out[base+"manifest.js"] = script("m", lang, manifest{Format: indexFormat, Kinds: ix.kinds, Shards: shards, DocsPerShard: docsPerShard, Docs: len(ix.docs)})
	return out
}

// bestPostings keeps at most maxPostings of ps, sorted by id: those of
// titles first, then the newest (the highest ids).
func bestPostings(ps []posting) []posting {
	if len(ps) <= maxPostings {
		return ps
	}
	best := slices.Clone(ps)
	slices.SortFunc(best, func(a, b posting) int {
		if a.title != b.title {
			if a.title {
				return -1
			}
			return 1
		}
		return cmp.Compare(b.id, a.id)
	})
	best = best[:maxPostings]
	slices.SortFunc(best, func(a, b posting) int { return cmp.Compare(a.id, b.id) })
	return best
}

// termShard is the shard of words: each word's entries, ascending, as
// the differences from the one before, negative for a title.
func (ix *searchIndex) termShard(key string, words []string) []byte {
	m := make(map[string][]int64, len(words))
	for _, w := range words {
		ps := ix.words[w]
		enc := make([]int64, len(ps))
		var last int64
		for i, p := range ps {
			d := p.id - last
			last = p.id
			if p.title {
				d = -d
			}
			enc[i] = d
		}
		m[w] = enc
	}
	return script("t", key, m)
}

// script is one file of the index: ppSearch(kind, name, data), with
// data's keys sorted (encoding/json sorts maps) for deterministic bytes.
func script(kind string, name, data any) []byte {
	args, err := json.Marshal([]any{kind, name, data})
	if err != nil {
		panic(fmt.Sprintf("mirror: search index: %v", err)) // only strings, numbers, maps and slices
	}
	b := make([]byte, 0, len(args)+12)
	b = append(b, "ppSearch("...)
	b = append(b, args[1:len(args)-1]...)
	return append(b, ");\n"...)
}
