package media_test

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"peerpress/internal/media"
)

// The office fixtures are built here part by part, the way Word, Excel
// and LibreOffice write them, with the metadata they carry planted in
// every place it lives.

const (
	officeAuthor   = "Jane Peer"
	officeEditor   = "Olena Informant"
	officeCompany  = "Kyiv Outreach Office"
	officeTemplate = "C:\\Users\\jpeer\\AppData\\Roaming\\Microsoft\\Templates\\Normal.dotm"
	officeCustom   = "DMS-CASE-4711"
	officeUserID   = "S::jane.peer@example.org::c0ffee"
	officeInitials = "JPX"
	officeRevDate  = "2025-03-02T21:15:00Z"
	officeBody     = `Harm reduction works: "author" = 'everyone' <we> & they`
)

// officeSecrets must not be anywhere in a cleaned document.
var officeSecrets = []string{officeAuthor, officeEditor, officeCompany, "jpeer", officeCustom, officeUserID, officeInitials, officeRevDate, "thumbnail-pixels"}

type part struct {
	name   string
	body   string
	stored bool
}

func buildZip(t testing.TB, parts ...part) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, p := range parts {
		m := zip.Deflate
		if p.stored {
			m = zip.Store
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: p.name, Method: m, Comment: "made by " + officeAuthor})
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, p.body)
	}
	zw.SetComment("zip of " + officeAuthor)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// escapedBody is officeBody as it is written in XML text.
var escapedBody = strings.NewReplacer("<", "&lt;", ">", "&gt;", "&", "&amp;").Replace(officeBody)

var docxDocument = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>` +
	`<w:p><w:r><w:t xml:space="preserve">` + escapedBody + `</w:t></w:r></w:p>` +
	`<w:p><w:ins w:id="1" w:author="` + officeEditor + `" w:date="` + officeRevDate + `"><w:r><w:t>Added later</w:t></w:r></w:ins></w:p>` +
	`<!-- a comment in XML with author="kept" --><w:p><w:commentRangeStart w:id="0"/><w:r><w:t>Noted</w:t></w:r></w:p>` +
	`</w:body></w:document>`

func docxParts(extra ...part) []part {
	ps := []part{
		{name: "[Content_Types].xml", body: `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Default Extension="jpeg" ContentType="image/jpeg"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/comments.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.comments+xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/><Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/><Override PartName="/docProps/custom.xml" ContentType="application/vnd.openxmlformats-officedocument.custom-properties+xml"/></Types>`},
		{name: "_rels/.rels", body: `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/><Relationship Id="rId4" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties" Target="docProps/custom.xml"/><Relationship Id="rId5" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/thumbnail" Target="docProps/thumbnail.jpeg"/></Relationships>`},
		{name: "docProps/core.xml", body: `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:creator>` + officeAuthor + `</dc:creator><cp:lastModifiedBy>` + officeEditor + `</cp:lastModifiedBy><cp:revision>17</cp:revision><dcterms:created xsi:type="dcterms:W3CDTF">` + officeRevDate + `</dcterms:created></cp:coreProperties>`},
		{name: "docProps/app.xml", body: `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"><Template>` + officeTemplate + `</Template><TotalTime>312</TotalTime><Company>` + officeCompany + `</Company><Manager>` + officeEditor + `</Manager></Properties>`},
		{name: "docProps/custom.xml", body: `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"><property name="Case">` + officeCustom + `</property></Properties>`},
		{name: "docProps/thumbnail.jpeg", body: "thumbnail-pixels"},
		{name: "word/document.xml", body: docxDocument},
		{name: "word/comments.xml", body: `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:comments xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:comment w:id="0" w:author="` + officeAuthor + `" w:date="` + officeRevDate + `" w:initials="` + officeInitials + `"><w:p><w:r><w:t>Check the figures</w:t></w:r></w:p></w:comment></w:comments>`},
		{name: "word/people.xml", body: `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w15:people xmlns:w15="http://schemas.microsoft.com/office/word/2012/wordml"><w15:person w15:author="` + officeAuthor + `"><w15:presenceInfo w15:providerId="AD" w15:userId="` + officeUserID + `"/></w15:person></w15:people>`},
		{name: "word/_rels/settings.xml.rels", body: `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/attachedTemplate" Target="file:///` + strings.ReplaceAll(officeTemplate, `\`, "/") + `" TargetMode="External"/></Relationships>`},
	}
	return append(ps, extra...)
}

func odtParts() []part {
	return []part{
		{name: "mimetype", body: "application/vnd.oasis.opendocument.text", stored: true},
		{name: "META-INF/manifest.xml", body: `<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.text"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/><manifest:file-entry manifest:full-path="meta.xml" manifest:media-type="text/xml"/><manifest:file-entry manifest:full-path="settings.xml" manifest:media-type="text/xml"/><manifest:file-entry manifest:full-path="Thumbnails/thumbnail.png" manifest:media-type="image/png"/></manifest:manifest>`},
		{name: "meta.xml", body: `<?xml version="1.0" encoding="UTF-8"?>
<office:document-meta xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" xmlns:dc="http://purl.org/dc/elements/1.1/" office:version="1.2"><office:meta><meta:initial-creator>` + officeAuthor + `</meta:initial-creator><dc:creator>` + officeEditor + `</dc:creator><meta:editing-cycles>17</meta:editing-cycles><meta:generator>` + officeCompany + `</meta:generator><meta:user-defined meta:name="Case">` + officeCustom + `</meta:user-defined><meta:template xlink:href="` + officeTemplate + `"/></office:meta></office:document-meta>`},
		{name: "settings.xml", body: `<?xml version="1.0" encoding="UTF-8"?>
<office:document-settings xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:config="urn:oasis:names:tc:opendocument:xmlns:config:1.0"><config:config-item config:name="PrinterName" config:type="string">` + officeCompany + ` printer</config:config-item></office:document-settings>`},
		{name: "content.xml", body: `<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0"><office:body><office:text><text:p>` + escapedBody + `</text:p><text:p><office:annotation><dc:creator>` + officeAuthor + `</dc:creator><dc:date>` + officeRevDate + `</dc:date><meta:creator-initials>` + officeInitials + `</meta:creator-initials><text:p>Check the figures</text:p></office:annotation>Annotated</text:p><text:p><text:date text:date-value="2025-03-02">2 March 2025</text:date></text:p></office:text></office:body></office:document-content>`},
		{name: "Thumbnails/thumbnail.png", body: "thumbnail-pixels"},
	}
}

// unzip reads a cleaned document back: it must be a valid ZIP whose every
// part decompresses (CRCs checked), with no comments, timestamps or extra
// fields of the original.
func unzip(t *testing.T, data []byte) (names []string, parts map[string]string) {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatalf("cleaned document is not a valid zip: %v", err)
	}
	if zr.Comment != "" {
		t.Errorf("zip comment kept: %q", zr.Comment)
	}
	parts = map[string]string{}
	for _, f := range zr.File {
		if f.Comment != "" || len(f.Extra) > 0 || f.Modified.Year() > 1980 {
			t.Errorf("%s: header kept comment %q, extra %x or time %v", f.Name, f.Comment, f.Extra, f.Modified)
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatalf("open %s: %v", f.Name, err)
		}
		b, err := io.ReadAll(rc)
		if err != nil {
			t.Fatalf("read %s: %v", f.Name, err)
		}
		names = append(names, f.Name)
		parts[f.Name] = string(b)
	}
	return names, parts
}

func assertNoSecrets(t *testing.T, names []string, parts map[string]string) {
	t.Helper()
	for name, body := range parts {
		for _, s := range officeSecrets {
			if strings.Contains(body, s) {
				t.Errorf("%s still holds %q:\n%s", name, s, body)
			}
		}
	}
}

func TestProcessDocumentStripsDocxMetadata(t *testing.T) {
	in := buildZip(t, docxParts()...)
	if !bytes.Contains(in, []byte(officeAuthor)) {
		t.Fatal("fixture lacks the planted author")
	}
	p, err := media.ProcessDocument(bytes.NewReader(in), media.DocLimits{})
	if err != nil {
		t.Fatalf("ProcessDocument: %v", err)
	}
	if p.MIME != "application/vnd.openxmlformats-officedocument.wordprocessingml.document" || p.Ext != ".docx" {
		t.Errorf("type %q %q", p.MIME, p.Ext)
	}
	if bytes.Contains(p.Data, []byte(officeAuthor)) {
		t.Error("author's name in the stored bytes")
	}
	names, parts := unzip(t, p.Data)
	assertNoSecrets(t, names, parts)
	for _, gone := range []string{"docProps/custom.xml", "docProps/thumbnail.jpeg"} {
		if _, ok := parts[gone]; ok {
			t.Errorf("%s kept", gone)
		}
	}
	for _, ref := range []string{"custom.xml", "thumbnail"} {
		if strings.Contains(parts["_rels/.rels"], ref) || strings.Contains(parts["[Content_Types].xml"], ref) {
			t.Errorf("a reference to the dropped %s is left, Word would call the file damaged", ref)
		}
	}
	for _, kept := range []string{"word/document.xml", "docProps/core.xml", "docProps/app.xml", "word/comments.xml"} {
		if _, ok := parts[kept]; !ok {
			t.Errorf("%s missing", kept)
		}
	}
	doc := parts["word/document.xml"]
	for _, want := range []string{escapedBody, "Added later", "Noted", `<!-- a comment in XML with author="kept" -->`, `w:author=""`} {
		if !strings.Contains(doc, want) {
			t.Errorf("document.xml lost %q:\n%s", want, doc)
		}
	}
	if !strings.Contains(parts["word/comments.xml"], "Check the figures") {
		t.Error("the comment's words are gone")
	}
	if !strings.Contains(parts["_rels/.rels"], `Target="word/document.xml"`) {
		t.Error("main document relationship lost")
	}
	// Cleaning what was cleaned changes nothing more.
	again, err := media.ProcessDocument(bytes.NewReader(p.Data), media.DocLimits{})
	if err != nil || !bytes.Equal(again.Data, p.Data) {
		t.Errorf("cleaning again: %v, same bytes %v", err, bytes.Equal(again.Data, p.Data))
	}
}

func TestProcessDocumentStripsODFMetadata(t *testing.T) {
	p, err := media.ProcessDocument(bytes.NewReader(buildZip(t, odtParts()...)), media.DocLimits{})
	if err != nil {
		t.Fatalf("ProcessDocument: %v", err)
	}
	if p.MIME != "application/vnd.oasis.opendocument.text" || p.Ext != ".odt" {
		t.Errorf("type %q %q", p.MIME, p.Ext)
	}
	names, parts := unzip(t, p.Data)
	assertNoSecrets(t, names, parts)
	if names[0] != "mimetype" || parts["mimetype"] != "application/vnd.oasis.opendocument.text" {
		t.Errorf("mimetype must stay the first part: %v", names)
	}
	zr, _ := zip.NewReader(bytes.NewReader(p.Data), int64(len(p.Data)))
	if zr.File[0].Method != zip.Store {
		t.Error("mimetype compressed: ODF readers require it stored")
	}
	if _, ok := parts["Thumbnails/thumbnail.png"]; ok || strings.Contains(parts["META-INF/manifest.xml"], "Thumbnails") {
		t.Error("thumbnail or its manifest entry kept")
	}
	content := parts["content.xml"]
	for _, want := range []string{escapedBody, "Check the figures", "Annotated", "<dc:creator></dc:creator>", ">2 March 2025</text:date>"} {
		if !strings.Contains(content, want) {
			t.Errorf("content.xml lost %q:\n%s", want, content)
		}
	}
}

func TestProcessDocumentStripsSpreadsheetComments(t *testing.T) {
	parts := []part{
		{name: "[Content_Types].xml", body: `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml" PartName="/xl/workbook.xml"/></Types>`},
		{name: "xl/workbook.xml", body: `<workbook><sheets><sheet name="Sites"/></sheets></workbook>`},
		{name: "xl/tables/table1.xml", body: `<table displayName="Sites" name="Sites"/>`},
		{name: "xl/comments1.xml", body: `<comments><authors><author>` + officeAuthor + `</author></authors><commentList><comment ref="A1" authorId="0"><text><t>figures</t></text></comment></commentList></comments>`},
		{name: "xl/persons/person.xml", body: `<personList><person displayName="` + officeEditor + `" id="{1}" userId="` + officeUserID + `" providerId="AD"/></personList>`},
	}
	p, err := media.ProcessDocument(bytes.NewReader(buildZip(t, parts...)), media.DocLimits{})
	if err != nil {
		t.Fatalf("ProcessDocument: %v", err)
	}
	if p.Ext != ".xlsx" {
		t.Errorf("ext %q", p.Ext)
	}
	names, got := unzip(t, p.Data)
	assertNoSecrets(t, names, got)
	if !strings.Contains(got["xl/tables/table1.xml"], `displayName="Sites"`) {
		t.Errorf("a table's name is not a person's: %s", got["xl/tables/table1.xml"])
	}
	if !strings.Contains(got["xl/comments1.xml"], "<t>figures</t>") {
		t.Error("comment text lost")
	}
}

func TestProcessDocumentCleansEmbeddedDocuments(t *testing.T) {
	inner := buildZip(t, docxParts()...)
	outer := buildZip(t, docxParts(part{name: "word/embeddings/Report.docx", body: string(inner)})...)
	p, err := media.ProcessDocument(bytes.NewReader(outer), media.DocLimits{})
	if err != nil {
		t.Fatalf("ProcessDocument: %v", err)
	}
	_, parts := unzip(t, p.Data)
	names, innerParts := unzip(t, []byte(parts["word/embeddings/Report.docx"]))
	assertNoSecrets(t, names, innerParts)
}

func TestProcessDocumentRefusesOfficeFiles(t *testing.T) {
	zeros := strings.Repeat("\x00", 1<<20)
	many := docxParts()
	for i := range 50 {
		many = append(many, part{name: "word/media/x" + strings.Repeat("a", i+1), body: "x"})
	}
	odtEncrypted := odtParts()
	odtEncrypted[1].body = strings.Replace(odtEncrypted[1].body, `manifest:media-type="text/xml"/>`, `manifest:media-type="text/xml"><manifest:encryption-data/></manifest:file-entry>`, 1)
	odtMisplaced := append(odtParts()[1:], odtParts()[0])
	for _, tc := range []struct {
		name string
		data []byte
		lim  media.DocLimits
		want error
	}{
		{"plain zip", buildZip(t, part{name: "notes.txt", body: "hello"}), media.DocLimits{}, media.ErrUnsupported},
		{"macro-enabled docm", buildZip(t, append(docxParts(), part{name: "word/vbaProject.bin", body: "Sub AutoOpen()"})...), media.DocLimits{}, media.ErrUnsupported},
		{"macro content type", buildZip(t, part{name: "[Content_Types].xml", body: `<Types><Override PartName="/word/document.xml" ContentType="application/vnd.ms-word.document.macroEnabled.main+xml"/></Types>`}, part{name: "word/document.xml", body: docxDocument}), media.DocLimits{}, media.ErrUnsupported},
		{"main part missing", buildZip(t, docxParts()[0]), media.DocLimits{}, media.ErrCorrupt},
		{"zip bomb: unpacks too large", buildZip(t, docxParts(part{name: "word/media/zeros.bin", body: zeros})...), media.DocLimits{Office: media.OfficeLimits{MaxUncompressedBytes: 512 << 10}}, media.ErrTooLarge},
		{"zip bomb: too many parts", buildZip(t, many...), media.DocLimits{Office: media.OfficeLimits{MaxEntries: 40}}, media.ErrTooLarge},
		{"duplicate part", buildZip(t, append(docxParts(), docxParts()[6])...), media.DocLimits{}, media.ErrCorrupt},
		{"path outside", buildZip(t, append(docxParts(), part{name: "../../etc/passwd", body: "x"})...), media.DocLimits{}, media.ErrCorrupt},
		{"truncated", buildZip(t, docxParts()...)[:600], media.DocLimits{}, media.ErrCorrupt},
		{"password-protected odt", buildZip(t, odtEncrypted...), media.DocLimits{}, media.ErrUnsupported},
		{"odt mimetype not first", buildZip(t, odtMisplaced...), media.DocLimits{}, media.ErrCorrupt},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := media.ProcessDocument(bytes.NewReader(tc.data), tc.lim)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
}
