package cli

import (
	"flag"
	"io"
	"strings"
	"testing"
)

// secretEnv sets the environment variables that hold secrets to values a
// test can look for.
func secretEnv(t *testing.T) map[string]string {
	t.Helper()
	env := map[string]string{
		"PEERPRESS_SITE_KEY": "c2VjcmV0LXNpdGUta2V5LWZyb20tdGhlLWVudmlyb24=",
		"PEERPRESS_SMTP_URL": "smtp://mailer:smtp-pass-from-environ@mail.example.org:587",
		"PEERPRESS_DATABASE": "postgres://app:db-pass-from-environ@db.example.org/peerpress",
	}
	for k, v := range env {
		t.Setenv(k, v)
	}
	return env
}

// --help prints each flag's default; a secret set in the environment must
// not be among them, on any command.
func TestHelpShowsNoSecretFromTheEnvironment(t *testing.T) {
	env := secretEnv(t)
	for _, args := range [][]string{{"serve", "--help"}, {"demo", "-h"}, {"migrate", "--help"}, {"user", "add", "--help"}} {
		code, out, errOut := run(t, "", args...)
		if code != 0 {
			t.Errorf("%q: exit %d", args, code)
		}
		if !strings.Contains(errOut, "PEERPRESS_SMTP_URL") {
			t.Errorf("%q printed no help:\n%s", args, errOut)
		}
		secrets := []string{"smtp-pass-from-environ", "db-pass-from-environ"}
		for _, v := range env {
			secrets = append(secrets, v)
		}
		for _, secret := range secrets {
			if strings.Contains(out+errOut, secret) {
				t.Errorf("%q shows %q:\n%s", args, secret, errOut)
			}
		}
	}
}

// The secrets' environment variables still configure the server, and a
// flag still wins over the environment.
func TestSecretFlagsReadTheEnvironment(t *testing.T) {
	env := secretEnv(t)
	config := func(args ...string) (c struct{ key, smtp, db string }) {
		t.Helper()
		fs := flag.NewFlagSet("serve", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		get := configFlags(fs, true)
		if err := parse(fs, args); err != nil {
			t.Fatalf("%q: %v", args, err)
		}
		cfg := get()
		return struct{ key, smtp, db string }{cfg.SiteKey, cfg.Mail.URL, cfg.DatabaseURL}
	}
	if c := config(); c.key != env["PEERPRESS_SITE_KEY"] || c.smtp != env["PEERPRESS_SMTP_URL"] || c.db != env["PEERPRESS_DATABASE"] {
		t.Errorf("from the environment: %+v", c)
	}
	c := config("--site-key", "flag-key", "--smtp-url", "smtp://h:25", "--database", "sqlite:x.db")
	if c.key != "flag-key" || c.smtp != "smtp://h:25" || c.db != "sqlite:x.db" {
		t.Errorf("flags over the environment: %+v", c)
	}
	// An empty flag is a choice too: no SMTP server despite the environment.
	if c := config("--smtp-url="); c.smtp != "" {
		t.Errorf("--smtp-url= gives %q", c.smtp)
	}
}
