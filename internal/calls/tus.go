package calls

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	tusd "github.com/tus/tusd/v2/pkg/handler"
	expslog "golang.org/x/exp/slog"

	"peerpress/internal/secret"
	"peerpress/internal/web"
)

// Resumable uploads speak the tus protocol (tus.io, v1.0.0: creation,
// core, and HEAD to learn the offset after a dropped connection) at
// tusPath, through tusd. An upload is created for one file field of an
// application, named by its private link's token in the Upload-Metadata
// (token, field, filename, lang); the token is checked then and not
// stored. The bytes go to the area's Blobs as they come, one part per
// PATCH, sealed with a key that is part of the upload's address
// (blobUploads, spooled through the staging folder, so memory does not
// grow with the file), and uploads are locked on the database
// (useLocker): with PostgreSQL and a bucket, an upload continues through any instance.
// When the last byte is in, the parts are joined in the staging folder,
// sealed again with a key held in memory, and the file is checked and cleaned like a plain upload, kept in the
// Blobs and recorded, before the last PATCH is answered. Every PATCH
// checks that the application still exists and that uploads are open
// (the close plus the call's grace).
const tusPath = "/uploads/applications/"

// tusServer is the area's tus endpoint.
type tusServer struct {
	store   *Store
	handler *tusd.UnroutedHandler
	core    *blobUploads
}

// maxTusUpload bounds any upload, whatever a call allows.
const maxTusUpload = int64(maxFileMB) << 20

func newTusServer(s *Store) (*tusServer, error) {
	// What a stopped or crashed peerpress left in the staging folder
	// goes at once (sealed, with keys that died with it).
	if _, err := s.sweepLeftovers(); err != nil {
		return nil, err
	}
	core := s.uploads()
	t := &tusServer{store: s, core: core}
	core.unavailable = t.unavailable
	composer := tusd.NewStoreComposer()
	composer.UseCore(core)
	composer.UseTerminater(core)
	useLocker(s.db, composer)
	h, err := tusd.NewUnroutedHandler(tusd.Config{
		BasePath: tusPath, StoreComposer: composer, MaxSize: maxTusUpload,
		DisableDownload: true, DisableTermination: true, DisableConcatenation: true,
		Cors: &tusd.CorsConfig{Disable: true}, // same origin only
		// The last PATCH is answered once the whole file is joined,
		// checked, cleaned and kept: minutes for a large video on a busy
		// server. The server's deadlines count from the last byte read.
		NetworkTimeout: 5 * time.Minute,
		// tusd's own log names the client's address: peerpress never logs it.
		Logger:                    expslog.New(expslog.NewTextHandler(io.Discard, nil)),
		PreUploadCreateCallback:   t.beforeCreate,
		PreFinishResponseCallback: t.finish,
	})
	if err != nil {
		return nil, err
	}
	t.handler = h
	return t, nil
}

// routes declares the endpoint: creation, offset, appending. One
// request carries at most a plain upload's worth: a client that sends
// more in one PATCH is cut there, keeps what arrived, and goes on from
// the offset HEAD gives, as after any dropped connection.
func (t *tusServer) routes(rs *web.Routes) {
	body := web.Body(maxPlainUpload + 1<<20)
	rs.Handle("OPTIONS "+tusPath, t.handler.Middleware(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})))
	rs.Handle("POST "+tusPath, t.handler.Middleware(http.HandlerFunc(t.handler.PostFile)), body)
	rs.Handle("HEAD "+tusPath+"{id}", t.guarded(t.handler.HeadFile), web.Private)
	rs.Handle("PATCH "+tusPath+"{id}", t.guarded(t.handler.PatchFile), web.Private, body)
}

// tusError is a refusal as tusd answers it: the status and a message in
// the applicant's language, which the page's script shows.
func (t *tusServer) tusError(lang string, status int, key string, args ...any) error {
	l := t.store.langs.Localizer(lang)
	return tusd.NewError("ERR_CALLS_REFUSED", l.T(key, args...), status)
}

// unavailable is the answer when the store of applicants' files, or the
// database, does not answer: a 503 in the applicant's language, saying
// that what was sent before is kept, which the page's script shows
// before it tries again. tusd would answer a 500 with the error's text,
// which names the store. The cause is logged; it names an upload, never
// a person.
func (t *tusServer) unavailable(lang string, err error) error {
	var refusal tusd.Error
	if errors.As(err, &refusal) {
		return err // an answer already
	}
	slog.Error("calls: resumable upload: storage unavailable", "err", err)
	return t.tusError(lang, http.StatusServiceUnavailable, "calls.error.unavailable")
}

// unavailableHTTP writes t.unavailable's answer outside tusd, in the
// language the request asks for.
func (t *tusServer) unavailableHTTP(w http.ResponseWriter, r *http.Request, err error) {
	var answer tusd.Error
	errors.As(t.unavailable(t.store.langs.Negotiate(r.Header.Get("Accept-Language")), err), &answer)
	w.Header().Set("Retry-After", "60")
	http.Error(w, answer.HTTPResponse.Body, answer.HTTPResponse.StatusCode)
}

// beforeCreate checks a new upload: a live private link, a file field of
// its call, an accepted extension, a size within the call's limit, while
// uploads are open. The stored metadata keeps the application and the
// field, never the token.
func (t *tusServer) beforeCreate(hook tusd.HookEvent) (tusd.HTTPResponse, tusd.FileInfoChanges, error) {
	meta := hook.Upload.MetaData
	lang := meta["lang"]
	if _, ok := t.store.langs.Get(lang); !ok {
		lang = "en"
	}
	ctx := hook.Context
	a, err := t.store.ByManageToken(ctx, meta["token"])
	if errors.Is(err, ErrBadToken) {
		return tusd.HTTPResponse{}, tusd.FileInfoChanges{}, t.tusError(lang, http.StatusForbidden, "calls.link.bad_text")
	}
	if err != nil {
		return tusd.HTTPResponse{}, tusd.FileInfoChanges{}, err
	}
	c, err := t.store.Call(ctx, t.store.db, a.EntryID)
	if err != nil {
		return tusd.HTTPResponse{}, tusd.FileInfoChanges{}, err
	}
	if !c.Open(t.store.Now()) {
		return tusd.HTTPResponse{}, tusd.FileInfoChanges{}, t.tusError(lang, http.StatusForbidden, "calls.apply.closed")
	}
	isFile := false
	for _, f := range c.Form {
		isFile = isFile || (f.Key == meta["field"] && f.Type == File)
	}
	name := meta["filename"]
	ext := strings.TrimPrefix(strings.ToLower(filepath.Ext(name)), ".")
	switch {
	case !isFile:
		return tusd.HTTPResponse{}, tusd.FileInfoChanges{}, t.tusError(lang, http.StatusBadRequest, "form.invalid_choice")
	case !c.Accepts(ext) || !storableName(name):
		return tusd.HTTPResponse{}, tusd.FileInfoChanges{}, t.tusError(lang, http.StatusUnsupportedMediaType, "calls.error.file_type_refused")
	case hook.Upload.SizeIsDeferred || hook.Upload.Size <= 0:
		return tusd.HTTPResponse{}, tusd.FileInfoChanges{}, t.tusError(lang, http.StatusBadRequest, "calls.error.length_needed")
	case hook.Upload.Size > int64(c.MaxFileMB)<<20:
		return tusd.HTTPResponse{}, tusd.FileInfoChanges{}, t.tusError(lang, http.StatusRequestEntityTooLarge, "calls.error.too_big", "MB", c.MaxFileMB)
	}
	return tusd.HTTPResponse{}, tusd.FileInfoChanges{MetaData: tusd.MetaData{
		"application": strconv.FormatInt(a.ID, 10), "field": meta["field"], "filename": name, "lang": lang}}, nil
}

// storableName reports whether a file name can be stored and shown.
func storableName(name string) bool {
	return name != "" && len(name) <= 255 && !strings.ContainsAny(name, "\x00/\\") && strings.ToValidUTF8(name, "") == name
}

// guarded lets a HEAD or PATCH through to tusd when its upload belongs to
// an application that still exists and uploads to its call are open; the
// path is stripped to the upload's id, as tusd reads it.
func (t *tusServer) guarded(next http.HandlerFunc) http.Handler {
	serve := t.handler.Middleware(http.StripPrefix(strings.TrimSuffix(tusPath, "/"), next))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPatch && r.Header.Get("Upload-Length") != "" {
			// An upload here gives its length when it is made (there is
			// no deferred length, which tusd answers with a 501): a PATCH
			// naming one is the client's mistake.
			http.Error(w, "Upload-Length is given when the upload is made, not in a PATCH", http.StatusBadRequest)
			return
		}
		ctx := r.Context()
		id := r.PathValue("id")
		up, err := t.core.getUpload(ctx, id)
		if errors.Is(err, tusd.ErrNotFound) {
			http.Error(w, "no such upload", http.StatusNotFound)
			return
		}
		if err != nil {
			t.unavailableHTTP(w, r, err)
			return
		}
		info, err := up.GetInfo(ctx)
		if err != nil {
			http.Error(w, "no such upload", http.StatusNotFound)
			return
		}
		if info.Size > 0 && info.Offset == info.Size {
			// Complete, yet not kept (a kept upload is gone): the store
			// or the database failed while it was finished, and could not
			// take its last part's uncounting then. Uncounted now, the
			// client sends that part again, and the file is finished.
			if err := t.uncountLast(ctx, up); err != nil {
				t.unavailableHTTP(w, r, err)
				return
			}
		}
		appID, _ := strconv.ParseInt(info.MetaData["application"], 10, 64)
		var entryID int64
		err = t.store.db.QueryRowContext(ctx, `SELECT entry_id FROM applications WHERE id = ?`, appID).Scan(&entryID)
		if errors.Is(err, sql.ErrNoRows) {
			t.drop(up) // withdrawn or purged: its bytes go too
			http.Error(w, "no such upload", http.StatusNotFound)
			return
		}
		if err != nil {
			// The database does not answer: the upload is kept.
			t.unavailableHTTP(w, r, err)
			return
		}
		if r.Method == http.MethodPatch {
			c, err := t.store.Call(ctx, t.store.db, entryID)
			if err != nil && !errors.Is(err, ErrNoCall) {
				t.unavailableHTTP(w, r, err)
				return
			}
			if err != nil || !c.UploadOpen(t.store.Now()) {
				l := t.store.langs.Localizer(info.MetaData["lang"])
				http.Error(w, l.T("calls.apply.closed"), http.StatusForbidden)
				return
			}
		}
		serve.ServeHTTP(w, r)
	})
}

// finish checks, cleans and keeps a complete upload and records it for
// its application; the staged bytes are removed either way. The upload's
// parts go once the file is kept or refused; when the store or the
// database fails meanwhile, the applicant is answered 503 and the upload
// is kept with its last part uncounted (retry), so that the page's
// script, asking where to go on, sends that part again and the file is
// finished then: a 204 is never given for a file not kept.
func (t *tusServer) finish(hook tusd.HookEvent) (tusd.HTTPResponse, error) {
	info := hook.Upload
	lang := info.MetaData["lang"]
	// Every byte is in: the file is kept even if the client stops
	// waiting: the applicant's private page then shows it.
	ctx := context.WithoutCancel(hook.Context)
	up, err := t.core.GetUpload(ctx, info.ID)
	if err != nil {
		return tusd.HTTPResponse{}, t.unavailable(lang, err)
	}
	err = t.keep(ctx, up, info)
	var answer tusd.Error
	if err == nil || errors.As(err, &answer) {
		t.drop(up)
		return tusd.HTTPResponse{}, err
	}
	if rerr := t.uncountLast(ctx, up); rerr != nil {
		// Uncounted when the applicant's script next asks (guarded).
		slog.Error("calls: uncount an upload's last part", "err", rerr)
	}
	return tusd.HTTPResponse{}, t.unavailable(lang, err)
}

// keep checks, cleans, keeps and records the complete upload up. It
// returns a tusd.Error for a refusal, another error when the store or the
// database failed.
func (t *tusServer) keep(ctx context.Context, up tusd.Upload, info tusd.FileInfo) error {
	lang := info.MetaData["lang"]
	appID, _ := strconv.ParseInt(info.MetaData["application"], 10, 64)
	var entryID int64
	err := t.store.db.QueryRowContext(ctx, `SELECT entry_id FROM applications WHERE id = ?`, appID).Scan(&entryID)
	if errors.Is(err, sql.ErrNoRows) {
		return t.tusError(lang, http.StatusNotFound, "calls.link.bad_text")
	}
	if err != nil {
		return err
	}
	c, err := t.store.Call(ctx, t.store.db, entryID)
	if errors.Is(err, ErrNoCall) {
		return t.tusError(lang, http.StatusForbidden, "calls.apply.closed")
	}
	if err != nil {
		return err
	}
	staged, err := t.join(ctx, up)
	if err != nil {
		return err
	}
	// ingest removes the joined file.
	sf, err := t.store.ingest(ctx, c, info.MetaData["field"], staged, info.MetaData["filename"])
	if key := RefusalKey(err); key != "" {
		return t.tusError(lang, http.StatusUnprocessableEntity, key, "MB", c.MaxFileMB, "Minutes", c.MaxVideoMinutes)
	}
	if err != nil {
		return err
	}
	err = t.store.attach(ctx, appID, entryID, sf)
	if errors.Is(err, ErrClosed) {
		return t.tusError(lang, http.StatusForbidden, "calls.apply.closed")
	}
	return err
}

// uncountLast uncounts the last part of a complete upload that could not
// be kept, so that the client sends it again (its key is overwritten
// then) and the upload is finished with it. Sending again from an
// earlier offset is always safe: the parts after it are written anew.
func (t *tusServer) uncountLast(ctx context.Context, up tusd.Upload) error {
	u := up.(*blobUpload)
	if len(u.info.Parts) == 0 {
		return nil
	}
	last := u.info.Parts[len(u.info.Parts)-1]
	u.info.Parts, u.info.Offset = u.info.Parts[:len(u.info.Parts)-1], last
	return u.save(ctx)
}

// join copies a complete upload's parts into one file of the staging
// folder, sealed with a key of its own held in memory, for ffprobe and
// ffmpeg.
func (t *tusServer) join(ctx context.Context, up tusd.Upload) (*staged, error) {
	r, err := up.GetReader(ctx)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	key, err := secret.NewStreamKey()
	if err != nil {
		return nil, err
	}
	st, err := t.store.stage("tus", key, func(w io.Writer) error {
		_, err := io.Copy(w, r)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("calls: join upload: %w", err)
	}
	return st, nil
}

// drop removes an upload's parts and description.
func (t *tusServer) drop(up tusd.Upload) {
	if err := t.core.AsTerminatableUpload(up).Terminate(context.Background()); err != nil {
		slog.Error("calls: remove an upload's parts", "err", err)
	}
}

// SweepStaged removes uploads untouched for a day, abandoned ones whose
// applicant never came back, from the Blobs (their parts), and the files
// of the staging folder that no running peerpress holds (sweepLeftovers),
// with those of its tus folder (where older versions kept uploads in the
// clear) untouched for a day, through os.Root, so a link there leads
// nowhere else.
func (s *Store) SweepStaged(ctx context.Context) (int, error) {
	dir, err := s.stagingDir()
	if err != nil {
		return 0, err
	}
	ups := s.uploads()
	folders, err := ups.abandoned(ctx, s.Now().Add(-24*time.Hour))
	if err != nil {
		return 0, err
	}
	n := 0
	for _, folder := range folders {
		if err := ups.remove(ctx, folder); err != nil {
			return n, err
		}
		n++
	}
	left, err := s.sweepLeftovers()
	n += left
	if err != nil {
		return n, err
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return n, fmt.Errorf("calls: sweep: %w", err)
	}
	defer root.Close()
	entries, err := fs.ReadDir(root.FS(), "tus")
	if errors.Is(err, fs.ErrNotExist) {
		return n, nil
	}
	if err != nil {
		return n, fmt.Errorf("calls: sweep: %w", err)
	}
	for _, e := range entries {
		fi, err := e.Info()
		if err != nil || e.IsDir() || s.Now().Sub(fi.ModTime()) <= 24*time.Hour {
			continue
		}
		if root.Remove(filepath.Join("tus", e.Name())) == nil {
			n++
		}
	}
	return n, nil
}
