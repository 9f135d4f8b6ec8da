package content

import (
	"bytes"
	"html/template"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// The "items" partial, executed by html/template, against the same rows
// written by plain Go with the escaping html/template applies in each
// context: what a compiled template (such as templ generates) could make
// of a listing's rows, measured before proposing one (issue 23). The
// written form must give the same bytes, or the comparison says nothing.
func BenchmarkItemRows(b *testing.B) {
	tmpl := template.Must(template.New("").ParseFS(templates, "templates/_items.html"))
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
	var want, got bytes.Buffer
	if err := tmpl.ExecuteTemplate(&want, "items", list); err != nil {
		b.Fatal(err)
	}
	writeItemRows(&got, list)
	if got.String() != want.String() {
		b.Fatalf("written rows differ from the template's:\n%s\n---\n%s", got.String(), want.String())
	}
	b.Run("html-template", func(b *testing.B) {
		b.ReportAllocs()
		var buf bytes.Buffer
		cpu := processCPU()
		for b.Loop() {
			buf.Reset()
			if err := tmpl.ExecuteTemplate(&buf, "items", list); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(processCPU()-cpu)/float64(b.N), "cpu-ns/op")
	})
	b.Run("written", func(b *testing.B) {
		b.ReportAllocs()
		var buf bytes.Buffer
		cpu := processCPU()
		for b.Loop() {
			buf.Reset()
			writeItemRows(&buf, list)
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

// writeItemRows is _items.html written by hand. Text and attribute values
// are escaped as html/template escapes them there; the URLs in this
// benchmark need no normalising.
func writeItemRows(w *bytes.Buffer, l itemList) {
	esc := template.HTMLEscapeString
	w.WriteString("\n<ol class=\"items\">")
	for _, r := range l.Rows {
		w.WriteString("\n  <li class=\"item")
		if r.Thumb != nil {
			w.WriteString(" with-thumb")
		}
		w.WriteString("\"")
		if r.LangName != "" {
			w.WriteString(" lang=\"" + esc(r.Lang) + "\"")
		}
		w.WriteString(">")
		if r.Thumb != nil {
			w.WriteString("\n    <img class=\"item-thumb\" src=\"" + esc(r.Thumb.URL) + "\" width=\"" + strconv.Itoa(r.Thumb.Width) +
				"\" height=\"" + strconv.Itoa(r.Thumb.Height) + "\" alt=\"\" loading=\"lazy\" decoding=\"async\">")
		}
		w.WriteString("\n    <p class=\"meta\">")
		if r.LangName != "" {
			w.WriteString("<span class=\"badge\" lang=\"" + esc(l.PageLang) + "\">" + esc(l.UntranslatedIn) + "</span> " + esc(r.LangName) + " · ")
		}
		w.WriteString("<span class=\"kind\">" + esc(r.KindName) + "</span> · <time datetime=\"" + esc(r.DateISO) + "\">" + esc(r.Date) + "</time>")
		if r.Archived {
			w.WriteString(" · <span class=\"badge\">" + esc(l.ArchivedLabel) + "</span>")
		}
		w.WriteString("</p>\n    ")
		h := "h3"
		if l.Level == 2 {
			h = "h2"
		}
		w.WriteString("<" + h + "><a href=\"" + esc(r.URL) + "\">" + esc(r.Title) + "</a></" + h + ">")
		for _, n := range r.Notes {
			w.WriteString("\n    " + string(n))
		}
		if r.Summary != "" {
			w.WriteString("\n    <p>" + esc(r.Summary) + "</p>")
		}
		w.WriteString("\n    <p><a href=\"" + esc(r.URL) + "\" class=\"more\">" + esc(l.ReadMore) + "<span class=\"visually-hidden\">: " + esc(r.Title) + "</span></a></p>\n  </li>")
	}
	w.WriteString("\n</ol>\n")
}
