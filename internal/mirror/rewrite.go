package mirror

import (
	"bytes"
	"html/template"
	"io"
	"net/url"
	"strings"

	"golang.org/x/net/html"
)

// rewrite makes a page's links work in the mirror: links to pages and
// files the mirror holds become relative addresses of their files (and
// those are rendered in turn); links to what only the live site serves
// (search, forms, private links) become its absolute addresses. A form
// that a template did not replace with its notice is replaced here, so
// that no form reaches the mirror whoever wrote the template.
//
// It reads the page with an HTML tokenizer, not patterns, and copies
// every token it does not change byte for byte.
//
// The page is written into out, a buffer the caller owns.
func (c *crawler) rewrite(out *bytes.Buffer, from page, body []byte) {
	path := from.path
	out.Grow(len(body) + len(body)/8)
	z := html.NewTokenizer(bytes.NewReader(body))
	forms := 0       // depth inside a form being left out
	var attrs []attr // a tag's, reused from tag to tag
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			if z.Err() != io.EOF {
				// Not HTML the site would write: keep what was read.
				out.Write(z.Raw())
			}
			return
		}
		raw := z.Raw()
		switch tt {
		case html.StartTagToken, html.SelfClosingTagToken:
			if forms == 0 && !mayHoldAddress(raw) {
				// Most tags (a <div class>, a <p>): no attribute to
				// read, so none of the tokenizer's copies of them.
				out.Write(raw)
				continue
			}
			// Copied first: TagName and TagAttr may change the
			// tokenizer's buffer (older versions lower-cased it in
			// place).
			raw = bytes.Clone(raw)
			name, hasAttr := z.TagName()
			if string(name) == "form" {
				if forms == 0 && tt == html.StartTagToken {
					out.WriteString(c.formNotice(path))
				}
				if tt == html.StartTagToken {
					forms++
				}
				continue
			}
			if forms > 0 {
				continue
			}
			if !hasAttr {
				out.Write(raw)
				continue
			}
			attrs = c.rewriteTag(out, from, string(name), tt == html.SelfClosingTagToken, z, raw, attrs[:0])
		case html.EndTagToken:
			name, _ := z.TagName()
			if string(name) == "form" && forms > 0 {
				forms--
				continue
			}
			if forms > 0 {
				continue
			}
			out.Write(raw)
		default:
			if forms == 0 {
				out.Write(raw)
			}
		}
	}
}

type attr struct{ key, val string }

// page is the page whose links are rewritten: its site path, its file
// (fileFor), which every relative address starts from, and the entry
// group it was rendered in, which the pages it leads to join.
type page struct {
	path, file string
	group      *entryGroup
}

// addressAttrs are the names of the attributes rewriteTag may change,
// lower-cased: urlAttrs, srcset and a meta's content.
var addressAttrs = []string{"href", "src", "srcset", "poster", "action", "content"}

// mayHoldAddress says whether a tag's raw bytes hold, in any case, the
// name of an attribute that rewriteTag may change before an "=", or are
// a form's (which the caller replaces). It may say yes for a tag with no
// such attribute (an "=" in a value); it never says no for one that has:
// an attribute without a value holds no address to change.
func mayHoldAddress(raw []byte) bool {
	if hasFoldPrefix(raw[1:], "form") {
		return true
	}
	for i := 0; ; {
		j := bytes.IndexByte(raw[i:], '=')
		if j < 0 {
			return false
		}
		i += j
		// The name before the "=", spaces allowed between.
		end := i
		for end > 0 && isSpace(raw[end-1]) {
			end--
		}
		for _, w := range addressAttrs {
			if end >= len(w) && hasFoldPrefix(raw[end-len(w):end], w) {
				return true
			}
		}
		i++
	}
}

// isSpace is HTML's white space, which may stand between an attribute's
// name and its "=".
func isSpace(b byte) bool { return b == ' ' || b == '\t' || b == '\n' || b == '\f' || b == '\r' }

// hasFoldPrefix says whether b begins with the lower-case ASCII word w,
// in any case.
func hasFoldPrefix(b []byte, w string) bool {
	if len(b) < len(w) {
		return false
	}
	for j := 0; j < len(w); j++ {
		if b[j]|0x20 != w[j] {
			return false
		}
	}
	return true
}

// urlAttrs are the attributes that hold one address.
var urlAttrs = map[string]bool{"href": true, "src": true, "poster": true, "action": true}

// rewriteTag writes one tag with its addresses rewritten; unchanged, its
// raw bytes. It reads the attributes into attrs, and returns it for the
// next tag.
func (c *crawler) rewriteTag(out *bytes.Buffer, from page, name string, selfClosing bool, z *html.Tokenizer, raw []byte, attrs []attr) []attr {
	changed, external := false, false
	for {
		k, v, more := z.TagAttr()
		a := attr{string(k), string(v)}
		if a.key == "rel" && hasWord(a.val, "external") {
			external = true // the mirror's notices: the live site, on purpose
		}
		attrs = append(attrs, a)
		if !more {
			break
		}
	}
	if external {
		out.Write(raw)
		return attrs
	}
	isMeta := name == "meta"
	for i, a := range attrs {
		var nv string
		switch {
		case urlAttrs[a.key]:
			nv = c.address(from, a.val)
		case a.key == "srcset":
			nv = c.srcset(from, a.val)
		case isMeta && a.key == "content" && strings.HasPrefix(a.val, c.site.Live+"/"):
			nv = c.address(from, a.val) // og:url, og:image
		default:
			continue
		}
		if nv != a.val {
			attrs[i].val, changed = nv, true
		}
	}
	if !changed {
		out.Write(raw)
		return attrs
	}
	out.WriteByte('<')
	out.WriteString(name)
	for _, a := range attrs {
		out.WriteByte(' ')
		out.WriteString(a.key)
		out.WriteString(`="`)
		out.WriteString(html.EscapeString(a.val))
		out.WriteByte('"')
	}
	if selfClosing {
		out.WriteString("/>")
	} else {
		out.WriteByte('>')
	}
	return attrs
}

// address rewrites one address found on the page at from.
func (c *crawler) address(from page, addr string) string {
	local, ok := c.sitePath(addr)
	if !ok {
		return addr // another site, a fragment, or already relative
	}
	if plainPath(local) {
		// Most links: a path alone, as url.Parse would read it.
		if file, ok := c.link(from, local); ok {
			return file
		}
		return c.site.Live + local
	}
	u, err := url.Parse(local)
	if err != nil {
		return c.site.Live + local
	}
	frag := ""
	if u.Fragment != "" {
		frag = "#" + u.EscapedFragment()
	}
	p := u.Path
	// The language switcher's links remember a choice on the live
	// site; in the mirror they lead straight to the page.
	if code, ok := strings.CutPrefix(p, "/lang/"); ok {
		if _, known := c.site.I18n().Get(code); known {
			if next := u.Query().Get("next"); strings.HasPrefix(next, "/"+code+"/") && !strings.HasPrefix(next, "//") {
				if nu, err := url.Parse(next); err == nil && nu.RawQuery == "" {
					p, u.RawQuery = nu.Path, ""
				}
			}
		}
	}
	if u.RawQuery == "" {
		if file, ok := c.link(from, p); ok {
			return file + frag
		}
	}
	return c.site.Live + local
}

// plainPath says whether p is a path with no query, fragment, escape or
// control byte: what url.Parse would give as its Path unchanged.
func plainPath(p string) bool {
	for i := 0; i < len(p); i++ {
		if b := p[i]; b < 0x21 || b == 0x7f || b == '?' || b == '#' || b == '%' {
			return false
		}
	}
	return true
}

// srcset rewrites each address of a srcset ("a.jpg 320w, b.jpg 640w").
func (c *crawler) srcset(from page, v string) string {
	parts := strings.Split(v, ",")
	for i, part := range parts {
		fields := strings.Fields(part)
		if len(fields) == 0 {
			continue
		}
		fields[0] = c.address(from, fields[0])
		parts[i] = strings.Join(fields, " ")
	}
	return strings.Join(parts, ", ")
}

// formNotice stands where a form was: the notice the templates show, in
// the page's language, leading to the page on the live site.
func (c *crawler) formNotice(from string) string {
	lang, _, _ := strings.Cut(strings.TrimPrefix(from, "/"), "/")
	b := c.site.I18n()
	if _, ok := b.Get(lang); !ok {
		lang = b.Default().Code
	}
	l := b.Localizer(lang)
	live := template.HTMLEscapeString(c.site.Live + from)
	s := `<p class="notice mirror-notice">` + template.HTMLEscapeString(l.T("mirror.notice")) + ` <a href="` + live + `" rel="external">` + live + `</a>`
	if c.site.Onion != "" {
		onion := template.HTMLEscapeString(c.site.Onion + from)
		s += `<br>` + template.HTMLEscapeString(l.T("mirror.onion")) + ` <a href="` + onion + `" rel="external">` + onion + `</a>`
	}
	return s + `</p>`
}

func hasWord(list, word string) bool {
	for f := range strings.FieldsSeq(list) {
		if strings.EqualFold(f, word) {
			return true
		}
	}
	return false
}
