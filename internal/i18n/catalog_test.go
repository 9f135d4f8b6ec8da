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
	"peerpress/internal/content"
)

// Keys are found in the source: template calls (.T "key", .N "key"), Go
// calls (T("key"), N("key")), and message-key string literals such as
// FieldErrors values. Keys built at run time are listed from the values
// they are built from.
var (
	templateKey = regexp.MustCompile(`\.(?:T|N) "([a-z_]+(?:\.[a-z_0-9-]+)+)"`)
	goKey       = regexp.MustCompile(`"([a-z_]+(?:\.[a-z_0-9-]+)+)"`)
	prefixes    = []string{"account.", "admin.", "archive.", "date.", "entry.", "error.", "event.", "footer.", "form.", "home.", "kind.", "media.", "month.", "nav.", "org.", "pager.", "role.", "status.", "tag."}
)

func usedKeys(t *testing.T) map[string]bool {
	t.Helper()
	used := map[string]bool{}
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
				if strings.HasSuffix(m[1], ".html") {
					continue // a template file name
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
	// Keys built at run time.
	for _, k := range content.Kinds {
		used["kind."+string(k)] = true
		used["kind."+string(k)+".plural"] = true
	}
	for _, s := range content.Statuses {
		used["status."+string(s)] = true
	}
	for _, r := range []auth.Role{auth.RoleAdmin, auth.RoleEditor, auth.RoleAuthor} {
		used["role."+string(r)] = true
	}
	for _, m := range []string{"online", "in-person", "hybrid"} {
		used["event.mode."+m] = true
	}
	for _, r := range []string{"member", "partner"} {
		used["org.relation."+r] = true
	}
	for m := 1; m <= 12; m++ {
		used[fmt.Sprintf("month.%d", m)] = true
	}
	// Prefixes concatenated in Go code are not keys themselves.
	for _, p := range []string{"kind.", "status.", "role.", "month.", "event.mode.", "org.relation."} {
		delete(used, p)
	}
	return used
}

func catalog(t *testing.T, lang string) map[string]json.RawMessage {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("locales", lang+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var c map[string]json.RawMessage
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatalf("%s.json: %v", lang, err)
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

// Every other catalog holds only keys English has.
func TestOtherCatalogsHaveNoStrayKeys(t *testing.T) {
	en := catalog(t, "en")
	files, _ := filepath.Glob(filepath.Join("locales", "*.json"))
	for _, f := range files {
		lang := strings.TrimSuffix(filepath.Base(f), ".json")
		if lang == "en" {
			continue
		}
		for k := range catalog(t, lang) {
			if _, ok := en[k]; !ok {
				t.Errorf("%s.json has %q, which en.json lacks", lang, k)
			}
		}
	}
	if !slices.Contains(files, filepath.Join("locales", "en.json")) {
		t.Fatal("no en.json")
	}
}
