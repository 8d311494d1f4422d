package api

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
)

// The served OpenAPI document is checked against the OpenAPI 3.1 schema,
// and every answer the API tests receive against the document, so that the
// document cannot drift from the code.

var specValidator = sync.OnceValues(func() (validator.Validator, error) {
	doc, err := libopenapi.NewDocument(openAPIYAML)
	if err != nil {
		return nil, fmt.Errorf("openapi.yaml: %w", err)
	}
	v, errs := validator.NewValidator(doc)
	if len(errs) > 0 {
		return nil, fmt.Errorf("openapi.yaml: %v", errs)
	}
	return v, nil
})

func TestOpenAPIDocumentIsValid(t *testing.T) {
	v, err := specValidator()
	if err != nil {
		t.Fatal(err)
	}
	if ok, errs := v.ValidateDocument(); !ok {
		for _, e := range errs {
			t.Errorf("%s: %s", e.Message, e.Reason)
			for _, se := range e.SchemaValidationErrors {
				t.Errorf("  %s at %s (line %d)", se.Reason, se.FieldPath, se.Line)
			}
		}
	}
}

// CheckAnswer fails tb unless the recorded answer to req is one the
// OpenAPI document describes: a documented status, and a body that fits
// its schema. Routes the document does not have (test-only ones) are
// left alone.
func CheckAnswer(tb testing.TB, req *http.Request, rec *httptest.ResponseRecorder) {
	tb.Helper()
	if _, bench := tb.(*testing.B); bench || req.Method == http.MethodHead || strings.HasPrefix(req.URL.Path, "/test/") {
		return
	}
	v, err := specValidator()
	if err != nil {
		tb.Fatal(err)
	}
	resp := rec.Result()
	resp.Body = io.NopCloser(strings.NewReader(rec.Body.String()))
	if ok, errs := v.ValidateHttpResponse(req, resp); !ok {
		for _, e := range errs {
			if e.ValidationType == "path" {
				continue // a route the API does not have: its 404 or 405 is the server's own
			}
			tb.Errorf("%s %s → %d: the answer does not fit the OpenAPI document: %s (%s)", req.Method, req.URL.Path, rec.Code, e.Message, e.Reason)
			for _, se := range e.SchemaValidationErrors {
				tb.Errorf("  %s at %s", se.Reason, se.FieldPath)
			}
		}
	}
}
