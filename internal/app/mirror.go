package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"os"
	"runtime/debug"
	"time"

	"peerpress/internal/mirror"
	"peerpress/internal/search"
)

// Mirror is what the static mirror (package mirror) reads of this site:
// its handler and route table, and what the areas declare.
func (a *App) Mirror() mirror.Site {
	return mirror.Site{Handler: a.Handler, Routes: a.Routes(), I18n: a.Live.Languages, Entries: a.Content,
		Public: a.public.Load(), Publishers: a.publishers, Live: a.Config.BaseURL, Onion: a.Config.OnionURL,
		Fingerprint: a.mirrorFingerprint, Sitemaps: a.sitemaps.Load().SitemapsShowing,
		EntryTerms: func(ctx context.Context, lang string, ids []int64) (map[int64]string, error) {
			return search.EntryTerms(ctx, a.DB, lang, ids)
		}}
}

// mirrorFingerprint sums up what pages show besides entries: the
// settings, the sections, tags and organisations, and this program (its
// templates and catalogs are in it). A change makes the next incremental
// export a full one.
func (a *App) mirrorFingerprint(ctx context.Context) (string, error) {
	sections, err := a.Content.Sections(ctx)
	if err != nil {
		return "", err
	}
	tags, err := a.Content.Tags(ctx)
	if err != nil {
		return "", err
	}
	orgs, err := a.Content.Organisations(ctx)
	if err != nil {
		return "", err
	}
	var program any
	if info, ok := debug.ReadBuildInfo(); ok {
		program = info.String()
	}
	var binary [2]int64
	if exe, err := os.Executable(); err == nil {
		if st, err := os.Stat(exe); err == nil {
			binary = [2]int64{st.Size(), st.ModTime().UnixNano()}
		}
	}
	b, err := json.Marshal([]any{a.Config.SiteName, a.Live.Site(), sections, tags, orgs, program, binary})
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

// mirrorQuiet is how long the site must go without a write before the
// mirror is refreshed, so that an editor's burst of saves costs one
// export; mirrorPoll how often the change count is looked at.
// mirrorRefresh is how often the mirror is refreshed without a write:
// what time alone changes (an event that has passed leaves the upcoming
// events) reaches it within the hour.
const (
	mirrorQuiet   = 2 * time.Second
	mirrorPoll    = time.Second
	mirrorRefresh = time.Hour
)

// KeepMirror exports the static mirror into dir, then again, incrementally,
// after each write to the site (the change count the page cache follows,
// which writes on other instances move too) and every mirrorRefresh,
// until ctx ends.
func (a *App) KeepMirror(ctx context.Context, dir string) {
	exported := int64(-1)
	var last time.Time
	for {
		if changes := a.DB.Changes(); changes != exported || time.Since(last) >= mirrorRefresh {
			// Wait for the writes to settle.
			for {
				select {
				case <-ctx.Done():
					return
				case <-time.After(mirrorQuiet):
				}
				if now := a.DB.Changes(); now != changes {
					changes = now
					continue
				}
				break
			}
			rep, err := mirror.Export(ctx, a.Mirror(), mirror.Options{Out: dir, Incremental: true})
			if err != nil {
				if ctx.Err() != nil {
					return
				}
				slog.Error("static mirror", "dir", dir, "err", err)
			} else {
				slog.Info("static mirror refreshed", "dir", dir, "incremental", rep.Incremental, "rendered", rep.Rendered,
					"kept", rep.Kept, "written", rep.Written, "removed", rep.Removed, "missing", len(rep.Missing), "took", rep.Took.Round(time.Millisecond))
			}
			exported, last = changes, time.Now()
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(mirrorPoll):
		}
	}
}
