package mirror

import (
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// TestMayHoldAddressMissesNoAddress holds the rewrite's shortcut to what
// the tokenizer reads: a tag it copies without reading its attributes
// has none that rewriteTag would change, whatever their case, and a form
// is never copied.
func TestMayHoldAddressMissesNoAddress(t *testing.T) {
	page := `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta property="og:url" content="https://live.example/en/"><META CONTENT="https://live.example/x">
<link rel="stylesheet" href="/static/style.css"><LINK REL=icon HREF=/favicon.ico>
<script src="/static/app.js" defer></script></head>
<body class="page"><div class="wrap"><p>Text</p><a class="x" HrEf='/en/articles/'>a</a>
<img alt="Photo" SRC="/media/1.jpg" SrcSet="/media/1-320.jpg 320w, /media/1-640.jpg 640w">
<picture><source SRCSET = "/media/3-320.jpg 320w"></picture><video POSTER="/media/2.jpg"></video><p data-x=1 title="a=b"><span data-x="1" title="Hello">s</span>
<form method="post" ACTION="/en/x"><input name="q"></form><FORM><button>b</button></FORM>
<section id="actions"><h2 class="contentious">h</h2><ul><li>i</li></ul></section></div></body></html>`
	z := html.NewTokenizer(strings.NewReader(page))
	var skipped, read int
	for tt := z.Next(); tt != html.ErrorToken; tt = z.Next() {
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			continue
		}
		raw := string(z.Raw())
		may := mayHoldAddress([]byte(raw))
		name, more := z.TagName()
		holds := string(name) == "form"
		for more {
			var k []byte
			k, _, more = z.TagAttr()
			if key := string(k); urlAttrs[key] || key == "srcset" || key == "content" {
				holds = true
			}
		}
		if holds && !may {
			t.Errorf("%s: copied without reading its addresses", raw)
		}
		if may {
			read++
		} else {
			skipped++
		}
	}
	if skipped < 10 || read < 10 {
		t.Errorf("%d tags copied as they are and %d read: the page should have many of both", skipped, read)
	}
}
