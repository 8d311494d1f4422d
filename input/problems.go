package input

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"github.com/wenzhou-subsidy/subsidy/models"
)

// problems collects the bad fields of one input. The first
// models.MaxFieldErrors are kept and the rest only counted: a body of a
// hundred thousand bad entries costs a count, not a hundred thousand
// messages. Every method is linear in what it is given.
type problems struct {
	list    []models.FieldError
	omitted int
}

// full reports whether no more problems are kept; callers then skip building
// the next one and call skip.
func (p *problems) full() bool { return len(p.list) >= models.MaxFieldErrors }

func (p *problems) skip() { p.omitted++ }

func (p *problems) add(f models.FieldError) {
	if p.full() {
		p.omitted++
		return
	}
	p.list = append(p.list, f)
}

// addAt adds the problem code at path, building its message only if it
// is listed.
func (p *problems) addAt(path, code string, args ...any) {
	if p.full() {
		p.omitted++
		return
	}
	p.list = append(p.list, models.Field(path, code, args...))
}

func (p *problems) empty() bool { return len(p.list) == 0 && p.omitted == 0 }

// addChecked adds what a later check (validation, the engine) found in a
// value the JSON reader produced. A problem on a field the reader refused,
// or inside one, is dropped: the zero value the check saw is not the
// client's. The reader's problems are few here (a reader that overflowed
// skips the later checks), so the refused paths fit in a small set.
func (p *problems) addChecked(found []models.FieldError) {
	if len(found) == 0 {
		return
	}
	refused := p.refused()
	for _, f := range found {
		if !refusedAt(refused, f.Field) {
			p.add(f)
		}
	}
}

// refused returns the paths of the problems listed so far.
func (p *problems) refused() map[string]bool {
	refused := make(map[string]bool, len(p.list))
	for _, f := range p.list {
		refused[f.Field] = true
	}
	return refused
}

// refusedAt reports whether path or one of its parents is refused, walking
// up the path one part at a time.
func refusedAt(refused map[string]bool, path string) bool {
	for {
		if refused[path] {
			return true
		}
		i := max(strings.LastIndexByte(path, '.'), strings.LastIndexByte(path, '['))
		if i <= 0 {
			return len(path) > 0 && refused[""]
		}
		path = path[:i]
	}
}

// sort orders the problems by path, for a list merged from several checks.
func (p *problems) sort() {
	slices.SortStableFunc(p.list, func(a, b models.FieldError) int { return comparePaths(a.Field, b.Field) })
}

// err returns the invalid-input error for the problems, or nil when there
// are none.
func (p *problems) err() error {
	if p.empty() {
		return nil
	}
	e := models.InvalidInput(p.list...)
	e.Omitted = p.omitted
	return e
}

// comparePaths orders JSON paths part by part ("a.b[2].c"), list indexes as
// numbers, without allocating.
func comparePaths(a, b string) int {
	for a != "" && b != "" {
		pa, ra := nextPart(a)
		pb, rb := nextPart(b)
		if pa != pb {
			ia, okA := index(pa)
			ib, okB := index(pb)
			if okA && okB {
				return cmp.Compare(ia, ib)
			}
			return cmp.Compare(pa, pb)
		}
		a, b = ra, rb
	}
	return cmp.Compare(len(a), len(b))
}

// nextPart splits the first part off a path: a name or an index "[n]".
func nextPart(path string) (part, rest string) {
	if path[0] == '.' {
		path = path[1:]
	}
	if path != "" && path[0] == '[' {
		end := 1
		for end < len(path) && path[end] != ']' {
			end++
		}
		end = min(end+1, len(path))
		return path[:end], path[end:]
	}
	end := 0
	for end < len(path) && path[end] != '.' && path[end] != '[' {
		end++
	}
	return path[:end], path[end:]
}

// index reads a part "[n]" as n.
func index(part string) (int, bool) {
	if len(part) < 3 || part[0] != '[' {
		return 0, false
	}
	n, err := strconv.Atoi(part[1 : len(part)-1])
	return n, err == nil
}
