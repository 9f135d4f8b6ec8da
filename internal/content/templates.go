package content

import "embed"

// templates holds the content domain's pages; they are parsed at start
// over the shared layouts from the web package.
//
//go:embed templates/*.html
var templates embed.FS
