package engine

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/wenzhou-subsidy/subsidy/models"
)

// ManifestFile names the ruleset's version; every other *.yaml file at the
// top of a rule directory is one rule.
const ManifestFile = "ruleset.yaml"

// Engine holds a loaded, compiled ruleset. It is immutable and safe for
// concurrent use.
type Engine struct {
	rules   []*rule // by id
	byID    map[string]*rule
	byKind  map[string][]*rule // the rules for each subject kind, by id
	ruleset models.Ruleset
	title   models.Text
}

// Load reads the manifest and every rule file at the top of fsys, checks and
// compiles them. On failure the error is a *LoadError listing every problem
// found in every file, not just the first.
func Load(fsys fs.FS) (*Engine, error) {
	var list []LoadProblem
	manifestData, err := fs.ReadFile(fsys, ManifestFile)
	if err != nil {
		return nil, &LoadError{Problems: []LoadProblem{{File: ManifestFile, Message: err.Error()}}}
	}
	var manifest manifestYAML
	if err := DecodeStrictYAML(manifestData, &manifest); err != nil {
		list = append(list, yamlProblems(ManifestFile, "", err)...)
	} else if manifest.Version == "" {
		list = append(list, LoadProblem{File: ManifestFile, Message: "version is missing"})
	}

	names, err := fs.Glob(fsys, "*.yaml")
	if err != nil {
		return nil, fmt.Errorf("load rules: %w", err)
	}
	digest := sha256.New()
	digestFile(digest, ManifestFile, manifestData)

	e := &Engine{byID: map[string]*rule{}, title: manifest.Title}
	c := &compiler{opts: exprOptions()}
	for _, name := range names {
		if name == ManifestFile {
			continue
		}
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			list = append(list, LoadProblem{File: name, Message: err.Error()})
			continue
		}
		digestFile(digest, name, data)
		var root yaml.Node
		if err := yaml.Unmarshal(data, &root); err != nil {
			list = append(list, yamlProblems(name, "", err)...)
			continue
		}
		var ry ruleYAML
		if err := DecodeStrictYAML(data, &ry); err != nil {
			list = append(list, yamlProblems(name, (problems{root: &root}).scalar("id"), err)...)
			continue
		}
		c.p = problems{file: name, rule: ry.ID, list: &list, root: &root}
		r := c.compileRule(&ry, path.Base(name))
		if prev, dup := e.byID[r.id]; dup && r.id != "" {
			c.p.add(c.p.line("id"), "", "id %q is also used by %s", r.id, prev.file)
			continue
		}
		e.byID[r.id] = r
		e.rules = append(e.rules, r)
	}
	if len(e.rules) == 0 && len(list) == 0 {
		list = append(list, LoadProblem{File: ".", Message: "no rule files (*.yaml besides " + ManifestFile + ")"})
	}
	if len(list) > 0 {
		sortProblems(list)
		return nil, &LoadError{Problems: list}
	}
	slices.SortFunc(e.rules, func(a, b *rule) int { return strings.Compare(a.id, b.id) })
	e.byKind = map[string][]*rule{}
	for _, r := range e.rules {
		e.byKind[r.subject] = append(e.byKind[r.subject], r)
	}
	e.ruleset = models.Ruleset{Version: manifest.Version, Digest: "sha256:" + hex.EncodeToString(digest.Sum(nil))}
	return e, nil
}

// digestFile adds a file to the ruleset digest: its name and length frame
// its content, so that no two different rule sets digest alike.
func digestFile(h interface{ Write([]byte) (int, error) }, name string, data []byte) {
	h.Write([]byte(name + "\n" + strconv.Itoa(len(data)) + "\n"))
	h.Write(data)
}

// Ruleset returns the version and digest of the loaded rule files.
func (e *Engine) Ruleset() models.Ruleset { return e.ruleset }

// RuleIDs returns the ids of the loaded rules, sorted.
func (e *Engine) RuleIDs() []string {
	ids := make([]string, len(e.rules))
	for i, r := range e.rules {
		ids[i] = r.id
	}
	return ids
}

// PayoutRules returns the ids of the rules that are grants paid out (those
// with a payout block), sorted: what a payout run screens by default.
func (e *Engine) PayoutRules() []string {
	var ids []string
	for _, r := range e.rules {
		if r.payout != nil {
			ids = append(ids, r.id)
		}
	}
	return ids
}

// RuleSubject returns the subject kind a rule applies to.
func (e *Engine) RuleSubject(id string) (string, bool) {
	r, ok := e.byID[id]
	if !ok {
		return "", false
	}
	return r.subject, true
}

// GrantYears returns the years in which a rule grants: the value in force
// on asOf of its year_range parameter (donation-match's grant_years). It
// reports false for a rule without one, or without a value on asOf.
func (e *Engine) GrantYears(id string, asOf models.Date) (models.YearRange, bool) {
	r, ok := e.byID[id]
	if !ok {
		return models.YearRange{}, false
	}
	values, _ := r.valuesAt(asOf)
	for _, p := range r.params {
		if p.decl.Type == "year_range" {
			years, ok := values[p.name].(models.YearRange)
			return years, ok
		}
	}
	return models.YearRange{}, false
}

// Catalogue describes every loaded rule, with the parameter values in force
// on asOf.
func (e *Engine) Catalogue(asOf models.Date) models.Catalogue {
	out := models.Catalogue{Ruleset: e.ruleset, AsOf: asOf, Rules: []models.RuleInfo{}}
	for _, r := range e.rules {
		out.Rules = append(out.Rules, r.describe(asOf))
	}
	return out
}

// Rule describes one rule, or reports false when there is no such rule.
func (e *Engine) Rule(id string, asOf models.Date) (models.RuleInfo, bool) {
	r, ok := e.byID[id]
	if !ok {
		return models.RuleInfo{}, false
	}
	return r.describe(asOf), true
}
