package mirror

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"

	"peerpress/internal/content"
)

// An incremental export patches each language's search index instead of
// building it again from every entry (seconds at 100,000 entries): it
// reads the files of the changed entries, which hold what they were
// indexed by (docWords), takes their entries out of the shards of their
// old words, puts them in those of their new ones, and writes only these
// files and the manifest. A shard that grows past maxShardBytes stays
// whole until the next full export cuts it; a word that had more than
// maxPostings entries keeps one fewer when one leaves it.

// manifest is a language's manifest.js.
type manifest struct {
	Docs         int            `json:"docs"`
	DocsPerShard int64          `json:"docsPerShard"`
	Format       int            `json:"format"`
	Kinds        []string       `json:"kinds"`  // the kinds' labels, by content.Kinds' order
	Shards       map[string]int `json:"shards"` // key → bytes
}

// errNoIndex: the folder holds no index this version can patch.
var errNoIndex = errors.New("mirror: no search index to update")

// readScript reads one index file, ppSearch(kind, name, data), into
// data; a missing file leaves data as it is.
func (c *crawler) readScript(rel string, data any) error {
	b, err := os.ReadFile(outPath(c.out, rel)) // #nosec G304 -- a file of the mirror folder the operator named
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("mirror: %w", err)
	}
	s, ok := strings.CutPrefix(string(b), "ppSearch(")
	if s, ok = strings.CutSuffix(s, ");\n"); !ok {
		return errNoIndex
	}
	var args []json.RawMessage
	if err := json.Unmarshal([]byte("["+s+"]"), &args); err != nil || len(args) != 3 {
		return errNoIndex
	}
	if err := json.Unmarshal(args[2], data); err != nil {
		return errNoIndex
	}
	return nil
}

// updateSearchIndexes patches every language's index for the entries
// ids, or builds one again where there is none to patch.
func (c *crawler) updateSearchIndexes(ctx context.Context, ids []int64) error {
	for _, l := range c.site.I18n().Enabled() {
		err := c.updateSearchIndex(ctx, l.Code, ids)
		if errors.Is(err, errNoIndex) {
			err = c.writeSearchIndex(ctx, l.Code)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (c *crawler) updateSearchIndex(ctx context.Context, lang string, ids []int64) error {
	base := lang + "/" + searchDir + "/"
	var m manifest
	if err := c.readScript(base+"manifest.js", &m); err != nil {
		return err
	}
	if m.Format != indexFormat || m.DocsPerShard != docsPerShard || m.Shards == nil {
		return errNoIndex
	}
	texts, err := c.site.Entries.SearchTextsOf(ctx, lang, ids)
	if err != nil {
		return err
	}
	now := map[int64]content.SearchText{}
	for _, t := range texts {
		now[t.EntryID] = t
	}
	terms, err := c.entryTerms(ctx, lang, texts)
	if err != nil {
		return err
	}
	kindNo := map[content.Kind]int{}
	for i, k := range content.Kinds() {
		kindNo[k] = i
	}

	// The entries' files: old words out, new entries and words in.
	type change struct {
		id    int64
		words map[string]bool // word → in the title
	}
	var gone, come []change
	docFiles := map[int64]map[string][]any{}
	for _, id := range ids {
		n := id / docsPerShard
		docs, ok := docFiles[n]
		if !ok {
			docs = map[string][]any{}
			if err := c.readScript(base+"d/"+strconv.FormatInt(n, 10)+".js", &docs); err != nil {
				return err
			}
			docFiles[n] = docs
		}
		key := strconv.FormatInt(id, 10)
		if old, ok := docs[key]; ok {
			gone = append(gone, change{id, docWords(lang, old)})
			delete(docs, key)
			m.Docs--
		}
		if t, ok := now[id]; ok {
			doc := newDoc(t, lang, kindNo[t.Kind], terms[id])
			docs[key] = doc
			come = append(come, change{id, docWords(lang, doc)})
			m.Docs++
		}
	}
	for n, docs := range docFiles {
		rel := base + "d/" + strconv.FormatInt(n, 10) + ".js"
		if err := c.writeOrRemove(rel, len(docs) == 0, func() []byte { return script("d", n, docs) }); err != nil {
			return err
		}
	}

	// The shards of the words: read once, changed, written.
	shards := map[string]map[string][]posting{}
	shardOf := func(word string) (map[string][]posting, error) {
		key := ""
		for k := range m.Shards {
			if strings.HasPrefix(word, k) && len(k) > len(key) {
				key = k
			}
		}
		if key == "" {
			key = shardKey(word, keyRunes)
		}
		if sh, ok := shards[key]; ok {
			return sh, nil
		}
		var enc map[string][]int64
		if err := c.readScript(base+"t/"+hex.EncodeToString([]byte(key))+".js", &enc); err != nil {
			return nil, err
		}
		sh := map[string][]posting{}
		for w, ds := range enc {
			var id int64
			for _, d := range ds {
				id += max(d, -d)
				sh[w] = append(sh[w], newPosting(id, d < 0))
			}
		}
		shards[key] = sh
		return sh, nil
	}
	for _, ch := range gone {
		for w := range ch.words {
			sh, err := shardOf(w)
			if err != nil {
				return err
			}
			ps := sh[w]
			for i, p := range ps {
				if p.id() == ch.id {
					sh[w] = append(ps[:i:i], ps[i+1:]...)
					break
				}
			}
		}
	}
	for _, ch := range come {
		for w, title := range ch.words {
			sh, err := shardOf(w)
			if err != nil {
				return err
			}
			ps := sh[w]
			at := len(ps)
			for at > 0 && ps[at-1].id() > ch.id {
				at--
			}
			ps = append(ps, posting(0))
			copy(ps[at+1:], ps[at:])
			ps[at] = newPosting(ch.id, title)
			sh[w] = bestPostings(ps)
		}
	}
	for key, sh := range shards {
		ix := &searchIndex{words: sh}
		var words []string
		for w, ps := range sh {
			if len(ps) == 0 {
				delete(sh, w)
				continue
			}
			words = append(words, w)
		}
		body := ix.termShard(key, words)
		if len(words) == 0 {
			delete(m.Shards, key)
		} else {
			m.Shards[key] = len(body)
		}
		if err := c.writeOrRemove(base+"t/"+hex.EncodeToString([]byte(key))+".js", len(words) == 0, func() []byte { return body }); err != nil {
			return err
		}
	}
	return c.write(base+"manifest.js", script("m", lang, m))
}

// writeOrRemove writes the file rel, or removes it when gone.
func (c *crawler) writeOrRemove(rel string, gone bool, body func() []byte) error {
	if !gone {
		return c.write(rel, body())
	}
	if err := os.Remove(outPath(c.out, rel)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("mirror: %w", err)
	}
	return nil
}
