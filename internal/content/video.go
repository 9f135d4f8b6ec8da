package content

// Videos: a link to a video on its own line (or an event's recording)
// becomes a poster that makes no request to the video's site until the
// reader asks for it.
//
// The poster is a plain placeholder drawn by the site's own stylesheet,
// with the title and the provider's name, not the provider's thumbnail.
// Hot-linking the thumbnail would tell the video site about every reader;
// fetching it once on the server when the editor saves would not, but it
// would make the server call the video site for every linked video (which
// tells the site the server's address and what the network links to), add
// a background job, blobs to keep and delete, and an image to each page's
// weight budget (30 KB) — for a picture the reader gets a moment after
// pressing play anyway. A placeholder costs a few bytes of CSS.
//
// Without JavaScript the poster is a link to the video's page. With it
// (static/video.js), pressing the poster replaces it with the provider's
// player: youtube-nocookie.com for YouTube, Vimeo's player with "do not
// track", a PeerTube instance's own embed, or a <video> element for a
// direct .mp4 or .webm file.

import (
	"html"
	"html/template"
	"net/url"
	"path"
	"regexp"
	"strconv"
	"strings"

	"peerpress/internal/i18n"
)

// Video is a link recognised as a video.
type Video struct {
	URL      string // the link as written, for readers without JavaScript
	Embed    string // the player's address, loaded only when the reader asks
	File     bool   // Embed is a video file for a <video> element, not a page for a frame
	Provider string // "YouTube", "Vimeo", "PeerTube", or the file's host
	Host     string // the host the player loads from
}

var (
	youtubeID  = regexp.MustCompile(`^[A-Za-z0-9_-]{11}$`)
	vimeoID    = regexp.MustCompile(`^[0-9]{1,12}$`)
	vimeoHash  = regexp.MustCompile(`^[0-9a-f]{6,20}$`)
	peertubeID = regexp.MustCompile(`^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[1-9A-HJ-NP-Za-km-z]{22})$`)
	hostName   = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$`)
)

// ParseVideo recognises a link to a video on YouTube, Vimeo or a PeerTube
// instance, or to an .mp4 or .webm file, served over HTTPS (a player
// loaded into an HTTPS page must be). Anything else is not a video.
func ParseVideo(raw string) (Video, bool) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Scheme != "https" || u.User != nil || u.Port() != "" {
		return Video{}, false
	}
	host := strings.ToLower(u.Hostname())
	if !hostName.MatchString(host) {
		return Video{}, false
	}
	segs := strings.Split(strings.Trim(u.Path, "/"), "/")
	v := Video{URL: u.String()}
	switch strings.TrimPrefix(host, "www.") {
	case "youtube.com", "m.youtube.com", "youtube-nocookie.com", "youtu.be":
		var id string
		switch {
		case host == "youtu.be" && len(segs) == 1:
			id = segs[0]
		case len(segs) == 1 && segs[0] == "watch":
			id = u.Query().Get("v")
		case len(segs) == 2 && (segs[0] == "embed" || segs[0] == "shorts" || segs[0] == "live"):
			id = segs[1]
		}
		if !youtubeID.MatchString(id) {
			return Video{}, false
		}
		v.Embed = "https://www.youtube-nocookie.com/embed/" + id + "?autoplay=1"
		if s := youtubeStart(u.Query().Get("t")); s > 0 {
			v.Embed += "&start=" + strconv.Itoa(s)
		}
		v.Provider, v.Host = "YouTube", "www.youtube-nocookie.com"
		return v, true
	case "vimeo.com", "player.vimeo.com":
		if host == "player.vimeo.com" {
			if len(segs) < 2 || segs[0] != "video" {
				return Video{}, false
			}
			segs = segs[1:]
		}
		if len(segs) == 0 || len(segs) > 2 || !vimeoID.MatchString(segs[0]) {
			return Video{}, false
		}
		v.Embed = "https://player.vimeo.com/video/" + segs[0] + "?dnt=1&autoplay=1"
		// An unlisted video's address carries its key.
		if h := u.Query().Get("h"); len(segs) == 1 && vimeoHash.MatchString(h) {
			v.Embed += "&h=" + h
		} else if len(segs) == 2 {
			if !vimeoHash.MatchString(segs[1]) {
				return Video{}, false
			}
			v.Embed += "&h=" + segs[1]
		}
		v.Provider, v.Host = "Vimeo", "player.vimeo.com"
		return v, true
	}
	// PeerTube: any instance, recognised by its addresses' shape.
	var id string
	switch {
	case len(segs) == 2 && segs[0] == "w":
		id = segs[1]
	case len(segs) == 3 && segs[0] == "videos" && (segs[1] == "watch" || segs[1] == "embed"):
		id = segs[2]
	}
	if peertubeID.MatchString(id) {
		v.Embed = "https://" + host + "/videos/embed/" + id + "?autoplay=1&warningTitle=0"
		v.Provider, v.Host = "PeerTube", host
		return v, true
	}
	switch strings.ToLower(path.Ext(u.Path)) {
	case ".mp4", ".webm":
		v.Embed, v.File = u.String(), true
		v.Provider, v.Host = host, host
		return v, true
	}
	return Video{}, false
}

// youtubeStart reads YouTube's start time ("90", "90s", "1m30s"), in
// seconds; 0 when there is none or it cannot be read.
func youtubeStart(t string) int {
	if n, err := strconv.Atoi(t); err == nil && n > 0 {
		return n
	}
	total, n := 0, 0
	for _, c := range t {
		switch {
		case '0' <= c && c <= '9':
			n = n*10 + int(c-'0')
			if n > 1e6 {
				return 0
			}
		case c == 'h':
			total, n = total+n*3600, 0
		case c == 'm':
			total, n = total+n*60, 0
		case c == 's':
			total, n = total+n, 0
		default:
			return 0
		}
	}
	if n != 0 {
		return 0
	}
	return total
}

// VideoPoster is the poster for v: a link to the video, which
// static/video.js turns into its player. title names the video; when
// empty, "Video". The page that shows it loads static/video.js.
func VideoPoster(v Video, title string, loc *i18n.Localizer) template.HTML {
	if title == "" {
		title = loc.T("video.untitled")
	}
	kind := "frame"
	if v.File {
		kind = "file"
	}
	e := template.HTMLEscapeString
	var b strings.Builder
	b.WriteString(`<figure class="video" data-video-embed="` + e(v.Embed) + `" data-video-kind="` + kind + `">`)
	b.WriteString(`<a class="video-poster" href="` + e(v.URL) + `" rel="noreferrer">`)
	b.WriteString(`<span class="video-play" aria-hidden="true"></span>`)
	b.WriteString(`<span class="video-title">` + e(title) + `</span>`)
	b.WriteString(`<span class="video-provider">` + e(loc.T("video.provider", "Provider", v.Provider)) + `</span></a>`)
	b.WriteString(`<figcaption>` + e(loc.T("video.notice", "Host", v.Host)) + `</figcaption></figure>`)
	return template.HTML(b.String()) // #nosec G203 -- every value was escaped with e() as it was written
}

// videoLine finds a paragraph that is a single link, as Markdown.Render
// writes it once sanitized: the href escaped, rel="noreferrer", the text
// escaped.
var videoLine = regexp.MustCompile(`<p><a href="([^"<>]*)" rel="noreferrer">([^<>]*)</a></p>`)

// VideoPosters replaces, in body as Markdown.Render wrote it, each
// paragraph that is only a link to a video with the video's poster, and
// reports whether there was any. A link whose text is its address is
// titled "Video"; another keeps its text as the title.
func VideoPosters(body template.HTML, loc *i18n.Localizer) (template.HTML, bool) {
	found := false
	out := videoLine.ReplaceAllStringFunc(string(body), func(p string) string {
		m := videoLine.FindStringSubmatch(p)
		href, text := html.UnescapeString(m[1]), html.UnescapeString(m[2])
		v, ok := ParseVideo(href)
		if !ok {
			return p
		}
		found = true
		if text == href {
			text = ""
		}
		return string(VideoPoster(v, text, loc))
	})
	return template.HTML(out), found // #nosec G203 -- built by VideoPoster, which escapes every value
}
