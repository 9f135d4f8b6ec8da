package content

import (
	"bytes"
	"html/template"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// itemsTemplate is the "items" partial as html/template executed it until
// the rows were written in Go: the reference their bytes are held to.
var itemsTemplate = template.Must(template.New("").ParseFiles("testdata/items.html"))

func templateRows(t testing.TB, l itemList) string {
	t.Helper()
	var b bytes.Buffer
	if err := itemsTemplate.ExecuteTemplate(&b, "items", l); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// benchRows are ten ordinary rows: the shape of a listing page.
func benchRows() itemList {
	list := itemList{Level: 2, PageLang: "en", UntranslatedIn: "Not yet in English:", ArchivedLabel: "Archived", ReadMore: "Read more"}
	for i := range 10 {
		row := itemRow{URL: "/en/articles/peer-outreach-naloxone-" + strconv.Itoa(i), Title: "Peer outreach & naloxone <" + strconv.Itoa(i) + ">",
			Summary: `A summary with "quotes", an ampersand & a few more words about the network's work this month.`,
			Lang:    "en", KindName: "Article", Date: "3 December 2026", DateISO: "2026-12-03", Archived: i == 3}
		if i == 5 {
			row.Lang, row.LangName = "ru", "Русский"
		}
		if i%4 == 0 {
			row.Thumb = &Thumb{URL: "/media/2026/12/photo-" + strconv.Itoa(i) + "-480.jpg", Width: 480, Height: 320}
		}
		list.Rows = append(list.Rows, row)
	}
	return list
}

// hostileRows puts s in every field a row shows, with and without the
// parts that appear only sometimes (a picture, a language badge, notes,
// a summary), at both heading levels.
func hostileRows(s string) []itemList {
	var out []itemList
	for level := 2; level <= 3; level++ {
		l := itemList{Level: level, PageLang: s, UntranslatedIn: s, ArchivedLabel: s, ReadMore: s}
		l.Rows = []itemRow{
			{URL: s, Title: s, Summary: s, Lang: s, LangName: s, KindName: s, Date: s, DateISO: s, Archived: true,
				Thumb: &Thumb{URL: s, Width: len(s), Height: -len(s)}, Notes: []template.HTML{"<p class=\"note\">a <em>note</em></p>", ""}},
			{URL: "/en/x/" + s, Title: s, KindName: s, Date: s, DateISO: s},
			{},
		}
		out = append(out, l)
	}
	return out
}

// A listing's rows written by Go must be the bytes html/template wrote
// from the partial, for ordinary rows and for every field hostile:
// markup, quotes, entities, right-to-left text, odd and unsafe URLs.
func TestItemRowsAsTheTemplateWritesThem(t *testing.T) {
	lists := []itemList{benchRows(), {Level: 2}, {Level: 3, Rows: []itemRow{{URL: "/ar/articles/حقوق", Title: "حقوق الناس", Summary: "ملخص «قصير» & <مهم>",
		Lang: "ar", LangName: "العربية", KindName: "مقال", Date: "٣ ديسمبر ٢٠٢٦", DateISO: "2026-12-03",
		Thumb: &Thumb{URL: "/media/2026/12/صورة 1.jpg?v=1&w=480", Width: 480, Height: 270}}}}}
	for _, s := range []string{`<script>alert("x")</script>`, `" onmouseover="alert(1)`, "' onfocus='x", "Tom & Jerry &amp; C++",
		"javascript:alert(1)", "data:text/html,<b>x</b>", "/a%20b%zz%4 (c) [d] {e} |f| \\g ^h `i`", "http://example.org/?q=<a>&b='c'#\"d\"",
		"حقوق الناس الذين يتعاطون المخدرات", "\u202eevil\u202c", "nul\x00 and \xff bad utf-8", "mailto:a@example.org", ""} {
		lists = append(lists, hostileRows(s)...)
	}
	for i, l := range lists {
		want := templateRows(t, l)
		if got := string(l.HTML()); got != want {
			t.Errorf("list %d: the written rows differ from the template's:\n%s\n--- template:\n%s", i, got, want)
		}
	}
	// The check can fail: an unsafe URL is defanged, not written out.
	if got := string(hostileRows("javascript:alert(1)")[0].HTML()); !bytes.Contains([]byte(got), []byte(`href="#ZgotmplZ"`)) {
		t.Errorf("a javascript: URL was not defanged:\n%s", got)
	}
}

// go test ./internal/content -run '^$' -fuzz FuzzItemRows -fuzztime 30s
func FuzzItemRows(f *testing.F) {
	for _, s := range []string{"", "a & b", `"><script>`, "javascript:x", "/a%2", "\xff"} {
		f.Add(s, s)
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		l := itemList{Level: 2, PageLang: a, UntranslatedIn: b, ArchivedLabel: a, ReadMore: b,
			Rows: []itemRow{{URL: a, Title: b, Summary: a, Lang: b, LangName: a, KindName: b, Date: a, DateISO: b, Archived: true, Thumb: &Thumb{URL: b}}}}
		if want, got := templateRows(t, l), string(l.HTML()); got != want {
			t.Errorf("rows differ:\n%q\n--- template:\n%q", got, want)
		}
	})
}

// The "items" partial executed by html/template against the same rows
// written by Go (issue 23): CPU and allocations per ten rows.
func BenchmarkItemRows(b *testing.B) {
	list := benchRows()
	if got, want := string(list.HTML()), templateRows(b, list); got != want {
		b.Fatalf("written rows differ from the template's:\n%s\n---\n%s", got, want)
	}
	b.Run("html-template", func(b *testing.B) {
		b.ReportAllocs()
		var buf bytes.Buffer
		cpu := processCPU()
		for b.Loop() {
			buf.Reset()
			if err := itemsTemplate.ExecuteTemplate(&buf, "items", list); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(processCPU()-cpu)/float64(b.N), "cpu-ns/op")
	})
	b.Run("written", func(b *testing.B) {
		b.ReportAllocs()
		cpu := processCPU()
		for b.Loop() {
			_ = list.HTML()
		}
		b.ReportMetric(float64(processCPU()-cpu)/float64(b.N), "cpu-ns/op")
	})
}

// processCPU is the user and system time of every thread of the process:
// steadier than wall time on a shared machine.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
