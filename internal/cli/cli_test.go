package cli

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe to read while a command writes to it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func run(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut syncBuffer
	code := Run(context.Background(), args, strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestVersionAndHelp(t *testing.T) {
	if code, out, _ := run(t, "", "version"); code != 0 || !strings.HasPrefix(out, "peerpress ") {
		t.Fatalf("version: %d %q", code, out)
	}
	if code, _, errOut := run(t, ""); code != 2 || !strings.Contains(errOut, "Usage:") {
		t.Fatalf("no command: %d %q", code, errOut)
	}
	if code, _, errOut := run(t, "", "frobnicate"); code != 2 || !strings.Contains(errOut, `unknown command "frobnicate"`) {
		t.Fatalf("unknown command: %d %q", code, errOut)
	}
	// Each command's help names the environment variable of each flag.
	code, _, errOut := run(t, "", "serve", "--help")
	if code != 0 {
		t.Fatalf("serve --help: %d", code)
	}
	for _, env := range []string{"PEERPRESS_ADDR", "PEERPRESS_DATA", "PEERPRESS_DATABASE", "PEERPRESS_CORS_ORIGINS"} {
		if !strings.Contains(errOut, env) {
			t.Errorf("serve --help does not mention %s:\n%s", env, errOut)
		}
	}
	if code, _, _ := run(t, "", "serve", "--no-such-flag"); code != 2 {
		t.Fatalf("bad flag: %d", code)
	}
}

func TestMigrateServeAndUsers(t *testing.T) {
	data := t.TempDir()
	// serve refuses a database that was never migrated, and says what to do.
	code, _, errOut := run(t, "", "serve", "--data", data, "--addr", "127.0.0.1:0")
	if code != 1 || !strings.Contains(errOut, "peerpress migrate") {
		t.Fatalf("serve on an empty database: %d %q", code, errOut)
	}
	code, out, errOut := run(t, "", "migrate", "--data", data)
	if code != 0 || !regexp.MustCompile(`applied [1-9]\d* migrations; the database is at version \d+`).MatchString(out) {
		t.Fatalf("migrate: %d %q %q", code, out, errOut)
	}
	if code, out, _ := run(t, "", "migrate", "--data", data); code != 0 || !strings.HasPrefix(out, "applied 0 migrations") {
		t.Fatalf("second migrate: %d %q", code, out)
	}
	code, out, errOut = run(t, "a long enough password\n", "user", "add", "--data", data, "--email", "Editor@Example.org", "--role", "editor")
	if code != 0 || !strings.Contains(out, "added editor@example.org (editor)") {
		t.Fatalf("user add: %d %q %q", code, out, errOut)
	}
	if code, _, errOut := run(t, "short\n", "user", "add", "--data", data, "--email", "x@example.org"); code != 1 || !strings.Contains(errOut, "at least 10") {
		t.Fatalf("weak password: %d %q", code, errOut)
	}
	if code, _, errOut := run(t, "a long enough password\n", "user", "add", "--data", data, "--email", "editor@example.org"); code != 1 || !strings.Contains(errOut, "already exists") {
		t.Fatalf("duplicate: %d %q", code, errOut)
	}
	if code, _, errOut := run(t, "a long enough password\n", "user", "add", "--data", data, "--email", "x@example.org", "--role", "king"); code != 1 || !strings.Contains(errOut, "role") {
		t.Fatalf("bad role: %d %q", code, errOut)
	}
	// After migrating, serve still needs a site key, and says how to make one.
	if code, _, errOut := run(t, "", "serve", "--data", data, "--addr", "127.0.0.1:0"); code != 1 || !strings.Contains(errOut, "peerpress keygen") {
		t.Fatalf("serve without a site key: %d %q", code, errOut)
	}
	code, key, _ := run(t, "", "keygen")
	if code != 0 || len(strings.TrimSpace(key)) != 44 {
		t.Fatalf("keygen: %d %q", code, key)
	}
	// With its key, serve still wants the site's public address: mailed
	// links are never built from a request's Host (audit: link poisoning).
	if err := os.WriteFile(filepath.Join(data, "site.key"), []byte(key), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := run(t, "", "serve", "--data", data, "--addr", "127.0.0.1:0"); code != 1 || !strings.Contains(errOut, "--base-url") {
		t.Fatalf("serve without a base URL: %d %q", code, errOut)
	}
	if code, _, errOut := run(t, "", "demo", "--data", data, "--addr", "0.0.0.0:0"); code != 1 || !strings.Contains(errOut, "--base-url") {
		t.Fatalf("demo open to the network without a base URL: %d %q", code, errOut)
	}
	if code, _, errOut := run(t, "", "serve", "--database", "mysql://u:secret@h/db"); code != 1 || strings.Contains(errOut, "secret") {
		t.Fatalf("bad database URL: %d %q", code, errOut)
	}
}

// The README's first command: demo fills the database, prints the address
// and a login that works, and serves the home page.
func TestDemoServes(t *testing.T) {
	data := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	var out, errOut syncBuffer
	done := make(chan int)
	go func() {
		done <- Run(ctx, []string{"demo", "--addr", "127.0.0.1:0", "--data", data}, strings.NewReader(""), &out, &errOut)
	}()
	addrRe := regexp.MustCompile(`serving (http://127\.0\.0\.1:\d+)/`)
	loginRe := regexp.MustCompile(`email: (\S+)  password: (\S+)`)
	var base string
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if m := addrRe.FindStringSubmatch(out.String()); m != nil {
			base = m[1]
			break
		}
		select {
		case code := <-done:
			t.Fatalf("demo exited %d: %s", code, errOut.String())
		default:
		}
	}
	if base == "" {
		t.Fatalf("demo printed no address: %q %q", out.String(), errOut.String())
	}
	login := loginRe.FindStringSubmatch(out.String())
	if login == nil {
		t.Fatalf("demo printed no login: %q", out.String())
	}
	res, err := http.Get(base + "/en/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(body), "Peer Voices Network") {
		t.Fatalf("home: %d", res.StatusCode)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("demo exit code %d after shutdown: %s", code, errOut.String())
	}
	// The embedded database lives in the data folder.
	if _, err := os.Stat(filepath.Join(data, "peerpress.db")); err != nil {
		t.Fatalf("no database in the data folder: %v", err)
	}
}
