package i18n

import (
	"io/fs"
	"path"
	"strings"
)

// Available lists the languages an administrator can enable: those with a
// catalog in locales/, in the order peerpress knows them.
func Available() []Language {
	files, _ := fs.Glob(catalogs, "locales/*.json")
	have := map[string]bool{}
	for _, f := range files {
		have[strings.TrimSuffix(path.Base(f), ".json")] = true
	}
	var out []Language
	for _, l := range known {
		if have[l.Code] {
			out = append(out, l)
		}
	}
	return out
}
