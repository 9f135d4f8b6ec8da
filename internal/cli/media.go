package cli

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"peerpress/internal/app"
	"peerpress/internal/media"
)

const mediaCopyHelp = `Copies every uploaded and derived file from where the site keeps them now
(--media, or the folder DATA/media) to another place: an S3-compatible
bucket, s3://bucket[/prefix]?endpoint=host:port (credentials in
AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), or a folder. Each file is
read back and compared by SHA-256 with its source. Nothing is deleted.

Run it again after an interruption: what is already there with the same
bytes is not sent again. To move a site:

  1. peerpress media copy --to s3://media?endpoint=s3.example.org --data DATA
  2. stop the server, run the same command again (it copies what was
     uploaded meanwhile), then start it with --media set to the address
  3. keep the folder until the site has served from the bucket for a while

With --files applications it copies applicants' files (calls) and
uploads under way instead, from --applications (or DATA/applications),
the same way: then start with --applications set to the address.`

// mediaCmd runs `peerpress media copy`.
func mediaCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "copy" {
		fmt.Fprintln(stderr, "Usage: peerpress media copy --to s3://bucket?endpoint=host:port|FOLDER [flags]   (see its --help)")
		return errUsage
	}
	fs := newFlagSet("media copy", stderr, mediaCopyHelp)
	config := configFlags(fs, false)
	to := fs.String("to", "", "where to copy the files: s3://bucket[/prefix]?endpoint=host:port, or a `folder`")
	files := fs.String("files", "media", "which files: `media` or applications (applicants' files and uploads under way)")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if *to == "" {
		fmt.Fprintln(stderr, "peerpress: media copy needs --to")
		return errUsage
	}
	cfg := config()
	var from media.Blobs
	var err error
	switch *files {
	case "media":
		from, err = app.Blobs(ctx, cfg)
	case "applications":
		from, err = app.ApplicationBlobs(ctx, cfg)
	default:
		fmt.Fprintf(stderr, "peerpress: --files is media or applications, not %q\n", *files)
		return errUsage
	}
	if err != nil {
		return err
	}
	dest := app.Config{DataDir: cfg.DataDir, Media: *to}
	var target media.Blobs
	if strings.HasPrefix(*to, "s3:") {
		target, err = app.Blobs(ctx, dest)
	} else {
		target = media.Dir(*to)
	}
	if err != nil {
		return err
	}
	start, last := time.Now(), time.Now()
	rep, err := media.CopyAll(ctx, from, target, func(key string, r media.CopyReport) {
		if time.Since(last) >= 2*time.Second {
			last = time.Now()
			fmt.Fprintf(stdout, "%d copied (%d MB), %d already there\n", r.Copied, r.Bytes>>20, r.Kept)
		}
	})
	fmt.Fprintf(stdout, "%d files copied (%d MB) and verified, %d already there, in %s\n", rep.Copied, rep.Bytes>>20, rep.Kept, time.Since(start).Round(time.Second))
	return err
}
