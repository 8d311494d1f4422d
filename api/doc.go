// Package api is subsidy's REST layer on echo: the server constructor, all
// routes in routes.go, one file of handlers per resource, and the one error
// handler that turns every error into an RFC 9457 problem document.
// Handlers parse a request (package input), call one use case (package
// app) and write its answer; they decide nothing themselves.
//
// api imports app, input, engine and models. It never imports store: the
// database is reached through app, and the idempotency records through the
// Idempotency interface below.
package api
