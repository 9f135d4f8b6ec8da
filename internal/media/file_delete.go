package media

import (
	"context"
	"errors"
)

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
