package web

import (
	"bytes"
	"html/template"
	"strings"
	"testing"
)

// The contexts the hand-written parts of pages use, as html/template
// escapes them; each template wraps the value in a marker so the value's
// bytes can be cut out.
var escapeContexts = template.Must(template.New("").Parse(
	`{{define "text"}}<p>{{.}}</p>{{end}}` +
		`{{define "attr"}}<span lang="{{.}}" class="x">{{end}}` +
		`{{define "href"}}<a href="{{.}}">{{end}}` +
		`{{define "src"}}<img src="{{.}}" alt="">{{end}}` +
		`{{define "query"}}<a href="/x?q={{.}}">{{end}}` +
		`{{define "part"}}<a href="/x/{{.}}">{{end}}` +
		`{{define "srcset"}}<img srcset="{{.}}" alt="">{{end}}`))

func templateEscape(t testing.TB, name, s string) string {
	t.Helper()
	var b bytes.Buffer
	if err := escapeContexts.ExecuteTemplate(&b, name, s); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	switch name {
	case "text":
		return strings.TrimSuffix(strings.TrimPrefix(out, "<p>"), "</p>")
	case "attr":
		return strings.TrimSuffix(strings.TrimPrefix(out, `<span lang="`), `" class="x">`)
	case "href":
		return strings.TrimSuffix(strings.TrimPrefix(out, `<a href="`), `">`)
	case "query":
		return strings.TrimSuffix(strings.TrimPrefix(out, `<a href="/x?q=`), `">`)
	case "part":
		return strings.TrimSuffix(strings.TrimPrefix(out, `<a href="/x/`), `">`)
	case "srcset":
		return strings.TrimSuffix(strings.TrimPrefix(out, `<img srcset="`), `" alt="">`)
	default:
		return strings.TrimSuffix(strings.TrimPrefix(out, `<img src="`), `" alt="">`)
	}
}

// hostile are strings a title, a summary or an address could carry:
// markup, quotes of both kinds, entities, scripts in URLs, percent
// escapes valid and broken, right-to-left text, control bytes, invalid
// UTF-8.
var hostile = []string{
	"", "plain words", `<script>alert("x")</script>`, `" onmouseover="alert(1)`, `' onfocus='x`,
	"Tom & Jerry &amp; co", "1 + 1 = 2", "C++ & <C#>", "nul\x00byte", "bad \xff\xfe utf-8",
	"حقوق الناس الذين يتعاطون المخدرات", "права людей «в кавычках»", "मानवाधिकार", "\u202eRTL override",
	"javascript:alert(1)", "JavaScript:alert(1)", " javascript:alert(1)", "data:text/html;base64,PHNjcmlwdD4=",
	"vbscript:x", "http://example.org/a?b=c&d=e#f", "HTTPS://example.org/", "mailto:a@example.org",
	"/en/articles/peer-outreach", "/en/tag/caf\u00e9 au lait", "/media/2026/12/photo 1.jpg",
	"/a%20b%zz%4", "/a%41", "/a%4", "%", "%%41", "/q?x=<y>&z='w'\"", "/a b\tc\nd", "/path/with(parens)",
	"//evil.example/", "/a:b", "a/b:c", "?x=javascript:1", "#frag", "/{curly}|pipe\\back^caret`tick`",
	"/\u00a0nbsp\u2028ls", "\x7f\x01\x1f",
	// srcset values: candidates, descriptors, and what hides in them.
	"/media/a.jpg 480w, /media/b.jpg 960w", " /media/a b.jpg 2x ,javascript:x 1x", "/a.jpg 480w;x", ",,", "/a.jpg\t1x,\n/b.jpg",
}

func TestWriteTextAndURLEscapeAsHTMLTemplateDoes(t *testing.T) {
	for _, s := range hostile {
		checkEscapes(t, s)
	}
}

func checkEscapes(t *testing.T, s string) {
	t.Helper()
	var b bytes.Buffer
	WriteText(&b, s)
	if want := templateEscape(t, "text", s); b.String() != want {
		t.Errorf("WriteText(%q) = %q, html/template gives %q", s, b.String(), want)
	}
	if want := templateEscape(t, "attr", s); b.String() != want {
		t.Errorf("WriteText(%q) in an attribute = %q, html/template gives %q", s, b.String(), want)
	}
	b.Reset()
	WriteURL(&b, s)
	if want := templateEscape(t, "href", s); b.String() != want {
		t.Errorf("WriteURL(%q) = %q, html/template gives %q in href", s, b.String(), want)
	}
	if want := templateEscape(t, "src", s); b.String() != want {
		t.Errorf("WriteURL(%q) = %q, html/template gives %q in src", s, b.String(), want)
	}
	b.Reset()
	WriteQuery(&b, s)
	if want := templateEscape(t, "query", s); b.String() != want {
		t.Errorf("WriteQuery(%q) = %q, html/template gives %q in a query", s, b.String(), want)
	}
	b.Reset()
	WriteURLPart(&b, s)
	if want := templateEscape(t, "part", s); b.String() != want {
		t.Errorf("WriteURLPart(%q) = %q, html/template gives %q after a URL's start", s, b.String(), want)
	}
	b.Reset()
	WriteSrcSet(&b, s)
	if want := templateEscape(t, "srcset", s); b.String() != want {
		t.Errorf("WriteSrcSet(%q) = %q, html/template gives %q in srcset", s, b.String(), want)
	}
}

func TestWriteURLDefangsUnsafeSchemes(t *testing.T) {
	for _, s := range []string{"javascript:alert(1)", "data:text/html,x", "JAVASCRIPT:x", "vbscript:x"} {
		var b bytes.Buffer
		WriteURL(&b, s)
		if b.String() != "#ZgotmplZ" {
			t.Errorf("WriteURL(%q) = %q, want the defanged #ZgotmplZ", s, b.String())
		}
	}
}

func TestWriteInt(t *testing.T) {
	for _, n := range []int{0, 7, -3, 480, 1 << 40} {
		var b, want bytes.Buffer
		WriteInt(&b, n)
		if err := escapeContexts.ExecuteTemplate(&want, "text", n); err != nil {
			t.Fatal(err)
		}
		if "<p>"+b.String()+"</p>" != want.String() {
			t.Errorf("WriteInt(%d) = %q, html/template gives %q", n, b.String(), want.String())
		}
	}
}

// go test ./internal/web -run '^$' -fuzz FuzzWriteEscapes -fuzztime 30s
func FuzzWriteEscapes(f *testing.F) {
	for _, s := range hostile {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { checkEscapes(t, s) })
}
