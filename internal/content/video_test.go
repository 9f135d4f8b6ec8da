package content

import (
	"strings"
	"testing"

	"peerpress/internal/i18n"
)

func TestParseVideo(t *testing.T) {
	for _, tc := range []struct {
		in, embed, provider string
		file                bool
	}{
		{"https://www.youtube.com/watch?v=dQw4w9WgXcQ", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1", "YouTube", false},
		{"https://youtu.be/dQw4w9WgXcQ?t=1m30s", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1&start=90", "YouTube", false},
		{"https://m.youtube.com/watch?v=dQw4w9WgXcQ&t=42", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1&start=42", "YouTube", false},
		{"https://www.youtube.com/shorts/dQw4w9WgXcQ", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1", "YouTube", false},
		{"https://vimeo.com/76979871", "https://player.vimeo.com/video/76979871?dnt=1&autoplay=1", "Vimeo", false},
		{"https://vimeo.com/76979871/8272103f6e", "https://player.vimeo.com/video/76979871?dnt=1&autoplay=1&h=8272103f6e", "Vimeo", false},
		{"https://player.vimeo.com/video/76979871", "https://player.vimeo.com/video/76979871?dnt=1&autoplay=1", "Vimeo", false},
		{"https://framatube.org/w/9c9de5e8-0a1e-484a-b099-e80766180a6d", "https://framatube.org/videos/embed/9c9de5e8-0a1e-484a-b099-e80766180a6d?autoplay=1&warningTitle=0", "PeerTube", false},
		{"https://peertube.example.net/w/kkGMgK9ZtnKfYAgnEtQxbv", "https://peertube.example.net/videos/embed/kkGMgK9ZtnKfYAgnEtQxbv?autoplay=1&warningTitle=0", "PeerTube", false},
		{"https://tube.example.org/videos/watch/9c9de5e8-0a1e-484a-b099-e80766180a6d", "https://tube.example.org/videos/embed/9c9de5e8-0a1e-484a-b099-e80766180a6d?autoplay=1&warningTitle=0", "PeerTube", false},
		{"https://files.example.org/talks/opening.MP4", "https://files.example.org/talks/opening.MP4", "files.example.org", true},
		{"https://files.example.org/talks/opening.webm?x=1", "https://files.example.org/talks/opening.webm?x=1", "files.example.org", true},
	} {
		v, ok := ParseVideo(tc.in)
		if !ok || v.Embed != tc.embed || v.Provider != tc.provider || v.File != tc.file {
			t.Errorf("ParseVideo(%q) = %+v, %v; want embed %q, provider %q", tc.in, v, ok, tc.embed, tc.provider)
		}
	}
	for _, in := range []string{
		"http://www.youtube.com/watch?v=dQw4w9WgXcQ",           // not HTTPS
		"https://www.youtube.com/watch?v=short",                // not an id
		"https://www.youtube.com/watch?v=dQw4w9WgXcQ\"><x",     // not an id
		"https://www.youtube.com/channel/UCabc",                // a channel
		"https://vimeo.com/channels/staffpicks",                // not a video
		"https://example.org/w/not-a-video",                    // an ordinary page
		"https://example.org/report.pdf",                       // a document
		"https://user@files.example.org/a.mp4",                 // credentials
		"https://files.example.org:8443/a.mp4",                 // a port
		"javascript:alert(1)//.mp4",                            // not a link
		"https://evil.example/videos/embed/\"onload=x",         // not an id
		"https://youtube.com.evil.example/watch?v=dQw4w9WgXcQ", // not YouTube, and not a video's shape
	} {
		if v, ok := ParseVideo(in); ok {
			t.Errorf("ParseVideo(%q) = %+v, want not a video", in, v)
		}
	}
}

func TestVideoPosters(t *testing.T) {
	b, err := i18n.New([]string{"en", "ar"})
	if err != nil {
		t.Fatal(err)
	}
	md := NewMarkdown()
	src := "Intro https://www.youtube.com/watch?v=dQw4w9WgXcQ inline stays a link.\n\n" +
		"https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=42\n\n" +
		"[Our film & \"more\"](https://vimeo.com/76979871)\n\n" +
		"https://example.org/not-a-video\n"
	body, found := VideoPosters(md.Render(src), b.Localizer("en"))
	if !found {
		t.Fatal("no video found")
	}
	got := string(body)
	for _, want := range []string{
		`Intro <a href="https://www.youtube.com/watch?v=dQw4w9WgXcQ" rel="noreferrer">`,
		`<figure class="video" data-video-embed="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1&amp;start=42" data-video-kind="frame">` +
			`<a class="video-poster" href="https://www.youtube.com/watch?v=dQw4w9WgXcQ&amp;t=42" rel="noreferrer">`,
		`<span class="video-title">Video</span><span class="video-provider">Video on YouTube</span></a><figcaption>Nothing is loaded from www.youtube-nocookie.com until you press play.</figcaption></figure>`,
		`<span class="video-title">Our film &amp; &#34;more&#34;</span><span class="video-provider">Video on Vimeo</span>`,
		`<p><a href="https://example.org/not-a-video" rel="noreferrer">https://example.org/not-a-video</a></p>`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("body lacks %s\n%s", want, got)
		}
	}
	// Nothing on the page loads from the video's site by itself.
	for _, bad := range []string{"<iframe", "<img", "<video", "src="} {
		if strings.Contains(got, bad) {
			t.Errorf("body holds %q:\n%s", bad, got)
		}
	}
	ar, _ := VideoPosters(md.Render("https://vimeo.com/76979871"), b.Localizer("ar"))
	if !strings.Contains(string(ar), "فيديو على Vimeo") {
		t.Errorf("Arabic poster: %s", ar)
	}
	if _, found := VideoPosters(md.Render("No video here.\n\nhttps://example.org/"), b.Localizer("en")); found {
		t.Error("found a video in a body without one")
	}
}
