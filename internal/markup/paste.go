package markup

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// MaxPaste bounds the HTML a paste may bring, in bytes: a long report
// from a word processor, with its styles, fits.
const MaxPaste = 4 << 20

// Paste turns what a word processor (Word, LibreOffice, Google Docs) or a
// web page puts on the clipboard into clean Markdown: headings, paragraphs,
// lists, links, emphasis, quotes and tables are kept; styles, classes,
// fonts, comments, Word's list markers and empty paragraphs are not.
// Images are left out: their addresses point into the writer's computer
// or another site, and the editor uploads pictures through the site.
func (c *Converter) Paste(src string) (string, error) {
	if len(src) > MaxPaste {
		return "", fmt.Errorf("markup: paste of %d bytes", len(src))
	}
	doc, err := html.Parse(strings.NewReader(src))
	if err != nil {
		return "", fmt.Errorf("markup: paste: %w", err)
	}
	body := find(doc, atom.Body)
	if body == nil {
		return "", nil
	}
	var out bytes.Buffer
	cl := cleaner{}
	cl.children(&out, body)
	cl.closeLists(&out, 0)
	return c.Markdown(out.String())
}

// cleaner writes a pasted document's clean HTML; it turns Word's list
// paragraphs into lists as it goes.
type cleaner struct {
	// lists are the list elements ("ul" or "ol") open for Word's list
	// paragraphs, outermost first.
	lists []string
	// inHeader is set inside a table's heading row.
	inHeader bool
}

// table writes a table; its first row becomes its heading when it has
// none, as word processors write tables, since a Markdown table needs one.
func (cl *cleaner) table(out *bytes.Buffer, n *html.Node) {
	var rows []*html.Node
	var collect func(*html.Node)
	collect = func(n *html.Node) {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			switch {
			case c.Type != html.ElementNode:
			case c.DataAtom == atom.Tr:
				rows = append(rows, c)
			case c.DataAtom == atom.Thead || c.DataAtom == atom.Tbody || c.DataAtom == atom.Tfoot:
				collect(c)
			}
		}
	}
	collect(n)
	if len(rows) == 0 {
		return
	}
	out.WriteString("<table>\n<thead>")
	cl.inHeader = true
	cl.wrap(out, rows[0], "tr")
	cl.inHeader = false
	out.WriteString("</thead>\n<tbody>")
	for _, r := range rows[1:] {
		cl.wrap(out, r, "tr")
	}
	out.WriteString("</tbody></table>\n")
}

// emphasis writes n's content inside tag.
func (cl *cleaner) emphasis(out *bytes.Buffer, n *html.Node, tag string) {
	var in bytes.Buffer
	cl.children(&in, n)
	out.WriteString(emphasis(tag, in.String()))
}

// emphasis puts s inside tag, with the spaces around it outside: the
// converter runs "<strong>a</strong><em> b</em>" together into one bold.
func emphasis(tag, s string) string {
	inner := strings.TrimSpace(s)
	if inner == "" {
		return s
	}
	start := strings.Index(s, inner)
	return s[:start] + "<" + tag + ">" + inner + "</" + tag + ">" + s[start+len(inner):]
}

// kept are the elements a paste keeps, as themselves.
var kept = map[atom.Atom]bool{
	atom.H1: true, atom.H2: true, atom.H3: true, atom.H4: true, atom.H5: true, atom.H6: true,
	atom.P: true, atom.Br: true, atom.Ul: true, atom.Ol: true, atom.Li: true, atom.Blockquote: true,
	atom.Strong: true, atom.Em: true, atom.Code: true, atom.Pre: true, atom.Hr: true,
	atom.Del: true, atom.S: true, atom.Sub: true, atom.Sup: true,
	atom.Table: true, atom.Thead: true, atom.Tbody: true, atom.Tfoot: true, atom.Tr: true, atom.Th: true, atom.Td: true,
}

// dropped are the elements a paste leaves out with all they hold.
var dropped = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Head: true, atom.Title: true, atom.Meta: true, atom.Link: true,
	atom.Img: true, atom.Svg: true, atom.Math: true, atom.Iframe: true, atom.Object: true, atom.Embed: true,
	atom.Video: true, atom.Audio: true, atom.Canvas: true, atom.Noscript: true, atom.Template: true,
	atom.Button: true, atom.Input: true, atom.Select: true, atom.Textarea: true, atom.Form: true,
	atom.Colgroup: true, atom.Col: true,
}

var (
	// wordList is the style of a paragraph Word made out of a list item:
	// "mso-list:l0 level2 lfo1".
	wordList = regexp.MustCompile(`mso-list:\s*l\d+\s+level(\d+)`)
	// numbered is the marker of a numbered item: "1.", "a)", "iv.".
	numbered = regexp.MustCompile(`^\(?([0-9]+|[a-zA-Z]|[ivxlcdmIVXLCDM]+)[.)]`)
	// boldWeight and italicStyle are how Google Docs marks emphasis on spans.
	// (Word's own mso-bidi-font-weight is not one of them.)
	boldWeight  = regexp.MustCompile(`(?:^|[;"'\s])font-weight:\s*(bold|[6-9]00)`)
	italicStyle = regexp.MustCompile(`(?:^|[;"'\s])font-style:\s*italic`)
	normalBold  = regexp.MustCompile(`(?:^|[;"'\s])font-weight:\s*(normal|[1-4]00)`)
)

func (cl *cleaner) children(out *bytes.Buffer, n *html.Node) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		cl.node(out, c)
	}
}

func (cl *cleaner) node(out *bytes.Buffer, n *html.Node) {
	switch n.Type {
	case html.TextNode:
		out.WriteString(html.EscapeString(n.Data))
		return
	case html.ElementNode:
	default: // comments (Word's conditional ones included), doctypes
		return
	}
	style := attr(n, "style")
	if n.DataAtom == atom.P || n.DataAtom == 0 && n.Data == "o:p" {
		if m := wordList.FindStringSubmatch(style); m != nil {
			cl.wordItem(out, n, m[1])
			return
		}
	}
	if n.DataAtom != atom.Li {
		// Anything but a Word list paragraph ends Word's lists.
		if block(n) {
			cl.closeLists(out, 0)
		}
	}
	switch {
	case dropped[n.DataAtom], n.DataAtom == 0 && strings.Contains(n.Data, ":"): // <o:p>, <v:shape>, <w:sdt>
		return
	case strings.Contains(style, "mso-list:Ignore"):
		return // Word's bullet or number, written as text
	case n.DataAtom == atom.P && empty(n):
		return
	case n.DataAtom == atom.A:
		cl.link(out, n)
	case n.DataAtom == atom.B || n.DataAtom == atom.Strong:
		// Google Docs wraps a whole copy in <b style="font-weight:normal">;
		// a heading cell is bold already.
		if normalBold.MatchString(style) || cl.inHeader {
			cl.children(out, n)
			return
		}
		cl.emphasis(out, n, "strong")
	case n.DataAtom == atom.I || n.DataAtom == atom.Em:
		cl.emphasis(out, n, "em")
	case n.DataAtom == atom.Strike:
		cl.wrap(out, n, "del")
	case n.DataAtom == atom.Table:
		cl.table(out, n)
	case n.DataAtom == atom.Td || n.DataAtom == atom.Th:
		// A cell holds a line: paragraphs inside it become its text.
		tag := n.Data
		if cl.inHeader {
			tag = "th"
		}
		out.WriteString("<" + tag + ">")
		var in bytes.Buffer
		cl.children(&in, n)
		out.WriteString(strings.TrimSpace(cellBlocks.ReplaceAllString(in.String(), " ")))
		out.WriteString("</" + tag + ">")
	case kept[n.DataAtom]:
		cl.wrap(out, n, n.Data)
	default: // span, font, div, u and the rest: their content only
		var in bytes.Buffer
		cl.children(&in, n)
		s := in.String()
		if italicStyle.MatchString(style) {
			s = emphasis("em", s)
		}
		if boldWeight.MatchString(style) && !cl.inHeader {
			s = emphasis("strong", s)
		}
		out.WriteString(s)
		if block(n) {
			out.WriteString("\n")
		}
	}
}

// cellBlocks are the block tags inside a table cell, which Markdown's
// tables cannot hold.
var cellBlocks = regexp.MustCompile(`</?(p|div|br|h[1-6]|ul|ol|li|blockquote)\b[^>]*>`)

// wrap writes n as the element tag, without its attributes.
func (cl *cleaner) wrap(out *bytes.Buffer, n *html.Node, tag string) {
	if n.DataAtom == atom.Br || n.DataAtom == atom.Hr {
		out.WriteString("<" + tag + ">")
		return
	}
	out.WriteString("<" + tag + ">")
	cl.children(out, n)
	out.WriteString("</" + tag + ">")
	if block(n) {
		out.WriteString("\n")
	}
}

// link keeps a link to a web address, an email address or this site;
// others (javascript:, file:, a Word bookmark) leave their text.
func (cl *cleaner) link(out *bytes.Buffer, n *html.Node) {
	href := strings.TrimSpace(attr(n, "href"))
	lower := strings.ToLower(href)
	ok := strings.HasPrefix(lower, "https://") || strings.HasPrefix(lower, "http://") ||
		strings.HasPrefix(lower, "mailto:") || strings.HasPrefix(href, "/") && !strings.HasPrefix(href, "//")
	if !ok {
		cl.children(out, n)
		return
	}
	out.WriteString(`<a href="` + html.EscapeString(href) + `">`)
	cl.children(out, n)
	out.WriteString("</a>")
}

// wordItem writes a Word list paragraph as an item of a list at its level,
// opening and closing lists around it as the levels change.
func (cl *cleaner) wordItem(out *bytes.Buffer, n *html.Node, level string) {
	depth, _ := strconv.Atoi(level)
	depth = min(max(depth, 1), 9)
	tag := "ul"
	if numbered.MatchString(strings.TrimSpace(markerText(n))) {
		tag = "ol"
	}
	cl.closeLists(out, depth)
	if len(cl.lists) == depth && cl.lists[depth-1] != tag {
		cl.closeLists(out, depth-1)
	}
	for len(cl.lists) < depth {
		cl.lists = append(cl.lists, tag)
		out.WriteString("<" + tag + ">")
	}
	out.WriteString("<li>")
	cl.children(out, n)
	out.WriteString("</li>\n")
}

// closeLists closes Word's open lists down to depth.
func (cl *cleaner) closeLists(out *bytes.Buffer, depth int) {
	for len(cl.lists) > depth {
		out.WriteString("</" + cl.lists[len(cl.lists)-1] + ">\n")
		cl.lists = cl.lists[:len(cl.lists)-1]
	}
}

// markerText is the text of a Word list paragraph's marker: the content
// of its span styled mso-list:Ignore.
func markerText(n *html.Node) string {
	var s string
	var walk func(*html.Node) bool
	walk = func(n *html.Node) bool {
		if n.Type == html.ElementNode && strings.Contains(attr(n, "style"), "mso-list:Ignore") {
			s = text(n)
			return true
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if walk(c) {
				return true
			}
		}
		return false
	}
	walk(n)
	return s
}

func text(n *html.Node) string {
	if n.Type == html.TextNode {
		return n.Data
	}
	var b strings.Builder
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		b.WriteString(text(c))
	}
	return b.String()
}

// empty reports whether a paragraph shows nothing: only spaces (Word's
// &nbsp; included) and no line break.
func empty(n *html.Node) bool {
	return strings.TrimSpace(strings.ReplaceAll(text(n), "\u00a0", " ")) == "" && find(n, atom.Br) == nil
}

// block reports whether n starts a block of its own.
func block(n *html.Node) bool {
	switch n.DataAtom {
	case atom.P, atom.Div, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Ul, atom.Ol, atom.Li,
		atom.Blockquote, atom.Pre, atom.Table, atom.Tr, atom.Section, atom.Article, atom.Header, atom.Footer:
		return true
	}
	return false
}

func attr(n *html.Node, name string) string {
	for _, a := range n.Attr {
		if a.Namespace == "" && strings.EqualFold(a.Key, name) {
			return a.Val
		}
	}
	return ""
}

func find(n *html.Node, a atom.Atom) *html.Node {
	if n.Type == html.ElementNode && n.DataAtom == a {
		return n
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if f := find(c, a); f != nil {
			return f
		}
	}
	return nil
}
