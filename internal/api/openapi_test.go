package api

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"peerpress/internal/content"
)

// The OpenAPI description names exactly the API's routes: every route is
// described, and nothing described is missing from the route table.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	var spec struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(openAPI, &spec); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	if spec.OpenAPI != "3.1.0" {
		t.Fatalf("openapi %q", spec.OpenAPI)
	}
	methods := []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}
	described := map[string]bool{}
	for path, item := range spec.Paths {
		for key := range item {
			if slices.Contains(methods, key) {
				described[strings.ToUpper(key)+" "+path] = true
			}
		}
	}
	routed := map[string]bool{}
	for _, rt := range New(Config{}).Routes() {
		if !strings.HasPrefix(rt.Path, "/api/v1/") {
			t.Errorf("route %s %s is outside /api/v1/", rt.Method, rt.Path)
		}
		routed[rt.Method+" "+rt.Path] = true
		if !described[rt.Method+" "+rt.Path] {
			t.Errorf("route %s %s is not in openapi.json", rt.Method, rt.Path)
		}
	}
	for op := range described {
		if !routed[op] {
			t.Errorf("openapi.json describes %s, which no route serves", op)
		}
	}
	if len(routed) < 7 {
		t.Fatalf("only %d routes", len(routed))
	}
}

// Every $ref in the description leads somewhere.
func TestOpenAPIRefsResolve(t *testing.T) {
	var doc map[string]any
	if err := json.Unmarshal(openAPI, &doc); err != nil {
		t.Fatal(err)
	}
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if ref, ok := v["$ref"].(string); ok {
				var cur any = doc
				for _, part := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
					m, ok := cur.(map[string]any)
					if !ok || m[part] == nil {
						t.Errorf("$ref %s leads nowhere", ref)
						return
					}
					cur = m[part]
				}
			}
			for _, x := range v {
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(doc)
}

// Cursors come back as they went out; anything else is refused.
func TestCursor(t *testing.T) {
	c, err := decodeCursor("e", encodeCursor("e", cursorAt(1700000000, 42)))
	if err != nil || c.At.Unix() != 1700000000 || c.EntryID != 42 {
		t.Fatalf("round trip: %+v %v", c, err)
	}
	for _, bad := range []string{"!", "ZTox", encodeCursor("v", cursorAt(1, 1)), "ZTphOmI", "ZTotMTox", "ZToxOjA"} {
		if _, err := decodeCursor("e", bad); err == nil {
			t.Errorf("cursor %q accepted", bad)
		}
	}
}

func cursorAt(unix, id int64) content.Cursor {
	return content.Cursor{At: time.Unix(unix, 0), EntryID: id}
}
