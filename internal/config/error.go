package config

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Error lists every problem found in a file; each line is
// "file:line:col: path: message", the form editors and CI logs link to.
type Error struct {
	File     string
	Problems []Problem
}

// Problem is one thing wrong in the file. Path names the setting
// ("actions[0].severity.success") and is empty for syntax errors, which
// belong to no setting.
type Problem struct {
	Line, Column int
	Path         string
	Message      string
}

// Error returns all problems, one per line, sorted by position so they read
// in the same order as the file.
func (e *Error) Error() string {
	problems := slices.Clone(e.Problems)
	slices.SortStableFunc(problems, func(a, b Problem) int {
		return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column))
	})
	lines := make([]string, 0, len(problems))
	for _, p := range problems {
		lines = append(lines, e.format(p))
	}
	return strings.Join(lines, "\n")
}

func (e *Error) format(p Problem) string {
	if p.Path == "" {
		return fmt.Sprintf("%s:%d:%d: %s", e.File, p.Line, p.Column, p.Message)
	}
	return fmt.Sprintf("%s:%d:%d: %s: %s", e.File, p.Line, p.Column, p.Path, p.Message)
}

func (e *Error) add(p Problem) { e.Problems = append(e.Problems, p) }
