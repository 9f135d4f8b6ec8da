package mirror_test

import (
	"context"
	"strings"
	"testing"

	"peerpress/internal/app"
	"peerpress/internal/db/dbtest"
	"peerpress/internal/demo"
	"peerpress/internal/mirror"
	"peerpress/internal/secret"
)

// TestSearchIndexIsWrittenAsItIsBuilt: a language's index is given to
// the folder file by file as it is made, so what the export holds while
// building it is the words' postings, not the texts, records and files
// of every entry (150 MB a language at 100,000 entries, which pushed the
// export past its memory limit): the first file of records is written
// when the entries of the first batches of texts have been read, and
// every file of records before the last batch is read.
func TestSearchIndexIsWrittenAsItIsBuilt(t *testing.T) {
	d := dbtest.NewSQLite(t)
	ctx := context.Background()
	langs := []string{"en", "ru", "fr"}
	if _, err := demo.Load(ctx, d, langs); err != nil {
		t.Fatal(err)
	}
	if err := demo.Generate(ctx, d, 300, langs, nil); err != nil {
		t.Fatal(err)
	}
	a, err := app.New(ctx, app.Config{DataDir: t.TempDir(), Languages: langs, TimeZone: "UTC", SiteKey: secret.NewKey(), BaseURL: live}, d)
	if err != nil {
		t.Fatal(err)
	}
	const batch = 16
	defer mirror.SetTextBatch(batch)()
	site := a.Mirror()
	// The texts' batches are seen by the words the modules add to them,
	// asked once a batch.
	read := 0
	terms := site.EntryTerms
	site.EntryTerms = func(ctx context.Context, lang string, ids []int64) (map[int64]string, error) {
		read += len(ids)
		return terms(ctx, lang, ids)
	}
	var docs int
	readAtFirst, readAtEach := -1, []int{}
	err = mirror.BuildSearchIndex(ctx, site, "en", func(rel string, body []byte) error {
		if strings.Contains(rel, "/d/") {
			docs++
			if readAtFirst < 0 {
				readAtFirst = read
			}
			readAtEach = append(readAtEach, read)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if docs < 300/8 || read < 300 {
		t.Fatalf("%d files of records, %d texts read for 300 entries", docs, read)
	}
	if readAtFirst > 2*batch {
		t.Errorf("the first file of records was written after %d of %d texts were read: the records were all built first", readAtFirst, read)
	}
	// A file of records is written once the batch after its entries'
	// is read, at the latest.
	for i, n := range readAtEach {
		if n > (i+1)*8+2*batch {
			t.Errorf("file of records %d was written after %d texts were read", i, n)
			break
		}
	}
}
