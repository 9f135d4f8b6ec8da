package db

import "strings"

// Marks is n placeholders separated by commas, "?, ?, ?": an IN list's or
// a row's. n must be at least 1.
func Marks(n int) string {
	return strings.Repeat("?, ", n-1) + "?"
}

// InList is the placeholders and arguments of an `IN (…)` list of values:
// "?, ?, ?" and the values as arguments. vals must not be empty.
func InList[T any](vals []T) (string, []any) {
	args := make([]any, len(vals))
	for i, v := range vals {
		args[i] = v
	}
	return Marks(len(vals)), args
}
