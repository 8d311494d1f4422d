// Package api is subsidy's REST layer on echo: the server constructor, all
// routes in routes.go, strict request decoding and validation, and the one
// error handler that turns every error into an RFC 9457 problem document.
//
// api depends on engine and models. It never imports store: the service's
// persistence is reached through the interfaces in models.
package api
