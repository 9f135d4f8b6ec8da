package cli

import (
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeConfig(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "peerpress.toml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// A setting comes from the flag when given, else from the environment,
// else from the file, else the default; a list in the file is the flag's
// comma-separated list.
func TestConfigFilePrecedence(t *testing.T) {
	path := writeConfig(t, `
site-name = "From the file"
base-url = "https://file.example"
timezone = "Europe/Lisbon"
languages = ["fr", "en"]
page-cache-mb = 12
smtp-url = "smtp://user:secret@mail.file.example:587"
`)
	t.Setenv("PEERPRESS_BASE_URL", "https://env.example")
	t.Setenv("PEERPRESS_TIMEZONE", "Asia/Kolkata")
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	config, _ := serveSettings(fs)
	if err := parse(fs, []string{"--config", path, "--timezone", "America/Bogota"}); err != nil {
		t.Fatal(err)
	}
	c := config()
	for _, g := range []struct{ what, got, want string }{
		{"site name (file)", c.SiteName, "From the file"},
		{"base URL (environment over file)", c.BaseURL, "https://env.example"},
		{"time zone (flag over environment)", c.TimeZone, "America/Bogota"},
		{"languages (file list)", strings.Join(c.Languages, ","), "fr,en"},
		{"SMTP URL (a secret, from the file)", c.Mail.URL, "smtp://user:secret@mail.file.example:587"},
		{"data (default)", c.DataDir, "./data"},
	} {
		if g.got != g.want {
			t.Errorf("%s: %q, want %q", g.what, g.got, g.want)
		}
	}
	if c.PageCacheMB != 12 {
		t.Errorf("page cache %d MB, want 12 from the file", c.PageCacheMB)
	}
}

// A file with a key peerpress does not know stops a command, saying which
// key and what was probably meant; a value of the wrong kind too.
func TestConfigFileRefusesUnknownKeys(t *testing.T) {
	path := writeConfig(t, "base_url = \"https://example.org\"\nsite-nmae = \"x\"\n")
	code, _, errOut := run(t, "", "migrate", "--config", path, "--data", t.TempDir())
	if code != 1 || !strings.Contains(errOut, `unknown setting "base_url" (did you mean "base-url"?)`) ||
		!strings.Contains(errOut, `unknown setting "site-nmae" (did you mean "site-name"?)`) {
		t.Errorf("unknown keys: %d\n%s", code, errOut)
	}
	path = writeConfig(t, "[server]\naddr = \"127.0.0.1:8080\"\n")
	if code, _, errOut := run(t, "", "migrate", "--config", path, "--data", t.TempDir()); code != 1 || !strings.Contains(errOut, `unknown setting "server"`) {
		t.Errorf("a section: %d\n%s", code, errOut)
	}
	path = writeConfig(t, "page-cache-mb = \"lots\"\n")
	if code, _, errOut := run(t, "", "migrate", "--config", path, "--data", t.TempDir()); code != 1 || !strings.Contains(errOut, "page-cache-mb") {
		t.Errorf("a bad number: %d\n%s", code, errOut)
	}
	path = writeConfig(t, "base-url = \"https://example.org\n")
	if code, _, errOut := run(t, "", "migrate", "--config", path, "--data", t.TempDir()); code != 1 || !strings.Contains(errOut, "line 1: not valid TOML") {
		t.Errorf("broken TOML: %d\n%s", code, errOut)
	}
	if code, _, errOut := run(t, "", "migrate", "--config", filepath.Join(t.TempDir(), "missing.toml")); code != 1 || !strings.Contains(errOut, "no such file") {
		t.Errorf("a missing file: %d\n%s", code, errOut)
	}
}

// `peerpress config check` says what is wrong in plain words and exits
// with 1; a good configuration passes with 0.
func TestConfigCheck(t *testing.T) {
	data := t.TempDir()
	good := writeConfig(t, `
data = "`+data+`"
base-url = "https://example.org"
smtp-url = "smtp://user:secret@mail.example.org:587"
mail-from = "network@example.org"
languages = ["en", "fr"]
`)
	if code, out, errOut := run(t, "", "config", "check", "--config", good); code != 0 || !strings.Contains(out, "the configuration is fine") {
		t.Fatalf("a good configuration: %d\n%s%s", code, out, errOut)
	}

	if err := os.WriteFile(filepath.Join(data, "site.key"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	bad := writeConfig(t, `
data = "`+data+`"
base-url = "example.org"
languages = ["en", "xx"]
timezone = "Mars/Olympus"
onion-url = "https://not-an-onion.example"
media = "ftp://bucket"
metrics-addr = "0.0.0.0:9100"
site_name = "Typo"
`)
	code, out, errOut := run(t, "", "config", "check", "--config", bad)
	if code != 1 {
		t.Errorf("a bad configuration: exit %d, want 1", code)
	}
	for _, want := range []string{
		`unknown setting "site_name" (did you mean "site-name"?)`,
		`base-url "example.org" is not an address visitors can use`,
		`languages: "xx" is not a language peerpress speaks`,
		`timezone "Mars/Olympus" is not an IANA time zone`,
		"onion-url:",
		"media:",
		"smtp-url is not set",
		"metrics-addr 0.0.0.0:9100 is reachable from other machines and has no metrics-token",
		"the site key is inside the data folder",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("config check does not say %q:\n%s%s", want, out, errOut)
		}
	}

	// No base URL, with the public forms every site has.
	noBase := writeConfig(t, "data = \""+t.TempDir()+"\"\nsmtp-url = \"smtp://mail.example.org:587\"\nmail-from = \"a@example.org\"\n")
	if code, out, _ := run(t, "", "config", "check", "--config", noBase); code != 1 || !strings.Contains(out, "base-url is not set: the public forms") {
		t.Errorf("no base URL: %d\n%s", code, out)
	}

	// Secrets in a file others can read.
	if err := os.Chmod(good, 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, _ := run(t, "", "config", "check", "--config", good); code != 1 || !strings.Contains(out, "holds secrets (smtp-url)") {
		t.Errorf("a readable file with secrets: %d\n%s", code, out)
	}
}
