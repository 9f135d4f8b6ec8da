package mirror_test

import (
	"cmp"
	"context"
	"encoding/hex"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"peerpress/internal/app/apptest"
	"peerpress/internal/content"
	"peerpress/internal/mirror"
	"peerpress/internal/search"
)

// isMirrorSearch says whether f is one of the mirror's own search files:
// a language's search page or its index.
func isMirrorSearch(f string) bool {
	lang, rest, _ := strings.Cut(f, "/")
	return len(lang) == 2 && (rest == "search/index.html" || strings.HasPrefix(rest, "search-index/"))
}

// mirrorIndex reads a language's index from the mirror's files as the
// page's script (static/mirrorsearch.js) does: the manifest, the shards
// of the words asked, the files of the entries shown.
type mirrorIndex struct {
	t        testing.TB
	get      func(file string) ([]byte, error) // a file of the index folder
	manifest struct {
		Kinds        []string       `json:"kinds"`
		Shards       map[string]int `json:"shards"`
		DocsPerShard int64          `json:"docsPerShard"`
	}
	lang    string
	partial bool // a short word was searched in part, as the script's budget allows
	read    int  // bytes of index files read
}

// scriptBudget is the script's budget of term shards for one search.
const scriptBudget = 120 << 10

// load reads one index file, ppSearch(kind, name, data), into data.
func (ix *mirrorIndex) load(file string, data any) {
	ix.t.Helper()
	b, err := ix.get(file)
	if err != nil {
		ix.t.Fatalf("search index: %v", err)
	}
	ix.read += len(b)
	s := string(b)
	if !strings.HasPrefix(s, "ppSearch(") || !strings.HasSuffix(s, ");\n") {
		ix.t.Fatalf("%s is not a ppSearch(…) call", file)
	}
	var args []json.RawMessage
	if err := json.Unmarshal([]byte("["+s[len("ppSearch("):len(s)-3]+"]"), &args); err != nil || len(args) != 3 {
		ix.t.Fatalf("%s: %v", file, err)
	}
	if err := json.Unmarshal(args[2], data); err != nil {
		ix.t.Fatalf("%s: %v", file, err)
	}
}

func openIndex(t testing.TB, lang string, get func(string) ([]byte, error)) *mirrorIndex {
	ix := &mirrorIndex{t: t, lang: lang, get: get}
	ix.load("manifest.js", &ix.manifest)
	return ix
}

func openMirrorIndex(t testing.TB, dir, lang string) *mirrorIndex {
	return openIndex(t, lang, func(f string) ([]byte, error) {
		return os.ReadFile(filepath.Join(dir, lang, "search-index", filepath.FromSlash(f)))
	})
}

// result is an entry found: its title and its page's file.
type result struct{ Title, File, Kind string }

// search ranks the entries that hold every word of q, each a prefix of
// an indexed word, as the script does: a title counts twice, the whole
// word once more; ties, newest first.
func (ix *mirrorIndex) search(q string) []int64 {
	var score map[int64]int
	for _, w := range search.FoldedWords(ix.lang, q) {
		var keys []string
		for key := range ix.manifest.Shards {
			if strings.HasPrefix(w, key) || strings.HasPrefix(key, w) {
				keys = append(keys, key)
			}
		}
		slices.SortFunc(keys, func(a, b string) int {
			return cmp.Or(cmp.Compare(b2i(!strings.HasPrefix(w, a)), b2i(!strings.HasPrefix(w, b))), strings.Compare(a, b))
		})
		hits, spent := map[int64]int{}, 0
		for i, key := range keys {
			if i > 0 && spent+ix.manifest.Shards[key] > scriptBudget {
				ix.partial = true
				continue
			}
			spent += ix.manifest.Shards[key]
			var shard map[string][]int64
			ix.load("t/"+hex.EncodeToString([]byte(key))+".js", &shard)
			for word, postings := range shard {
				if !strings.HasPrefix(word, w) {
					continue
				}
				var id int64
				for _, d := range postings {
					id += max(d, -d)
					weight := 1 + b2i(d < 0) + b2i(word == w)
					hits[id] = max(hits[id], weight)
				}
			}
		}
		if score == nil {
			score = hits
			continue
		}
		for id := range score {
			if hits[id] == 0 {
				delete(score, id)
			} else {
				score[id] += hits[id]
			}
		}
	}
	ids := slices.Collect(maps.Keys(score))
	slices.SortFunc(ids, func(a, b int64) int { return cmp.Or(cmp.Compare(score[b], score[a]), cmp.Compare(b, a)) })
	return ids
}

// docs reads the entries of ids from their files.
func (ix *mirrorIndex) docs(ids []int64) []result {
	var out []result
	for _, id := range ids {
		var docs map[string][]any
		ix.load("d/"+strconv.FormatInt(id/ix.manifest.DocsPerShard, 10)+".js", &docs)
		doc := docs[strconv.FormatInt(id, 10)]
		if len(doc) != 6 {
			ix.t.Fatalf("entry %d: %v", id, doc)
		}
		out = append(out, result{Title: doc[0].(string), File: doc[1].(string), Kind: ix.manifest.Kinds[int(doc[2].(float64))]})
	}
	return out
}

// find is every entry search finds.
func (ix *mirrorIndex) find(q string) []result { return ix.docs(ix.search(q)) }

// The mirror's search index finds an entry by a word of its title, or the
// beginning of one, in a language of Latin script and in Arabic; each
// result leads to a page of the mirror; the index names no address of the
// live site; and an incremental export after an edit finds the new title.
func TestMirrorSearchIndexFindsEntries(t *testing.T) {
	apptest.Run(t, apptest.Options{Config: withOnion, Languages: langs}, func(t *testing.T, s *apptest.Site) {
		ctx := context.Background()
		site := s.App.Mirror()
		dir := t.TempDir()
		if _, err := mirror.Export(ctx, site, mirror.Options{Out: dir, Workers: 4}); err != nil {
			t.Fatal(err)
		}
		for _, lang := range []string{"en", "ar"} {
			e, err := s.App.Content.BySlug(ctx, "en", "remember-every-name")
			if err != nil {
				t.Fatal(err)
			}
			tr, ok := e.Translation(lang)
			if !ok {
				t.Fatalf("the demo entry has no %s translation", lang)
			}
			words := strings.Fields(tr.Title)
			word := words[len(words)-1]
			if r := []rune(word); len(r) > 4 {
				word = string(r[:len(r)-1]) // the beginning of a word finds it too
			}
			ix := openMirrorIndex(t, dir, lang)
			file := strings.TrimPrefix(content.URL(e.Kind, lang, tr.Slug), "/") + "/index.html"
			var hit *result
			for _, r := range ix.find(word) {
				if r.File == file {
					hit = &r
				}
			}
			if hit == nil {
				t.Errorf("%s: searching %q does not find %q (%s)", lang, word, tr.Title, file)
				continue
			}
			if hit.Title != tr.Title || hit.Kind != site.I18n().Localizer(lang).T("kind."+string(e.Kind)) {
				t.Errorf("%s: found %+v", lang, *hit)
			}
			if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(hit.File))); err != nil {
				t.Errorf("%s: the result leads to no page: %v", lang, err)
			}
			if ix.read > 200<<10 {
				t.Errorf("%s: one search read %d bytes of the index", lang, ix.read)
			}
			if got := ix.find("zzqxjnothere"); len(got) != 0 {
				t.Errorf("%s: a word in no entry finds %v", lang, got)
			}
		}
		// An event is found by its venue too, which a module added to
		// the search index (search.Document), in every language.
		for _, lang := range []string{"en", "fr"} {
			found := false
			for _, r := range openMirrorIndex(t, dir, lang).find("acacia conf") {
				found = found || strings.Contains(r.File, "/events/")
			}
			if !found {
				t.Errorf("%s: searching an event's venue finds no event", lang)
			}
		}
		page := read(t, dir, "ar/search/index.html")
		for _, want := range []string{`id="mirror-search"`, `data-index="../search-index/"`, "mirrorsearch", `lang="ar"`} {
			if !strings.Contains(page, want) {
				t.Errorf("ar/search/index.html: no %s", want)
			}
		}
		if home := read(t, dir, "fr/index.html"); !strings.Contains(home, `class="site-search" href="../fr/search/index.html"`) && !strings.Contains(home, `class="site-search" href="search/index.html"`) {
			t.Error("fr/index.html: the header does not lead to the mirror's search page")
		}
		filepath.WalkDir(filepath.Join(dir, "en", "search-index"), func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				if b, _ := os.ReadFile(p); strings.Contains(string(b), live) || strings.Contains(string(b), onion) {
					t.Errorf("%s names the live site", p)
				}
			}
			return err
		})

		e, err := s.App.Content.BySlug(ctx, "en", "naloxone-by-post")
		if err != nil {
			t.Fatal(err)
		}
		tr, _ := e.Translation("en")
		_, err = s.App.Content.SaveTranslation(ctx, e.ID, content.TranslationInput{Lang: "en", Title: "Naloxone by post, Quokkaretitled", Slug: tr.Slug,
			Summary: tr.Summary, Body: tr.Body, Status: tr.Status, PublishAt: tr.PublishAt}, 0)
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(1100 * time.Millisecond) // times are kept in seconds
		if rep, err := mirror.Export(ctx, s.App.Mirror(), mirror.Options{Out: dir, Incremental: true}); err != nil || !rep.Incremental {
			t.Fatalf("export: %v, incremental %v", err, rep.Incremental)
		}
		patched := openMirrorIndex(t, dir, "en")
		if got := patched.find("quokka"); len(got) != 1 || got[0].Title != "Naloxone by post, Quokkaretitled" {
			t.Errorf("after an edit, searching the new title's word finds %v", got)
		}
		for _, r := range patched.find("cities") {
			if strings.HasPrefix(r.Title, "Naloxone by post") {
				t.Errorf("after an edit, a word of the old title still finds %q", r.Title)
			}
		}
		// The index the incremental export patched finds what a full
		// export's finds.
		full := t.TempDir()
		if _, err := mirror.Export(ctx, s.App.Mirror(), mirror.Options{Out: full}); err != nil {
			t.Fatal(err)
		}
		whole := openMirrorIndex(t, full, "en")
		for _, q := range []string{"naloxone", "nalox post", "harm", "quokka", "cities", "the"} {
			if got, want := patched.find(q), whole.find(q); !slices.Equal(got, want) {
				t.Errorf("%q: the patched index finds %v, a full export's %v", q, got, want)
			}
		}
	})
}
