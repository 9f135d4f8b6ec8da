// Command wxrgen writes a synthetic WordPress export for the import
// benchmark: posts in English and French (Polylang groups), with block-
// editor markup, captions, galleries, embeds, categories with parents,
// tags, authors, comments and menu items, about 6 KB a post.
//
//	go run ./scripts/wxrgen -posts 10000 -o /tmp/wp-10k.xml
package main

import (
	"bufio"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"time"
)

var words = strings.Fields(`harm reduction naloxone peer network community rights health access policy
advocacy support people drugs services dignity prison decriminalisation stigma outreach housing
funding report guide webinar statement members regional global voices action campaign justice
treatment testing overdose prevention education partners solidarity research evidence law reform`)

func main() {
	posts := flag.Int("posts", 10000, "posts to write, half in English and half their French translations")
	out := flag.String("o", "wp-export.xml", "output `file`")
	flag.Parse()
	f, err := os.Create(*out)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	rng := rand.New(rand.NewPCG(1, 2)) // #nosec G404 -- generated test data, not a secret
	write(w, rng, *posts)
	if err := w.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := f.Close(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	st, _ := os.Stat(*out)
	fmt.Printf("wrote %s: %d posts, %.1f MB\n", *out, *posts, float64(st.Size())/1e6)
}

func sentence(rng *rand.Rand, n int) string {
	ws := make([]string, n)
	for i := range ws {
		ws[i] = words[rng.IntN(len(words))]
	}
	s := strings.Join(ws, " ")
	return strings.ToUpper(s[:1]) + s[1:] + "."
}

func paragraph(rng *rand.Rand) string {
	var b strings.Builder
	for range 4 + rng.IntN(5) {
		b.WriteString(sentence(rng, 8+rng.IntN(10)))
		b.WriteString(" ")
	}
	return strings.TrimSpace(b.String())
}

const (
	categories = 60
	tags       = 300
	authors    = 8
)

func write(w *bufio.Writer, rng *rand.Rand, posts int) {
	w.WriteString(`<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" xmlns:content="http://purl.org/rss/1.0/modules/content/"
	xmlns:wfw="http://wellformedweb.org/CommentAPI/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
	<title>Bench Network</title>
	<link>https://bench.example.org</link>
	<language>en-US</language>
	<wp:wxr_version>1.2</wp:wxr_version>
	<wp:base_site_url>https://bench.example.org</wp:base_site_url>
	<wp:base_blog_url>https://bench.example.org</wp:base_blog_url>
`)
	for i := 1; i <= authors; i++ {
		fmt.Fprintf(w, "\t<wp:author><wp:author_id>%d</wp:author_id><wp:author_login><![CDATA[author%d]]></wp:author_login><wp:author_email><![CDATA[author%d@bench.example.org]]></wp:author_email><wp:author_display_name><![CDATA[Author %d]]></wp:author_display_name></wp:author>\n", i, i, i, i)
	}
	// Categories: English and French, every fifth a child of the one before.
	for i := 1; i <= categories; i++ {
		parent := ""
		if i%5 == 0 {
			parent = fmt.Sprintf("topic-%d", i-1)
		}
		fmt.Fprintf(w, "\t<wp:category><wp:term_id>%d</wp:term_id><wp:category_nicename><![CDATA[topic-%d]]></wp:category_nicename><wp:category_parent><![CDATA[%s]]></wp:category_parent><wp:cat_name><![CDATA[Topic %d]]></wp:cat_name></wp:category>\n", i, i, parent, i)
		fmt.Fprintf(w, "\t<wp:category><wp:term_id>%d</wp:term_id><wp:category_nicename><![CDATA[sujet-%d]]></wp:category_nicename><wp:category_parent><![CDATA[]]></wp:category_parent><wp:cat_name><![CDATA[Sujet %d]]></wp:cat_name></wp:category>\n", 1000+i, i, i)
	}
	for i := 1; i <= tags; i++ {
		fmt.Fprintf(w, "\t<wp:tag><wp:term_id>%d</wp:term_id><wp:tag_slug><![CDATA[tag-%d]]></wp:tag_slug><wp:tag_name><![CDATA[%s %d]]></wp:tag_name></wp:tag>\n", 2000+i, i, words[i%len(words)], i)
	}
	w.WriteString("\t<wp:term><wp:term_id>5001</wp:term_id><wp:term_taxonomy>language</wp:term_taxonomy><wp:term_slug>en</wp:term_slug><wp:term_name>English</wp:term_name></wp:term>\n")
	w.WriteString("\t<wp:term><wp:term_id>5002</wp:term_id><wp:term_taxonomy>language</wp:term_taxonomy><wp:term_slug>fr</wp:term_slug><wp:term_name>Français</wp:term_name></wp:term>\n")
	for i := 1; i <= categories; i++ {
		fmt.Fprintf(w, "\t<wp:term><wp:term_id>%d</wp:term_id><wp:term_taxonomy>term_translations</wp:term_taxonomy><wp:term_slug>pll_cat%d</wp:term_slug><wp:term_description><![CDATA[a:2:{s:2:\"en\";i:%d;s:2:\"fr\";i:%d;}]]></wp:term_description></wp:term>\n", 6000+i, i, i, 1000+i)
	}
	groups := posts / 2
	for g := 1; g <= groups; g++ {
		en, fr := 10000+2*g, 10001+2*g
		fmt.Fprintf(w, "\t<wp:term><wp:term_id>%d</wp:term_id><wp:term_taxonomy>post_translations</wp:term_taxonomy><wp:term_slug>pll_p%d</wp:term_slug><wp:term_description><![CDATA[a:2:{s:2:\"en\";i:%d;s:2:\"fr\";i:%d;}]]></wp:term_description></wp:term>\n", 100000+g, g, en, fr)
	}
	start := time.Date(2014, 1, 1, 9, 0, 0, 0, time.UTC)
	for g := 1; g <= groups; g++ {
		when := start.Add(time.Duration(g) * 11 * time.Hour)
		cat := 1 + rng.IntN(categories)
		var tagRefs []int
		for range 1 + rng.IntN(5) {
			tagRefs = append(tagRefs, 1+rng.IntN(tags))
		}
		title := sentence(rng, 4+rng.IntN(6))
		title = title[:len(title)-1]
		body := postBody(rng, g)
		order := []struct {
			lang string
			id   int
		}{{"en", 10000 + 2*g}, {"fr", 10001 + 2*g}}
		if g%10 == 0 { // now and then the translation comes first
			order[0], order[1] = order[1], order[0]
		}
		for _, o := range order {
			lang, id := o.lang, o.id
			slug, catSlug, t := fmt.Sprintf("post-%d", g), fmt.Sprintf("topic-%d", cat), title
			path := fmt.Sprintf("/%d/%02d/%02d/post-%d/", when.Year(), when.Month(), when.Day(), g)
			if lang == "fr" {
				slug, catSlug, t = fmt.Sprintf("article-%d", g), fmt.Sprintf("sujet-%d", cat), "FR: "+title
				path = fmt.Sprintf("/fr/%d/%02d/%02d/article-%d/", when.Year(), when.Month(), when.Day(), g)
			}
			fmt.Fprintf(w, `	<item>
		<title><![CDATA[%s]]></title>
		<link>https://bench.example.org%s</link>
		<pubDate>%s</pubDate>
		<dc:creator><![CDATA[author%d]]></dc:creator>
		<guid isPermaLink="false">https://bench.example.org/?p=%d</guid>
		<description></description>
		<content:encoded><![CDATA[%s]]></content:encoded>
		<excerpt:encoded><![CDATA[%s]]></excerpt:encoded>
		<wp:post_id>%d</wp:post_id>
		<wp:post_date><![CDATA[%s]]></wp:post_date>
		<wp:post_date_gmt><![CDATA[%s]]></wp:post_date_gmt>
		<wp:comment_status><![CDATA[open]]></wp:comment_status>
		<wp:post_name><![CDATA[%s]]></wp:post_name>
		<wp:status><![CDATA[publish]]></wp:status>
		<wp:post_parent>0</wp:post_parent>
		<wp:menu_order>0</wp:menu_order>
		<wp:post_type><![CDATA[post]]></wp:post_type>
		<wp:post_password><![CDATA[]]></wp:post_password>
		<wp:is_sticky>0</wp:is_sticky>
		<category domain="language" nicename="%s"><![CDATA[%s]]></category>
		<category domain="post_translations" nicename="pll_p%d"><![CDATA[pll_p%d]]></category>
		<category domain="category" nicename="%s"><![CDATA[Topic]]></category>
`, t, path, when.Format(time.RFC1123Z), 1+g%authors, id, body, sentence(rng, 20), id,
				when.Format("2006-01-02 15:04:05"), when.Format("2006-01-02 15:04:05"), slug, lang, lang, g, g, catSlug)
			for _, tg := range tagRefs {
				fmt.Fprintf(w, "\t\t<category domain=\"post_tag\" nicename=\"tag-%d\"><![CDATA[Tag]]></category>\n", tg)
			}
			w.WriteString("\t\t<wp:postmeta><wp:meta_key><![CDATA[_edit_last]]></wp:meta_key><wp:meta_value><![CDATA[1]]></wp:meta_value></wp:postmeta>\n")
			if g%7 == 0 {
				w.WriteString("\t\t<wp:comment><wp:comment_id>1</wp:comment_id><wp:comment_content><![CDATA[Thank you!]]></wp:comment_content></wp:comment>\n")
			}
			w.WriteString("\t</item>\n")
		}
	}
	w.WriteString("</channel>\n</rss>\n")
}

// postBody is block-editor markup of about 6 KB.
func postBody(rng *rand.Rand, g int) string {
	var b strings.Builder
	for i := range 8 {
		switch {
		case i == 2:
			fmt.Fprintf(&b, "<!-- wp:heading -->\n<h2 class=\"wp-block-heading\">%s</h2>\n<!-- /wp:heading -->\n\n", sentence(rng, 5))
		case i == 3 && g%3 == 0:
			fmt.Fprintf(&b, "<!-- wp:image {\"id\":%d,\"sizeSlug\":\"large\"} -->\n<figure class=\"wp-block-image size-large\"><img src=\"https://bench.example.org/wp-content/uploads/2020/01/photo-%d.jpg\" alt=\"%s\" class=\"wp-image-%d\"/><figcaption class=\"wp-element-caption\">%s</figcaption></figure>\n<!-- /wp:image -->\n\n", g, g, sentence(rng, 4), g, sentence(rng, 6))
		case i == 4:
			b.WriteString("<!-- wp:list -->\n<ul class=\"wp-block-list\">")
			for range 4 {
				fmt.Fprintf(&b, "<!-- wp:list-item -->\n<li>%s</li>\n<!-- /wp:list-item -->", sentence(rng, 7))
			}
			b.WriteString("</ul>\n<!-- /wp:list -->\n\n")
		case i == 5 && g%4 == 0:
			fmt.Fprintf(&b, "<!-- wp:quote -->\n<blockquote class=\"wp-block-quote\"><!-- wp:paragraph -->\n<p>%s</p>\n<!-- /wp:paragraph --><cite>%s</cite></blockquote>\n<!-- /wp:quote -->\n\n", sentence(rng, 15), sentence(rng, 2))
		case i == 6 && g%5 == 0:
			b.WriteString("<!-- wp:embed {\"url\":\"https://www.youtube.com/watch?v=abc\",\"type\":\"video\"} -->\n<figure class=\"wp-block-embed is-type-video\"><div class=\"wp-block-embed__wrapper\">\nhttps://www.youtube.com/watch?v=abc\n</div></figure>\n<!-- /wp:embed -->\n\n")
		case i == 7 && g%6 == 0:
			b.WriteString("<!-- wp:buttons -->\n<div class=\"wp-block-buttons\"><!-- wp:button -->\n<div class=\"wp-block-button\"><a class=\"wp-block-button__link wp-element-button\" href=\"https://bench.example.org/donate/\">Donate</a></div>\n<!-- /wp:button --></div>\n<!-- /wp:buttons -->\n\n")
		case i == 7 && g%11 == 0:
			b.WriteString("<!-- wp:shortcode -->\n[contact-form-7 id=\"12\" title=\"Contact\"]\n<!-- /wp:shortcode -->\n\n")
		default:
			fmt.Fprintf(&b, "<!-- wp:paragraph -->\n<p>%s <strong>%s</strong> <a href=\"https://bench.example.org/%s/\">%s</a>.</p>\n<!-- /wp:paragraph -->\n\n",
				paragraph(rng), sentence(rng, 3), words[rng.IntN(len(words))], words[rng.IntN(len(words))])
		}
	}
	return b.String()
}
