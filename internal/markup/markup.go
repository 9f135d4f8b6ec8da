// Package markup turns HTML into the Markdown entries are written in: the
// WordPress import's posts and what an editor pastes from a word processor
// or a web page. The conversion is one html-to-markdown converter, so that
// both give the same Markdown for the same HTML.
package markup

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/JohannesKaufmann/html-to-markdown/v2/converter"
	"github.com/JohannesKaufmann/html-to-markdown/v2/plugin/base"
	"github.com/JohannesKaufmann/html-to-markdown/v2/plugin/commonmark"
	"github.com/JohannesKaufmann/html-to-markdown/v2/plugin/strikethrough"
	"github.com/JohannesKaufmann/html-to-markdown/v2/plugin/table"
)

// Converter turns HTML into Markdown (CommonMark with strikethrough and
// tables); it is safe for concurrent use.
type Converter struct {
	conv *converter.Converter
}

// NewConverter builds a Converter.
func NewConverter() *Converter {
	return &Converter{conv: converter.NewConverter(converter.WithPlugins(
		base.NewBasePlugin(),
		commonmark.NewCommonmarkPlugin(),
		strikethrough.NewStrikethroughPlugin(),
		table.NewTablePlugin(),
	))}
}

// blankRuns are more than one empty line, which Markdown reads as one.
var blankRuns = regexp.MustCompile(`\n{3,}`)

// Markdown converts HTML to Markdown, trimmed, with no runs of empty lines.
func (c *Converter) Markdown(html string) (string, error) {
	md, err := c.conv.ConvertString(html)
	if err != nil {
		return "", fmt.Errorf("markup: convert to Markdown: %w", err)
	}
	return blankRuns.ReplaceAllString(strings.TrimSpace(md), "\n\n"), nil
}
