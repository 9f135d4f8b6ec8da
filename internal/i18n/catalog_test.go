package i18n_test

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"peerpress/internal/auth"
	"peerpress/internal/calls"
	"peerpress/internal/content"
	"peerpress/internal/i18n"
	"peerpress/internal/updates"
)

// Keys are found in the source: template calls (.T "key", .N "key"), Go
// calls (T("key"), N("key")), and message-key string literals such as
// FieldErrors values. Keys built at run time are listed from the values
// they are built from.
var (
	templateKey = regexp.MustCompile(`\.(?:T|N) "([a-z_]+(?:\.[a-z_0-9-]+)+)"`)
	goKey       = regexp.MustCompile(`"([a-z_]+(?:\.[a-z_0-9-]+)+)"`)
	prefixes    = []string{"account.", "admin.", "archive.", "date.", "entry.", "error.", "event.", "footer.", "form.", "home.", "kind.", "language.", "media.", "month.", "nav.", "org.", "pager.", "role.", "settings.", "status.", "tag."}
)

// areaPrefixes adds the first segment of every key in the English
// catalogs to prefixes, so that feature areas' keys written in Go code
// are found too.
func areaPrefixes(t *testing.T) []string {
	out := slices.Clone(prefixes)
	for k := range catalog(t, "en") {
		first, _, _ := strings.Cut(k, ".")
		if p := first + "."; !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}

func usedKeys(t *testing.T) map[string]bool {
	t.Helper()
	used := map[string]bool{}
	prefixes := areaPrefixes(t)
	root := filepath.Join("..", "..")
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || d.Name() == ".git" || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		name := d.Name()
		switch {
		case strings.HasSuffix(name, ".html"):
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			for _, m := range templateKey.FindAllStringSubmatch(string(b), -1) {
				used[m[1]] = true
			}
		case strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, "_test.go"):
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			for _, m := range goKey.FindAllStringSubmatch(string(b), -1) {
				if strings.HasSuffix(m[1], ".html") || strings.HasSuffix(m[1], ".xml") || strings.HasSuffix(m[1], ".js") || strings.HasSuffix(m[1], ".css") {
					continue // a template or asset file name, or a part of an office document
				}
				for _, p := range prefixes {
					if strings.HasPrefix(m[1], p) {
						used[m[1]] = true
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Keys built at run time, kinds the areas register among them.
	if err := calls.Register(); err != nil {
		t.Fatal(err)
	}
	if err := updates.Register(); err != nil {
		t.Fatal(err)
	}
	for _, k := range content.Kinds() {
		used["kind."+string(k)] = true
		used["kind."+string(k)+".plural"] = true
	}
	for _, s := range content.Statuses {
		used["status."+string(s)] = true
	}
	for _, r := range auth.Roles {
		used["role."+string(r)] = true
	}
	for _, m := range []string{"online", "in-person", "hybrid"} {
		used["event.mode."+m] = true
	}
	for _, r := range []string{"member", "partner"} {
		used["org.relation."+r] = true
	}
	for _, r := range content.CoauthorRoles {
		used["entry.coauthor_role."+r] = true
	}
	for m := 1; m <= 12; m++ {
		used[fmt.Sprintf("month.%d", m)] = true
	}
	// Prefixes concatenated in Go code are not keys themselves.
	for _, p := range []string{"kind.", "status.", "role.", "month.", "event.mode.", "org.relation.", "entry.coauthor_role."} {
		delete(used, p)
	}
	return used
}

// catalog reads a language's messages: its own catalog and the feature
// areas', locales/<area>/<lang>.json. A key may be defined only once.
func catalog(t *testing.T, lang string) map[string]json.RawMessage {
	t.Helper()
	areas, err := filepath.Glob(filepath.Join("locales", "*", lang+".json"))
	if err != nil {
		t.Fatal(err)
	}
	c := map[string]json.RawMessage{}
	for _, f := range append([]string{filepath.Join("locales", lang+".json")}, areas...) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var part map[string]json.RawMessage
		if err := json.Unmarshal(b, &part); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for k, v := range part {
			if _, dup := c[k]; dup {
				t.Errorf("%s: %q is defined in another catalog too", f, k)
			}
			c[k] = v
		}
	}
	return c
}

// The English catalog holds exactly the keys the code uses.
func TestEnglishCatalogMatchesCode(t *testing.T) {
	used := usedKeys(t)
	en := catalog(t, "en")
	var missing, unused []string
	for k := range used {
		if _, ok := en[k]; !ok {
			missing = append(missing, k)
		}
	}
	for k := range en {
		if !used[k] {
			unused = append(unused, k)
		}
	}
	sort.Strings(missing)
	sort.Strings(unused)
	if len(missing) > 0 {
		t.Errorf("keys used but not in en.json: %v", missing)
	}
	if len(unused) > 0 {
		t.Errorf("keys in en.json that nothing uses: %v", unused)
	}
	if len(used) < 100 {
		t.Fatalf("found only %d keys in the code; the scan is broken", len(used))
	}
}

// The interface languages peerpress ships complete catalogs for.
var complete = []string{"ru", "fr", "es", "hi", "ar"}

// Every shipped catalog holds exactly English's keys.
func TestCatalogsComplete(t *testing.T) {
	en := catalog(t, "en")
	for _, lang := range complete {
		c := catalog(t, lang)
		for k := range en {
			if _, ok := c[k]; !ok {
				t.Errorf("%s.json lacks %q", lang, k)
			}
		}
		for k := range c {
			if _, ok := en[k]; !ok {
				t.Errorf("%s.json has %q, which en.json lacks", lang, k)
			}
		}
	}
	files, _ := filepath.Glob(filepath.Join("locales", "*.json"))
	if len(files) < len(complete)+1 {
		t.Fatalf("only %d catalogs", len(files))
	}
}

// Every message resolves in every shipped language, with every plural form
// that language's CLDR rules can ask for, and keeps English's placeholders.
func TestCatalogsResolve(t *testing.T) {
	b, err := i18n.New(append([]string{"en"}, complete...))
	if err != nil {
		t.Fatal(err)
	}
	en := catalog(t, "en")
	placeholder := regexp.MustCompile(`\{\{\.\w+\}\}`)
	for _, lang := range complete {
		loc := b.Localizer(lang)
		raw := catalog(t, lang)
		for key, msg := range en {
			var forms map[string]string
			plural := json.Unmarshal(msg, &forms) == nil && forms["other"] != ""
			if plural {
				for _, n := range []int{0, 1, 2, 3, 4, 5, 11, 12, 21, 22, 25, 100, 101, 102, 103, 111, 1000000} {
					if !loc.Resolves(key, n) {
						t.Errorf("%s: %q has no form for %d", lang, key, n)
					}
				}
			} else if !loc.Resolves(key, -1) {
				t.Errorf("%s: %q does not resolve", lang, key)
			}
			want := placeholder.FindAllString(string(msg), -1)
			got := placeholder.FindAllString(string(raw[key]), -1)
			slices.Sort(want)
			slices.Sort(got)
			if !slices.Equal(slices.Compact(want), slices.Compact(got)) {
				t.Errorf("%s: %q placeholders %v, English has %v", lang, key, got, want)
			}
		}
	}
}
