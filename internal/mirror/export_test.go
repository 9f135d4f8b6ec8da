package mirror

import "context"

// Mirrored says whether the mirror may hold the page at path, as the
// route table says.
func Mirrored(s Site, path string) bool { return newRouteIndex(s.Routes, s.I18n).mirrored(path) }

// SearchIndexFiles builds lang's search index as Export writes it: the
// files by their path in the mirror.
func SearchIndexFiles(ctx context.Context, s Site, lang string) (map[string][]byte, error) {
	files := map[string][]byte{}
	err := newCrawler(s, "", 1).buildSearchIndex(ctx, lang, func(rel string, body []byte) error {
		files[rel] = body
		return nil
	})
	return files, err
}

// WriteSearchIndex writes lang's search index into the folder dir, as a
// full export does.
func WriteSearchIndex(ctx context.Context, s Site, dir, lang string) error {
	return newCrawler(s, dir, 1).writeSearchIndex(ctx, lang)
}

// UpdateSearchIndex patches lang's search index in dir for the entries
// ids, as an incremental export does.
func UpdateSearchIndex(ctx context.Context, s Site, dir, lang string, ids []int64) error {
	return newCrawler(s, dir, 1).updateSearchIndex(ctx, lang, ids)
}

// BuildSearchIndex builds lang's search index and gives each of its
// files to emit as it is made, as Export writes them.
func BuildSearchIndex(ctx context.Context, s Site, lang string, emit func(rel string, body []byte) error) error {
	return newCrawler(s, "", 1).buildSearchIndex(ctx, lang, emit)
}

// SetTextBatch sets how many entries' texts the search index reads at
// once, until restore.
func SetTextBatch(n int) (restore func()) {
	old := textBatch
	textBatch = n
	return func() { textBatch = old }
}
