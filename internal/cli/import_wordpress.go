package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"peerpress/internal/content"
	"peerpress/internal/wordpress"
)

const importUsage = `Usage:
  peerpress import wordpress FILE.xml [--uploads DIR] [--dry-run] [--map FILE] [--report FILE] [flags]`

// importCmd runs `peerpress import wordpress`.
func importCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "wordpress" {
		fmt.Fprintln(stderr, importUsage)
		return errUsage
	}
	fs := newFlagSet("import wordpress FILE.xml", stderr, `Imports a WordPress export (Tools → Export → All content): posts and pages
become entries, categories sections, tags tags, authors users who cannot sign
in until invited (no password is imported: peerpress user invite), Polylang's translations the
translations of one entry, The Events Calendar's events events (with their
time, zone and venue), and every old address a redirect. Importing the
same file again changes nothing; a newer export of the same site updates
what changed. The file is read whole before anything is written, so a
broken file changes nothing. The report is printed at the end.`)
	dryRun := fs.Bool("dry-run", false, "print the report and write nothing")
	mapFile := fs.String("map", "", "`file` of rules giving kinds to posts: lines \"category:SLUG KIND\", \"tag:SLUG KIND\" or \"type:POST_TYPE KIND\"; the first that matches wins")
	reportFile := fs.String("report", "", "also write the report to this `file`: JSON when it ends in .json, else Markdown")
	uploads := fs.String("uploads", "", "a copy of the site's wp-content/uploads `folder`: attachments and featured images are stored from it, stripped of their metadata; without it they stay at their old address")
	batch := fs.Int("batch", 200, "items written per transaction")
	config := configFlags(fs, false)
	file, err := parseWithFile(fs, args[1:])
	if err != nil {
		return err
	}
	if *uploads != "" {
		if st, err := os.Stat(*uploads); err != nil || !st.IsDir() {
			return fmt.Errorf("--uploads %s is not a folder", *uploads)
		}
	}
	if *batch < 1 || *batch > 10_000 {
		fmt.Fprintln(stderr, "peerpress: --batch must be between 1 and 10,000")
		return errUsage
	}
	if _, err := os.Stat(file); err != nil {
		return fmt.Errorf("the export: %w", err)
	}
	cfg := config()
	// The site is built as serve builds it, so every area's kinds and the
	// settings' languages are known.
	a, closeDB, err := openSite(ctx, cfg)
	if err != nil {
		return err
	}
	defer closeDB()
	var mapping wordpress.Mapping
	if *mapFile != "" {
		f, err := os.Open(*mapFile)
		if err != nil {
			return err
		}
		mapping, err = wordpress.ParseMapping(f, content.Kinds())
		f.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", *mapFile, err)
		}
	}
	var langs []string
	for _, l := range a.Live.Languages().Enabled() {
		langs = append(langs, l.Code)
	}
	zone, err := time.LoadLocation(cfg.TimeZone)
	if err != nil {
		return err
	}
	im := wordpress.New(a.DB, a.Content, wordpress.Options{Languages: langs, Zone: zone, Mapping: mapping, DryRun: *dryRun,
		BatchSize: *batch, Progress: terminal(stderr), Name: filepath.Base(file), Uploads: *uploads, Media: a.Media})
	rep, err := im.Import(ctx, func() (io.ReadCloser, error) { return os.Open(file) }) // #nosec G304 -- the file the operator named on the command line
	if err != nil {
		return fmt.Errorf("%s: %w (nothing of the batch that failed was written; run the import again once it is fixed, and what is in already is left alone)", file, err)
	}
	if err := rep.WriteText(stdout); err != nil {
		return err
	}
	if *reportFile != "" {
		f, err := os.Create(*reportFile)
		if err != nil {
			return err
		}
		if strings.HasSuffix(*reportFile, ".json") {
			err = rep.WriteJSON(f)
		} else {
			err = rep.WriteText(f)
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// parseWithFile parses flags before and after the one argument, a file.
func parseWithFile(fs *flag.FlagSet, args []string) (string, error) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return "", err
		}
		return "", errUsage
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(fs.Output(), "peerpress: which file? "+importUsage)
		return "", errUsage
	}
	file := fs.Arg(0)
	if err := parse(fs, fs.Args()[1:]); err != nil {
		return "", err
	}
	return file, nil
}

// terminal is w when it is a terminal, for progress lines; else nil.
func terminal(w io.Writer) io.Writer {
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			return w
		}
	}
	return nil
}
