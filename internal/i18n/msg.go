package i18n

// Msg is something to tell a person, kept as a catalog key and its
// arguments until it is shown: domain checks return Msgs, so the same
// check serves a page in any language, the JSON API (which reports the
// key) and the command line.
type Msg struct {
	Key string
	// Args are name/value pairs for the message's placeholders; whole
	// numbers are formatted in the reader's language when translated.
	Args []any
}

// M makes a Msg: M("events.error.too_long", "Max", 200).
func M(key string, args ...any) Msg { return Msg{Key: key, Args: args} }

// FieldErrors maps a form's fields to what is wrong with each.
type FieldErrors map[string]Msg

// Add records what is wrong with field, keeping the first problem found.
func (fe FieldErrors) Add(field, key string, args ...any) {
	if _, ok := fe[field]; !ok {
		fe[field] = M(key, args...)
	}
}

// Msg translates m; whole-number arguments are written with the
// language's digits and separators.
func (l *Localizer) Msg(m Msg) string {
	if len(m.Args) == 0 {
		return l.T(m.Key)
	}
	args := make([]any, len(m.Args))
	copy(args, m.Args)
	for i := 1; i < len(args); i += 2 {
		if n, ok := args[i].(int); ok {
			args[i] = l.Number(n)
		}
	}
	return l.T(m.Key, args...)
}

// Errors translates every field's message, for a form shown again.
func (l *Localizer) Errors(fe FieldErrors) map[string]string {
	out := make(map[string]string, len(fe))
	for field, m := range fe {
		out[field] = l.Msg(m)
	}
	return out
}
