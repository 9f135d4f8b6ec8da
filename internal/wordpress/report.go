package wordpress

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"
)

// Report says what an import did: what it brought in by kind, what it
// left out and why, and what an editor should look at.
type Report struct {
	File   string `json:"file"`
	Site   string `json:"site"`
	DryRun bool   `json:"dry_run"`
	// Counts are by what was made: article, page (or the kinds mapped
	// to), section, tag, author.
	Counts map[string]*Count `json:"counts"`
	// Skipped counts what was left out, by reason.
	Skipped map[string]int `json:"skipped"`
	// Shortcodes are the unknown shortcodes kept as text, with how many
	// posts use each.
	Shortcodes map[string]int `json:"unknown_shortcodes"`
	Review     []Note         `json:"needs_review"`
	Took       Duration       `json:"took"`
}

// Count is what became of the objects of one kind.
type Count struct {
	Imported  int `json:"imported"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
}

// Note is something for an editor to look at, about one object.
type Note struct {
	Item string `json:"item"` // "post #12 "Title"", "category news"
	Note string `json:"note"`
	URL  string `json:"url,omitempty"` // the imported entry's address
}

// Duration prints as "1.5s" in JSON.
type Duration time.Duration

// MarshalJSON writes the duration as text.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

func newReport() *Report {
	return &Report{Counts: map[string]*Count{}, Skipped: map[string]int{}, Shortcodes: map[string]int{}}
}

func (r *Report) count(what string) *Count {
	c := r.Counts[what]
	if c == nil {
		c = &Count{}
		r.Counts[what] = c
	}
	return c
}

func (r *Report) skip(reason string, n int) {
	if n > 0 {
		r.Skipped[reason] += n
	}
}

func (r *Report) review(item, note, url string) {
	r.Review = append(r.Review, Note{Item: item, Note: note, URL: url})
}

// WriteText writes the report for a terminal, or as Markdown.
func (r *Report) WriteText(w io.Writer) error {
	var b strings.Builder
	verb := "Imported"
	if r.DryRun {
		verb = "Dry run (nothing was written) of the import of"
	}
	fmt.Fprintf(&b, "# %s %s\n\nSite: %s. Took %s.\n\n", verb, r.File, r.Site, time.Duration(r.Took).Round(time.Millisecond))
	b.WriteString("Posts and pages count once per language.\n\n| what | imported | updated | unchanged |\n| --- | ---: | ---: | ---: |\n")
	for _, k := range slices.Sorted(maps.Keys(r.Counts)) {
		c := r.Counts[k]
		fmt.Fprintf(&b, "| %s | %d | %d | %d |\n", k, c.Imported, c.Updated, c.Unchanged)
	}
	if len(r.Skipped) > 0 {
		b.WriteString("\n## Left out\n\n")
		for _, k := range slices.Sorted(maps.Keys(r.Skipped)) {
			fmt.Fprintf(&b, "- %d: %s\n", r.Skipped[k], k)
		}
	}
	if len(r.Shortcodes) > 0 {
		b.WriteString("\n## Unknown shortcodes, kept as text\n\n")
		for _, k := range slices.Sorted(maps.Keys(r.Shortcodes)) {
			fmt.Fprintf(&b, "- [%s] in %d posts\n", k, r.Shortcodes[k])
		}
	}
	if len(r.Review) > 0 {
		fmt.Fprintf(&b, "\n## Needs review (%d)\n\n", len(r.Review))
		for _, n := range r.Review {
			fmt.Fprintf(&b, "- %s: %s", n.Item, n.Note)
			if n.URL != "" {
				fmt.Fprintf(&b, " (%s)", n.URL)
			}
			b.WriteString("\n")
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteJSON writes the report as JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}
