package input

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/wenzhou-subsidy/subsidy/models"
)

// FuzzDecodeEvaluate feeds arbitrary bodies to the request decoder and, when
// one is accepted, to the engine. Nothing may panic; bad input must be an
// invalid-input error naming fields; accepted input must evaluate.
//
//	go test ./input -run '^$' -fuzz '^FuzzDecodeEvaluate$' -fuzztime 1m
func FuzzDecodeEvaluate(f *testing.F) {
	files, _ := filepath.Glob("../testdata/evaluate/*.json")
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"subject":{"kind":"enterprise"}}`))
	f.Add([]byte(`{"subject":{"kind":"university","code":"u","name":"u","ownership":"public","affiliation":"city","grant_year":2025,"donations":[{"amount":1e400,"form":"cash","via_foundation":true}]}}`))
	f.Add([]byte(`{"overrides":{"cert-grant.amounts":{"city":"1","province":"2","national":"3"}},"subject":null}`))
	eng := mustEngine(f)
	dec := NewDecoder(eng)
	today := models.MustDate("2025-06-30")
	f.Fuzz(func(t *testing.T, body []byte) {
		req, err := dec.Evaluate(body, today)
		if err != nil {
			var me *models.Error
			if !errors.As(err, &me) || me.Code != models.CodeInvalid {
				t.Fatalf("decoder error is not invalid input: %v", err)
			}
			if len(me.Fields) > models.MaxFieldErrors {
				t.Fatalf("%d fields listed, more than %d", len(me.Fields), models.MaxFieldErrors)
			}
			return
		}
		resp, err := eng.Evaluate(req, models.LangZh)
		if err != nil {
			t.Fatalf("accepted request failed to evaluate: %v\n%s", err, body)
		}
		if _, err := json.Marshal(resp); err != nil {
			t.Fatalf("response does not marshal: %v", err)
		}
	})
}
