package media

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"peerpress/internal/db"
	"peerpress/internal/jobs"
)

// JobDeleteFiles is the kind of the job that deletes files no row names
// any more. Delete and Rekey enqueue it in the transaction that stops
// naming them and delete the files at once after the commit as well; the
// job finishes what a crash or a failing store interrupted, because a file
// left behind would still be served at an address that was published.
const JobDeleteFiles = "media-delete-files"

// deleteFilesJob is the payload of a JobDeleteFiles job.
type deleteFilesJob struct {
	Paths []string `json:"paths"`
}

// enqueueDeleteFiles adds the job that deletes the files at paths inside
// tx. Paths that do not have the shape of a media file are left out, so
// a damaged row cannot make the job delete anything else.
func enqueueDeleteFiles(ctx context.Context, tx *db.Tx, paths []string) error {
	var job deleteFilesJob
	for _, p := range paths {
		if validMediaPath(p) {
			job.Paths = append(job.Paths, p)
		}
	}
	if len(job.Paths) == 0 {
		return nil
	}
	payload, err := json.Marshal(job)
	if err != nil {
		return err
	}
	return jobs.Enqueue(ctx, tx, JobDeleteFiles, payload, time.Now())
}

// deleteFiles deletes the files at paths that have the shape of a media
// file. It tries every path and reports every failure.
func (s *Store) deleteFiles(ctx context.Context, paths []string) error {
	var errs []error
	for _, p := range paths {
		if !validMediaPath(p) {
			continue
		}
		if err := s.blobs.Delete(ctx, p); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// runDeleteFiles is the JobDeleteFiles handler. Files already deleted are
// nothing to do, so it is safe to run after the inline deletion, or twice.
func (s *Store) runDeleteFiles(ctx context.Context, payload []byte) error {
	var job deleteFilesJob
	if err := json.Unmarshal(payload, &job); err != nil {
		return jobs.Permanent(fmt.Errorf("media: delete files payload %q: %v", payload, err))
	}
	if err := s.deleteFiles(ctx, job.Paths); err != nil {
		return fmt.Errorf("media: delete files: %w", err)
	}
	return nil
}
