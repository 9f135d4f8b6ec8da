package app

import (
	"context"
	"path/filepath"
	"time"

	"peerpress/internal/media"
)

// MediaDir is the folder of the site's media files, when they are kept
// in a folder.
func MediaDir(cfg Config) string { return filepath.Join(cfg.DataDir, "media") }

// Blobs is where the site's media files are kept (Config.Media): the
// media folder, or a bucket that is checked to answer, so a wrong address
// or a missing bucket stops the start with a clear message instead of
// failing the first upload.
func Blobs(ctx context.Context, cfg Config) (media.Blobs, error) {
	if cfg.Media == "" {
		return media.Dir(MediaDir(cfg)), nil
	}
	c, err := media.ParseS3URL(cfg.Media)
	if err != nil {
		return nil, err
	}
	b, err := media.S3(c)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := media.CheckS3(ctx, b); err != nil {
		return nil, err
	}
	return b, nil
}
