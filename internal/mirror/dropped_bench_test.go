package mirror

import (
	"bytes"
	"fmt"
	"testing"
)

// BenchmarkDroppedLocs finds the address an edit dropped from a sitemap
// part as large as they are at 100,000 entries in three languages
// (10,000 addresses, 5.9 MB): what an incremental export adds for each
// part it rewrites.
func BenchmarkDroppedLocs(b *testing.B) {
	part := func(moved int) []byte {
		var buf bytes.Buffer
		buf.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">` + "\n")
		for i := range 10_000 {
			slug := fmt.Sprintf("community-data-needle-safety-%d", i)
			if i == moved {
				slug += "-moved"
			}
			fmt.Fprintf(&buf, " <url>\n  <loc>https://bench.example/en/articles/%s</loc>\n  <lastmod>2024-01-29T01:09:32Z</lastmod>\n", slug)
			for _, l := range []string{"en", "ru", "fr"} {
				fmt.Fprintf(&buf, `  <xhtml:link rel="alternate" hreflang="%s" href="https://bench.example/%s/articles/снижение-доклад-аутрич-кампания-%s"></xhtml:link>`+"\n", l, l, slug)
			}
			buf.WriteString(" </url>\n")
		}
		buf.WriteString("</urlset>\n")
		return buf.Bytes()
	}
	old, now := part(-1), part(5000)
	b.SetBytes(int64(len(old)))
	for b.Loop() {
		if got := droppedLocs(old, now); len(got) != 1 {
			b.Fatalf("dropped %v", got)
		}
	}
}
