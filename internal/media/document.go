package media

// Documents: files attached to entries, such as a report's PDF.
//
// A PDF carries as much about its making as a photo does: the document
// information dictionary names the author, the program and the machine's
// clock (Author, Creator, Producer, CreationDate, ModDate…); XMP metadata
// streams repeat that and add editing histories, document IDs and, from
// some programs, locations; photos placed in the document keep their EXIF
// and GPS. So a PDF is parsed with pdfcpu and written anew from its object
// graph, without any of that: only what a reader sees is kept. A PDF that
// cannot be parsed is refused, never stored as it came.

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

const (
	mimePDF = "application/pdf"
	extPDF  = ".pdf"
)

var magicPDF = []byte("%PDF-")

// DocLimits bounds what ProcessDocument accepts. A zero or negative field
// means the default from DefaultDocLimits.
type DocLimits struct {
	MaxBytes int64        // size of the upload
	Office   OfficeLimits // what an office document may unpack to
}

// DefaultDocLimits returns 50 MiB: enough for a long illustrated report,
// small enough to read into memory on a small server.
func DefaultDocLimits() DocLimits {
	return DocLimits{MaxBytes: 50 << 20, Office: DefaultOfficeLimits()}
}

func (lim DocLimits) withDefaults() DocLimits {
	if lim.MaxBytes <= 0 {
		lim.MaxBytes = DefaultDocLimits().MaxBytes
	}
	if lim.Office.MaxEntries <= 0 {
		lim.Office.MaxEntries = DefaultOfficeLimits().MaxEntries
	}
	if lim.Office.MaxUncompressedBytes <= 0 {
		lim.Office.MaxUncompressedBytes = DefaultOfficeLimits().MaxUncompressedBytes
	}
	return lim
}

// ProcessDocument reads an upload from r and returns it ready to publish:
// a PDF is rewritten without its metadata (see stripPDF), an office
// document (docx, xlsx, pptx, odt, ods, odp) too (see office.go, where an
// office document unpacking beyond lim.Office is ErrTooLarge); an image goes
// through ProcessImage's re-encoding, with the pixel limits of
// DefaultLimits and the size limit of lim. Anything else is ErrUnsupported,
// over lim.MaxBytes is ErrTooLarge, and a PDF or image that does not parse
// is ErrCorrupt. The type is decided from the bytes alone.
func ProcessDocument(r io.Reader, lim DocLimits) (Processed, error) {
	lim = lim.withDefaults()
	data, err := readUpload(r, lim.MaxBytes)
	if err != nil {
		return Processed{}, err
	}
	if isPDF(data) {
		out, err := stripPDF(data)
		if err != nil {
			return Processed{}, err
		}
		return Processed{Data: out, MIME: mimePDF, Ext: extPDF}, nil
	}
	if isZIP(data) {
		out, typ, err := stripOffice(data, lim.Office)
		if err != nil {
			return Processed{}, err
		}
		return Processed{Data: out, MIME: typ, Ext: officeExt[typ]}, nil
	}
	if sniff(data) != kindNone {
		return processImage(data, Limits{MaxBytes: lim.MaxBytes}.withDefaults())
	}
	return Processed{}, fmt.Errorf("media: sniffed %q: %w", http.DetectContentType(data), ErrUnsupported)
}

// isPDF reports whether data starts as a PDF. Like sniff, the standard
// sniffer and the magic number must agree.
func isPDF(data []byte) bool {
	return bytes.HasPrefix(data, magicPDF) && http.DetectContentType(data) == mimePDF
}

// pdfConfigOnce turns off pdfcpu's configuration folder before its first
// use. Left on, pdfcpu creates ~/.config/pdfcpu (config.yml, fonts,
// certificates) the first time it is asked for a configuration; peerpress
// must not write outside its data folder, and needs none of it.
var pdfConfigOnce sync.Once

// pdfConfig is pdfcpu's built-in configuration, set for untrusted input:
// never go online (pdfcpu can fetch certificate revocation lists for
// signatures), and write plain objects with a classic cross-reference
// table, which blankInfoDict relies on.
func pdfConfig() *model.Configuration {
	pdfConfigOnce.Do(api.DisableConfigDir)
	conf := model.NewDefaultConfiguration()
	conf.Offline = true
	conf.ValidateLinks = false
	conf.ValidationMode = model.ValidationRelaxed
	conf.WriteObjectStream = false
	conf.WriteXRefStream = false
	conf.Limits.MaxDecodeBytes = 256 << 20
	conf.Limits.MaxImageBytes = 256 << 20
	return conf
}

// metadataKeys are dictionary entries that hold data about the document
// rather than the document: XMP metadata streams (allowed on any
// dictionary or stream), page-piece dictionaries with the private data of
// the program that made the page, and their modification dates.
var metadataKeys = []string{"Metadata", "PieceInfo", "LastModified"}

// stripPDF parses a PDF and writes it again without metadata:
//
//   - the document information dictionary (Title, Author, Subject,
//     Keywords, Creator, Producer, CreationDate, ModDate, and any custom
//     entry) is emptied and dropped from the trailer;
//   - every /Metadata entry (XMP) is removed from every dictionary, the
//     catalog's included, and every XMP stream is emptied, so that none
//     survives even if something else refers to it;
//   - /PieceInfo and /LastModified go too;
//   - the file identifier (/ID), which ties the file to the original it
//     was saved from, is replaced by a fresh one;
//   - photos embedded as JPEG lose their EXIF, XMP, IPTC, ICC and comment
//     segments (the pixels are untouched);
//   - earlier revisions (incremental updates) and objects nothing refers
//     to are dropped, since only the current object graph is written;
//   - an encrypted PDF that opens without a password is written
//     unencrypted.
//
// pdfcpu adds an information dictionary of its own to every file it writes
// (Producer "pdfcpu …", and the moment and time zone of writing as dates);
// blankInfoDict empties it afterwards. The result is parsed once more, so
// what is stored is known to be a PDF.
func stripPDF(data []byte) (out []byte, err error) {
	// pdfcpu is a large parser fed with bytes from anyone with an editor
	// account: a panic in it must refuse the upload, not end the server.
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, fmt.Errorf("media: pdf: %w: parser panic: %v", ErrCorrupt, r)
		}
	}()
	// pdfcpu, like PDF viewers, rebuilds a file whose cross-reference
	// table is missing from the objects it finds; for a file cut short
	// that means publishing what happens to be left. A complete PDF ends
	// with an end-of-file marker, which readers look for in the last
	// kilobyte.
	if !bytes.Contains(data[max(0, len(data)-1024):], []byte("%%EOF")) {
		return nil, fmt.Errorf("media: pdf without end-of-file marker (cut short?): %w", ErrCorrupt)
	}
	ctx, err := api.ReadContext(bytes.NewReader(data), pdfConfig())
	if err != nil {
		return nil, fmt.Errorf("media: read pdf: %w: %w", ErrCorrupt, err)
	}
	// Validation (relaxed, as readers are) refuses what parses only in
	// part, such as a truncated file whose pages are missing.
	if err := api.ValidateContext(ctx); err != nil {
		return nil, fmt.Errorf("media: validate pdf: %w: %w", ErrCorrupt, err)
	}
	if err := scrubPDF(ctx); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := api.WriteContext(ctx, &buf); err != nil {
		// The writer writes to memory: a failure comes from the input.
		return nil, fmt.Errorf("media: write pdf: %w: %w", ErrCorrupt, err)
	}
	out = buf.Bytes()
	if err := blankInfoDict(ctx, out); err != nil {
		return nil, err
	}
	if err := checkStripped(out); err != nil {
		return nil, err
	}
	return out, nil
}

// scrubPDF removes the metadata from a parsed PDF, in place.
func scrubPDF(ctx *model.Context) error {
	// Decrypted on reading (only files that open without a password get
	// here); writing them unencrypted keeps every string readable to the
	// checks below, and leaves nothing encrypted with a key we dropped.
	ctx.Encrypt, ctx.EncKey = nil, nil
	ctx.ID = nil
	if ctx.Info != nil {
		// Empty the old dictionary as well as dropping it from the
		// trailer, in case some other object refers to it.
		if e, ok := ctx.Table[int(ctx.Info.ObjectNumber)]; ok && e != nil && !e.Free {
			if _, isDict := e.Object.(types.Dict); isDict {
				e.Object = types.NewDict()
			}
		}
		ctx.Info = nil
	}
	for _, e := range ctx.Table {
		if e == nil || e.Free || e.Object == nil {
			continue
		}
		obj, err := scrubObject(e.Object, 0)
		if err != nil {
			return err
		}
		e.Object = obj
	}
	return nil
}

// maxScrubDepth bounds the recursion into direct objects; pdfcpu's parser
// already refuses deeper nesting than its own limit (100).
const maxScrubDepth = 200

// scrubObject removes metadata entries from o and the direct objects in
// it, and returns it (streams are values, so a changed one is returned).
func scrubObject(o types.Object, depth int) (types.Object, error) {
	if depth > maxScrubDepth {
		return nil, fmt.Errorf("media: pdf nested too deeply: %w", ErrCorrupt)
	}
	switch v := o.(type) {
	case types.Dict:
		if err := scrubDict(v, depth); err != nil {
			return nil, err
		}
		return v, nil
	case types.Array:
		for i := range v {
			x, err := scrubObject(v[i], depth+1)
			if err != nil {
				return nil, err
			}
			v[i] = x
		}
		return v, nil
	case types.StreamDict:
		if err := scrubDict(v.Dict, depth); err != nil {
			return nil, err
		}
		if t := v.Type(); t != nil && *t == "Metadata" {
			emptyStream(&v)
			return v, nil
		}
		if v.HasSoleFilterNamed("DCTDecode") {
			jpg, err := stripJPEGSegments(v.Raw)
			if err != nil {
				return nil, err
			}
			setStreamRaw(&v, jpg)
		}
		return v, nil
	}
	// Object streams and cross-reference streams of the input are not
	// written again; numbers, names, strings and references hold nothing
	// to remove.
	return o, nil
}

func scrubDict(d types.Dict, depth int) error {
	for _, k := range metadataKeys {
		delete(d, k)
	}
	for k, x := range d {
		y, err := scrubObject(x, depth+1)
		if err != nil {
			return err
		}
		d[k] = y
	}
	return nil
}

// emptyStream replaces a stream's content with nothing.
func emptyStream(sd *types.StreamDict) {
	sd.Delete("Filter")
	sd.Delete("DecodeParms")
	sd.FilterPipeline = nil
	sd.Content = nil
	setStreamRaw(sd, []byte{})
}

// setStreamRaw replaces a stream's encoded bytes and its length, which
// may have been an indirect reference.
func setStreamRaw(sd *types.StreamDict, raw []byte) {
	n := int64(len(raw))
	sd.Raw = raw
	sd.StreamLength = &n
	sd.StreamLengthObjNr = nil
	sd.Update("Length", types.Integer(n))
}

// stripJPEGSegments returns a JPEG without its application segments other
// than JFIF (APP0) and Adobe (APP14, which says how to read the colours),
// and without comments: EXIF and GPS, XMP, ICC profiles, IPTC and
// Photoshop data, FlashPix and multi-picture previews all live in those.
// Everything from the start of scan on is kept byte for byte. A JPEG whose
// header cannot be walked is refused rather than kept as it was.
func stripJPEGSegments(b []byte) ([]byte, error) {
	bad := fmt.Errorf("media: pdf: embedded JPEG header unreadable: %w", ErrCorrupt)
	if len(b) < 4 || b[0] != 0xFF || b[1] != markerSOI {
		return nil, bad
	}
	out := make([]byte, 0, len(b))
	out = append(out, 0xFF, markerSOI)
	i := 2
	for {
		if i >= len(b) || b[i] != 0xFF {
			return nil, bad
		}
		// Any number of 0xFF fill bytes may precede a marker.
		for i < len(b) && b[i] == 0xFF {
			i++
		}
		if i >= len(b) {
			return nil, bad
		}
		m := b[i]
		i++
		switch {
		case m == markerSOS:
			out = append(out, 0xFF, m)
			return append(out, b[i:]...), nil
		case m == markerEOI:
			return nil, bad // an image without a scan
		case m == markerTEM || markerRST0 <= m && m <= markerRST7:
			out = append(out, 0xFF, m) // no length follows
			continue
		}
		if i+2 > len(b) {
			return nil, bad
		}
		n := int(binary.BigEndian.Uint16(b[i:]))
		if n < 2 || i+n > len(b) {
			return nil, bad
		}
		const app0, app14, app15, com = 0xE0, 0xEE, 0xEF, 0xFE
		drop := m == com || (app0 < m && m <= app15 && m != app14)
		if !drop {
			out = append(out, 0xFF, m)
			out = append(out, b[i:i+n]...)
		}
		i += n
	}
}

// blankInfoDict empties the information dictionary pdfcpu wrote into out
// (Producer and the current date and zone, see stripPDF). It overwrites
// the dictionary's contents with spaces where they are, so that every byte
// offset in the file, and so the cross-reference table, stays right: the
// file keeps an empty information dictionary.
func blankInfoDict(ctx *model.Context, out []byte) error {
	if ctx.Info == nil {
		return nil // PDF 2.0: pdfcpu adds none
	}
	objNr := int(ctx.Info.ObjectNumber)
	off, ok := ctx.Write.Table[objNr]
	fail := func(what string) error {
		return fmt.Errorf("media: pdf: blank information dictionary %d: %s", objNr, what)
	}
	if !ok || off < 0 || off >= int64(len(out)) {
		return fail("not written as a plain object")
	}
	obj := out[off:]
	head := fmt.Appendf(nil, "%d %d obj", objNr, ctx.Info.GenerationNumber)
	if !bytes.HasPrefix(obj, head) {
		return fail("not at its offset")
	}
	end := bytes.Index(obj, []byte("endobj"))
	if end < 0 {
		return fail("no endobj")
	}
	body := obj[len(head):end]
	open, close := bytes.Index(body, []byte("<<")), bytes.LastIndex(body, []byte(">>"))
	if open < 0 || close < open+2 {
		return fail("not a dictionary")
	}
	for i := open + 2; i < close; i++ {
		body[i] = ' '
	}
	return nil
}

// checkStripped parses the result again: it must be a PDF, and its
// information dictionary and catalog must hold no metadata.
func checkStripped(out []byte) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("media: pdf: stripped file does not parse: panic: %v", r)
		}
	}()
	ctx, err := api.ReadContext(bytes.NewReader(out), pdfConfig())
	if err != nil {
		return fmt.Errorf("media: pdf: stripped file does not parse: %w", err)
	}
	if ctx.Info != nil {
		d, err := ctx.DereferenceDict(*ctx.Info)
		if err != nil {
			return fmt.Errorf("media: pdf: stripped file: information dictionary: %w", err)
		}
		if len(d) > 0 {
			return errors.New("media: pdf: stripped file still has an information dictionary")
		}
	}
	root, err := ctx.Catalog()
	if err != nil {
		return fmt.Errorf("media: pdf: stripped file: catalog: %w", err)
	}
	if _, ok := root.Find("Metadata"); ok {
		return errors.New("media: pdf: stripped file still has catalog metadata")
	}
	return nil
}
