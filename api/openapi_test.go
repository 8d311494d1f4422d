package api

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/pb33f/libopenapi"
	"github.com/pb33f/libopenapi-validator/schema_validation"

	"github.com/wenzhou-subsidy/subsidy/app"
	"github.com/wenzhou-subsidy/subsidy/input"
	"github.com/wenzhou-subsidy/subsidy/models"
)

// routeOnlyStore lets the server register its service routes; the routes
// test never calls it.
type routeOnlyStore struct {
	models.Store
	Idempotency
}

type openAPIDoc struct {
	OpenAPI string                                `json:"openapi"`
	Paths   map[string]map[string]json.RawMessage `json:"paths"`
}

type operation struct {
	OperationID string `json:"operationId"`
	RequestBody *struct {
		Content map[string]struct {
			Examples map[string]struct {
				Value json.RawMessage `json:"value"`
			} `json:"examples"`
		} `json:"content"`
	} `json:"requestBody"`
	Responses map[string]json.RawMessage `json:"responses"`
}

func loadOpenAPI(t *testing.T, s *Server) openAPIDoc {
	t.Helper()
	rec := do(t, s, http.MethodGet, "/openapi.json", nil)
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /openapi.json: %d", rec.Code)
	}
	var doc openAPIDoc
	if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi %q, want 3.1.0", doc.OpenAPI)
	}
	return doc
}

var echoParam = regexp.MustCompile(`:([a-z_]+)`)

// TestOpenAPICoversRoutes: every registered route is documented, and every
// documented operation is a registered route, with its error answers.
func TestOpenAPICoversRoutes(t *testing.T) {
	st := routeOnlyStore{}
	s, err := NewServer(slog.New(slog.NewTextHandler(io.Discard, nil)), app.New(MustEngine(t), st, app.Options{}), st, Options{})
	if err != nil {
		t.Fatal(err)
	}
	doc := loadOpenAPI(t, s)
	registered := map[string]bool{}
	for _, r := range s.Routes() {
		if r.Method == "echo_route_not_found" {
			continue
		}
		path := echoParam.ReplaceAllString(r.Path, "{$1}")
		key := strings.ToLower(r.Method) + " " + path
		registered[key] = true
		ops, ok := doc.Paths[path]
		if !ok {
			t.Errorf("route %s %s is not documented", r.Method, path)
			continue
		}
		raw, ok := ops[strings.ToLower(r.Method)]
		if !ok {
			t.Errorf("route %s %s: method not documented", r.Method, path)
			continue
		}
		var op operation
		if err := json.Unmarshal(raw, &op); err != nil {
			t.Fatal(err)
		}
		if op.OperationID == "" {
			t.Errorf("%s: no operationId", key)
		}
		// Any route may meet a fault or a database that is down; any body
		// may come too slowly or be too large.
		want := []string{"500", "503"}
		if op.RequestBody != nil {
			want = append(want, "408", "413")
		}
		for _, code := range want {
			if _, ok := op.Responses[code]; !ok {
				t.Errorf("%s does not document %s", key, code)
			}
		}
		public := slices.Contains([]string{"/healthz", "/openapi.json", "/v1/evaluate", "/v1/rules", "/v1/rules/{id}"}, path)
		if !public {
			want := []string{"401", "403"}
			if path == "/v1/whoami" { // any known key may ask
				want = want[:1]
			}
			for _, code := range want {
				if _, ok := op.Responses[code]; !ok {
					t.Errorf("%s does not document %s", key, code)
				}
			}
		}
	}
	for path, ops := range doc.Paths {
		for method := range ops {
			if method == "parameters" {
				continue
			}
			if !registered[method+" "+path] {
				t.Errorf("documented %s %s is not a route", method, path)
			}
		}
	}
}

// TestOpenAPIExamplesValidate decodes every request example of the document
// with the same checks the handlers use, and checks it against its schema
// in the document: the examples are valid requests, and the schemas take
// them.
func TestOpenAPIExamplesValidate(t *testing.T) {
	s := newPublicServer(t, nil)
	doc := loadOpenAPI(t, s)
	spec, err := libopenapi.NewDocument(openAPIYAML)
	if err != nil {
		t.Fatal(err)
	}
	model, err := spec.BuildV3Model()
	if err != nil {
		t.Fatal(err)
	}
	fits := schema_validation.NewSchemaValidator()
	bodies := map[string]func() any{
		"putEnterprise":    func() any { return &models.EnterpriseEntry{} },
		"addCertification": func() any { return &models.Certification{} },
		"putCertification": func() any { return &models.Certification{} },
		"putCreditYear":    func() any { return &models.CreditYearEntry{} },
		"verifyCredit":     func() any { return &models.CreditClaim{} },
		"putUniversity":    func() any { return &models.UniversityEntry{} },
		"addDonation":      func() any { return &models.DonationEntry{} },
		"putDonation":      func() any { return &models.DonationEntry{} },
		"createPayoutRun":  func() any { return &models.PayoutRunRequest{} },
		"rejectPayout":     func() any { return &models.ReasonEntry{} },
		"putCreditCarryIn": func() any { return &models.CarryInEntry{} },

		// Applications (申报).
		"submitApplication":  func() any { return &models.ApplicationEntry{} },
		"correctApplication": func() any { return &models.ApplicationEntry{} },
		"returnApplication":  func() any { return &models.ReasonEntry{} },
		"rejectApplication":  func() any { return &models.ReasonEntry{} },
		"createKey":          func() any { return &models.KeyEntry{} },
		"createForecast":     func() any { return &models.ForecastRequest{} },
		"putBudget":          func() any { return &models.BudgetEntry{} },
	}
	checked := 0
	for path, ops := range doc.Paths {
		for method, raw := range ops {
			var op operation
			if method == "parameters" || json.Unmarshal(raw, &op) != nil || op.RequestBody == nil {
				continue
			}
			for mediaType, content := range op.RequestBody.Content {
				for name, ex := range content.Examples {
					checked++
					var err error
					switch {
					case op.OperationID == "evaluate":
						_, err = s.input.Evaluate(ex.Value, s.today())
					case op.OperationID == "importCertifications":
						var text string
						if err = json.Unmarshal(ex.Value, &text); err == nil {
							_, err = input.CertificationList([]byte(text), nil)
						}
					case bodies[op.OperationID] != nil:
						err = s.input.Decode(ex.Value, bodies[op.OperationID]())
					default:
						t.Errorf("%s %s: no decoder known for the example of %s", method, path, op.OperationID)
						continue
					}
					if err != nil {
						t.Errorf("%s %s (%s) example %q is refused: %v", method, path, mediaType, name, err)
					}
					schema := model.Model.Paths.PathItems.GetOrZero(path).GetOperations().GetOrZero(method).RequestBody.Content.GetOrZero(mediaType).Schema.Schema()
					if ok, errs := fits.ValidateSchemaBytes(schema, ex.Value); !ok {
						for _, e := range errs {
							t.Errorf("%s %s (%s) example %q does not fit its schema: %s (%s)", method, path, mediaType, name, e.Message, e.Reason)
							for _, se := range e.SchemaValidationErrors {
								t.Errorf("  %s at %s", se.Reason, se.FieldPath)
							}
						}
					}
				}
			}
		}
	}
	if checked < 15 {
		t.Errorf("only %d examples checked", checked)
	}
}
