package content

import (
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/renderer/html"
)

// htmlUnsafe lets raw HTML through goldmark; every byte of output then goes
// through the sanitizer, which is the single place that decides what is safe.
func htmlUnsafe() renderer.Option { return html.WithUnsafe() }
