package markup_test

import (
	"os"
	"strings"
	"testing"

	"peerpress/internal/markup"
)

// paste converts a clipboard file of testdata.
func paste(t *testing.T, file string) string {
	t.Helper()
	src, err := os.ReadFile("testdata/" + file)
	if err != nil {
		t.Fatal(err)
	}
	md, err := markup.NewConverter().Paste(string(src))
	if err != nil {
		t.Fatal(err)
	}
	return md
}

func mustHave(t *testing.T, md string, want, forbid []string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(md, w) {
			t.Errorf("Markdown lacks %q:\n%s", w, md)
		}
	}
	for _, f := range forbid {
		if strings.Contains(md, f) {
			t.Errorf("Markdown keeps %q:\n%s", f, md)
		}
	}
}

// What Word puts on the clipboard: its styles, conditional comments,
// <o:p>, lists written as paragraphs with the bullet as text.
func TestPasteFromWord(t *testing.T) {
	md := paste(t, "word.html")
	mustHave(t, md, []string{
		"# Naloxone saves lives",
		"distributed **4,000 kits** this year, and *every one* counts.",
		"[full report](https://example.org/report)",
		"- Carry naloxone\n",
		"  - in your bag\n",
		"- Never use alone",
		"1. Call for help\n2. Give the dose",
		"| City   | Kits |", "| Lisbon | 1200 |",
		"> Quoted in a blockquote.",
		"Nothing about us without us.",
	}, []string{"mso", "Mso", "<", "·", "&nbsp;", "\u00a0\n", "Calibri", "StartFragment", "o:p", "file:///"})
	if strings.Contains(md, "\n\n\n") {
		t.Errorf("empty paragraphs kept:\n%s", md)
	}
}

// What Google Docs puts on the clipboard: a <b> around everything that is
// not bold, emphasis as styles of spans, an image hosted by Google.
func TestPasteFromGoogleDocs(t *testing.T) {
	md := paste(t, "gdocs.html")
	mustHave(t, md, []string{
		"## Drop-in hours",
		"The centre is open **every weekday** *from ten*. See",
		"[the map](https://example.org/map)",
		"- Clean needles\n- Testing strips",
		"| Day    | Hours |", "| Monday | 10–16 |",
	}, []string{"**## ", "**Drop-in", "googleusercontent", "docs-internal", "font-", "<", "![", "Apple-interchange"})
}

// A web page's copy: scripts, handlers and unsafe links go, the text stays.
func TestPasteFromWebPage(t *testing.T) {
	md, err := markup.NewConverter().Paste(`<div class="post"><script>alert(1)</script><p onclick="x()">Hello <a href="javascript:alert(1)">there</a>
<a href="/en/events">events</a> <a href="mailto:hi@example.org">mail</a></p><p>&nbsp;</p><p><u>under</u> <strike>gone</strike></p><style>p{}</style></div>`)
	if err != nil {
		t.Fatal(err)
	}
	mustHave(t, md, []string{"Hello there", "[events](/en/events)", "[mail](mailto:hi@example.org)", "under ~~gone~~"},
		[]string{"alert", "javascript", "onclick", "p{}", "<"})
}

func TestPasteTooLarge(t *testing.T) {
	if _, err := markup.NewConverter().Paste(strings.Repeat("a", markup.MaxPaste+1)); err == nil {
		t.Error("a paste over MaxPaste was converted")
	}
}
