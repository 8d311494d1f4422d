// Package app holds subsidy's use cases — registering, evaluating, payout
// runs, credit verification, keys — between the transports (the REST API,
// the command line, the web pages through the API) and the engine and
// store. A transport parses a request, calls one method of Service and
// renders what it returns; what a clerk may see and do is decided here,
// once, for every transport.
//
// app imports models, engine, input and export (the transfer list it
// builds); it reaches the database only
// through the interfaces in models and never imports store, api or echo.
package app
