package engine

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// LoadProblem is one thing wrong with a rule file: where it is (file, line,
// rule id, and the parameter, definition or condition) and what it is.
// Expression errors carry expr's own position and a caret snippet.
type LoadProblem struct {
	File    string
	Line    int
	Rule    string
	Where   string
	Message string
}

func (p LoadProblem) String() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d", p.Line)
	}
	if p.Rule != "" {
		b.WriteString(": rule " + p.Rule)
	}
	if p.Where != "" {
		b.WriteString(": " + p.Where)
	}
	b.WriteString(": " + p.Message)
	return b.String()
}

// LoadError lists every problem found while loading a rule directory,
// sorted by file and line, so that one run shows them all.
type LoadError struct {
	Problems []LoadProblem
}

func (e *LoadError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return fmt.Sprintf("load rules: %d problem(s):\n%s", len(e.Problems), strings.Join(lines, "\n"))
}

// problems collects LoadProblems for one file.
type problems struct {
	file string
	rule string
	list *[]LoadProblem
}

func (p problems) add(line int, where, format string, args ...any) {
	*p.list = append(*p.list, LoadProblem{File: p.file, Line: line, Rule: p.rule, Where: where, Message: fmt.Sprintf(format, args...)})
}

func sortProblems(list []LoadProblem) {
	slices.SortStableFunc(list, func(a, b LoadProblem) int {
		return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line))
	})
}
