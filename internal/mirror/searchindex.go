package mirror

import (
	"cmp"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"maps"
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
	indexFormat  = 1
)

// textBatch is how many entries' texts are read at once (a variable
// for the tests).
var textBatch = 5000

// posting is an entry a word is in, and whether it is in its title:
// the id shifted left by one, the low bit set for a title, so that a
// posting is 8 bytes (the postings of one language at 100,000 entries
// were 27 MB as a struct of 16).
type posting int64

func newPosting(id int64, title bool) posting {
	p := posting(id << 1)
	if title {
		p |= 1
	}
	return p
}

func (p posting) id() int64   { return int64(p >> 1) }
func (p posting) title() bool { return p&1 == 1 }

// searchIndex is one language's index being built. The entries come by
// id, and their records are written (emit) as soon as their shard is
// whole: only the words' postings are held until the end, each word's
// pruned to its best maxPostings as it goes (pruneAt), so the index of
// a language at 100,000 entries no longer holds its texts, records and
// files at once (150 MB).
type searchIndex struct {
	lang  string
	words map[string][]posting
	kinds []string
	docs  int
	// shard is the records' shard being filled, shardDocs its records.
	shard     int64
	shardDocs map[string][]any
	// emit writes one file of the index, by its path in the mirror.
	emit func(rel string, body []byte) error
}

// pruneAt is how many postings a word gathers before the build keeps
// only its best maxPostings: the best of a part and the rest are the
// best of the whole (bestPostings is a total order), so pruning early
// gives the same shards as pruning at the end.
const pruneAt = 2 * maxPostings

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
	files := map[string]bool{}
	err := c.buildSearchIndex(ctx, lang, func(rel string, body []byte) error {
		files[rel] = true
		return c.write(rel, body)
	})
	if err != nil {
		return err
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
		if !files[filepath.ToSlash(rel)] && !strings.HasPrefix(d.Name(), ".") {
			return os.Remove(p) // #nosec G122 -- a file of the mirror's own index folder, written by an export
		}
		return nil
	})
}

// buildSearchIndex builds lang's index and gives its files to emit:
// the entries' records as their shards fill, then the words' shards in
// their order, then the manifest.
func (c *crawler) buildSearchIndex(ctx context.Context, lang string, emit func(rel string, body []byte) error) error {
	l := c.site.I18n().Localizer(lang)
	ix := &searchIndex{lang: lang, words: map[string][]posting{}, shard: -1, emit: emit}
	kindNo := map[content.Kind]int{}
	for _, k := range content.Kinds() {
		kindNo[k] = len(ix.kinds)
		ix.kinds = append(ix.kinds, l.T("kind."+string(k)))
	}
	var after int64
	for {
		texts, err := c.site.Entries.SearchTexts(ctx, lang, after, textBatch)
		if err != nil {
			return err
		}
		terms, err := c.entryTerms(ctx, lang, texts)
		if err != nil {
			return err
		}
		for _, t := range texts {
			if err := ix.add(t, kindNo[t.Kind], terms[t.EntryID]); err != nil {
				return err
			}
			after = t.EntryID
		}
		if len(texts) < textBatch {
			break
		}
	}
	if err := ix.flushDocs(); err != nil {
		return err
	}
	return ix.finish()
}

// add indexes one translation. Entries come by id, so every word's
// postings stay sorted, and a shard of records is whole when an entry
// of the next comes.
func (ix *searchIndex) add(t content.SearchText, kind int, terms string) error {
	if n := t.EntryID / docsPerShard; n != ix.shard {
		if err := ix.flushDocs(); err != nil {
			return err
		}
		ix.shard, ix.shardDocs = n, map[string][]any{}
	}
	doc := newDoc(t, ix.lang, kind, terms)
	for w, title := range docWords(ix.lang, doc) {
		ps := append(ix.words[w], newPosting(t.EntryID, title))
		if len(ps) >= pruneAt {
			ps = bestPostings(ps)
		}
		ix.words[w] = ps
	}
	ix.shardDocs[strconv.FormatInt(t.EntryID, 10)] = doc
	ix.docs++
	return nil
}

// flushDocs writes the shard of records being filled.
func (ix *searchIndex) flushDocs() error {
	if len(ix.shardDocs) == 0 {
		return nil
	}
	rel := ix.lang + "/" + searchDir + "/d/" + strconv.FormatInt(ix.shard, 10) + ".js"
	err := ix.emit(rel, script("d", ix.shard, ix.shardDocs))
	ix.shardDocs = nil
	return err
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

// finish writes the words' shards, each as soon as it is cut, and the
// manifest.
func (ix *searchIndex) finish() error {
	base := ix.lang + "/" + searchDir + "/"
	words := slices.Sorted(maps.Keys(ix.words))
	for _, w := range words {
		ix.words[w] = bestPostings(ix.words[w])
	}
	shards := map[string]int{}
	var cut func(words []string, n int) error
	cut = func(words []string, n int) error {
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
				if err := cut(group, n+1); err != nil {
					return err
				}
				continue
			}
			if err := ix.emit(base+"t/"+hex.EncodeToString([]byte(key))+".js", body); err != nil {
				return err
			}
			shards[key] = len(body)
		}
		return nil
	}
	if err := cut(words, keyRunes); err != nil {
		return err
	}
	return ix.emit(base+"manifest.js", script("m", ix.lang, manifest{Format: indexFormat, Kinds: ix.kinds, Shards: shards, DocsPerShard: docsPerShard, Docs: ix.docs}))
}

// bestPostings keeps at most maxPostings of ps, sorted by id: those of
// titles first, then the newest (the highest ids). It sorts ps in place.
func bestPostings(ps []posting) []posting {
	if len(ps) <= maxPostings {
		return ps
	}
	slices.SortFunc(ps, func(a, b posting) int {
		if a.title() != b.title() {
			if a.title() {
				return -1
			}
			return 1
		}
		return cmp.Compare(b.id(), a.id())
	})
	best := ps[:maxPostings]
	slices.SortFunc(best, func(a, b posting) int { return cmp.Compare(a.id(), b.id()) })
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
			d := p.id() - last
			last = p.id()
			if p.title() {
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
