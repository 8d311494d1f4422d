// Package engine loads the declarative rule files, type-checks and compiles
// every rule expression once, and evaluates subjects against the rules.
//
// Evaluation is pure: no I/O, no clock, no environment. An Engine is
// immutable after Load and safe for concurrent use. The engine imports
// models and expr; it never imports api, store or anything that does I/O
// beyond reading the rule files it is given.
package engine
