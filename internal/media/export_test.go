package media

// PDFConfig is the pdfcpu configuration the package uses, for tests that
// parse PDFs themselves: it keeps pdfcpu away from the home folder too.
var PDFConfig = pdfConfig
