package cli

import (
	"context"
	"fmt"
	"io"
)

const searchUsage = `Usage:
  peerpress search reindex [flags]   rebuild the search index from the entries and every module's documents`

// searchCmd runs `peerpress search reindex`.
func searchCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "reindex" {
		fmt.Fprintln(stderr, searchUsage)
		return errUsage
	}
	fs := newFlagSet("search reindex", stderr, "Rebuilds the search index: every module's documents (an event's venue and speakers), then every translation of every entry, while the site serves. Saves keep the index in step, so this is for an index that was lost or damaged.")
	config := configFlags(fs, false)
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	a, closeDB, err := openSite(ctx, config())
	if err != nil {
		return err
	}
	defer closeDB()
	documents, translations, err := a.ReindexSearch(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "indexed %d documents and %d translations\n", documents, translations)
	return nil
}
