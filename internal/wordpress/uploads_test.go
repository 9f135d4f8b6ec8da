package wordpress

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"peerpress/internal/content"
	"peerpress/internal/db"
	"peerpress/internal/db/dbtest"
	"peerpress/internal/media"
	"peerpress/internal/search"
)

const uploadsWXR = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
	<wp:wxr_version>1.2</wp:wxr_version>
	<wp:base_blog_url>https://old.example.org</wp:base_blog_url>
	ATTACHMENTS
	<item>
		<title>With pictures</title>
		<link>https://old.example.org/with-pictures/</link>
		<content:encoded><![CDATA[<p><img src="https://old.example.org/wp-content/uploads/2020/01/pic-300x200.png" alt=""></p>
<p><a href="https://old.example.org/wp-content/uploads/2020/01/missing.jpg">the missing one</a></p>]]></content:encoded>
		<wp:post_id>12</wp:post_id>
		<wp:post_date_gmt>2020-01-02 09:00:00</wp:post_date_gmt>
		<wp:post_name>with-pictures</wp:post_name>
		<wp:status>publish</wp:status>
		<wp:post_type>post</wp:post_type>
		<wp:postmeta><wp:meta_key>_thumbnail_id</wp:meta_key><wp:meta_value>40</wp:meta_value></wp:postmeta>
	</item>
</channel>
</rss>`

func attachmentXML(id int, file string) string {
	return `<item><title>File ` + file + `</title><wp:post_id>` + strconv.Itoa(id) + `</wp:post_id><wp:post_type>attachment</wp:post_type><wp:status>inherit</wp:status>
		<wp:attachment_url>https://old.example.org/wp-content/uploads/` + file + `</wp:attachment_url>
		<wp:postmeta><wp:meta_key>_wp_attached_file</wp:meta_key><wp:meta_value>` + file + `</wp:meta_value></wp:postmeta>
		<wp:postmeta><wp:meta_key>_wp_attachment_image_alt</wp:meta_key><wp:meta_value>Alt ` + file + `</wp:meta_value></wp:postmeta></item>`
}

func pngBytes(t *testing.T) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	img.Set(1, 1, color.RGBA{200, 10, 10, 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// Attachments come from --uploads through the media pipeline; paths that
// lead outside it are refused and reported; featured images and links to
// the files follow them.
func TestImportUploads(t *testing.T) {
	dir := t.TempDir()
	uploads := filepath.Join(dir, "uploads")
	os.MkdirAll(filepath.Join(uploads, "2020", "01"), 0o755)
	os.WriteFile(filepath.Join(uploads, "2020", "01", "pic.png"), pngBytes(t), 0o644)
	os.WriteFile(filepath.Join(uploads, "2020", "01", "song.mp3"), []byte("ID3"), 0o644)
	os.WriteFile(filepath.Join(dir, "secret.png"), pngBytes(t), 0o644)
	if err := os.Symlink(filepath.Join(dir, "secret.png"), filepath.Join(uploads, "2020", "01", "link.png")); err != nil {
		t.Fatal(err)
	}
	atts := attachmentXML(40, "2020/01/pic.png") + attachmentXML(41, "../../etc/passwd") + attachmentXML(42, "2020/01/missing.jpg") +
		attachmentXML(43, "2020/01/song.mp3") + attachmentXML(44, "2020/01/link.png") + attachmentXML(45, "../secret.png")
	export := filepath.Join(dir, "export.xml")
	os.WriteFile(export, []byte(strings.Replace(uploadsWXR, "ATTACHMENTS", atts, 1)), 0o644)

	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		mediaDir := t.TempDir()
		opt := Options{Uploads: uploads, Media: media.NewStore(d, media.Dir(mediaDir))}
		run := func(opt Options) *Report {
			t.Helper()
			im := New(d, content.NewStore(d, search.Index{}), opt)
			rep, err := im.Import(ctx, func() (io.ReadCloser, error) { return os.Open(export) })
			if err != nil {
				t.Fatal(err)
			}
			return rep
		}
		dry := opt
		dry.DryRun = true
		if rep := run(dry); rep.Counts["media"].Imported != 1 || count(t, d, `SELECT COUNT(*) FROM media`) != 0 {
			t.Fatalf("dry run: %+v, %d media", rep.Counts["media"], count(t, d, `SELECT COUNT(*) FROM media`))
		}
		if files, _ := filepath.Glob(filepath.Join(mediaDir, "*", "*", "*")); len(files) != 0 {
			t.Fatalf("the dry run stored files: %v", files)
		}

		rep := run(opt)
		wantCount(t, rep, "media", Count{Imported: 1})
		for reason, n := range map[string]int{
			"attachments whose path leads outside --uploads (refused)":                                              2,
			"attachments whose file could not be read or leads outside --uploads (refused)":                         1,
			"attachments whose file is not in --uploads (they stay at the old address)":                             1,
			"attachments of a kind the site does not store (audio, video, archives…): they stay at the old address": 1,
		} {
			if rep.Skipped[reason] != n {
				t.Errorf("skipped %q: %d, want %d (%v)", reason, rep.Skipped[reason], n, rep.Skipped)
			}
		}
		var mediaID int64
		var path, alt string
		if err := d.QueryRowContext(ctx, `SELECT id, path, alt FROM media`).Scan(&mediaID, &path, &alt); err != nil {
			t.Fatal(err)
		}
		if alt != "Alt 2020/01/pic.png" || strings.Contains(path, "pic") {
			t.Errorf("media %q %q", path, alt)
		}
		store := content.NewStore(d, search.Index{})
		e, err := store.BySlug(ctx, "en", "with-pictures")
		if err != nil {
			t.Fatal(err)
		}
		if e.FeaturedMediaID != mediaID {
			t.Errorf("featured %d, want %d", e.FeaturedMediaID, mediaID)
		}
		body := e.Source().Body
		if !strings.Contains(body, "](/media/"+path+")") || strings.Contains(body, "pic-300x200") || !strings.Contains(body, "old.example.org/wp-content/uploads/2020/01/missing.jpg") {
			t.Errorf("body:\n%s", body)
		}

		again := run(opt)
		wantCount(t, again, "media", Count{Unchanged: 1})
		wantCount(t, again, "article", Count{Unchanged: 1})
		if n := count(t, d, `SELECT COUNT(*) FROM media`); n != 1 {
			t.Errorf("%d media after importing again", n)
		}
	})
}

// interrupting stops the import, as Ctrl-C does, once the media pipeline
// has stored its first file.
type interrupting struct {
	MediaSaver
	stop func()
}

func (s interrupting) SaveImageThen(ctx context.Context, r io.Reader, alt, lang string, lim media.Limits, then media.Then) (media.Media, error) {
	m, err := s.MediaSaver.SaveImageThen(ctx, r, alt, lang, lim, then)
	s.stop()
	return m, err
}

// An import interrupted just after a file was stored finds it when run
// again: the file and the record of what it was are kept together, so it
// is not stored twice.
func TestImportUploadsInterrupted(t *testing.T) {
	dir := t.TempDir()
	uploads := filepath.Join(dir, "uploads")
	os.MkdirAll(filepath.Join(uploads, "2020", "01"), 0o755)
	os.WriteFile(filepath.Join(uploads, "2020", "01", "pic.png"), pngBytes(t), 0o644)
	os.WriteFile(filepath.Join(uploads, "2020", "01", "two.png"), pngBytes(t), 0o644)
	export := filepath.Join(dir, "export.xml")
	os.WriteFile(export, []byte(strings.Replace(uploadsWXR, "ATTACHMENTS", attachmentXML(40, "2020/01/pic.png")+attachmentXML(41, "2020/01/two.png"), 1)), 0o644)
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		store := media.NewStore(d, media.Dir(t.TempDir()))
		ctx, cancel := context.WithCancel(context.Background())
		im := New(d, content.NewStore(d, search.Index{}), Options{Uploads: uploads, Media: interrupting{store, cancel}})
		if _, err := im.Import(ctx, func() (io.ReadCloser, error) { return os.Open(export) }); err == nil {
			t.Fatal("the interrupted import did not stop")
		}
		if n := count(t, d, `SELECT COUNT(*) FROM media`); n != 1 {
			t.Fatalf("%d media after the interruption, want 1", n)
		}
		im = New(d, content.NewStore(d, search.Index{}), Options{Uploads: uploads, Media: store})
		rep, err := im.Import(context.Background(), func() (io.ReadCloser, error) { return os.Open(export) })
		if err != nil {
			t.Fatal(err)
		}
		wantCount(t, rep, "media", Count{Imported: 1, Unchanged: 1})
		if n := count(t, d, `SELECT COUNT(*) FROM media`); n != 2 {
			t.Errorf("%d media after the import ran again, want 2: a file was stored twice", n)
		}
	})
}
