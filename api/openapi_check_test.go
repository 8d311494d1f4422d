package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/labstack/echo/v4"
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

// TestOpenAPISchemasAreWellFormed walks every schema of the served
// document: what the OpenAPI schema lets pass but no client can use. An
// object's properties are a map (a merge once left KeyBody's null, and its
// properties under another schema), and every property it requires is one
// of them.
func TestOpenAPISchemasAreWellFormed(t *testing.T) {
	spec, err := openAPIJSON()
	if err != nil {
		t.Fatal(err)
	}
	var doc any
	if err := json.Unmarshal(spec, &doc); err != nil {
		t.Fatal(err)
	}
	schemas := 0
	var walk func(path string, node any)
	walk = func(path string, node any) {
		switch node := node.(type) {
		case []any:
			for i, v := range node {
				walk(fmt.Sprintf("%s[%d]", path, i), v)
			}
		case map[string]any:
			if props, ok := node["properties"]; ok {
				schemas++
				if _, isMap := props.(map[string]any); !isMap {
					t.Errorf("%s: properties is %v, not a map of properties", path, props)
				}
			}
			if required, ok := node["required"].([]any); ok {
				props, _ := node["properties"].(map[string]any)
				for _, name := range required {
					if _, ok := props[name.(string)]; !ok {
						t.Errorf("%s: requires %q, which is not among its properties", path, name)
					}
				}
			}
			for k, v := range node {
				switch k {
				case "example", "examples", "default", "const", "enum":
					continue // values, not schemas
				}
				walk(path+"."+k, v)
			}
		}
	}
	walk("", doc)
	if schemas < 50 {
		t.Errorf("only %d object schemas found", schemas)
	}
}

// CheckAnswer fails tb unless the recorded answer to req is one the
// OpenAPI document describes: a documented status, and a body that fits
// its schema. A request the server accepted (a 2xx answer), whose body was
// body, must fit the document too: what the server takes, a client that
// reads the document can send. Routes the document does not have
// (test-only ones) are left alone.
func CheckAnswer(tb testing.TB, req *http.Request, body []byte, rec *httptest.ResponseRecorder) {
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
	if rec.Code < 300 {
		checkRequest(tb, v, req, body)
	}
}

// checkRequest fails tb unless req, with body, fits the document. The
// server reads a body whatever its Content-Type says, and tests mostly send
// none: a JSON body without one is checked as application/json; another
// (a CSV list) is not checked.
func checkRequest(tb testing.TB, v validator.Validator, req *http.Request, body []byte) {
	tb.Helper()
	sent := req.Clone(context.Background())
	sent.Body = io.NopCloser(bytes.NewReader(body))
	if sent.Header.Get(echo.HeaderContentType) == "" {
		switch trimmed := bytes.TrimSpace(body); {
		case len(trimmed) == 0:
		case trimmed[0] == '{' || trimmed[0] == '[':
			sent.Header.Set(echo.HeaderContentType, echo.MIMEApplicationJSON)
		default:
			return
		}
	}
	if ok, errs := v.ValidateHttpRequest(sent); !ok {
		for _, e := range errs {
			tb.Errorf("%s %s: the server took a request the OpenAPI document does not describe: %s (%s)", req.Method, req.URL.Path, e.Message, e.Reason)
			for _, se := range e.SchemaValidationErrors {
				tb.Errorf("  %s at %s", se.Reason, se.FieldPath)
			}
		}
	}
}
