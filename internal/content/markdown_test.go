package content

import (
	"context"
	"flag"
	"html/template"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"golang.org/x/net/html"
)

// update rewrites the golden files: go test ./internal/content/ -run Markdown -update
var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// markdownCases are the inputs under testdata/markdown; a missing one fails
// the test rather than silently shrinking the suite.
var markdownCases = []string{
	"basic", "multilingual",
	"script", "img_onerror", "javascript_links", "style_attr", "iframe", "svg",
	"form", "data_urls", "comments", "style_block", "misc_hostile",
}

// forbidden must never appear in rendered output, whatever the goldens say.
var forbidden = []string{
	"<script", "onerror", "onload", "javascript:", "style=", "<iframe", "<style", "<form",
	// and a few more of the same family
	"onclick", "onmouseover", "vbscript:", "data:", "<svg", "<math", "<object", "<embed",
	"<input", "<button", "<textarea", "<select", "<base", "<meta", "<link", "<!--", "srcdoc",
	"formaction",
}

func readFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestMarkdownGolden(t *testing.T) {
	md := NewMarkdown()
	files, err := filepath.Glob(filepath.Join("testdata", "markdown", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range files {
		names = append(names, strings.TrimSuffix(filepath.Base(f), ".md"))
	}
	for _, want := range markdownCases {
		if !slices.Contains(names, want) {
			t.Errorf("testdata/markdown/%s.md is missing", want)
		}
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			src := readFile(t, filepath.Join("testdata", "markdown", name+".md"))
			got := string(md.Render(src))
			golden := filepath.Join("testdata", "markdown", name+".html")
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if want := readFile(t, golden); got != want {
				t.Errorf("Render(%s.md) differs from %s\n--- got ---\n%s\n--- want ---\n%s", name, golden, got, want)
			}
		})
	}
}

// TestMarkdownNothingDangerous holds even if someone runs -update blindly.
func TestMarkdownNothingDangerous(t *testing.T) {
	md := NewMarkdown()
	inputs := map[string]string{
		"script":          `<script>alert(1)</script>`,
		"img onerror":     `<img src=x onerror=alert(1)>`,
		"markdown js":     `[x](javascript:alert(1))`,
		"mixed-case js":   `<a href="JaVaScRiPt:alert(1)">x</a>`,
		"style attribute": `<div style="position:fixed">x</div>`,
		"iframe":          `<iframe src=https://evil.example>`,
		"svg onload":      `<svg onload=alert(1)>`,
		"form":            `<form action=https://evil.example><input name=p></form>`,
		"data link":       `[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)`,
		"raw data link":   `<a href="data:text/html,<script>alert(1)</script>">x</a>`,
		"comment":         `<!-- secret --> text`,
		"style block":     "<style>body{display:none}</style>\n\ntext",
		"inline mix":      `Hello <b onmouseover="alert(1)">you</b> <script>alert(2)</script> [a](javascript:alert(3))`,
	}
	files, _ := filepath.Glob(filepath.Join("testdata", "markdown", "*.md"))
	for _, f := range files {
		inputs[f] = readFile(t, f)
	}
	for name, src := range inputs {
		out := string(md.Render(src))
		lower := strings.ToLower(out)
		for _, bad := range forbidden {
			if strings.Contains(lower, bad) {
				t.Errorf("%s: output contains %q:\n%s", name, bad, out)
			}
		}
		checkTokens(t, name, out)
	}
}

// allowedTags are the elements rendered Markdown may contain.
var allowedTags = map[string]bool{
	"p": true, "h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true,
	"em": true, "strong": true, "del": true, "code": true, "pre": true, "a": true, "img": true,
	"ul": true, "ol": true, "li": true, "blockquote": true, "hr": true, "br": true,
	"table": true, "thead": true, "tbody": true, "tr": true, "th": true, "td": true,
	"sup": true, "div": true, "section": true, "abbr": true, "span": true, "b": true, "i": true,
}

// checkTokens parses the output as a browser would and checks every tag,
// attribute and URL, so that encodings the substring test would miss are
// caught too.
func checkTokens(t *testing.T, name, out string) {
	t.Helper()
	z := html.NewTokenizer(strings.NewReader(out))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			if z.Err() != io.EOF {
				t.Errorf("%s: tokenizer: %v", name, z.Err())
			}
			return
		}
		tok := z.Token()
		switch tt {
		case html.CommentToken, html.DoctypeToken:
			t.Errorf("%s: output has a %v token %q", name, tt, tok.String())
		case html.StartTagToken, html.SelfClosingTagToken:
			if !allowedTags[tok.Data] {
				t.Errorf("%s: output has element <%s>", name, tok.Data)
			}
			for _, a := range tok.Attr {
				switch {
				case strings.HasPrefix(a.Key, "on"), a.Key == "style", a.Key == "srcdoc", a.Key == "formaction":
					t.Errorf("%s: <%s> has attribute %s=%q", name, tok.Data, a.Key, a.Val)
				case a.Key == "href" || a.Key == "src":
					u, err := url.Parse(strings.TrimSpace(a.Val))
					if err != nil {
						t.Errorf("%s: <%s %s=%q>: %v", name, tok.Data, a.Key, a.Val, err)
						continue
					}
					if s := strings.ToLower(u.Scheme); s != "" && s != "http" && s != "https" && s != "mailto" {
						t.Errorf("%s: <%s %s=%q> has scheme %q", name, tok.Data, a.Key, a.Val, s)
					}
				}
			}
		}
	}
}

// TestMarkdownFeatures states what the ordinary input must render to, so a
// blind -update cannot turn a lost feature into the expected output.
func TestMarkdownFeatures(t *testing.T) {
	out := string(NewMarkdown().Render(readFile(t, filepath.Join("testdata", "markdown", "basic.md"))))
	for _, want := range []string{
		`<h1 id="harm-reduction-works">Harm reduction works</h1>`,
		`<h2 id="what-we-ask-for">What we ask for</h2>`,
		`<h2 id="what-we-ask-for-1">What we ask for</h2>`, // duplicate headings get distinct ids
		`<em>emphasis</em>`,
		`<strong>strong text</strong>`,
		`<code>inline code</code>`,
		`<a href="https://example.org/report" title="The report" rel="noreferrer">link to the report</a>`,
		`<a href="/en/articles/naloxone" rel="noreferrer">relative link</a>`,
		"<ol>\n<li>Naloxone in every pharmacy</li>",
		"<ul>\n<li>in cities</li>",
		"<blockquote>\n<p>Nothing about us without us.</p>",
		"<table>", "<th>Country</th>", "<td>France</td>",
		`<sup id="fnref:1"><a href="#fn:1"`,
		`<li id="fn:1">`,
		`<a href="#fnref:1"`,
		`<li id="fn:2">`,
		"<pre><code class=\"language-go\">func main() {\n\tfmt.Println(&#34;&lt;b&gt;not bold&lt;/b&gt;&#34;)\n}\n</code></pre>",
		"<pre><code>indented code\n</code></pre>",
		"<hr>",
		`<abbr title="World Health Organization">WHO</abbr>`,
		`<del>strikethrough</del>`,
		`<a href="https://example.org" rel="noreferrer">https://example.org</a>`,
		`<img src="/media/2024/05/photo.jpg" alt="A peer worker" title="Peer worker">`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("basic.md: output lacks %q\n%s", want, out)
		}
	}
	// The footnote links must lead somewhere: every #fragment names an id
	// that exists in the output.
	ids := map[string]bool{}
	var frags []string
	z := html.NewTokenizer(strings.NewReader(out))
	for tt := z.Next(); tt != html.ErrorToken; tt = z.Next() {
		tok := z.Token()
		for _, a := range tok.Attr {
			if a.Key == "id" {
				ids[a.Val] = true
			}
			if a.Key == "href" && strings.HasPrefix(a.Val, "#") {
				frags = append(frags, a.Val[1:])
			}
		}
	}
	if len(frags) < 4 {
		t.Errorf("basic.md: %d in-page links, want at least 4 (two footnotes, two back-links)", len(frags))
	}
	for _, f := range frags {
		if !ids[f] {
			t.Errorf("basic.md: link to #%s but no element has that id", f)
		}
	}
}

// Regression (fixed; was a bug in markdown.go, line 26, parser.WithAutoHeadingID()): goldmark's
// default heading ids keep ASCII letters and digits only, so on a
// multilingual site every Russian or Arabic heading gets a meaningless id
// ("-", "--", "heading", "---1"), French "Réduction" loses its "é" and
// becomes "rduction", and deep links to sections are useless. Headings
// should get ids made like slugs (Slugify of the heading text, deduplicated),
// e.g. by passing a parser.IDs built on Slugify through
// parser.WithContext(parser.NewContext(parser.WithIDs(...))) in Render. The
// golden testdata/markdown/multilingual.html holds the wanted output and
// fails for the same reason.
func TestMarkdownHeadingIDsMultilingual(t *testing.T) {
	md := NewMarkdown()
	for _, tc := range []struct{ src, want string }{
		{"## Снижение вреда", `<h2 id="снижение-вреда">`},
		{"## الحد من الضرر", `<h2 id="الحد-من-الضرر">`},
		{"## Réduction des risques", `<h2 id="reduction-des-risques">`},
		{"## Введение", `<h2 id="введение">`},
	} {
		if out := string(md.Render(tc.src)); !strings.Contains(out, tc.want) {
			t.Errorf("Render(%q) = %q, want it to contain %q", tc.src, out, tc.want)
		}
	}
	// Two different Russian headings must not be told apart only by a counter.
	out := string(md.Render("## Первый раздел\n\n## Второй раздел\n"))
	if strings.Contains(out, `id="-"`) || strings.Contains(out, `id="-1"`) || strings.Contains(out, `id="--1"`) {
		t.Errorf("Russian headings got punctuation-only ids: %s", out)
	}
}

// Markdown is documented as safe for concurrent use.
func TestMarkdownConcurrent(t *testing.T) {
	md := NewMarkdown()
	src := readFile(t, filepath.Join("testdata", "markdown", "basic.md"))
	want := md.Render(src)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 20 {
				if got := md.Render(src); got != want {
					t.Error("concurrent Render gave a different result")
					return
				}
			}
		})
	}
	wg.Wait()
}

// Whatever an editor, the API or an import writes, rendering gives safe
// HTML: no script or frame, no handler attribute, no javascript: or
// data: link; and never a panic.
func FuzzMarkdown(f *testing.F) {
	for _, s := range []string{"# Title\n\nSome *text*.", "<script>alert(1)</script>", "[x](javascript:alert(1))",
		"<img src=x onerror=alert(1)>", "| a | b |\n|---|---|\n| 1 | 2 |", "Footnote[^1]\n\n[^1]: note", "```\ncode\n```",
		"[x]( JaVaScRiPt:alert(1))", "![i](data:text/html;base64,PHNjcmlwdD4=)"} {
		f.Add(s)
	}
	md := NewMarkdown()
	f.Fuzz(func(t *testing.T, src string) {
		out := string(md.Render(src))
		z := html.NewTokenizer(strings.NewReader(out))
		for {
			tt := z.Next()
			if tt == html.ErrorToken {
				return
			}
			if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
				continue
			}
			tok := z.Token()
			switch tok.Data {
			case "script", "iframe", "object", "embed", "style", "form":
				t.Fatalf("rendered %q to a <%s>:\n%s", src, tok.Data, out)
			}
			for _, a := range tok.Attr {
				v := strings.ToLower(strings.TrimSpace(a.Val))
				if strings.HasPrefix(a.Key, "on") || ((a.Key == "href" || a.Key == "src") &&
					(strings.HasPrefix(v, "javascript:") || strings.HasPrefix(v, "data:") || strings.HasPrefix(v, "vbscript:"))) {
					t.Fatalf("rendered %q to <%s %s=%q>:\n%s", src, tok.Data, a.Key, a.Val, out)
				}
			}
		}
	})
}

// A body rendered before is served from the kept results, the same HTML
// as rendering it afresh; an edited body renders anew, never the old HTML.
func TestMarkdownKeptResults(t *testing.T) {
	md := NewMarkdown()
	src := readFile(t, filepath.Join("testdata", "markdown", "basic.md"))
	first := md.Render(src)
	afresh, err := md.render(context.Background(), src, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := md.Render(src); got != first || got != afresh {
		t.Fatal("a kept result differs from rendering afresh")
	}
	edited := src + "\n\nA paragraph added by an edit.\n"
	if got := md.Render(edited); !strings.Contains(string(got), "A paragraph added by an edit.") {
		t.Fatalf("an edited body gave the old HTML: %s", got)
	}
	if got := md.Render(src); got != first {
		t.Fatal("the first version's result changed")
	}
}

// The kept results stay within two generations of the budget however many
// bodies are rendered, and a body read often stays kept.
func TestMarkdownKeptResultsBounded(t *testing.T) {
	c := renderedCache{budgetBytes: 1000}
	c.put("often read", "<p>often read</p>")
	for i := range 1000 {
		c.put(strings.Repeat("x", 50)+strconv.Itoa(i), template.HTML(strings.Repeat("y", 50)))
		if _, ok := c.get("often read"); !ok {
			t.Fatalf("a body read between every render was dropped after %d others", i)
		}
		held := 0
		for _, gen := range []map[string]template.HTML{c.cur, c.prev} {
			for k, v := range gen {
				held += len(k) + len(v)
			}
		}
		if held > 2*c.budgetBytes {
			t.Fatalf("%d bytes kept after %d bodies, budget %d a generation", held, i+1, c.budgetBytes)
		}
	}
	c.put(strings.Repeat("z", 2000), "<p>huge</p>")
	if _, ok := c.get(strings.Repeat("z", 2000)); ok {
		t.Fatal("a body larger than a generation was kept")
	}
}
