package media_test

import (
	"bytes"
	"compress/zlib"
	"context"
	"errors"
	"fmt"
	"image/jpeg"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"

	"peerpress/internal/db"
	"peerpress/internal/db/dbtest"
	"peerpress/internal/media"
)

// The test PDF is written here byte by byte, so that every piece of
// metadata the tests look for is visible in this file.

// Strings planted in the PDF fixture's metadata; none may survive.
const (
	pdfAuthor     = "Jane Peer"
	pdfCreator    = "SecretWriter 9"
	pdfProducer   = "LeakyProducer 4.2 on host kyiv-office-laptop"
	pdfTitle      = "Draft: list of safe houses"
	pdfSubject    = "PDF-SUBJECT-SECRET"
	pdfKeywords   = "PDF-KEYWORDS-SECRET"
	pdfCustomInfo = "PDF-CUSTOM-INFO-SECRET"
	pdfOldAuthor  = "Earlier Revision Author"
	pdfDate       = "D:20240317221530+03'00'"
	pdfXMPSecret  = "PDF-XMP-GPS-50.4501N-30.5234E"
	pdfXMPName    = "Olena Informant"
	pdfPieceInfo  = "PDF-PIECEINFO-SECRET"
	pdfPageXMP    = "PDF-PAGE-XMP-SECRET"
	pdfOriginalID = "0123456789ABCDEF0123456789ABCDEF"
	pdfVisible    = "Public report text"
)

// pdfSecrets lists what must not be in a stripped PDF, with names for
// messages: the planted metadata, the embedded photo's (see forbidden),
// and the Producer and dates pdfcpu itself would write.
func pdfSecrets() map[string][]byte {
	f := forbidden()
	for name, s := range map[string]string{
		"Author": pdfAuthor, "Creator": pdfCreator, "Producer": pdfProducer, "Title": pdfTitle,
		"Subject": pdfSubject, "Keywords": pdfKeywords, "custom Info entry": pdfCustomInfo,
		"earlier revision's Author": pdfOldAuthor, "CreationDate": pdfDate, "XMP content": pdfXMPSecret,
		"XMP creator": pdfXMPName, "XMP packet": "xmpmeta", "PieceInfo": pdfPieceInfo, "page XMP": pdfPageXMP,
		"original /ID": pdfOriginalID, "pdfcpu Producer": "pdfcpu", "any PDF date": "(D:",
		"Author key": "/Author", "Producer key": "/Producer", "Metadata key": "/Metadata",
	} {
		f[name] = []byte(s)
	}
	return f
}

// pdfStream is a stream object's dictionary entries and content.
func pdfStream(dict string, content []byte) string {
	return fmt.Sprintf("<< %s /Length %d >>\nstream\n%s\nendstream", dict, len(content), content)
}

// buildPDF lays out a PDF 1.4 file with the given objects (numbered from
// 1; object 1 is the catalog) and a classic cross-reference table, so
// that offsets are exact. Each update is a later revision (an incremental
// update, as editors append when saving) replacing objects by number.
func buildPDF(objs []string, trailer string, updates ...map[int]string) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R %s >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, trailer, xref)
	for _, u := range updates {
		prev := xref
		at := map[int]int{}
		for nr, o := range u {
			at[nr] = b.Len()
			fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", nr, o)
		}
		xref = b.Len()
		b.WriteString("xref\n")
		for nr, off := range at {
			fmt.Fprintf(&b, "%d 1\n%010d 00000 n \n", nr, off)
		}
		fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R /Prev %d %s >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, prev, trailer, xref)
	}
	return b.Bytes()
}

// buildMetadataPDF is a one-page PDF with a line of text and a photo,
// carrying everything a word processor, a scanner app or a later edit
// might leave: an information dictionary with every standard entry and a
// custom one, an XMP stream on the catalog and another on the page,
// page-piece data, a file identifier, an earlier revision with another
// author, and a photo embedded as a JPEG with its EXIF, GPS, XMP, ICC,
// IPTC and comment.
func buildMetadataPDF(t *testing.T) []byte {
	t.Helper()
	photo := metadataJPEG(t, halves(40, 20), 1)
	xmp := `<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">` +
		`<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" ` +
		`xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:exif="http://ns.adobe.com/exif/1.0/">` +
		`<dc:creator><rdf:Seq><rdf:li>` + pdfXMPName + `</rdf:li></rdf:Seq></dc:creator>` +
		`<exif:GPSLatitude>` + pdfXMPSecret + `</exif:GPSLatitude></rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>`
	content := "BT /F1 18 Tf 20 150 Td (" + pdfVisible + ") Tj ET q 80 0 0 40 20 20 cm /Im1 Do Q"
	objs := []string{
		/* 1 */ "<< /Type /Catalog /Pages 2 0 R /Metadata 5 0 R /PieceInfo << /LeakyApp << /Private (" + pdfPieceInfo + ") >> >> >>",
		/* 2 */ "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		/* 3 */ "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R" +
			" /Resources << /Font << /F1 6 0 R >> /XObject << /Im1 8 0 R >> >>" +
			" /Metadata 9 0 R /PieceInfo << /LeakyApp << /LastModified (" + pdfDate + ") /Private (" + pdfPieceInfo + ") >> >>" +
			" /LastModified (" + pdfDate + ") >>",
		/* 4 */ pdfStream("", []byte(content)),
		/* 5 */ pdfStream("/Type /Metadata /Subtype /XML", []byte(xmp)),
		/* 6 */ "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
		/* 7 */ "<< /Title (" + pdfTitle + ") /Author (" + pdfOldAuthor + ") /Creator (" + pdfCreator + ") >>",
		/* 8 */ pdfStream("/Type /XObject /Subtype /Image /Width 40 /Height 20 /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /DCTDecode", photo),
		/* 9 */ pdfStream("/Type /Metadata /Subtype /XML", []byte(strings.Replace(xmp, pdfXMPSecret, pdfPageXMP, 1))),
	}
	// The second revision replaces the information dictionary; the first
	// one's bytes stay in the file, as they do in real edited PDFs.
	info := "<< /Title (" + pdfTitle + ") /Author (" + pdfAuthor + ") /Creator (" + pdfCreator + ") /Producer (" + pdfProducer + ")" +
		" /Subject (" + pdfSubject + ") /Keywords (" + pdfKeywords + ") /CreationDate (" + pdfDate + ") /ModDate (" + pdfDate + ")" +
		" /Trapped /False /PeerpressCustom (" + pdfCustomInfo + ") >>"
	return buildPDF(objs, "/Info 7 0 R /ID [<"+pdfOriginalID+"> <"+pdfOriginalID+">]", map[int]string{7: info})
}

// metadataPDF is buildMetadataPDF's file, checked: it must parse, and must
// carry what the tests say is removed, or they would prove nothing.
func metadataPDF(t *testing.T) []byte {
	t.Helper()
	in := buildMetadataPDF(t)
	ctx, err := api.ReadContext(bytes.NewReader(in), media.PDFConfig())
	if err != nil {
		t.Fatalf("fixture does not parse: %v", err)
	}
	if err := api.ValidateContext(ctx); err != nil {
		t.Fatalf("fixture is not valid: %v", err)
	}
	d, err := ctx.DereferenceDict(*ctx.Info)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := d.Find("Author"); got == nil || !strings.Contains(got.String(), pdfAuthor) {
		t.Fatalf("fixture's Author = %v", got)
	}
	if _, ok := ctx.RootDict.Find("Metadata"); !ok {
		t.Fatal("fixture's catalog has no /Metadata")
	}
	for _, s := range []string{pdfAuthor, pdfCreator, pdfProducer, pdfOldAuthor, pdfXMPSecret, pdfXMPName, pdfPieceInfo, pdfPageXMP, pdfOriginalID, cameraMake, "Exif"} {
		if !bytes.Contains(in, []byte(s)) {
			t.Fatalf("fixture lacks %q", s)
		}
	}
	return in
}

// pdfTexts returns the bytes to search for leftovers: the file itself and
// the inflated content of every Flate stream in it, so that metadata
// cannot hide in a compressed object stream.
func pdfTexts(t *testing.T, pdf []byte) [][]byte {
	t.Helper()
	out := [][]byte{pdf}
	for _, m := range regexp.MustCompile(`(?s)stream\r?\n(.*?)endstream`).FindAllSubmatch(pdf, -1) {
		r, err := zlib.NewReader(bytes.NewReader(m[1]))
		if err != nil {
			continue
		}
		b, _ := io.ReadAll(r)
		out = append(out, b)
	}
	return out
}

// assertPDFClean fails the test if any planted metadata is in out, and
// checks that out is a valid PDF that still shows the page.
func assertPDFClean(t *testing.T, out []byte) {
	t.Helper()
	for _, text := range pdfTexts(t, out) {
		for name, s := range pdfSecrets() {
			if bytes.Contains(text, s) {
				t.Errorf("stripped PDF still contains %s (%q)", name, s)
			}
		}
	}
	if !bytes.HasPrefix(out, []byte("%PDF-")) {
		t.Fatalf("output does not start as a PDF: %q", out[:min(len(out), 8)])
	}
	ctx, err := api.ReadContext(bytes.NewReader(out), media.PDFConfig())
	if err != nil {
		t.Fatalf("stripped PDF does not parse: %v", err)
	}
	if err := api.ValidateContext(ctx); err != nil {
		t.Fatalf("stripped PDF is not valid: %v", err)
	}
	if ctx.PageCount != 1 {
		t.Errorf("stripped PDF has %d pages, want 1", ctx.PageCount)
	}
	if ctx.Info != nil {
		if d, err := ctx.DereferenceDict(*ctx.Info); err != nil || len(d) != 0 {
			t.Errorf("information dictionary %v (%v), want none or empty", d, err)
		}
	}
	if _, ok := ctx.RootDict.Find("Metadata"); ok {
		t.Error("catalog still has /Metadata")
	}
	if ctx.ID == nil {
		t.Error("no file identifier: pdfcpu should have made a fresh one")
	}
	// What readers see is still there: the text, and the photo's pixels.
	if !bytes.Contains(out, []byte("("+pdfVisible+")")) {
		t.Error("the page's text is gone")
	}
	var photos int
	for objNr, e := range ctx.Table {
		if e == nil || e.Free {
			continue
		}
		sd, ok := e.Object.(types.StreamDict)
		if !ok || !sd.HasSoleFilterNamed("DCTDecode") {
			continue
		}
		photos++
		img, err := jpeg.Decode(bytes.NewReader(sd.Raw))
		if err != nil {
			t.Fatalf("embedded photo (object %d) no longer decodes: %v", objNr, err)
		}
		if b := img.Bounds(); b.Dx() != 40 || b.Dy() != 20 {
			t.Errorf("embedded photo is %v, want 40×20", b)
		}
		assertNear(t, "photo's left half", img.At(5, 10), red)
		assertJPEGHasNoMetadataSegments(t, sd.Raw)
	}
	if photos != 1 {
		t.Errorf("%d embedded photos, want 1", photos)
	}
}

func TestProcessDocumentStripsPDFMetadata(t *testing.T) {
	in := metadataPDF(t)
	p, err := media.ProcessDocument(bytes.NewReader(in), media.DocLimits{})
	if err != nil {
		t.Fatalf("ProcessDocument: %v", err)
	}
	if p.MIME != "application/pdf" || p.Ext != ".pdf" {
		t.Errorf("processed as %s %s", p.MIME, p.Ext)
	}
	assertPDFClean(t, p.Data)

	// Stripping a stripped file changes nothing that matters.
	again, err := media.ProcessDocument(bytes.NewReader(p.Data), media.DocLimits{})
	if err != nil {
		t.Fatalf("ProcessDocument on its own output: %v", err)
	}
	assertPDFClean(t, again.Data)
}

// An encrypted PDF that opens without a password (restrictions only) is
// stored decrypted and stripped like any other.
func TestProcessDocumentDecryptsOwnerPasswordPDF(t *testing.T) {
	conf := media.PDFConfig()
	conf.OwnerPW, conf.EncryptUsingAES, conf.EncryptKeyLength = "owner-secret", true, 256
	var enc bytes.Buffer
	if err := api.Encrypt(bytes.NewReader(metadataPDF(t)), &enc, conf); err != nil {
		t.Fatalf("encrypt fixture: %v", err)
	}
	if !bytes.Contains(enc.Bytes(), []byte("/Encrypt")) || bytes.Contains(enc.Bytes(), []byte(pdfAuthor)) {
		t.Fatal("fixture is not encrypted: the test would prove nothing")
	}
	p, err := media.ProcessDocument(bytes.NewReader(enc.Bytes()), media.DocLimits{})
	if err != nil {
		t.Fatalf("ProcessDocument: %v", err)
	}
	if bytes.Contains(p.Data, []byte("/Encrypt")) {
		t.Error("output is still encrypted")
	}
	assertPDFClean(t, p.Data)
}

// pdfcpu keeps a configuration folder (config.yml, fonts, certificates)
// under the user's home unless told not to; processing must create
// nothing there, nor in the temporary folder. pdfcpu decides once per
// process, so the check runs in a fresh process whose first use of pdfcpu
// is ProcessDocument.
func TestProcessDocumentTouchesNoHomeFolder(t *testing.T) {
	if os.Getenv("PEERPRESS_MEDIA_CHILD") == "home" {
		if _, err := media.ProcessDocument(bytes.NewReader(buildMetadataPDF(t)), media.DocLimits{}); err != nil {
			t.Fatal(err)
		}
		return
	}
	home, config, tmp := t.TempDir(), t.TempDir(), t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestProcessDocumentTouchesNoHomeFolder$", "-test.count=1")
	cmd.Env = append(os.Environ(), "PEERPRESS_MEDIA_CHILD=home", "HOME="+home, "XDG_CONFIG_HOME="+config, "TMPDIR="+tmp)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	for _, dir := range []string{home, config, tmp} {
		if files := filesUnder(t, dir); len(files) != 0 {
			t.Errorf("processing created %q under %s", files, dir)
		}
	}
}

func TestProcessDocumentImage(t *testing.T) {
	in := metadataJPEG(t, halves(40, 20), 6)
	p, err := media.ProcessDocument(bytes.NewReader(in), media.DocLimits{})
	if err != nil {
		t.Fatalf("ProcessDocument(JPEG): %v", err)
	}
	if p.MIME != "image/jpeg" || p.Width != 20 || p.Height != 40 {
		t.Errorf("JPEG document processed as %s %d×%d", p.MIME, p.Width, p.Height)
	}
	assertClean(t, p.Data)
	assertJPEGHasNoMetadataSegments(t, p.Data)

	// An image document may be larger than the featured-image limit, up to
	// the document limit.
	big := encodePNG(t, quadrants(8, 8))
	if _, err := media.ProcessDocument(bytes.NewReader(big), media.DocLimits{MaxBytes: int64(len(big))}); err != nil {
		t.Errorf("PNG at the document limit: %v", err)
	}
}

func TestProcessDocumentUnsupported(t *testing.T) {
	cases := map[string]string{
		"HTML":                 "<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>",
		"SVG":                  `<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`,
		"text named .pdf":      "This is a letter, saved as report.pdf\n",
		"PDF magic not first":  " %PDF-1.4\n",
		"PostScript":           "%!PS-Adobe-3.0\n%%Title: report\n",
		"empty":                "",
		"lower-case pdf magic": "%pdf-1.4\n",
	}
	for name, body := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := media.ProcessDocument(strings.NewReader(body), media.DocLimits{})
			if !errors.Is(err, media.ErrUnsupported) {
				t.Fatalf("err = %v, want ErrUnsupported", err)
			}
		})
	}
}

// plainPDF is a one-page PDF of a single revision, without metadata.
func plainPDF() []byte {
	content := "BT /F1 18 Tf 20 150 Td (" + pdfVisible + ") Tj ET"
	return buildPDF([]string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
		pdfStream("", []byte(content)),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
	}, "")
}

// jpegPDF is a one-page PDF showing a 40×20 image whose stream, declared
// a JPEG, is jpg.
func jpegPDF(jpg []byte) []byte {
	return buildPDF([]string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R /Resources << /XObject << /Im1 5 0 R >> >> >>",
		pdfStream("", []byte("q 80 0 0 40 20 20 cm /Im1 Do Q")),
		pdfStream("/Type /XObject /Subtype /Image /Width 40 /Height 20 /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /DCTDecode", jpg),
	}, "")
}

func TestProcessDocumentCorrupt(t *testing.T) {
	in := metadataPDF(t)
	plain := plainPDF()
	for name, ok := range map[string][]byte{"plain PDF": plain, "PDF with a JPEG": jpegPDF(encodeJPEG(t, halves(40, 20)))} {
		if _, err := media.ProcessDocument(bytes.NewReader(ok), media.DocLimits{}); err != nil {
			t.Fatalf("%s, before damage: %v", name, err)
		}
	}
	cases := map[string][]byte{
		"PDF cut in half":           in[:len(in)/2],
		"PDF cut before its xref":   plain[:bytes.LastIndex(plain, []byte("xref"))],
		"PDF cut in a stream":       plain[:bytes.Index(plain, []byte(pdfVisible))],
		"PDF cut before %%EOF":      plain[:len(plain)-6],
		"PDF header only":           []byte("%PDF-1.7\n"),
		"PDF header and garbage":    append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte{0x8b, 0x00, 0xff}, 500)...),
		"garbage between markers":   append(append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("x"), 500)...), "\n%%EOF\n"...),
		"page tree missing":         bytes.Replace(in, []byte("/Pages 2 0 R"), []byte("/Pages 99 0 R"), 1),
		"page tree pointing astray": bytes.Replace(in, []byte("/Kids [3 0 R]"), []byte("/Kids [6 0 R]"), 1),
		"no catalog":                bytes.Replace(in, []byte("/Type /Catalog"), []byte("/Type /Catalo_"), 1),
		"embedded JPEG unreadable":  jpegPDF([]byte("\xff\xd8\xff\xe1\x7f\xffExif\x00\x00" + cameraMake)),
		"embedded JPEG not a JPEG":  jpegPDF([]byte("GIF89a" + cameraMake)),
	}
	for name, body := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := media.ProcessDocument(bytes.NewReader(body), media.DocLimits{})
			if !errors.Is(err, media.ErrCorrupt) {
				t.Fatalf("err = %v, want ErrCorrupt", err)
			}
			if !strings.HasPrefix(err.Error(), "media: ") {
				t.Errorf("error %q lacks the package prefix", err)
			}
		})
	}
}

// Whatever point a PDF is cut at, it is refused as corrupt or, when what
// is left is a complete earlier revision, stored without metadata; it
// never panics and never keeps what it should strip.
func TestProcessDocumentCutAnywhere(t *testing.T) {
	in := metadataPDF(t)
	accepted := 0
	for n := 0; n < len(in); n += 3 {
		p, err := media.ProcessDocument(bytes.NewReader(in[:n]), media.DocLimits{})
		switch {
		case errors.Is(err, media.ErrCorrupt), errors.Is(err, media.ErrUnsupported) && n < len("%PDF-"):
		case err != nil:
			t.Fatalf("cut at %d: err = %v, want ErrCorrupt", n, err)
		default:
			accepted++
			assertPDFClean(t, p.Data)
			if t.Failed() {
				t.Fatalf("cut at %d of %d", n, len(in))
			}
		}
	}
	t.Logf("%d of %d cuts left a complete earlier revision", accepted, (len(in)+2)/3)
}

func TestProcessDocumentTooLarge(t *testing.T) {
	if got := media.DefaultDocLimits(); got.MaxBytes != 50<<20 {
		t.Errorf("DefaultDocLimits() = %+v, want 50 MiB", got)
	}
	in := metadataPDF(t)
	if _, err := media.ProcessDocument(bytes.NewReader(in), media.DocLimits{MaxBytes: int64(len(in))}); err != nil {
		t.Errorf("PDF of exactly the limit: %v", err)
	}
	_, err := media.ProcessDocument(bytes.NewReader(in), media.DocLimits{MaxBytes: int64(len(in)) - 1})
	if !errors.Is(err, media.ErrTooLarge) {
		t.Errorf("PDF one byte over the limit: err = %v, want ErrTooLarge", err)
	}
	// The default limit holds, and no more than limit+1 bytes are read.
	r := &countingReader{r: io.MultiReader(bytes.NewReader(in), endless{})}
	_, err = media.ProcessDocument(r, media.DocLimits{})
	if !errors.Is(err, media.ErrTooLarge) {
		t.Fatalf("endless upload: err = %v, want ErrTooLarge", err)
	}
	if r.n != 50<<20+1 {
		t.Errorf("read %d bytes of an endless upload, want %d", r.n, 50<<20+1)
	}
}

func TestSaveDocument(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, root := newStore(t, d)
		m, err := s.SaveDocument(ctx, bytes.NewReader(metadataPDF(t)), "ru", media.DocLimits{})
		if err != nil {
			t.Fatalf("SaveDocument: %v", err)
		}
		if !regexp.MustCompile(`^[0-9]{4}/[0-9]{2}/[A-Za-z0-9_-]{22}\.pdf$`).MatchString(m.Path) {
			t.Errorf("Path %q does not have the shape YYYY/MM/<22 random>.pdf", m.Path)
		}
		if m.MIME != "application/pdf" || m.Lang != "ru" || m.Alt != "" || m.Width != 0 || m.Height != 0 {
			t.Errorf("saved %+v", m)
		}
		stored, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(m.Path)))
		if err != nil {
			t.Fatal(err)
		}
		if int64(len(stored)) != m.Bytes {
			t.Errorf("Bytes = %d, file has %d", m.Bytes, len(stored))
		}
		assertPDFClean(t, stored)
		if got, err := s.ByID(ctx, m.ID); err != nil || !reflect.DeepEqual(got, m) {
			t.Errorf("ByID = %+v, %v; want %+v", got, err, m)
		}

		// Served as a PDF, in a sandbox.
		rec := get(t, s.Handler(), "GET", m.URL())
		if rec.Code != http.StatusOK || !bytes.Equal(rec.Body.Bytes(), stored) {
			t.Fatalf("GET %s: status %d, %d bytes", m.URL(), rec.Code, rec.Body.Len())
		}
		for k, v := range map[string]string{
			"Content-Type":            "application/pdf",
			"Content-Security-Policy": "sandbox",
			"X-Content-Type-Options":  "nosniff",
		} {
			if got := rec.Header().Get(k); got != v {
				t.Errorf("%s = %q, want %q", k, got, v)
			}
		}
		// Another extension on the same name is not served.
		if rec := get(t, s.Handler(), "GET", "/media/"+strings.TrimSuffix(m.Path, ".pdf")+".jpg"); rec.Code != http.StatusNotFound {
			t.Errorf("PDF under .jpg: status %d", rec.Code)
		}
		// Images are not sandboxed: they are shown inside pages.
		img, err := s.SaveDocument(ctx, bytes.NewReader(encodePNG(t, quadrants(8, 8))), "en", media.DocLimits{})
		if err != nil {
			t.Fatal(err)
		}
		if path.Ext(img.Path) != ".png" || img.MIME != "image/png" {
			t.Errorf("PNG document saved as %s %s", img.MIME, img.Path)
		}
		if rec := get(t, s.Handler(), "GET", img.URL()); rec.Header().Get("Content-Security-Policy") != "" {
			t.Errorf("image served with CSP %q", rec.Header().Get("Content-Security-Policy"))
		}

		// Refusals write nothing.
		for _, bad := range [][]byte{[]byte("<html>"), []byte("%PDF-1.4\ntruncated")} {
			if _, err := s.SaveDocument(ctx, bytes.NewReader(bad), "en", media.DocLimits{}); err == nil {
				t.Errorf("SaveDocument(%q) succeeded", bad)
			}
		}
		if files := filesUnder(t, root); len(files) != 2 {
			t.Errorf("files under root: %q, want the two saved documents", files)
		}

		// Delete removes the row and the file; the address answers 404.
		if err := s.Delete(ctx, m.ID); err != nil {
			t.Fatalf("Delete: %v", err)
		}
		if _, err := os.Stat(filepath.Join(root, filepath.FromSlash(m.Path))); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("file still there after Delete: %v", err)
		}
		if _, err := s.ByID(ctx, m.ID); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("ByID after Delete: %v", err)
		}
		if rec := get(t, s.Handler(), "GET", m.URL()); rec.Code != http.StatusNotFound {
			t.Errorf("GET after Delete: %d", rec.Code)
		}
		if err := s.Delete(ctx, m.ID); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("second Delete: %v, want db.ErrNotFound", err)
		}
	})
}

// Uploads are processed concurrently; pdfcpu must not share state between
// them (run with -race).
func TestProcessDocumentConcurrently(t *testing.T) {
	in := metadataPDF(t)
	errs := make(chan error, 8)
	for range 8 {
		go func() {
			_, err := media.ProcessDocument(bytes.NewReader(in), media.DocLimits{})
			errs <- err
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
