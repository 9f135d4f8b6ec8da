package media

// Office documents: Word, Excel and PowerPoint files (OOXML: .docx, .xlsx,
// .pptx) and their OpenDocument counterparts (.odt, .ods, .odp).
//
// Both are ZIP containers of XML parts, and both say who made them:
// OOXML's docProps/core.xml names the creator, the last person to save,
// the revision count and the dates; docProps/app.xml the company, the
// manager, the template and the editing time; docProps/custom.xml whatever
// a document-management system added. ODF keeps the same in meta.xml, and
// its settings.xml names printers. Comments and tracked changes carry
// their authors' names and initials, and Office 365 adds their account
// identifiers (word/people.xml, xl/persons). A link to a template on the
// author's disk (file:///C:/Users/<name>/…) names them too.
//
// So an office document is read entry by entry, within limits (a ZIP can
// unpack to far more than it weighs), and written anew: the property parts
// replaced by empty ones, authors' names and identifiers blanked wherever
// they are attributes or elements of their own, thumbnails and custom
// properties dropped (with their references, so the package stays valid),
// and every other part copied as it was. ZIP timestamps, comments and
// extra fields (owner ids, file times) are not copied. Documents with
// macros or ActiveX controls are refused: a reader should be able to open
// what a site offers without running a stranger's program.

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"regexp"
	"strings"
)

// Office document types: the MIME type and extension each is stored as.
const (
	mimeDOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	mimeXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	mimePPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
	mimeODT  = "application/vnd.oasis.opendocument.text"
	mimeODS  = "application/vnd.oasis.opendocument.spreadsheet"
	mimeODP  = "application/vnd.oasis.opendocument.presentation"

	extDOCX = ".docx"
	extXLSX = ".xlsx"
	extPPTX = ".pptx"
	extODT  = ".odt"
	extODS  = ".ods"
	extODP  = ".odp"
)

// officeExt is the extension each office type is stored with.
var officeExt = map[string]string{
	mimeDOCX: extDOCX, mimeXLSX: extXLSX, mimePPTX: extPPTX,
	mimeODT: extODT, mimeODS: extODS, mimeODP: extODP,
}

// ooxmlMain maps the content type of an OOXML package's main part to the
// package's type. Macro-enabled and template variants are not listed, so
// they are refused.
var ooxmlMain = map[string]string{
	"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml":   mimeDOCX,
	"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml":         mimeXLSX,
	"application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml": mimePPTX,
}

// OfficeLimits bounds how much an office document may unpack to: ZIP
// compresses repetitive XML a thousandfold, so the upload's size says
// little about the work of reading it.
type OfficeLimits struct {
	MaxEntries           int   // parts in the container
	MaxUncompressedBytes int64 // all parts together, unpacked
}

// DefaultOfficeLimits returns 4,000 parts and 256 MiB unpacked: a long
// report with many pictures or a workbook of a hundred sheets has a few
// hundred parts and tens of megabytes.
func DefaultOfficeLimits() OfficeLimits {
	return OfficeLimits{MaxEntries: 4000, MaxUncompressedBytes: 256 << 20}
}

// maxEmbedDepth bounds documents inside documents (a chart's workbook in a
// report): each is cleaned too, but no deeper than this.
const maxEmbedDepth = 2

var magicZIP = []byte("PK\x03\x04")

// isZIP reports whether data starts as a ZIP container.
func isZIP(data []byte) bool { return bytes.HasPrefix(data, magicZIP) }

// stripOffice checks that data is an office document within lim and
// returns it rewritten without its metadata, with its MIME type.
func stripOffice(data []byte, lim OfficeLimits) ([]byte, string, error) {
	budget := lim.MaxUncompressedBytes
	return stripOfficeDepth(data, lim, &budget, 0)
}

// officeFile is one part of the container, as read.
type officeFile struct {
	f    *zip.File
	name string
}

func stripOfficeDepth(data []byte, lim OfficeLimits, budget *int64, depth int) (_ []byte, _ string, err error) {
	corrupt := func(format string, a ...any) error {
		return fmt.Errorf("media: office: "+format+": %w", append(a, ErrCorrupt)...)
	}
	if !isZIP(data) {
		return nil, "", fmt.Errorf("media: office: not a zip: %w", ErrUnsupported)
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, "", corrupt("read zip: %v", err)
	}
	if len(zr.File) > lim.MaxEntries {
		return nil, "", fmt.Errorf("media: office: %d parts (limit %d): %w", len(zr.File), lim.MaxEntries, ErrTooLarge)
	}
	files := make([]officeFile, 0, len(zr.File))
	seen := make(map[string]bool, len(zr.File))
	for _, f := range zr.File {
		name := f.Name
		// One name, one part: a container with two parts of the same name
		// (or a name that means something else on another system) reads
		// differently in different programs.
		if !fs.ValidPath(strings.TrimSuffix(name, "/")) || strings.Contains(name, `\`) || seen[strings.ToLower(name)] {
			return nil, "", corrupt("part name %q", name)
		}
		seen[strings.ToLower(name)] = true
		if f.Flags&0x1 != 0 {
			return nil, "", fmt.Errorf("media: office: encrypted part %q: %w", name, ErrUnsupported)
		}
		if f.Method != zip.Store && f.Method != zip.Deflate {
			return nil, "", corrupt("part %q: compression method %d", name, f.Method)
		}
		lower := strings.ToLower(name)
		if strings.Contains(lower, "vbaproject") || strings.Contains(lower, "/activex/") || strings.HasPrefix(lower, "basic/") || strings.HasPrefix(lower, "scripts/") {
			return nil, "", fmt.Errorf("media: office: macros or controls (%q): %w", name, ErrUnsupported)
		}
		files = append(files, officeFile{f: f, name: name})
	}

	read := func(f *zip.File) ([]byte, error) {
		rc, err := f.Open()
		if err != nil {
			return nil, corrupt("open %q: %v", f.Name, err)
		}
		defer rc.Close()
		// The sizes in the headers are the uploader's word: count what
		// actually comes out.
		b, err := io.ReadAll(io.LimitReader(rc, *budget+1))
		if err != nil {
			return nil, corrupt("read %q: %v", f.Name, err)
		}
		*budget -= int64(len(b))
		if *budget < 0 {
			return nil, fmt.Errorf("media: office: unpacks to over %d bytes: %w", lim.MaxUncompressedBytes, ErrTooLarge)
		}
		return b, nil
	}
	parts := make(map[string][]byte, len(files))
	for _, of := range files {
		if strings.HasSuffix(of.name, "/") {
			continue
		}
		b, err := read(of.f)
		if err != nil {
			return nil, "", err
		}
		parts[of.name] = b
	}

	typ, err := officeType(parts, files)
	if err != nil {
		return nil, "", err
	}
	odf := typ == mimeODT || typ == mimeODS || typ == mimeODP

	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, of := range files {
		name := of.name
		b, isFile := parts[name]
		if !isFile {
			continue // folders are implied by their parts' names
		}
		var keep bool
		if odf {
			b, keep = cleanODFPart(name, b)
		} else {
			b, keep = cleanOOXMLPart(name, b)
		}
		if !keep {
			continue
		}
		if depth < maxEmbedDepth && isZIP(b) {
			// A document inside the document: a chart's data, an
			// embedded spreadsheet. It carries its own authors.
			inner, _, err := stripOfficeDepth(b, lim, budget, depth+1)
			switch {
			case err == nil:
				b = inner
			case errors.Is(err, ErrUnsupported) || errors.Is(err, ErrCorrupt):
				return nil, "", fmt.Errorf("media: office: embedded %q: %w", name, err)
			default:
				return nil, "", err
			}
		}
		method := zip.Deflate
		if of.f.Method == zip.Store {
			method = zip.Store // ODF's mimetype must stay stored, and first
		}
		// A fresh header: no timestamps (they tell when and in which time
		// zone the author worked), comments or extra fields.
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: method, ModifiedDate: dosEpoch})
		if err != nil {
			return nil, "", fmt.Errorf("media: office: write %q: %w", name, err)
		}
		if _, err := w.Write(b); err != nil {
			return nil, "", fmt.Errorf("media: office: write %q: %w", name, err)
		}
	}
	if err := zw.Close(); err != nil {
		return nil, "", fmt.Errorf("media: office: write: %w", err)
	}
	return buf.Bytes(), typ, nil
}

// dosEpoch is 1980-01-01 in MS-DOS date format, the earliest a ZIP can say.
const dosEpoch = 1<<5 | 1

// officeType decides what kind of office document the parts make, or
// refuses them.
func officeType(parts map[string][]byte, files []officeFile) (string, error) {
	if mt, ok := parts["mimetype"]; ok {
		// ODF: the first part is "mimetype", stored, naming the type.
		if files[0].name != "mimetype" {
			return "", fmt.Errorf("media: office: odf mimetype not first: %w", ErrCorrupt)
		}
		typ := string(bytes.TrimSpace(mt))
		if _, ok := officeExt[typ]; !ok || !strings.HasPrefix(typ, "application/vnd.oasis.") {
			return "", fmt.Errorf("media: office: odf type %q: %w", typ, ErrUnsupported)
		}
		if bytes.Contains(parts["META-INF/manifest.xml"], []byte("encryption-data")) {
			return "", fmt.Errorf("media: office: password-protected odf: %w", ErrUnsupported)
		}
		if _, ok := parts["content.xml"]; !ok {
			return "", fmt.Errorf("media: office: odf without content.xml: %w", ErrCorrupt)
		}
		return typ, nil
	}
	ct, ok := parts["[Content_Types].xml"]
	if !ok {
		return "", fmt.Errorf("media: office: zip is neither OOXML nor ODF: %w", ErrUnsupported)
	}
	var typ, main string
	var macros bool
	eachTag(ct, func(tag []byte) []byte {
		if tagName(tag) != "Override" || typ != "" {
			return tag
		}
		ctype := attrValue(tag, "ContentType")
		if t, ok := ooxmlMain[ctype]; ok {
			typ, main = t, strings.TrimPrefix(attrValue(tag, "PartName"), "/")
		}
		macros = macros || strings.Contains(strings.ToLower(ctype), "macroenabled")
		return tag
	})
	switch {
	case macros:
		return "", fmt.Errorf("media: office: macro-enabled document: %w", ErrUnsupported)
	case typ == "":
	case parts[main] == nil:
		return "", fmt.Errorf("media: office: main part %q missing: %w", main, ErrCorrupt)
	default:
		return typ, nil
	}
	return "", fmt.Errorf("media: office: no document, workbook or presentation part: %w", ErrUnsupported)
}

// Empty property parts, which programs open as "no properties".
const (
	emptyCoreXML = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" +
		`<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"></cp:coreProperties>`
	emptyAppXML = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" +
		`<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"></Properties>`
	emptyMetaXML = `<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
		`<office:document-meta xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" office:version="1.2"><office:meta></office:meta></office:document-meta>`
	emptySettingsXML = `<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
		`<office:document-settings xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" office:version="1.2"></office:document-settings>`
)

// ooxmlDropped are parts removed from OOXML packages: custom properties
// and the first page's thumbnail (a picture of the document as it was
// last saved, which may not be what is published).
func ooxmlDropped(name string) bool {
	lower := strings.ToLower(name)
	return lower == "docprops/custom.xml" || strings.HasPrefix(lower, "docprops/thumbnail.")
}

// peopleAttrs are attributes that name a person or their account, in any
// part: comment and revision authors (w:author, w:initials) and Office 365
// identities (userId, providerId).
var peopleAttrs = []string{"author", "initials", "userId", "providerId"}

// cleanOOXMLPart returns an OOXML part as it is published, and whether it
// is kept at all.
func cleanOOXMLPart(name string, b []byte) ([]byte, bool) {
	lower := strings.ToLower(name)
	switch {
	case ooxmlDropped(name):
		return nil, false
	case lower == "docprops/core.xml":
		return []byte(emptyCoreXML), true
	case lower == "docprops/app.xml":
		return []byte(emptyAppXML), true
	case lower == "[content_types].xml":
		return dropElements(b, "Override", func(tag []byte) bool {
			return ooxmlDropped(strings.TrimPrefix(attrValue(tag, "PartName"), "/"))
		}), true
	case strings.HasSuffix(lower, ".rels"):
		b = dropElements(b, "Relationship", func(tag []byte) bool {
			target := attrValue(tag, "Target")
			return ooxmlDropped(strings.TrimPrefix(path.Clean("/"+target), "/")) && !strings.Contains(target, ":")
		})
		return blankLocalTargets(b), true
	case !strings.HasSuffix(lower, ".xml"):
		return b, true
	}
	b = blankAttrs(b, peopleAttrs...)
	switch {
	case strings.HasPrefix(lower, "ppt/commentauthors"):
		b = blankAttrs(b, "name")
	case strings.HasPrefix(lower, "xl/persons/"):
		b = blankAttrs(b, "displayName")
	case strings.HasPrefix(lower, "xl/comments"):
		// Excel's legacy comments list their authors as elements.
		b = blankElements(b, "author")
	case strings.HasPrefix(lower, "word/"):
		// When each comment and tracked change was made: optional, so
		// removed rather than blanked (an empty date is invalid).
		b = removeAttrs(b, "w:date")
	}
	return b, true
}

// cleanODFPart returns an ODF part as it is published, and whether it is
// kept at all.
func cleanODFPart(name string, b []byte) ([]byte, bool) {
	lower := strings.ToLower(name)
	switch {
	case lower == "meta.xml":
		return []byte(emptyMetaXML), true
	case lower == "settings.xml":
		return []byte(emptySettingsXML), true
	case strings.HasPrefix(lower, "thumbnails/"):
		return nil, false
	case lower == "meta-inf/manifest.xml":
		if bytes.Contains(b, []byte("encryption-data")) {
			return nil, false // refused by officeType
		}
		return dropElements(b, "file-entry", func(tag []byte) bool {
			p := strings.ToLower(attrValue(tag, "full-path"))
			return strings.HasPrefix(p, "thumbnails/") && p != "thumbnails/"
		}), true
	case !strings.HasSuffix(lower, ".xml"):
		return b, true
	}
	// Comments (office:annotation) and tracked changes
	// (office:change-info) name their author and date as elements.
	b = blankElements(b, "dc:creator", "dc:date", "meta:creator-initials")
	return b, true
}

// The XML here is edited as text, tag by tag, rather than decoded and
// encoded again: encoding/xml does not write namespaces back as they were,
// and Office is strict about prefixes. Only tags are changed, never the
// text between them, so the document's words stay byte for byte.

// eachTag calls fn with each start or empty-element tag in b (from "<" to
// ">") and writes what fn returns in its place; comments, processing
// instructions, declarations and CDATA are copied untouched.
func eachTag(b []byte, fn func(tag []byte) []byte) []byte {
	var out bytes.Buffer
	out.Grow(len(b))
	for {
		i := bytes.IndexByte(b, '<')
		if i < 0 {
			out.Write(b)
			return out.Bytes()
		}
		out.Write(b[:i])
		b = b[i:]
		var end int
		switch {
		case bytes.HasPrefix(b, []byte("<!--")):
			end = indexEnd(b, "-->")
		case bytes.HasPrefix(b, []byte("<![CDATA[")):
			end = indexEnd(b, "]]>")
		case bytes.HasPrefix(b, []byte("<?")):
			end = indexEnd(b, "?>")
		default:
			end = tagEnd(b)
			if len(b) > 1 && b[1] != '/' && b[1] != '!' {
				out.Write(fn(b[:end]))
				b = b[end:]
				continue
			}
		}
		out.Write(b[:end])
		b = b[end:]
	}
}

// indexEnd is the length of b up to and including sep, or all of b.
func indexEnd(b []byte, sep string) int {
	if i := bytes.Index(b, []byte(sep)); i >= 0 {
		return i + len(sep)
	}
	return len(b)
}

// tagEnd is the length of the tag b starts with: up to the first ">"
// outside a quoted attribute value, or all of b.
func tagEnd(b []byte) int {
	var quote byte
	for i := 1; i < len(b); i++ {
		c := b[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '>':
			return i + 1
		}
	}
	return len(b)
}

// attrRE matches one attribute: its name (with any prefix) and its value.
var attrRE = regexp.MustCompile(`\s((?:[\w.-]+:)?([\w.-]+))\s*=\s*("[^"]*"|'[^']*')`)

// tagName is the local name of the element tag opens.
func tagName(tag []byte) string {
	n := bytes.IndexAny(tag, " \t\r\n/>")
	if n < 0 {
		n = len(tag)
	}
	name := string(tag[1:n])
	if _, local, ok := strings.Cut(name, ":"); ok {
		return local
	}
	return name
}

// attrValue is the value of the attribute with local name local in tag,
// or "".
func attrValue(tag []byte, local string) string {
	for _, m := range attrRE.FindAllSubmatch(tag, -1) {
		if string(m[2]) == local {
			v := m[3]
			return string(v[1 : len(v)-1])
		}
	}
	return ""
}

// blankAttrs empties the values of the attributes with the given local
// names, in every tag.
func blankAttrs(b []byte, locals ...string) []byte {
	return eachTag(b, func(tag []byte) []byte {
		return attrRE.ReplaceAllFunc(tag, func(a []byte) []byte {
			m := attrRE.FindSubmatch(a)
			for _, l := range locals {
				if string(m[2]) == l {
					return []byte(" " + string(m[1]) + `=""`)
				}
			}
			return a
		})
	})
}

// dropElements removes the empty elements (<x …/>) with local name local
// for which drop says so.
func dropElements(b []byte, local string, drop func(tag []byte) bool) []byte {
	return eachTag(b, func(tag []byte) []byte {
		if tagName(tag) == local && bytes.HasSuffix(tag, []byte("/>")) && drop(tag) {
			return nil
		}
		return tag
	})
}

// removeAttrs removes the attributes with the given qualified names from
// every tag.
func removeAttrs(b []byte, names ...string) []byte {
	return eachTag(b, func(tag []byte) []byte {
		return attrRE.ReplaceAllFunc(tag, func(a []byte) []byte {
			m := attrRE.FindSubmatch(a)
			for _, n := range names {
				if string(m[1]) == n {
					return nil
				}
			}
			return a
		})
	})
}

// blankElements empties the text of the elements with the given names
// (<dc:creator>Jane</dc:creator> becomes <dc:creator></dc:creator>), when
// they hold only text.
func blankElements(b []byte, names ...string) []byte {
	for _, n := range names {
		q := regexp.QuoteMeta(n)
		re := regexp.MustCompile(`(<` + q + `(?:\s[^<>]*)?>)[^<]*(</` + q + `>)`)
		b = re.ReplaceAll(b, []byte("$1$2"))
	}
	return b
}

// blankLocalTargets replaces relationship targets that point at the
// author's own disk or network (an attached template,
// file:///C:/Users/<name>/…/Normal.dotm) with an empty file link.
func blankLocalTargets(b []byte) []byte {
	return eachTag(b, func(tag []byte) []byte {
		if tagName(tag) != "Relationship" {
			return tag
		}
		t := strings.ToLower(attrValue(tag, "Target"))
		if !strings.HasPrefix(t, "file:") && !strings.HasPrefix(t, `\\`) && !(len(t) > 1 && t[1] == ':') {
			return tag
		}
		return attrRE.ReplaceAllFunc(tag, func(a []byte) []byte {
			if m := attrRE.FindSubmatch(a); string(m[2]) == "Target" {
				return []byte(` Target="file:///"`)
			}
			return a
		})
	})
}
