package content

import (
	"bytes"
	"html/template"
	"strconv"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
)

// Markdown turns an entry's Markdown into HTML that is safe to show:
// goldmark parses (raw HTML passes through to the sanitizer rather than
// being silently dropped, so a trusted editor's <abbr> survives), and
// bluemonday's UGC policy removes scripts, event handlers, styles,
// javascript: URLs and iframes.
type Markdown struct {
	md     goldmark.Markdown
	policy *bluemonday.Policy
}

// NewMarkdown builds the renderer; it is safe for concurrent use.
func NewMarkdown() *Markdown {
	md := goldmark.New(
		goldmark.WithExtensions(extension.GFM, extension.Footnote),
		goldmark.WithParserOptions(parser.WithAutoHeadingID()),
		goldmark.WithRendererOptions(htmlUnsafe()),
	)
	p := bluemonday.UGCPolicy()
	p.AllowAttrs("id").Matching(bluemonday.SpaceSeparatedTokens).OnElements("h1", "h2", "h3", "h4", "h5", "h6", "li", "sup")
	p.AllowAttrs("class").Matching(bluemonday.SpaceSeparatedTokens).OnElements("a", "div", "sup", "section", "ol", "li", "code")
	p.RequireNoFollowOnLinks(false)
	p.RequireNoReferrerOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(false)
	return &Markdown{md: md, policy: p}
}

// headingIDs gives headings ids made like slugs, so that a Russian or
// Arabic heading gets a readable anchor (goldmark's default keeps ASCII
// only); repeated headings are numbered.
type headingIDs struct{ seen map[string]int }

func (h *headingIDs) Generate(value []byte, _ ast.NodeKind) []byte {
	id := Slugify(string(value))
	if id == "" {
		id = "section"
	}
	base := id
	for h.seen[id] > 0 {
		h.seen[base]++
		id = base + "-" + strconv.Itoa(h.seen[base]-1)
	}
	h.seen[id]++
	return []byte(id)
}

func (h *headingIDs) Put(value []byte) { h.seen[string(value)]++ }

// Render converts Markdown to sanitized HTML.
func (m *Markdown) Render(src string) template.HTML {
	var buf bytes.Buffer
	ctx := parser.NewContext(parser.WithIDs(&headingIDs{seen: map[string]int{}}))
	if err := m.md.Convert([]byte(src), &buf, parser.WithContext(ctx)); err != nil {
		// goldmark only fails on writer errors; a bytes.Buffer has none.
		return template.HTML(template.HTMLEscapeString(src)) // #nosec G203 -- escaped on this line
	}
	return template.HTML(m.policy.SanitizeBytes(buf.Bytes())) // #nosec G203 -- sanitized by the bluemonday policy on this line
}
