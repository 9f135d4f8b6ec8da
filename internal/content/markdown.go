package content

import (
	"bytes"
	"context"
	"html/template"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"

	"peerpress/internal/media"
)

// Markdown turns an entry's Markdown into HTML that is safe to show:
// goldmark parses (raw HTML passes through to the sanitizer rather than
// being silently dropped, so a trusted editor's <abbr> survives), and
// bluemonday's UGC policy removes scripts, event handlers, styles,
// javascript: URLs and iframes.
type Markdown struct {
	md     goldmark.Markdown
	policy *bluemonday.Policy
	// rendered keeps the HTML of recent sources: a feed renders 20
	// bodies on every request and an entry page one, each the same until
	// someone edits it (issue 23: half of a feed's time was rendering).
	rendered renderedCache
}

// renderedBudget bounds the bytes of Markdown and HTML kept: about 1,300
// bodies of 6 KB, the feeds' and the most read entries'.
const renderedBudget = 16 << 20

// renderedCache maps a Markdown source to its HTML. The source is the
// key, so an edited body is a new key and nothing needs invalidating; a
// stale value cannot be served. Two generations bound it: when the
// current one is full it becomes the previous (dropping the one before),
// and a hit in the previous moves back, so what is read stays.
type renderedCache struct {
	mu          sync.Mutex
	cur, prev   map[string]template.HTML
	curBytes    int
	budgetBytes int // per generation
}

func (c *renderedCache) get(src string) (template.HTML, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if h, ok := c.cur[src]; ok {
		return h, true
	}
	h, ok := c.prev[src]
	if ok {
		c.putLocked(src, h)
	}
	return h, ok
}

func (c *renderedCache) put(src string, h template.HTML) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.putLocked(src, h)
}

func (c *renderedCache) putLocked(src string, h template.HTML) {
	size := len(src) + len(h)
	if size > c.budgetBytes {
		return // one huge body is not worth a generation
	}
	if c.cur == nil || c.curBytes+size > c.budgetBytes {
		c.prev, c.cur, c.curBytes = c.cur, make(map[string]template.HTML), 0
	}
	c.cur[src] = h
	c.curBytes += size
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
	// The sizes of the site's own images placed in the text (RenderPage).
	p.AllowAttrs("srcset").Matching(ownSrcSet).OnElements("img")
	p.AllowAttrs("sizes").Matching(regexp.MustCompile(`^[a-z0-9 (),:.-]+$`)).OnElements("img")
	p.AllowAttrs("loading").Matching(regexp.MustCompile(`^lazy$`)).OnElements("img")
	p.AllowAttrs("decoding").Matching(regexp.MustCompile(`^async$`)).OnElements("img")
	p.RequireNoFollowOnLinks(false)
	p.RequireNoReferrerOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(false)
	return &Markdown{md: md, policy: p, rendered: renderedCache{budgetBytes: renderedBudget / 2}}
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

// ownSrcSet is a srcset of the site's own stored images only.
var ownSrcSet = regexp.MustCompile(`^/media/[A-Za-z0-9/_.-]+ [0-9]+w(, /media/[A-Za-z0-9/_.-]+ [0-9]+w)*$`)

// ImageFinder finds the site's stored images by their paths (Media.Path);
// the media package provides it.
type ImageFinder interface {
	ByPaths(ctx context.Context, paths []string) (map[string]media.Media, error)
}

// inlineSizes is the width an image in the text takes: the column's
// (the featured image's, entryPage.writeMain), or the screen's on a phone.
const inlineSizes = "(min-width: 48rem) 46rem, 100vw"

// Render converts Markdown to sanitized HTML. The same source gives the
// same HTML, so recent results are kept and handed out again.
func (m *Markdown) Render(src string) template.HTML {
	if h, ok := m.rendered.get(src); ok {
		return h
	}
	h, _ := m.render(context.Background(), src, nil)
	m.rendered.put(src, h)
	return h
}

// RenderPage converts an entry's Markdown to sanitized HTML for its page:
// the site's own images placed in the text (/media/…) get their width and
// height, the smaller sizes made of them for the reader's screen, and load
// only when the reader reaches them. images nil renders them as written.
func (m *Markdown) RenderPage(ctx context.Context, src string, images ImageFinder) (template.HTML, error) {
	if images == nil || !strings.Contains(src, "/media/") {
		// Nothing to size: the HTML depends on the source alone.
		return m.Render(src), nil
	}
	// The sizes are the media store's, not the source's: not kept.
	return m.render(ctx, src, images)
}

func (m *Markdown) render(ctx context.Context, src string, images ImageFinder) (template.HTML, error) {
	source := []byte(src)
	pctx := parser.NewContext(parser.WithIDs(&headingIDs{seen: map[string]int{}}))
	doc := m.md.Parser().Parse(text.NewReader(source), parser.WithContext(pctx))
	if images != nil {
		if err := sizeImages(ctx, doc, images); err != nil {
			return "", err
		}
	}
	var buf bytes.Buffer
	if err := m.md.Renderer().Render(&buf, source, doc); err != nil {
		// goldmark only fails on writer errors; a bytes.Buffer has none.
		return template.HTML(template.HTMLEscapeString(src)), nil // #nosec G203 -- escaped on this line
	}
	return template.HTML(m.policy.SanitizeBytes(buf.Bytes())), nil // #nosec G203 -- sanitized by the bluemonday policy on this line
}

// sizeImages gives the images of doc that are the site's own their sizes,
// with one query for all of them.
func sizeImages(ctx context.Context, doc ast.Node, images ImageFinder) error {
	byPath := map[string][]*ast.Image{}
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if img, ok := n.(*ast.Image); ok && entering {
			if p, ok := strings.CutPrefix(string(img.Destination), "/media/"); ok {
				byPath[p] = append(byPath[p], img)
			}
		}
		return ast.WalkContinue, nil
	})
	if len(byPath) == 0 {
		return nil
	}
	paths := make([]string, 0, len(byPath))
	for p := range byPath {
		paths = append(paths, p)
	}
	found, err := images.ByPaths(ctx, paths)
	if err != nil {
		return err
	}
	for p, imgs := range byPath {
		md, ok := found[p]
		if !ok || md.Width == 0 {
			continue
		}
		for _, img := range imgs {
			img.SetAttributeString("width", []byte(strconv.Itoa(md.Width)))
			img.SetAttributeString("height", []byte(strconv.Itoa(md.Height)))
			if set := md.SrcSet(); set != "" {
				img.SetAttributeString("srcset", []byte(set))
				img.SetAttributeString("sizes", []byte(inlineSizes))
			}
			img.SetAttributeString("loading", []byte("lazy"))
			img.SetAttributeString("decoding", []byte("async"))
		}
	}
	return nil
}
