package cli

import (
	"context"
	"io"
	"os"
	"path/filepath"

	"peerpress/internal/app"
	"peerpress/internal/db"
	"peerpress/internal/secret"
)

// routes prints the route table: every URL peerpress answers, with who may
// call it, whether its answers are cached and how large a body it takes.
// The table does not depend on a site's data, so it is built over a
// throwaway database.
func routes(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("routes", stderr, "Prints every URL peerpress answers, with its policy: caching, body limit, access.")
	if err := parse(fs, args); err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "peerpress-routes-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	d, err := db.Open(ctx, "sqlite:"+filepath.Join(dir, "routes.db"))
	if err != nil {
		return err
	}
	defer d.Close()
	if _, err := d.Migrate(ctx); err != nil {
		return err
	}
	a, err := app.New(ctx, app.Config{DataDir: dir, SiteKey: secret.NewKey(), Languages: []string{"en"}, TimeZone: "UTC"}, d)
	if err != nil {
		return err
	}
	return a.Routes().WriteTable(stdout)
}
