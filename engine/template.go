package engine

import (
	"regexp"
	"strings"
)

// template is a message with {param} placeholders.
type template []templatePart

type templatePart struct {
	text  string
	param string
}

var placeholder = regexp.MustCompile(`\{([a-z][a-z0-9_]*)\}`)

func parseTemplate(s string, params []*param) (template, []string) {
	var t template
	var unknown []string
	last := 0
	for _, m := range placeholder.FindAllStringSubmatchIndex(s, -1) {
		name := s[m[2]:m[3]]
		if findParam(params, name) == nil {
			unknown = append(unknown, name)
			continue
		}
		t = append(t, templatePart{text: s[last:m[0]]}, templatePart{param: name})
		last = m[1]
	}
	return append(t, templatePart{text: s[last:]}), unknown
}

func (t template) render(show func(string) string) string {
	var b strings.Builder
	for _, p := range t {
		if p.param != "" {
			b.WriteString(show(p.param))
		} else {
			b.WriteString(p.text)
		}
	}
	return b.String()
}
