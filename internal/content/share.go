package content

import (
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"peerpress/internal/db"
	"peerpress/internal/sharecard"
	"peerpress/internal/web"
)

// Sharing: the image social networks show with a link to an entry, a
// campaign's hashtags, and links that share a campaign. The image is
// drawn by the sharecard package; what it shows, and who may see it, is
// decided here, beside the entry pages it belongs to.

// CardDrawer draws sharing images; the sharecard package provides it.
type CardDrawer interface {
	PNG(c sharecard.Card) ([]byte, error)
}

// shareSegment is a kind's segment in sharing addresses: its own, and
// "pages" for pages, which have none.
func shareSegment(k Kind) string {
	if k == Page {
		return "pages"
	}
	return k.Segment()
}

func kindOfShareSegment(seg string) (Kind, bool) {
	for _, k := range Kinds() {
		if shareSegment(k) == seg {
			return k, true
		}
	}
	return "", false
}

// SharePagesOf lists the sharing pages of the entry whose page is at
// path (/{lang}/{kind}/{slug}, or /{lang}/{slug} for a page): its sharing
// image and a campaign's share links, which go with the page when its
// address is no longer public (a slug changed); nil for another path.
func SharePagesOf(path string) []string {
	parts := strings.Split(strings.TrimPrefix(path, "/"), "/")
	kind, lang, slug := Page, parts[0], parts[len(parts)-1]
	switch {
	case len(parts) == 3:
		k, ok := kindOfShareSegment(parts[1])
		if !ok || k == Page {
			return nil
		}
		kind = k
	case len(parts) != 2:
		return nil
	}
	if lang == "" || slug == "" {
		return nil
	}
	return append([]string{ShareImageURL(kind, lang, slug)}, shareToURLs(kind, lang, slug)...)
}

// ShareImageURL is the address of the sharing image of an entry's
// translation: /{lang}/share/{kind}/{slug}.png.
func ShareImageURL(kind Kind, lang, slug string) string {
	return "/" + lang + "/share/" + shareSegment(kind) + "/" + slug + ".png"
}

// SiteCardURL is the address of the site's own sharing image in lang, for
// pages that are not entries.
func SiteCardURL(lang string) string { return "/" + lang + "/share/site.png" }

// SiteCard gives the path and size of the site's sharing image in lang,
// as web.Renderer.ShareImage wants it.
func SiteCard(lang string) (string, int, int) {
	return SiteCardURL(lang), sharecard.Width, sharecard.Height
}

// ShareImage serves /{lang}/share/{kind}/{slug}.png: the entry's title
// and the site's name, for readers' posts on social networks. Like the
// entry's page, it exists only while the translation is visible.
func (p *Public) ShareImage(w http.ResponseWriter, r *http.Request) error {
	lang := web.Lang(r)
	kind, ok := kindOfShareSegment(r.PathValue("kind"))
	slug, png := strings.CutSuffix(r.PathValue("file"), ".png")
	if !ok || !png || p.Cards == nil {
		return web.NotFound()
	}
	e, err := p.store.BySlug(r.Context(), lang, slug)
	if errors.Is(err, db.ErrNotFound) {
		return web.NotFound()
	}
	if err != nil {
		return err
	}
	t, _ := e.Translation(lang)
	if e.Kind != kind || !t.Visible(p.store.now()) {
		return web.NotFound()
	}
	return p.card(w, r, t.Title, lang)
}

// SiteShareImage serves /{lang}/share/site.png: the site's name alone.
func (p *Public) SiteShareImage(w http.ResponseWriter, r *http.Request) error {
	lang := web.Lang(r)
	if p.Cards == nil {
		return web.NotFound()
	}
	return p.card(w, r, "", lang)
}

func (p *Public) card(w http.ResponseWriter, r *http.Request, title, lang string) error {
	l, _ := p.rd.I18n().Get(lang)
	c := sharecard.Card{Title: title, Site: p.rd.SiteName, Lang: lang, RTL: l.RTL()}
	h := w.Header()
	h.Set("Cache-Control", "public, max-age=86400")
	h.Set("ETag", c.ETag())
	if match := r.Header.Get("If-None-Match"); match != "" && strings.Contains(match, c.ETag()) {
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	img, err := p.Cards.PNG(c)
	if err != nil {
		return err
	}
	h.Set("Content-Type", "image/png")
	_, err = w.Write(img)
	return err
}

// hashtagRe finds #Hashtags in a text: a # not inside a word, a URL, a
// link target or an HTML entity, followed by letters, digits or
// underscores with at least one letter.
var hashtagRe = regexp.MustCompile(`(?:^|[^\p{L}\p{N}_&/#(\[\]])#([\p{L}\p{M}\p{N}_]*\p{L}[\p{L}\p{M}\p{N}_]*)`)

// maxHashtags bounds how many hashtags a campaign shows.
const maxHashtags = 5

// Hashtags lists the #hashtags found in the texts, without the #, in
// order of appearance, each once whatever its case.
func Hashtags(texts ...string) []string {
	var out []string
	seen := map[string]bool{}
	for _, text := range texts {
		for _, m := range hashtagRe.FindAllStringSubmatch(text, -1) {
			key := strings.ToLower(m[1])
			if seen[key] || len(out) == maxHashtags {
				continue
			}
			seen[key] = true
			out = append(out, m[1])
		}
	}
	return out
}

// shareLink is one way to share a campaign.
type shareLink struct {
	Name string
	URL  string
}

// shareNetworks are where a campaign can be shared, in the order the page
// lists them, each with the address its share form takes. The page links
// to the site's own /…/share/…/{network} address, which sends the reader
// on: nothing on the page refers to another host, and nothing is fetched
// from one unless the reader follows the link.
var shareNetworks = []struct {
	ID, Name string
	target   func(u, text string, tags []string) string
}{
	{"x", "X", func(u, text string, tags []string) string {
		return "https://x.com/intent/tweet?" + url.Values{"url": {u}, "text": {text}, "hashtags": {strings.Join(tags, ",")}}.Encode()
	}},
	{"bluesky", "Bluesky", func(u, text string, tags []string) string {
		return "https://bsky.app/intent/compose?" + url.Values{"text": {withTags(text, tags) + " " + u}}.Encode()
	}},
	{"facebook", "Facebook", func(u, _ string, _ []string) string {
		return "https://www.facebook.com/sharer/sharer.php?" + url.Values{"u": {u}}.Encode()
	}},
	{"telegram", "Telegram", func(u, text string, tags []string) string {
		return "https://t.me/share/url?" + url.Values{"url": {u}, "text": {withTags(text, tags)}}.Encode()
	}},
	{"whatsapp", "WhatsApp", func(u, text string, tags []string) string {
		return "https://wa.me/?" + url.Values{"text": {withTags(text, tags) + " " + u}}.Encode()
	}},
	{"linkedin", "LinkedIn", func(u, _ string, _ []string) string {
		return "https://www.linkedin.com/sharing/share-offsite/?" + url.Values{"url": {u}}.Encode()
	}},
}

func withTags(text string, tags []string) string {
	for _, t := range tags {
		text += " #" + t
	}
	return text
}

// shareToURLs are the addresses of a campaign's share links, one per
// network (ShareTo); none for the other kinds.
func shareToURLs(kind Kind, lang, slug string) []string {
	if kind != Campaign {
		return nil
	}
	base := "/" + lang + "/share/" + shareSegment(kind) + "/" + slug + "/"
	out := make([]string, len(shareNetworks))
	for i, n := range shareNetworks {
		out[i] = base + n.ID
	}
	return out
}

// shareLinks lists the campaign's share links: the site's own addresses
// for each network, and an email.
func (p *Public) shareLinks(page web.Page, kind Kind, t Translation, tags []string) []shareLink {
	base := "/" + t.Lang + "/share/" + shareSegment(kind) + "/" + t.Slug + "/"
	out := make([]shareLink, 0, len(shareNetworks)+1)
	for _, n := range shareNetworks {
		out = append(out, shareLink{Name: n.Name, URL: base + n.ID})
	}
	mail := "mailto:?" + strings.ReplaceAll(url.Values{"subject": {t.Title}, "body": {withTags(t.Summary, tags) + "\n\n" + page.Origin + URL(kind, t.Lang, t.Slug)}}.Encode(), "+", "%20")
	return append(out, shareLink{Name: page.L.T("entry.share_email"), URL: mail})
}

// ShareTo serves /{lang}/share/{kind}/{slug}/{network}: it sends the
// reader to the network's share form, filled in with the campaign's
// address, title and hashtags. It only ever leads to a known network and
// a visible campaign, so it cannot be used to send people elsewhere.
func (p *Public) ShareTo(w http.ResponseWriter, r *http.Request) error {
	lang := web.Lang(r)
	kind, ok := kindOfShareSegment(r.PathValue("kind"))
	if !ok || kind != Campaign {
		return web.NotFound()
	}
	e, err := p.store.BySlug(r.Context(), lang, r.PathValue("slug"))
	if errors.Is(err, db.ErrNotFound) {
		return web.NotFound()
	}
	if err != nil {
		return err
	}
	t, _ := e.Translation(lang)
	if e.Kind != kind || !t.Visible(p.store.now()) {
		return web.NotFound()
	}
	for _, n := range shareNetworks {
		if n.ID == r.PathValue("network") {
			target := n.target(web.Origin(p.rd.BaseURL, r)+URL(kind, lang, t.Slug), t.Title, Hashtags(t.Summary, t.Body))
			w.Header().Set("Cache-Control", "no-store")
			http.Redirect(w, r, target, http.StatusFound)
			return nil
		}
	}
	return web.NotFound()
}
