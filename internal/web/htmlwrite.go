package web

import (
	"bytes"
	"html/template"
	"strconv"
	"strings"
)

// Hot parts of public pages (a listing's rows) are written by plain Go
// rather than executed by html/template: the template engine calls its
// escapers through reflection for every action, and ten rows cost about
// six times as much CPU that way (issue 23). The functions here give the
// bytes html/template gives for the same value in the same context, so a
// part written with them keeps the template's guarantees; tests compare
// them with html/template on hostile strings and fuzzed input.

// htmlSpecial are the bytes html/template escapes in text and in quoted
// attribute values: template.HTMLEscapeString's, and the plus sign.
const htmlSpecial = "\x00\"&'+<>"

// WriteText writes s as html/template writes a string in element text or
// inside a quoted attribute value that is not a URL (class, lang,
// datetime, title): template.HTMLEscapeString, and + as &#43; as
// html/template's own escaper does.
func WriteText(b *bytes.Buffer, s string) {
	if !strings.ContainsAny(s, htmlSpecial) {
		b.WriteString(s)
		return
	}
	e := template.HTMLEscapeString(s)
	if strings.IndexByte(e, '+') < 0 {
		b.WriteString(e)
		return
	}
	b.WriteString(strings.ReplaceAll(e, "+", "&#43;"))
}

// WriteInt writes n in decimal, as html/template writes an int anywhere.
func WriteInt(b *bytes.Buffer, n int) {
	var a [20]byte
	b.Write(strconv.AppendInt(a[:0], int64(n), 10))
}

// WriteURL writes s as html/template writes a string that is a whole
// quoted href or src value: a URL with a scheme other than http, https or
// mailto becomes "#ZgotmplZ", the rest is normalised (bytes outside
// RFC 3986's reserved and unreserved sets percent-encoded, valid escapes
// kept) and then escaped for the attribute.
func WriteURL(b *bytes.Buffer, s string) {
	if !safeURL(s) {
		b.WriteString("#ZgotmplZ")
		return
	}
	WriteText(b, normalizeURL(s))
}

// safeURL is html/template's isSafeURL: a relative URL, or one whose
// scheme is http, https or mailto.
func safeURL(s string) bool {
	if scheme, _, ok := strings.Cut(s, ":"); ok && !strings.Contains(scheme, "/") {
		return strings.EqualFold(scheme, "http") || strings.EqualFold(scheme, "https") || strings.EqualFold(scheme, "mailto")
	}
	return true
}

// normalizeURL is html/template's URL normaliser (urlProcessor with norm
// set): every byte that is neither reserved nor unreserved in RFC 3986 is
// percent-encoded in lower-case hex, and a % already followed by two hex
// digits is kept, except at the very end of s, where html/template
// re-encodes it too.
func normalizeURL(s string) string { return processURL(s, true) }

// WriteQuery writes s as html/template writes a string inside a URL's
// query or fragment (href="/lang/en?next={{.}}"): every byte but RFC
// 3986's unreserved ones percent-encoded, a % included.
func WriteQuery(b *bytes.Buffer, s string) {
	b.WriteString(processURL(s, false))
}

// writeURLPart writes s as html/template writes a string in a URL
// attribute after its start (href="/{{.}}/"): normalised, not filtered,
// escaped for the attribute.
func writeURLPart(b *bytes.Buffer, s string) {
	WriteText(b, normalizeURL(s))
}

// processURL is html/template's urlProcessor: norm keeps RFC 3986's
// reserved bytes and valid escapes (the normaliser); without it only
// unreserved bytes are kept (the query escaper).
func processURL(s string, norm bool) string {
	var b []byte
	written := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
			continue
		case strings.IndexByte("-._~", c) >= 0:
			continue
		case norm && strings.IndexByte("!#$&*+,/:;=?@[]", c) >= 0:
			continue
		case norm && c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			continue
		}
		if b == nil {
			b = make([]byte, 0, len(s)+16)
		}
		b = append(b, s[written:i]...)
		b = append(b, '%', hexDigits[c>>4], hexDigits[c&15])
		written = i + 1
	}
	if b == nil {
		return s
	}
	return string(append(b, s[written:]...))
}

const hexDigits = "0123456789abcdef"

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// WriteURLPart writes s as html/template writes a string inside a URL
// attribute after its start (href="/{{.Lang}}/tag/{{.Slug}}"): normalised
// but not filtered, for the start already fixed the scheme, then escaped
// for the attribute.
func WriteURLPart(b *bytes.Buffer, s string) { writeURLPart(b, s) }

// WriteSrcSet writes s as html/template writes a string that is a whole
// quoted srcset value: each comma-separated candidate whose URL is unsafe
// (see WriteURL) or whose descriptor holds anything but ASCII letters,
// digits and HTML space becomes "#ZgotmplZ", the others' URLs are
// normalised, and the whole is escaped for the attribute.
func WriteSrcSet(b *bytes.Buffer, s string) {
	var out strings.Builder
	written := 0
	for i := 0; i < len(s); i++ {
		if s[i] == ',' {
			srcsetCandidate(&out, s[written:i])
			out.WriteByte(',')
			written = i + 1
		}
	}
	srcsetCandidate(&out, s[written:])
	WriteText(b, out.String())
}

// srcsetCandidate is html/template's filterSrcsetElement on one candidate.
func srcsetCandidate(out *strings.Builder, s string) {
	start := 0
	for start < len(s) && isHTMLSpace(s[start]) {
		start++
	}
	end := len(s)
	for i := start; i < len(s); i++ {
		if isHTMLSpace(s[i]) {
			end = i
			break
		}
	}
	if url := s[start:end]; safeURL(url) {
		ok := true
		for i := end; i < len(s); i++ {
			c := s[i]
			if !isHTMLSpace(c) && !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
				ok = false
				break
			}
		}
		if ok {
			out.WriteString(s[:start])
			out.WriteString(normalizeURL(url))
			out.WriteString(s[end:])
			return
		}
	}
	out.WriteString("#ZgotmplZ")
}

// isHTMLSpace is ASCII whitespace as WHATWG defines it.
func isHTMLSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'
}
