// Package models holds subsidy's domain types: exact money, civil dates, the
// subjects the rules are evaluated for, evaluation results, the registry's
// records and the interfaces of the stores behind the service.
//
// It imports only the standard library and must never import engine, api,
// store or any third-party package: every other package depends on it.
package models
