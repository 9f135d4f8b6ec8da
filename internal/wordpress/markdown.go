package wordpress

import (
	"fmt"
	"html"
	"regexp"
	"slices"
	"strings"

	"peerpress/internal/markup"
)

// Converted is a post's content as Markdown, with what the conversion
// could not carry over for an editor to look at.
type Converted struct {
	Markdown string
	// Unknown are the names of shortcodes kept as text.
	Unknown []string
	// Notes say what else needs an editor's eye (a gallery whose images
	// are not in the export, an embed turned into a link).
	Notes []string
}

// Media finds an attachment of the export by its post id, for galleries.
type Media func(id int64) (url, title string, ok bool)

// mdConverter turns WordPress content (classic-editor HTML, block-editor
// markup, shortcodes) into Markdown with the editor's conversion
// (markup.Converter, which a paste into the editor uses too); the site
// renders that Markdown through its own sanitizer like any editor's.
type mdConverter struct {
	conv *markup.Converter
}

func newConverter() *mdConverter {
	return &mdConverter{conv: markup.NewConverter()}
}

var (
	// blockComment is a block editor's delimiter, <!-- wp:paragraph {…} -->
	// or <!-- /wp:paragraph -->, and the classic editor's <!--more--> and
	// <!--nextpage-->: markup for the editor, nothing for readers.
	blockComment = regexp.MustCompile(`(?s)<!--\s*(/?wp:.*?|more.*?|nextpage)\s*-->`)
	hasBlocks    = regexp.MustCompile(`<!--\s*wp:`)
	// shortcode matches [name attrs], [name attrs /] and [name attrs]…[/name];
	// [[name]] is WordPress's way of writing a shortcode as text.
	shortcode = regexp.MustCompile(`(?s)\[(\[?)([a-zA-Z][a-zA-Z0-9_-]*)((?:\s[^\[\]]*?)?)(/?)\](?:(.*?)\[/([a-zA-Z][a-zA-Z0-9_-]*)\])?(\]?)`)
	attr      = regexp.MustCompile(`([a-zA-Z0-9_-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"']+))`)
	iframe    = regexp.MustCompile(`(?is)<iframe\b[^>]*\bsrc\s*=\s*["']([^"']+)["'][^>]*>.*?</iframe>`)
	// uploadURL is an address in a site's uploads folder, in an attribute
	// or a shortcode.
	uploadURL = regexp.MustCompile(`(?:https?:)?//[^\s"'<>\[\]]+/wp-content/uploads/[^\s"'<>\[\]]+`)
)

// blockTags start a block of their own in classic-editor content, which
// wpautop leaves unwrapped.
var blockTags = regexp.MustCompile(`(?i)^<(/?)(table|thead|tfoot|caption|col|colgroup|tbody|tr|td|th|div|dl|dd|dt|ul|ol|li|pre|form|map|area|blockquote|address|math|style|p|h[1-6]|hr|fieldset|legend|section|article|aside|hgroup|header|footer|nav|figure|figcaption|details|menu|summary|iframe|script|video|audio|object)\b`)

// Convert turns one post's content into Markdown. local gives the
// address here of a file of the old uploads folder that was brought in.
func (c *mdConverter) Convert(content string, media Media, children []int64, local func(string) (string, bool)) (Converted, error) {
	var out Converted
	s := strings.ReplaceAll(content, "\r\n", "\n")
	old := 0
	s = uploadURL.ReplaceAllStringFunc(s, func(u string) string {
		if to, ok := local(u); ok {
			return to
		}
		old++
		return u
	})
	if old > 0 {
		out.Notes = append(out.Notes, fmt.Sprintf("%d links to files on the old site (wp-content/uploads) were kept", old))
	}
	blocks := hasBlocks.MatchString(s)
	s = blockComment.ReplaceAllString(s, "")
	s = c.shortcodes(s, media, children, &out)
	s = iframe.ReplaceAllStringFunc(s, func(m string) string {
		src := html.UnescapeString(iframe.FindStringSubmatch(m)[1])
		out.Notes = append(out.Notes, "an embedded frame became a link: "+src)
		return linkPara(src)
	})
	if !blocks {
		s = autop(s)
	}
	// Links side by side (a file block's name and its Download button)
	// would run together as one word.
	s = strings.ReplaceAll(s, "</a><a ", "</a> <a ")
	md, err := c.conv.Markdown(s)
	if err != nil {
		return out, err
	}
	out.Markdown = md
	slices.Sort(out.Unknown)
	out.Unknown = slices.Compact(out.Unknown)
	out.Notes = slices.Compact(out.Notes)
	return out, nil
}

func linkPara(u string) string {
	e := html.EscapeString(u)
	return "\n\n<p><a href=\"" + e + "\">" + e + "</a></p>\n\n"
}

func attrs(s string) map[string]string {
	m := map[string]string{}
	for _, a := range attr.FindAllStringSubmatch(s, -1) {
		m[strings.ToLower(a[1])] = a[2] + a[3] + a[4]
	}
	return m
}

// shortcodes expands the shortcodes WordPress itself has (caption,
// gallery, embed, video, audio) into HTML and leaves others as text,
// noting their names.
func (c *mdConverter) shortcodes(s string, media Media, children []int64, out *Converted) string {
	return shortcode.ReplaceAllStringFunc(s, func(m string) string {
		g := shortcode.FindStringSubmatch(m)
		open, name, rawAttrs, inner, closeName, close := g[1], strings.ToLower(g[2]), g[3], g[5], g[6], g[7]
		if open == "[" && close == "]" { // [[caption]]: meant as text
			return m[1 : len(m)-1]
		}
		if closeName != "" && !strings.EqualFold(closeName, name) {
			// [a]…[/b]: not one shortcode; look at the first part alone.
			head := m[:len(m)-len(inner)-len(closeName)-3]
			return c.shortcodes(head, media, children, out) + c.shortcodes(m[len(head):], media, children, out)
		}
		a := attrs(rawAttrs)
		switch name {
		case "caption", "wp_caption":
			// The caption is the text after the image; older posts put it
			// in the caption attribute.
			img, text := splitCaption(inner)
			if text == "" {
				text = html.EscapeString(a["caption"])
			}
			return "\n\n<figure>" + img + "<figcaption>" + strings.TrimSpace(text) + "</figcaption></figure>\n\n"
		case "gallery":
			return gallery(a, media, children, out)
		case "embed":
			u := strings.TrimSpace(html.UnescapeString(inner))
			if u == "" {
				u = a["src"]
			}
			return linkPara(u)
		case "video", "audio":
			for _, k := range []string{"src", "mp4", "m4v", "webm", "ogv", "wmv", "flv", "mp3", "ogg", "m4a", "wav"} {
				if u := a[k]; u != "" {
					return linkPara(u)
				}
			}
			out.Notes = append(out.Notes, "a ["+name+"] without a file was left out")
			return ""
		}
		out.Unknown = append(out.Unknown, name)
		if inner != "" || closeName != "" {
			return m[:len(m)-len(inner)-len(closeName)-3] + c.shortcodes(inner, media, children, out) + "[/" + closeName + "]"
		}
		return m
	})
}

var imgTag = regexp.MustCompile(`(?is)^\s*((?:<a\b[^>]*>\s*)?<img\b[^>]*>(?:\s*</a>)?)(.*)$`)

func splitCaption(inner string) (img, text string) {
	if g := imgTag.FindStringSubmatch(inner); g != nil {
		return g[1], g[2]
	}
	return "", inner
}

func gallery(a map[string]string, media Media, children []int64, out *Converted) string {
	var ids []int64
	if raw := a["ids"]; raw != "" {
		for _, f := range strings.Split(raw, ",") {
			var id int64
			if _, err := fmt.Sscan(strings.TrimSpace(f), &id); err == nil {
				ids = append(ids, id)
			}
		}
	} else {
		ids = children // [gallery] alone shows the post's attached images
	}
	var b strings.Builder
	missing := 0
	for _, id := range ids {
		u, title, ok := media(id)
		if !ok {
			missing++
			continue
		}
		fmt.Fprintf(&b, "<p><img src=\"%s\" alt=\"%s\"></p>\n", html.EscapeString(u), html.EscapeString(title))
	}
	switch {
	case len(ids) == 0:
		out.Notes = append(out.Notes, "a gallery was left out: the export has none of its images")
	case missing > 0:
		out.Notes = append(out.Notes, fmt.Sprintf("a gallery lost %d of its %d images, which are not in the export", missing, len(ids)))
	}
	return "\n\n" + b.String() + "\n\n"
}

// autop is WordPress's wpautop in short: classic-editor content keeps its
// paragraphs as blank lines and its line breaks as newlines, which HTML
// would run together.
func autop(s string) string {
	if strings.TrimSpace(s) == "" {
		return ""
	}
	// <pre> keeps its newlines as they are.
	var pres []string
	s = preBlock.ReplaceAllStringFunc(s, func(m string) string {
		pres = append(pres, m)
		return fmt.Sprintf("<pre wp-pre=\"%d\"></pre>", len(pres)-1)
	})
	var b strings.Builder
	for _, para := range strings.Split(s, "\n\n") {
		p := strings.TrimSpace(para)
		if p == "" {
			continue
		}
		if blockTags.MatchString(p) {
			b.WriteString(p)
		} else {
			b.WriteString("<p>" + strings.ReplaceAll(p, "\n", "<br>\n") + "</p>")
		}
		b.WriteString("\n\n")
	}
	s = b.String()
	for i, pre := range pres {
		s = strings.Replace(s, fmt.Sprintf("<pre wp-pre=\"%d\"></pre>", i), pre, 1)
	}
	return s
}

var preBlock = regexp.MustCompile(`(?is)<pre\b.*?</pre>`)
