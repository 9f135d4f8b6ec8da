package wordpress

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"peerpress/internal/content"
	"peerpress/internal/db"
	"peerpress/internal/media"
)

// MediaSaver stores files through the site's media pipeline, which strips
// their metadata as it does for the editor's uploads (media.Store); then
// records what the file was in the transaction that records the file.
type MediaSaver interface {
	SaveImageThen(ctx context.Context, r io.Reader, alt, lang string, lim media.Limits, then media.Then) (media.Media, error)
	SaveDocumentThen(ctx context.Context, r io.Reader, lang string, lim media.DocLimits, then media.Then) (media.Media, error)
}

// stored is an attachment brought in: its media item and address here.
type stored struct {
	id  int64
	url string
}

// uploadsPath is the part of an upload's address after wp-content/uploads/.
var uploadsPath = regexp.MustCompile(`/wp-content/uploads/(.+)$`)

// sizeSuffix is WordPress's name for a smaller copy: photo-300x200.jpg.
var sizeSuffix = regexp.MustCompile(`-\d+x\d+(\.[A-Za-z0-9]+)$`)

// relPath is where an attachment's file is in the uploads folder: its
// _wp_attached_file, else what its address has after wp-content/uploads/.
func (a attachment) relPath() string {
	if a.file != "" {
		return a.file
	}
	if u, err := url.Parse(a.url); err == nil {
		if m := uploadsPath.FindStringSubmatch(u.Path); m != nil {
			if p, err := url.PathUnescape(m[1]); err == nil {
				return p
			}
		}
	}
	return ""
}

// uploads brings the export's attachments in from the copy of the site's
// uploads folder, before the posts that show them: each file goes through
// the media pipeline, and the record of what it was is written in the
// pipeline's transaction, so an import stopped half-way keeps what it
// stored and finds it when run again, rather than storing it twice. A dry
// run only looks for the files.
func (st *state) uploads(ctx context.Context) error {
	st.stored = map[int64]stored{}
	st.byPath = map[string]string{}
	ids := slices.Sorted(maps.Keys(st.ex.attachments))
	dir := st.im.opt.Uploads
	if dir == "" {
		if len(ids) > 0 {
			st.rep.skip("attachments (their files stay at the old address: give --uploads to bring them)", len(ids))
		}
		return nil
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return fmt.Errorf("--uploads: %w", err)
	}
	defer root.Close()
	c := st.rep.count("media")
	for _, id := range ids {
		if err := ctx.Err(); err != nil {
			return err
		}
		a := st.ex.attachments[id]
		label := fmt.Sprintf("attachment #%d %q", id, a.title)
		rel := a.relPath()
		wpID := strconv.FormatInt(id, 10)
		// Brought in by an earlier import, and still here?
		var mediaID int64
		var p string
		err := st.im.db.QueryRowContext(ctx, `SELECT m.id, m.path FROM wordpress_objects o JOIN media m ON m.id = o.local_id
			WHERE o.site = ? AND o.kind = 'attachment' AND o.wp_id = ?`, st.ex.site, wpID).Scan(&mediaID, &p)
		if err == nil {
			st.keep(id, rel, stored{id: mediaID, url: media.Media{Path: p}.URL()})
			c.Unchanged++
			continue
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		switch {
		case rel == "":
			st.rep.skip("attachments whose file cannot be told from the export", 1)
			continue
		case !filepath.IsLocal(filepath.FromSlash(rel)):
			st.rep.skip("attachments whose path leads outside --uploads (refused)", 1)
			st.rep.review(label, fmt.Sprintf("its path %q leads outside the uploads folder: refused", rel), "")
			continue
		}
		f, err := root.Open(filepath.FromSlash(rel))
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				st.rep.skip("attachments whose file is not in --uploads (they stay at the old address)", 1)
				st.rep.review(label, "its file "+rel+" is not in the uploads folder", "")
			} else {
				st.rep.skip("attachments whose file could not be read or leads outside --uploads (refused)", 1)
				st.rep.review(label, fmt.Sprintf("its file %s: %v", rel, err), "")
			}
			continue
		}
		ext := strings.ToLower(path.Ext(rel))
		image := ext == ".jpg" || ext == ".jpeg" || ext == ".png" || ext == ".gif" || ext == ".webp"
		if !image && ext != ".pdf" {
			f.Close()
			st.rep.skip("attachments of a kind the site does not store (audio, video, archives…): they stay at the old address", 1)
			continue
		}
		if st.im.opt.DryRun {
			f.Close()
			c.Imported++
			continue
		}
		record := func(ctx context.Context, tx *db.Tx, m media.Media) error {
			return st.writeObject(ctx, tx, "attachment", wpID, "", object{localID: m.ID})
		}
		var m media.Media
		if image {
			m, err = st.im.opt.Media.SaveImageThen(ctx, f, unescapeText(a.alt), st.lang, media.DefaultLimits(), record)
		} else {
			m, err = st.im.opt.Media.SaveDocumentThen(ctx, f, st.lang, media.DefaultDocLimits(), record)
		}
		f.Close()
		if errors.Is(err, media.ErrUnsupported) || errors.Is(err, media.ErrTooLarge) || errors.Is(err, media.ErrCorrupt) {
			st.rep.skip("attachments the media pipeline refused (see needs review)", 1)
			st.rep.review(label, fmt.Sprintf("%s: %v", rel, err), "")
			continue
		}
		if err != nil {
			return fmt.Errorf("%s: %w", label, err)
		}
		st.objects["attachment\x00"+wpID] = object{localID: m.ID}
		st.keep(id, rel, stored{id: m.ID, url: m.URL()})
		c.Imported++
	}
	return nil
}

// keep remembers a stored attachment, and its path for the links to it
// and to its smaller copies.
func (st *state) keep(id int64, rel string, s stored) {
	st.stored[id] = s
	if rel != "" {
		st.byPath[rel] = s.url
	}
}

// localUpload is the address here of a link to the old uploads folder,
// when its file was brought in; smaller copies lead to the original.
func (st *state) localUpload(u string) (string, bool) {
	m := uploadsPath.FindStringSubmatch(strings.SplitN(u, "?", 2)[0])
	if m == nil {
		return "", false
	}
	rel, err := url.PathUnescape(m[1])
	if err != nil {
		return "", false
	}
	if to, ok := st.byPath[rel]; ok {
		return to, true
	}
	to, ok := st.byPath[sizeSuffix.ReplaceAllString(rel, "$1")]
	return to, ok
}

// attachmentPages records the old addresses of attachments' own pages
// (/2020/01/02/post/photo/, /?attachment_id=N): they lead to the entry
// that showed the file, else to the file when it was brought in.
func (st *state) attachmentPages(ctx context.Context, b *content.Batch) error {
	for _, id := range slices.Sorted(maps.Keys(st.ex.attachments)) {
		a := st.ex.attachments[id]
		var keys []string
		if u, err := url.Parse(a.link); err == nil && a.link != "" {
			keys = append(keys, content.OldPathKey(u.Path, u.Query()))
		}
		keys = append(keys, content.OldPathKey(cmpOr(st.ex.basePath, "/"), url.Values{"attachment_id": {strconv.FormatInt(id, 10)}}))
		keys = slices.DeleteFunc(keys, func(k string) bool { return k == "/" })
		if parent, ok := st.objects["post\x00"+strconv.FormatInt(a.parent, 10)]; ok && a.parent != 0 {
			if err := b.KeepOldPaths(ctx, keys, parent.localID, parent.lang); err != nil {
				return err
			}
			continue
		}
		if s, ok := st.stored[id]; ok && !st.im.opt.DryRun {
			for _, k := range keys {
				if err := b.KeepOldPathTo(ctx, k, s.url); err != nil {
					return err
				}
			}
		}
	}
	return nil
}
