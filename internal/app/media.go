package app

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
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
	return bucket(ctx, cfg.Media)
}

// ApplicationBlobs is where applicants' files and uploads under way are
// kept (Config.Applications): the folder "applications" of the data
// folder, another folder, or a bucket that answers and does not overlap
// the media's, so that no listing or copy of the media (a backup, `media
// copy`, a sweep) ever takes applicants' files along.
func ApplicationBlobs(ctx context.Context, cfg Config) (media.Blobs, error) {
	switch {
	case cfg.Applications == "":
		return media.Dir(filepath.Join(cfg.DataDir, "applications")), nil
	case !strings.HasPrefix(cfg.Applications, "s3:"):
		return media.Dir(cfg.Applications), nil
	}
	c, err := media.ParseS3URL(cfg.Applications)
	if err != nil {
		return nil, err
	}
	if m, err := media.ParseS3URL(cfg.Media); err == nil && m.Endpoint == c.Endpoint && m.Bucket == c.Bucket &&
		(strings.HasPrefix(m.Prefix, c.Prefix) || strings.HasPrefix(c.Prefix, m.Prefix)) {
		return nil, fmt.Errorf("app: applicants' files (%s) would be among the media (%s): give them a bucket of their own, or give each a prefix of its own (s3://%s/media?… and s3://%s/applications?…)",
			cfg.Applications, cfg.Media, c.Bucket, c.Bucket)
	}
	return bucket(ctx, cfg.Applications)
}

// bucket is the bucket at an s3:// address, checked to answer.
func bucket(ctx context.Context, addr string) (media.Blobs, error) {
	c, err := media.ParseS3URL(addr)
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
