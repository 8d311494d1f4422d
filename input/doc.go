// Package input turns what clients send — JSON bodies, values from a URL's
// path and query, published certification lists — into checked domain
// values, the same way for every transport: the REST API, the CLI's eval,
// the rule tests and, through the API, the web pages.
//
// Each step has one job. The JSON reader (json.go) checks syntax, types and
// which fields are present. Validation (validate.go) checks each record's
// own rules: field formats from the `validate` tags on the models, and the
// rules that span fields, registered once per record type. The engine then
// checks what only it knows (rule ids, overrides), and the database's
// constraints in store are the last line. Every bad field is named by its
// JSON path; at most models.MaxFieldErrors are listed and the rest counted.
//
// input imports models, engine and the validator; never api, app or store.
package input
