package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"

	"peerpress/internal/app"
)

// The configuration file (--config peerpress.toml) holds settings as
// top-level keys named as the flags are: base-url = "https://example.org".
// A flag given on the command line wins over the environment, which wins
// over the file, which wins over the defaults.

// maxConfigSize bounds the file read: a configuration is a few lines.
const maxConfigSize = 1 << 20

// configFlag registers --config on a command that reads settings.
func configFlag(fs *flag.FlagSet) {
	fs.String("config", envDefault("PEERPRESS_CONFIG", ""), "read settings from this TOML `file`, keys named as these flags (base-url = \"https://example.org\"); flags and environment variables win over it (PEERPRESS_CONFIG)")
}

// envName is the environment variable of a setting: PEERPRESS_ and the
// flag's name in capitals, dashes as underscores.
func envName(flagName string) string {
	return "PEERPRESS_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// settingNames are the keys a configuration file may hold: the flags of
// `peerpress serve` that are settings (every command reads the ones it
// has).
func settingNames() []string {
	fs := flag.NewFlagSet("settings", flag.ContinueOnError)
	serveSettings(fs)
	var out []string
	fs.VisitAll(func(f *flag.Flag) {
		if f.Name != "config" {
			out = append(out, f.Name)
		}
	})
	sort.Strings(out)
	return out
}

// serveSettings registers the settings of `peerpress serve` on fs.
func serveSettings(fs *flag.FlagSet) (config func() app.Config, mirror *string) {
	config = configFlags(fs, true)
	mirror = fs.String("mirror", envDefault("PEERPRESS_MIRROR", ""), "keep a static mirror of the public site in this `folder`, refreshed after each change (PEERPRESS_MIRROR; see peerpress export static --help)")
	return config, mirror
}

// configProblem is one thing wrong with a configuration file.
type configProblems []string

func (p configProblems) Error() string { return strings.Join(p, "\n") }

// readConfigFile reads the file's settings as flag values. What is wrong
// with it (unreadable, not TOML, unknown keys, values of the wrong kind)
// comes back as configProblems, each in plain words.
func readConfigFile(path string) (map[string]string, error) {
	f, err := os.Open(path) // #nosec G304 -- the operator names their own configuration file
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, configProblems{fmt.Sprintf("%s: no such file", path)}
		}
		return nil, configProblems{fmt.Sprintf("%s: cannot read it: %v", path, err)}
	}
	defer f.Close()
	raw, err := io.ReadAll(io.LimitReader(f, maxConfigSize+1))
	if err != nil {
		return nil, configProblems{fmt.Sprintf("%s: cannot read it: %v", path, err)}
	}
	if len(raw) > maxConfigSize {
		return nil, configProblems{fmt.Sprintf("%s: larger than 1 MB; a configuration is a few lines", path)}
	}
	var m map[string]any
	if _, err := toml.Decode(string(raw), &m); err != nil {
		var perr toml.ParseError
		if errors.As(err, &perr) {
			return nil, configProblems{fmt.Sprintf("%s: line %d: not valid TOML: %s", path, perr.Position.Line, perr.Message)}
		}
		return nil, configProblems{fmt.Sprintf("%s: not valid TOML: %v", path, err)}
	}
	known := settingNames()
	var problems configProblems
	out := map[string]string{}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !slices.Contains(known, k) {
			msg := fmt.Sprintf("%s: unknown setting %q", path, k)
			if s := closest(strings.ReplaceAll(k, "_", "-"), known); s != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", s)
			}
			problems = append(problems, msg)
			continue
		}
		v, ok := flagValue(m[k])
		if !ok {
			problems = append(problems, fmt.Sprintf("%s: %s must be a string, a number, true/false or a list of strings, not %T", path, k, m[k]))
			continue
		}
		out[k] = v
	}
	if len(problems) > 0 {
		return out, problems
	}
	return out, nil
}

// flagValue writes a TOML value as the flag would take it: a list of
// strings joined with commas (languages = ["en", "fr"]).
func flagValue(v any) (string, bool) {
	switch v := v.(type) {
	case string:
		return v, true
	case int64:
		return strconv.FormatInt(v, 10), true
	case bool:
		return strconv.FormatBool(v), true
	case []any:
		parts := make([]string, 0, len(v))
		for _, e := range v {
			s, ok := e.(string)
			if !ok {
				return "", false
			}
			parts = append(parts, s)
		}
		return strings.Join(parts, ","), true
	}
	return "", false
}

// applyConfigFile sets, from the file --config names, every flag of fs
// that the command line did not give and whose environment variable is
// empty.
func applyConfigFile(fs *flag.FlagSet) error {
	f := fs.Lookup("config")
	if f == nil || f.Value.String() == "" {
		return nil
	}
	path := f.Value.String()
	values, err := readConfigFile(path)
	var problems configProblems
	if err != nil && !errors.As(err, &problems) {
		return err
	}
	// What could be read is applied even beside problems, so that
	// `config check` goes on to check it; any problem stops the others.
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := values[k]
		if fs.Lookup(k) == nil || given[k] || os.Getenv(envName(k)) != "" {
			continue
		}
		if err := fs.Set(k, v); err != nil {
			problems = append(problems, fmt.Sprintf("%s: %s = %q is not a valid value", path, k, v))
		}
	}
	if len(problems) > 0 {
		return problems
	}
	return nil
}

// closest is the known name nearest to name, if near enough to be a typo.
func closest(name string, known []string) string {
	best, bestD := "", 3
	for _, k := range known {
		if d := distance(name, k); d < bestD || (d == bestD && best == "" && strings.Contains(k, name)) {
			best, bestD = k, d
		}
	}
	if best == "" {
		for _, k := range known { // site_name → site-name, url → base-url
			if strings.Contains(k, name) && len(name) >= 3 {
				return k
			}
		}
	}
	return best
}

// distance is the Levenshtein distance between a and b.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// configCmd runs `peerpress config check`.
func configCmd(_ context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "check" {
		fmt.Fprintln(stderr, "Usage: peerpress config check [--config FILE] [flags]")
		return errUsage
	}
	fs := newFlagSet("config check", stderr, "Checks a configuration — the file --config names, with the environment and flags over it, as `peerpress serve` would read them — and says what is wrong in plain words. It exits with 1 when something is.")
	config, _ := serveSettings(fs)
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "peerpress: unexpected argument %q\n", fs.Arg(0))
		return errUsage
	}
	var problems []string
	if err := applyConfigFile(fs); err != nil {
		var cp configProblems
		if !errors.As(err, &cp) {
			return err
		}
		problems = append(problems, cp...)
	}
	cfg := config()
	if path := fs.Lookup("config").Value.String(); path != "" {
		problems = append(problems, fileExposure(path)...)
	}
	problems = append(problems, app.CheckConfig(cfg)...)
	if len(problems) == 0 {
		fmt.Fprintln(stdout, "the configuration is fine")
		return nil
	}
	for _, p := range problems {
		fmt.Fprintln(stdout, "- "+p)
	}
	return fmt.Errorf("%d problem(s) in the configuration", len(problems))
}

// fileExposure warns of a configuration file that holds secrets and that
// other users of the machine can read.
func fileExposure(path string) []string {
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm()&0o044 == 0 {
		return nil
	}
	raw, err := os.ReadFile(path) // #nosec G304 -- the operator's own configuration file
	if err != nil {
		return nil
	}
	var m map[string]any
	if _, err := toml.Decode(string(raw), &m); err != nil {
		return nil
	}
	var secrets []string
	for _, k := range []string{"site-key", "old-site-key", "smtp-url", "database", "metrics-token"} {
		if s, ok := m[k].(string); ok && s != "" && (k != "database" && k != "smtp-url" || hasPassword(s)) {
			secrets = append(secrets, k)
		}
	}
	if len(secrets) == 0 {
		return nil
	}
	return []string{fmt.Sprintf("%s holds secrets (%s) and other users of this machine can read it: chmod 600 %s, or move the secrets to the environment (a systemd credential)", path, strings.Join(secrets, ", "), path)}
}

// hasPassword reports whether an address carries a password
// (scheme://user:password@host).
func hasPassword(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return strings.Contains(raw, "@")
	}
	_, ok := u.User.Password()
	return ok
}
