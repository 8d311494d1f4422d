// Package rules holds the policy as data: the shipped rule files, the
// manifest and the rule test cases, embedded into the binary.
package rules

import "embed"

// FS holds ruleset.yaml, one YAML file per rule, and cases/ with each rule's
// test cases.
//
//go:embed *.yaml cases/*.yaml
var FS embed.FS
