package mirror

import "context"

// Mirrored says whether the mirror may hold the page at path, as the
// route table says.
func Mirrored(s Site, path string) bool { return newRouteIndex(s.Routes, s.I18n).mirrored(path) }

// SearchIndexFiles builds lang's search index as Export writes it: the
// files by their path in the mirror.
func SearchIndexFiles(ctx context.Context, s Site, lang string) (map[string][]byte, error) {
	ix, err := newCrawler(s, "", 1).buildSearchIndex(ctx, lang)
	if err != nil {
		return nil, err
	}
	return ix.files(lang), nil
}
