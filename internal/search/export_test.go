package search

// The tests' sites have a few thousand translations at most: with small
// ranges and a small first window, PostgreSQL's searches walk many
// partitions, created as the translations are indexed, and the engines
// comparison checks that the walk finds what SQLite does.
func init() { pgWindow, pgPartition = 30, 40 }
