package engine

import (
	"cmp"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
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

// problems collects LoadProblems for one file; root is the file's YAML
// tree, to find the line of a key.
type problems struct {
	file string
	rule string
	list *[]LoadProblem
	root *yaml.Node
}

// line returns the line of the key at path (mapping keys from the top), or
// the line of the deepest key found on the way, or 1.
func (p problems) line(path ...string) int {
	line, n := 1, p.root
	if n != nil && n.Kind == yaml.DocumentNode && len(n.Content) == 1 {
		n = n.Content[0]
	}
	for _, key := range path {
		if n == nil || n.Kind != yaml.MappingNode {
			break
		}
		var next *yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == key {
				line, next = n.Content[i].Line, n.Content[i+1]
				break
			}
		}
		n = next
	}
	return line
}

// scalar returns the text of a top-level key's value, or "".
func (p problems) scalar(key string) string {
	n := p.root
	if n != nil && n.Kind == yaml.DocumentNode && len(n.Content) == 1 {
		n = n.Content[0]
	}
	if n == nil || n.Kind != yaml.MappingNode {
		return ""
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key && n.Content[i+1].Kind == yaml.ScalarNode {
			return n.Content[i+1].Value
		}
	}
	return ""
}

var (
	yamlSyntaxError = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)
	yamlFieldError  = regexp.MustCompile(`^line (\d+): field (\S+) not found in type`)
	yamlLineError   = regexp.MustCompile(`^line (\d+): (.*)$`)
)

// yamlProblems turns a yaml.v3 error into problems in the file:line form:
// a syntax error, or each key the rule format does not know.
func yamlProblems(file, rule string, err error) []LoadProblem {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		if m := yamlSyntaxError.FindStringSubmatch(err.Error()); m != nil {
			line, _ := strconv.Atoi(m[1])
			return []LoadProblem{{File: file, Line: line, Rule: rule, Message: "yaml: " + m[2]}}
		}
		return []LoadProblem{{File: file, Rule: rule, Message: err.Error()}}
	}
	var out []LoadProblem
	for _, e := range te.Errors {
		p := LoadProblem{File: file, Rule: rule, Message: e}
		if m := yamlFieldError.FindStringSubmatch(e); m != nil {
			p.Line, _ = strconv.Atoi(m[1])
			p.Message = fmt.Sprintf("unknown key %q", m[2])
		} else if m := yamlLineError.FindStringSubmatch(e); m != nil {
			p.Line, _ = strconv.Atoi(m[1])
			p.Message = m[2]
		}
		out = append(out, p)
	}
	return out
}

func (p problems) add(line int, where, format string, args ...any) {
	*p.list = append(*p.list, LoadProblem{File: p.file, Line: line, Rule: p.rule, Where: where, Message: fmt.Sprintf(format, args...)})
}

func sortProblems(list []LoadProblem) {
	slices.SortStableFunc(list, func(a, b LoadProblem) int {
		return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line))
	})
}
